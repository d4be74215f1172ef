/**
 * A manager's own log lines, as controller-runtime's manager writes them: starting, caches
 * synced, leadership won and lost, each failed attempt to reach the Lease, stopping (and why) and
 * how the stop went. Without a logger every call does nothing.
 */
import { errorMessage, type LogFields, type Logger } from '../core/logger.js';
import type { StopCause, StopResult } from './shutdown.js';

/** What a manager tells its log. */
export interface ManagerLog {
  starting(controllers: readonly string[], informers: number): void;
  synced(informers: number): void;
  leadership(leading: boolean): void;
  electionError(error: unknown): void;
  stopping(cause: StopCause): void;
  stopped(result: StopResult): void;
}

const silent: ManagerLog = {
  starting() {},
  synced() {},
  leadership() {},
  electionError() {},
  stopping() {},
  stopped() {},
};

/** The Lease a manager campaigns for, as its lines name it. */
interface LeaseName {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
}

function causeFields(cause: { reason: string; signal?: string; error?: unknown }): LogFields {
  return {
    reason: cause.reason,
    ...(cause.signal ? { signal: cause.signal } : {}),
    ...(cause.reason === 'error' ? { error: errorMessage(cause.error) } : {}),
  };
}

/** The log of a manager (campaigning for `lease`, if it does). */
export function managerLog(logger: Logger | undefined, lease?: LeaseName): ManagerLog {
  if (!logger) return silent;
  const leaseFields: LogFields = lease
    ? { lease: `${lease.namespace}/${lease.name}`, identity: lease.identity }
    : {};
  let led = false;
  return {
    starting: (controllers, informers) => logger.info({ controllers, informers }, 'manager starting'),
    synced: (informers) => logger.info({ informers }, 'caches synced'),
    leadership(leading) {
      if (!lease) {
        if (leading) logger.info({}, 'leading (no leader election)');
        return;
      }
      if (leading) logger.info(leaseFields, 'started leading');
      else logger.info(leaseFields, led ? 'stopped leading' : 'standing by');
      led = leading;
    },
    electionError: (error) =>
      logger.warn({ ...leaseFields, error: errorMessage(error) }, 'leader election attempt failed'),
    stopping(cause) {
      const fields = causeFields(cause);
      if (cause.reason === 'error') logger.error(fields, 'stopping');
      else logger.info(fields, 'stopping');
    },
    stopped: (result) =>
      logger.info(
        {
          ...causeFields(result),
          drained: result.drained,
          abandoned: result.abandoned,
          pending: result.pending,
          heldLease: result.heldLease,
          leaseReleased: result.leaseReleased,
        },
        'stopped',
      ),
  };
}
