/**
 * A controller's log lines, one per reconcile attempt's end, as controller-runtime logs them:
 * a failure is `Reconciler error` (error level) with the key and the error's message, a dropped
 * key says so (error), a requeue and a success are detail (debug). Every line carries the
 * controller's name, the primary resource and the key.
 */
import { type MonoTypeOperatorFunction, tap } from 'rxjs';
import { errorMessage, type Logger } from '../core/logger.js';
import type { WorkResult } from '../workqueue/workQueue.js';

/** Logs every result passing through to `logger` (which carries the controller and resource). */
export function loggedResults(logger: Logger): MonoTypeOperatorFunction<WorkResult> {
  return tap((result) => {
    const { key, attempt, durationMs } = result;
    switch (result.outcome) {
      case 'success':
        logger.debug({ key, attempt, durationMs }, 'reconciled');
        return;
      case 'requeued':
        logger.debug({ key, attempt, durationMs, requeueInMs: result.delayMs }, 'requeued');
        return;
      case 'retry':
        logger.error(
          { key, attempt, durationMs, retryInMs: result.delayMs, error: errorMessage(result.error) },
          'Reconciler error',
        );
        return;
      case 'dropped':
        logger.error({ key, attempt, durationMs, error: errorMessage(result.error) }, 'dropped');
    }
  });
}
