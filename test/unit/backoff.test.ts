import { describe, expect, it } from 'vitest';
import { Backoff, type BackoffOptions, defaultBackoff } from '../../src/index.js';

const fixed = (value: number) => () => value;

/** Delays of consecutive failures `stepMs` apart. */
function delays(backoff: Backoff, count: number, stepMs = 1_000, start = 0): number[] {
  return Array.from({ length: count }, (_, i) => backoff.next(start + i * stepMs));
}

describe('Backoff', () => {
  it("defaults to client-go's reflector backoff: 800 ms x2, cap 30 s, full jitter, reset after 2 min", () => {
    expect(defaultBackoff).toEqual({
      initialMs: 800,
      factor: 2,
      maxMs: 30_000,
      jitter: 1,
      resetAfterMs: 120_000,
    });
    expect(Object.isFrozen(defaultBackoff)).toBe(true);
  });

  it('doubles from 800 ms and caps at 30 s (no jitter when random() is 0)', () => {
    expect(delays(new Backoff(defaultBackoff, fixed(0)), 9)).toEqual([
      800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000, 30_000,
    ]);
  });

  it('adds jitter x base x random(): the delay lies in [base, base x (1 + jitter)]', () => {
    expect(delays(new Backoff(defaultBackoff, fixed(0.5)), 7)).toEqual([
      1200, 2400, 4800, 9600, 19_200, 38_400, 45_000,
    ]);
    expect(delays(new Backoff({ ...defaultBackoff, jitter: 0.25 }, fixed(1)), 3)).toEqual([1000, 2000, 4000]);
    expect(delays(new Backoff({ ...defaultBackoff, jitter: 0 }, fixed(0.9)), 3)).toEqual([800, 1600, 3200]);
    // the cap applies to the base, jitter comes on top
    const capped = new Backoff({ ...defaultBackoff, initialMs: 40_000 }, fixed(0.1));
    expect(capped.next(0)).toBe(33_000);
  });

  it('stays in range for any random value', () => {
    const samples = [0, 0.001, 0.1, 0.25, 0.3333, 0.5, 0.7, 0.9, 0.999];
    for (const r of samples) {
      const got = delays(new Backoff(defaultBackoff, fixed(r)), 8);
      const bases = [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000];
      got.forEach((delay, i) => {
        const base = bases[i] as number;
        // Truncated like client-go's wait.Jitter: in [base, 2 x base), never rounded up.
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThan(2 * base);
        expect(delay).toBe(Math.floor(base * (1 + r)));
        expect(Number.isInteger(delay)).toBe(true);
      });
    }
  });

  it('draws a fresh random value per failure', () => {
    const values = [0, 1 / 2, 1 / 4];
    let i = 0;
    const b = new Backoff(defaultBackoff, () => values[i++] as number);
    expect(delays(b, 3)).toEqual([800, 2400, 4000]);
    expect(i).toBe(3);
  });

  it('starts over from 800 ms when a failure comes resetAfterMs or more after the previous one', () => {
    const b = new Backoff(defaultBackoff, fixed(0));
    expect(b.next(0)).toBe(800);
    expect(b.next(1_000)).toBe(1600);
    expect(b.next(2_000)).toBe(3200);
    // 119 999 ms after the previous failure: still counting
    expect(b.next(121_999)).toBe(6400);
    // 120 000 ms after it: healthy long enough, reset
    expect(b.next(241_999)).toBe(800);
    expect(b.next(242_000)).toBe(1600);
  });

  it('honours custom options', () => {
    const options: BackoffOptions = {
      initialMs: 100,
      factor: 3,
      maxMs: 1_000,
      jitter: 0,
      resetAfterMs: 5_000,
    };
    const b = new Backoff(options, fixed(0.5));
    expect(delays(b, 5)).toEqual([100, 300, 900, 1_000, 1_000]);
    expect(b.next(4_000 + 5_000)).toBe(100);
  });

  it('keeps each instance independent', () => {
    const a = new Backoff(defaultBackoff, fixed(0));
    const b = new Backoff(defaultBackoff, fixed(0));
    expect(delays(a, 3)).toEqual([800, 1600, 3200]);
    expect(b.next(0)).toBe(800);
  });
});
