/**
 * `kube-rx watch`: an informer on the command line. Events are printed as table rows (or as
 * objects with `-o json|yaml|name`), the store and the reflector's lifecycle feed the status line
 * (objects cached, events/s, last resourceVersion, relists, watch restarts, backoffs and per-value
 * index counts), and the reflector's reported errors are printed as `!` rows. With a table,
 * everything goes to stdout; with the object formats, stdout carries only the objects and the rest
 * goes to stderr, so it can be piped.
 *
 * Strict at startup, patient afterwards. Until the server has answered and the first list is in,
 * anything that cannot fix itself (unreachable, TLS, 400/401/403/404, a bad kubeconfig) ends the
 * run with exit 1 and one line, and so does silence past `--startup-timeout`. Once the cache is
 * synced, the Reflector's retries keep it alive through restarts and dropped watches, as in a
 * controller; only an error it gives up on (its stream errors) ends the run.
 */
import { Subscription } from 'rxjs';
import type { KubeRxError } from '../core/errors.js';
import type { InformerEvent } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import { describeResource, type ResourceType } from '../core/resources.js';
import { informer } from '../runtime/informer.js';
import type { ListWatchErrorContext } from '../sources/listWatch.js';
import { byField, type Indexers } from '../store/indexFuncs.js';
import { parseLabelSelector } from '../store/labelSelector.js';
import type { Snapshot } from '../store/snapshot.js';
import { isTable, UsageError, type WatchArgs } from './args.js';
import { documentPrinter } from './documents.js';
import { CliFailure, failureReason, isFatalAtStartup } from './failures.js';
import { noticeFirstAnswer } from './firstAnswer.js';
import { resolveClusterSource } from './kubeconfigSource.js';
import { resolveResource } from './resolveResource.js';
import type { CliIo } from './run.js';
import { Screen } from './screen.js';
import { WatchStats } from './stats.js';
import { indexSummary, statusLine } from './statusLine.js';
import { EventTable } from './table.js';
import { connect, type Target } from './target.js';

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

/** A label selector the server would reject with 400 on every retry fails here, before any request. */
function checkLabelSelector(selector: string | undefined): void {
  if (selector === undefined) return;
  try {
    parseLabelSelector(selector);
  } catch (error) {
    throw new CliFailure(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Prints a failure and returns its exit code: 1 for a {@link CliFailure}, 2 for a usage error. */
function reportFailure(io: CliIo, error: unknown): number {
  if (error instanceof CliFailure) {
    io.stderr.write(`kube-rx: ${error.message}\n`);
    return 1;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`kube-rx: ${error.message}\n`);
    return 2;
  }
  throw error;
}

/** Runs the watch until the duration ends, the signal aborts, or the stream fails. Returns the exit code. */
export async function watchCommand(args: WatchArgs, io: CliIo): Promise<number> {
  let resource: ResourceType<KubeObject> | undefined;
  const table = isTable(args.output);
  // Tables share stdout with the status line; the object formats leave stdout to the objects.
  const screen = table
    ? new Screen(io.stdout, io.live ?? io.stdout.isTTY === true)
    : new Screen(io.stderr, false);
  let target: Target;
  try {
    // Built-in names resolve before anything starts, so a typo fails fast.
    if (!args.resource.includes('/')) resource = await resolveResource(args.resource);
    checkLabelSelector(args.labelSelector);
    const source = await resolveClusterSource(args, { env: io.env ?? process.env });
    if (source.kind === 'embedded' && source.notice) screen.line(source.notice);
    target = await connect(source, args.churnMs, (line) => screen.line(line));
  } catch (error) {
    screen.close();
    return reportFailure(io, error);
  }
  try {
    return await watchTarget(args, io, screen, target, resource);
  } catch (error) {
    screen.close();
    return reportFailure(io, error);
  } finally {
    screen.close();
    await target.close();
  }
}

/** Prints events: table rows through the screen (a batch per tick, for aligned columns), or objects on stdout. */
function eventPrinter(
  args: WatchArgs,
  io: CliIo,
  screen: Screen,
  resource: ResourceType<KubeObject>,
  namespaceColumn: boolean,
): { event(event: InformerEvent<KubeObject>): void; flush(): void } {
  if (!isTable(args.output)) {
    const document = documentPrinter(args.output, resource);
    return { event: (event) => io.stdout.write(document(event)), flush: () => undefined };
  }
  const table = new EventTable({
    resource,
    wide: args.output === 'wide',
    namespaceColumn,
    labelColumns: args.labelColumns,
    showLabels: args.showLabels,
    noHeaders: args.noHeaders,
    indexes: args.indexes,
  });
  let pending: InformerEvent<KubeObject>[] = [];
  const flush = () => {
    const events = pending;
    pending = [];
    if (events.length > 0) for (const row of table.rows(events, Date.now())) screen.line(row);
  };
  return {
    // The events of one batch (the initial list) arrive in one tick: they are laid out together.
    event: (event) => {
      if (pending.push(event) === 1) setImmediate(flush);
    },
    flush,
  };
}

async function watchTarget(
  args: WatchArgs,
  io: CliIo,
  screen: Screen,
  target: Target,
  builtin: ResourceType<KubeObject> | undefined,
): Promise<number> {
  const stats = new WatchStats();
  const { client, answered } = noticeFirstAnswer(target.client);
  const what = () => (builtin ? describeResource(builtin) : args.resource);
  const subscription = new Subscription();
  const timers: NodeJS.Timeout[] = [];
  let lastError: unknown;
  let finish!: (outcome: number | CliFailure) => void;
  const done = new Promise<number | CliFailure>((resolve) => {
    finish = resolve;
  });
  // Ctrl-C and --duration hold from the start, discovery included.
  if (io.signal?.aborted) finish(130);
  io.signal?.addEventListener('abort', () => finish(130), { once: true });
  if (args.durationSeconds > 0) timers.push(setTimeout(() => finish(0), args.durationSeconds * 1000));
  if (args.startupTimeoutMs > 0) {
    const seconds = args.startupTimeoutMs / 1000;
    const deadline = setTimeout(() => {
      const reason =
        lastError === undefined
          ? `cannot reach ${target.server}: no answer within ${seconds} s`
          : `${failureReason(lastError, target.server, what())} (still failing after ${seconds} s)`;
      finish(new CliFailure(reason));
    }, args.startupTimeoutMs);
    timers.push(deadline);
    answered.then(() => clearTimeout(deadline));
  }
  try {
    let resource = builtin;
    if (resource === undefined) {
      const resolving = resolveResource(args.resource, client).catch((error: unknown) => {
        throw error instanceof UsageError
          ? error
          : new CliFailure(failureReason(error, target.server, args.resource));
      });
      // Discovery may still fail after the deadline or Ctrl-C won the race: nothing is left to tell.
      resolving.catch(() => undefined);
      const outcome = await Promise.race([resolving, done]);
      if (typeof outcome === 'number') return outcome;
      if (outcome instanceof CliFailure) throw outcome;
      resource = outcome;
    }
    const watched = resource;
    const indexers: Indexers<KubeObject> = Object.fromEntries(
      args.indexes.map(({ name, path }) => [name, byField(path)]),
    );
    const onError = (error: KubeRxError, context: ListWatchErrorContext) => {
      lastError = error;
      if (!stats.synced && isFatalAtStartup(error, context)) {
        finish(
          new CliFailure(failureReason(error, target.server, describeResource(watched)), { cause: error }),
        );
        return;
      }
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
      // Relists, watch restarts, errors and what the reflector is doing, for the status line.
      onLifecycle: (event) => stats.observe(event),
    });
    const scope = namespace
      ? `namespace ${namespace}`
      : watched.namespaced
        ? 'all namespaces'
        : 'cluster-scoped';
    screen.line(`kube-rx watch ${describeResource(watched)} (${scope}) on ${target.where}`);
    screen.setStatus(statusLine(stats));
    const print = eventPrinter(args, io, screen, watched, namespace === undefined && watched.namespaced);
    // The status is redrawn on a timer, not per event: index counts cost O(objects), and a
    // terminal does not need more than a few frames per second.
    let latest: Snapshot<KubeObject> | undefined;
    const status = () => {
      if (latest) stats.indexCounts = countIndexes(latest, args);
      return statusLine(stats);
    };
    subscription.add(
      cache.events$.subscribe({
        next: (event: InformerEvent<KubeObject>) => {
          stats.recordEvents();
          print.event(event);
        },
        error: (error: unknown) =>
          finish(
            new CliFailure(failureReason(error, target.server, describeResource(watched)), { cause: error }),
          ),
      }),
    );
    subscription.add(
      cache.store$.subscribe({
        next: (snapshot) => {
          stats.objects = snapshot.size;
          stats.resourceVersion = snapshot.resourceVersion;
          if (snapshot.synced && !stats.synced) target.synced();
          stats.synced = snapshot.synced;
          latest = snapshot;
        },
        error: () => undefined, // reported by events$
      }),
    );
    if (screen.live) timers.push(setInterval(() => screen.setStatus(status()), 250));
    else if (isTable(args.output))
      timers.push(setInterval(() => screen.line(`status: ${status()}`), args.statusIntervalMs));

    const outcome = await done;
    print.flush();
    // A failure before the first list has no status worth printing; after it, the final status
    // shows what the cache held when the run ended.
    if (outcome instanceof CliFailure && !stats.synced) throw outcome;
    const final = [`status: ${status()}`];
    for (const [name, counts] of Object.entries(stats.indexCounts))
      final.push(`index ${indexSummary(name, counts)}`);
    screen.close(final);
    if (outcome instanceof CliFailure) throw outcome;
    return outcome === 130 ? 0 : outcome;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    subscription.unsubscribe();
  }
}
