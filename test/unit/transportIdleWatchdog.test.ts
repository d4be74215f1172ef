import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { idleWatchdog } from '../../src/transport/idleWatchdog.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('idleWatchdog', () => {
  it('fires once after idleMs without a kick; each kick restarts the wait', () => {
    const onIdle = vi.fn();
    const dog = idleWatchdog(100, onIdle);
    vi.advanceTimersByTime(90);
    dog.kick();
    vi.advanceTimersByTime(90);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10);
    expect(onIdle).toHaveBeenCalledTimes(1);
    dog.kick(); // a late chunk must not re-arm a watchdog that already fired
    vi.advanceTimersByTime(1000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('never fires after stop', () => {
    const onIdle = vi.fn();
    const dog = idleWatchdog(100, onIdle);
    dog.stop();
    dog.kick();
    vi.advanceTimersByTime(1000);
    expect(onIdle).not.toHaveBeenCalled();
  });

  it.each([0, -1, Number.NaN, 2 ** 31, Number.POSITIVE_INFINITY])('is disabled by idleMs %d', (idleMs) => {
    const onIdle = vi.fn();
    idleWatchdog(idleMs, onIdle).kick();
    vi.advanceTimersByTime(2 ** 31 + 10);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
