/**
 * P5 workQueue: 1M keys (10% of them repeats of earlier keys) through a synchronous no-op
 * reconcile at concurrency 4 with client-go's default controller rate limiter.
 *
 * `from(keys).pipe(workQueue(noop, { concurrency: 4, rateLimiter }))`: every key goes through the
 * queue's dirty/queue/processing sets, the rate limiter's bookkeeping and a `WorkResult`. The
 * baseline is the floor for any queue: a `Set` dedupe and a function call per key.
 *
 * Target: >= 200k keys/s.
 */
import { from } from 'rxjs';
import { defaultControllerRateLimiter, workQueue } from '../src/index.js';
import { seededRandom } from '../src/testing/random.js';
import { emitResult } from './lib/child.js';
import { interleave, scale, type Timing } from './lib/harness.js';

export interface P5Result {
  readonly keys: number;
  readonly timings: Record<string, Timing>;
  readonly keysPerSec: number;
  readonly baselineKeysPerSec: number;
}

const KEYS = scale(1_000_000, 100_000);
const ROUNDS = scale(5, 5);

/** `namespace/name` keys; every 10th position repeats a random earlier key. */
function makeKeys(count: number): string[] {
  const random = seededRandom(5);
  const keys: string[] = new Array(count);
  let unique = 0;
  for (let i = 0; i < count; i++) {
    keys[i] =
      i % 10 === 9 && unique > 0
        ? (keys[Math.floor(random() * i)] as string)
        : `team-${unique % 20}/web-${(unique++).toString(36).padStart(6, '0')}`;
  }
  return keys;
}

export const SUBJECT = 'kube-rx workQueue, concurrency 4';
export const BASELINE = 'Set dedupe + call (floor)';

async function main(): Promise<void> {
  const keys = makeKeys(KEYS);
  let reconciled = 0;
  const noop = () => {
    reconciled++;
  };
  const tasks = {
    [SUBJECT]: {
      run: () => {
        reconciled = 0;
        let results = 0;
        from(keys)
          .pipe(workQueue(noop, { concurrency: 4, rateLimiter: defaultControllerRateLimiter() }))
          .subscribe({
            next: () => {
              results++;
            },
          });
        if (results !== KEYS || reconciled !== KEYS) throw new Error(`${results} results for ${KEYS} keys`);
      },
    },
    [BASELINE]: {
      run: () => {
        const pending = new Set<string>();
        for (const key of keys) {
          if (pending.has(key)) continue;
          pending.add(key);
          noop();
          pending.delete(key);
        }
      },
    },
  };
  const timings = await interleave(tasks, ROUNDS);
  emitResult({
    keys: KEYS,
    timings,
    keysPerSec: (KEYS * 1000) / timings[SUBJECT].ms,
    baselineKeysPerSec: (KEYS * 1000) / timings[BASELINE].ms,
  } satisfies P5Result);
}

await main();
