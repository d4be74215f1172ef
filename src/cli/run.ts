/**
 * `kube-rx watch`: an informer on the command line. Events are printed as rows, the store feeds
 * the status line (objects cached, events/s, last resourceVersion, relists, watch restarts and
 * per-value index counts), and the reflector's reported errors are printed as `!` rows.
 */
import { Subscription } from 'rxjs';
import packageJson from '../../package.json' with { type: 'json' };
import { type KubeRxError, StatusError } from '../core/errors.js';
import type { InformerEvent } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import { describeResource, type ResourceType } from '../core/resources.js';
import { informer } from '../runtime/informer.js';
import type { ListWatchErrorContext } from '../sources/listWatch.js';
import { byField, type Indexers } from '../store/indexFuncs.js';
import type { Snapshot } from '../store/snapshot.js';
import { parseCliArgs, USAGE, UsageError, type WatchArgs } from './args.js';
import { CliFailure } from './failures.js';
import { resolveClusterSource } from './kubeconfigSource.js';
import { eventRow, HEADER, indexSummary, statusLine } from './render.js';
import { resolveResource } from './resolveResource.js';
import { type Output, Screen } from './screen.js';
import { WatchStats } from './stats.js';
import { connect, type Target } from './target.js';

/** Streams and signals of one CLI run (the process's, or a test's). */
export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Aborting it stops the watch like Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Overrides whether the status line is drawn in place (default: `stdout.isTTY`). */
  readonly live?: boolean;
  /** Where `KUBECONFIG` and `HOME` are read (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `Name: message`; a usage error is just its message. */
function describeError(error: unknown, withName = true): string {
  if (error instanceof UsageError || (error instanceof Error && !withName)) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function countIndexes(
  snapshot: Snapshot<KubeObject>,
  args: WatchArgs,
): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const { name } of args.indexes) {
    const perValue: Record<string, number> = {};
    for (const value of snapshot.indexValues(name)) perValue[value] = snapshot.indexKeys(name, value).length;
    counts[name] = perValue;
  }
  return counts;
}

/** Runs the watch until the duration ends, the signal aborts, or the stream fails. Returns the exit code. */
async function watch(args: WatchArgs, io: CliIo): Promise<number> {
  // Built-in names resolve before anything starts, so a typo fails fast.
  let resource: ResourceType<KubeObject> | undefined;
  if (!args.resource.includes('/')) {
    try {
      resource = await resolveResource(args.resource);
    } catch (error) {
      io.stderr.write(`kube-rx: ${describeError(error, false)}\n`);
      return 2;
    }
  }
  const screen = new Screen(io.stdout, io.live ?? io.stdout.isTTY === true);
  const stats = new WatchStats();
  let target: Target;
  try {
    const source = await resolveClusterSource(args, { env: io.env ?? process.env });
    if (source.kind === 'embedded' && source.notice) screen.line(source.notice);
    target = await connect(source, args.churnMs, (line) => screen.line(line));
  } catch (error) {
    io.stderr.write(
      `kube-rx: ${error instanceof CliFailure ? error.message : `cannot connect: ${describeError(error)}`}\n`,
    );
    return 1;
  }
  const subscription = new Subscription();
  const timers: NodeJS.Timeout[] = [];
  try {
    const client = stats.countWatches(target.client);
    if (resource === undefined) {
      try {
        resource = await resolveResource(args.resource, client);
      } catch (error) {
        io.stderr.write(`kube-rx: ${describeError(error, false)}\n`);
        return error instanceof UsageError ? 2 : 1;
      }
    }
    const watched = resource;
    const indexers: Indexers<KubeObject> = Object.fromEntries(
      args.indexes.map(({ name, path }) => [name, byField(path)]),
    );
    const onError = (error: KubeRxError, context: ListWatchErrorContext) => {
      stats.errors++;
      if (context.relist) stats.relists++;
      const retry = context.retryInMs !== undefined ? ` (retry in ${context.retryInMs} ms)` : '';
      screen.line(`! ${context.phase}: ${error.message}${context.relist ? ' -> relist' : ''}${retry}`);
    };
    // kubectl's rule: -A for all, else -n, else the context's namespace; cluster-scoped: none.
    const namespace =
      !watched.namespaced || args.allNamespaces ? undefined : (args.namespace ?? target.defaultNamespace);
    const cache = informer<KubeObject>(client, watched, {
      namespace,
      labelSelector: args.labelSelector,
      fieldSelector: args.fieldSelector,
      listMode: args.listMode,
      indexers,
      onError,
    });
    const scope = namespace
      ? `namespace ${namespace}`
      : watched.namespaced
        ? 'all namespaces'
        : 'cluster-scoped';
    screen.line(`kube-rx watch ${describeResource(watched)} (${scope}) on ${target.where}`);
    screen.line(HEADER);
    screen.setStatus(statusLine(stats));
    // The status is redrawn on a timer, not per event: index counts cost O(objects), and a
    // terminal does not need more than a few frames per second.
    let latest: Snapshot<KubeObject> | undefined;
    const status = () => {
      if (latest) stats.indexCounts = countIndexes(latest, args);
      return statusLine(stats);
    };

    const done = new Promise<number>((resolve) => {
      subscription.add(
        cache.events$.subscribe({
          next: (event: InformerEvent<KubeObject>) => {
            stats.recordEvents();
            screen.line(eventRow(event, args.indexes));
          },
          error: (error: unknown) => {
            const hint =
              error instanceof StatusError && error.code === 404 ? ' (is the resource served?)' : '';
            screen.line(`! fatal: ${describeError(error)}${hint}`);
            resolve(1);
          },
        }),
      );
      subscription.add(
        cache.store$.subscribe({
          next: (snapshot) => {
            stats.objects = snapshot.size;
            stats.resourceVersion = snapshot.resourceVersion;
            stats.synced = snapshot.synced;
            latest = snapshot;
          },
          error: () => undefined, // reported by events$
        }),
      );
      if (screen.live) timers.push(setInterval(() => screen.setStatus(status()), 250));
      else timers.push(setInterval(() => screen.line(`status: ${status()}`), args.statusIntervalMs));
      if (args.durationSeconds > 0) timers.push(setTimeout(() => resolve(0), args.durationSeconds * 1000));
      if (io.signal?.aborted) resolve(130);
      io.signal?.addEventListener('abort', () => resolve(130), { once: true });
    });
    const code = await done;
    const final = [`status: ${status()}`];
    for (const [name, counts] of Object.entries(stats.indexCounts))
      final.push(`index ${indexSummary(name, counts)}`);
    screen.close(final);
    return code === 130 ? 0 : code;
  } finally {
    for (const timer of timers) clearInterval(timer);
    subscription.unsubscribe();
    screen.close();
    await target.close();
  }
}

/**
 * Runs `kube-rx` with the given arguments and returns the exit code (0 ok, 1 failure, 2 usage).
 *
 * @example
 * ```ts
 * const code = await runCli(['watch', 'pods', '--duration', '5'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`kube-rx: ${error.message}\nRun 'kube-rx --help' for usage.\n`);
    return 2;
  }
  switch (args.command) {
    case 'help':
      io.stdout.write(USAGE);
      return 0;
    case 'version':
      io.stdout.write(`kube-rx ${packageJson.version}\n`);
      return 0;
    case 'watch':
      return watch(args, io);
  }
}
