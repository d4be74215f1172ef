/**
 * `runManager`: the `main` of an operator process. It makes a manager that stops on SIGTERM and
 * SIGINT (a manager made with `manager()` does not touch signals unless asked), lets `setup` add
 * the controllers and checks, runs it, prints one line saying how it stopped, and exits with
 * {@link exitCodeOf}: 0 after a clean drain, 1 after an error or a drain cut short. This is the
 * part of controller-runtime's `ctrl.SetupSignalHandler()` + `mgr.Start(ctx)` + `os.Exit(1)`.
 */
import type { PromScrapeRegistry } from '../workqueue/promClientShape.js';
import { type Manager, type ManagerOptions, manager } from './manager.js';
import { describeStop, exitCodeOf, type StopResult } from './shutdown.js';

/** Options of {@link runManager}: the manager's, with `handleSignals` on by default. */
export interface RunManagerOptions<R extends PromScrapeRegistry = PromScrapeRegistry>
  extends ManagerOptions<R> {
  /** Ends the process with the code. Default `process.exit`. */
  readonly exit?: (code: number) => void;
  /** Receives the line that says how the manager stopped. Default: stderr. */
  readonly log?: (line: string) => void;
}

/**
 * Runs an operator until SIGTERM/SIGINT (or the `signal` option), then exits.
 *
 * @example
 * ```ts
 * await runManager({ client: kubeClient(), server: { port: 8081 } }, (mgr) => {
 *   mgr.controller('website', { for: mgr.informers.for(websites), reconcile });
 * });
 * ```
 */
export async function runManager<R extends PromScrapeRegistry = PromScrapeRegistry>(
  options: RunManagerOptions<R>,
  setup: (mgr: Manager) => void | Promise<void>,
): Promise<StopResult> {
  const {
    exit = (code: number) => process.exit(code),
    log = (line: string) => void process.stderr.write(`${line}\n`),
    ...managerOptions
  } = options;
  const mgr = manager<R>({ handleSignals: true, ...managerOptions });
  let result: StopResult;
  try {
    await setup(mgr);
    result = await mgr.start();
  } catch (error) {
    result = {
      reason: 'error',
      error,
      drained: true,
      abandoned: [],
      pending: [],
      heldLease: false,
      leaseReleased: false,
    };
  }
  log(describeStop(result));
  exit(exitCodeOf(result));
  return result;
}
