/** Shared by the work queue's state tests: a queue with a fast limiter, outcomes, and taking a key. */
import {
  createQueueState,
  type QueueConfig,
  type QueueState,
  type Ticket,
  take,
} from '../../src/workqueue/queueState.js';
import { exponentialFailure } from '../../src/workqueue/rateLimiters.js';

export const boom = new Error('boom');
export const ok = { ok: true, value: undefined } as const;
export const failed = { ok: false, error: boom } as const;

/** A queue with a 10 ms to 1 s exponential limiter and `config` on top. */
export function queue(config: Partial<QueueConfig> = {}): QueueState {
  return createQueueState({ limiter: exponentialFailure(10, 1000), ...config });
}

/** Takes the next key, failing the test when there is none. */
export function takeOne(state: QueueState, now = 0): Ticket {
  const ticket = take(state, now);
  if (!ticket) throw new Error('expected a key to take');
  return ticket;
}
