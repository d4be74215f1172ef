/**
 * Command-line arguments of `kube-rx`. Parsing is pure (argv in, a value or a {@link UsageError}
 * out), so every error message is unit-tested without starting anything.
 */
import { parseArgs } from 'node:util';
import type { ListMode } from '../sources/listWatch.js';

/** `--index name=path`: a `byField(path)` index called `name`. */
export interface IndexSpec {
  readonly name: string;
  readonly path: string;
}

/** `-o`: a table (the default), a wider table, or the objects themselves. */
export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name';

const FORMATS: readonly string[] = ['wide', 'json', 'yaml', 'name'];

/** True for the table formats (rows with columns, a status line); false for the object formats. */
export const isTable = (output: OutputFormat): output is 'table' | 'wide' =>
  output === 'table' || output === 'wide';

/** `kube-rx watch <resource> ...` */
export interface WatchArgs {
  readonly command: 'watch';
  readonly resource: string;
  /** `-n`; when absent (and not `-A`): the context's namespace, else `default`, like kubectl. */
  readonly namespace?: string;
  /** `-A`: every namespace. */
  readonly allNamespaces: boolean;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly indexes: readonly IndexSpec[];
  /** A kubeconfig file; else `KUBECONFIG`, `~/.kube/config`, in-cluster, or the embedded cluster. */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Watch the embedded fake cluster even when a kubeconfig exists. */
  readonly embedded: boolean;
  /** Stop after this many seconds; 0 runs until interrupted. */
  readonly durationSeconds: number;
  /** Exit 1 when the server has not answered successfully within this many ms; 0 waits forever. */
  readonly startupTimeoutMs: number;
  /** Without a terminal: print a status line this often (ms). */
  readonly statusIntervalMs: number;
  /** Embedded cluster: one simulated change every this many ms (0: no churn). */
  readonly churnMs: number;
  readonly listMode: ListMode;
  readonly output: OutputFormat;
  /** `-L`: one column per label key. */
  readonly labelColumns: readonly string[];
  readonly showLabels: boolean;
  readonly noHeaders: boolean;
}

/** Everything the command line can ask for. */
export type CliArgs = WatchArgs | { readonly command: 'help' } | { readonly command: 'version' };

/** A command line that cannot be run; the message says why. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: kube-rx watch <resource> [options]

Prints informer events (like kubectl get -w --output-watch-events) and a live status line:
objects cached, events/s, last resourceVersion, relists and watch restarts.

The cluster comes from --kubeconfig, else KUBECONFIG, else ~/.kube/config, else the
in-cluster service account. Without any of them (or with --embedded) it watches an embedded
fake Kubernetes API (served over HTTP on 127.0.0.1) with simulated churn and injected faults:
dropped watches and etcd compactions (410 Gone -> relist).

<resource>   pods, deployments, configmaps, ... also short names (po, deploy, cm, svc, ns,
             no, ...), singular names, plural.group (deployments.apps) or group/version/plural
             (apps/v1/deployments, example.com/v1/widgets) resolved through discovery

Options:
  -n, --namespace NS        watch one namespace (default: the context's namespace, else default)
  -A, --all-namespaces      watch all namespaces
  -l, --selector SELECTOR   label selector, e.g. app=web,tier in (frontend)
      --field-selector SEL  field selector, e.g. spec.nodeName=node-a
  -o, --output FORMAT       wide (more columns), json, yaml or name (kind/name); default a table
  -L, --label-columns KEYS  a column per label key; repeatable or comma-separated
      --show-labels         a LABELS column with every label
      --no-headers          no column header row
      --index NAME=PATH     add an index byField(PATH) named NAME and show per-value counts;
                            repeatable, e.g. --index node=spec.nodeName
      --kubeconfig FILE     the kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)
      --context NAME        kubeconfig context (default: its current context)
      --embedded            watch the embedded fake cluster even if a kubeconfig exists
      --list-mode MODE      paginated (default), streaming or auto
      --duration SECONDS    stop after SECONDS (default 0: until Ctrl-C)
      --startup-timeout S   exit 1 unless the server answers within S seconds (default 10; 0: wait)
      --status-interval S   without a terminal, print a status line every S seconds (default 5)
      --churn-ms MS         embedded cluster: one change every MS ms (default 400; 0: none)
  -h, --help                show this help
      --version             print the version

Exit codes: 0 after Ctrl-C, SIGTERM or --duration; 1 with a one-line reason when the cluster
cannot be used (unreachable, 401/403, unknown context, rejected selector, no answer within
--startup-timeout) or the informer failed for good; 2 for usage errors.
`;

function seconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} must be a number >= 0, got ${JSON.stringify(value)}`);
  return n;
}

function indexSpec(text: string): IndexSpec {
  const eq = text.indexOf('=');
  const name = eq < 0 ? '' : text.slice(0, eq).trim();
  const path = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (!name || !path || path.split('.').some((part) => part === ''))
    throw new UsageError(`--index expects NAME=PATH (e.g. node=spec.nodeName), got ${JSON.stringify(text)}`);
  if (name === 'namespace')
    throw new UsageError(
      '--index namespace=... clashes with the built-in namespace index; pick another name',
    );
  return { name, path };
}

const parse = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      selector: { type: 'string', short: 'l' },
      output: { type: 'string', short: 'o' },
      'label-columns': { type: 'string', short: 'L', multiple: true },
      'show-labels': { type: 'boolean' },
      'no-headers': { type: 'boolean' },
      'field-selector': { type: 'string' },
      index: { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      embedded: { type: 'boolean' },
      'list-mode': { type: 'string' },
      duration: { type: 'string' },
      'startup-timeout': { type: 'string' },
      'status-interval': { type: 'string' },
      'churn-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });

/**
 * Parses `kube-rx` arguments (without the node and script paths).
 *
 * @example
 * ```ts
 * parseCliArgs(['watch', 'po', '-n', 'default', '--index', 'node=spec.nodeName']);
 * ```
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse([...argv]);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, resource, ...rest] = positionals;
  if (command === undefined) throw new UsageError('missing command: kube-rx watch <resource>');
  if (command !== 'watch')
    throw new UsageError(`unknown command ${JSON.stringify(command)}; try: kube-rx watch pods`);
  if (resource === undefined)
    throw new UsageError('missing resource: kube-rx watch <resource>, e.g. kube-rx watch pods');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (values.namespace !== undefined && values['all-namespaces'])
    throw new UsageError('--namespace and --all-namespaces exclude each other');
  if (values.embedded && (values.kubeconfig !== undefined || values.context !== undefined))
    throw new UsageError('--embedded excludes --kubeconfig and --context');
  const listMode = values['list-mode'] ?? 'paginated';
  if (listMode !== 'paginated' && listMode !== 'streaming' && listMode !== 'auto')
    throw new UsageError(`--list-mode must be paginated, streaming or auto, got ${JSON.stringify(listMode)}`);
  const output = values.output ?? 'table';
  if (values.output !== undefined && !FORMATS.includes(output))
    throw new UsageError(`--output must be wide, json, yaml or name, got ${JSON.stringify(output)}`);
  const labelColumns = (values['label-columns'] ?? []).flatMap((keys) =>
    keys
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== ''),
  );
  if (
    !isTable(output as OutputFormat) &&
    (labelColumns.length > 0 || values['show-labels'] || values['no-headers'])
  )
    throw new UsageError(`-L, --show-labels and --no-headers apply to tables, not to -o ${output}`);
  const indexes = (values.index ?? []).map(indexSpec);
  const names = new Set<string>();
  for (const { name } of indexes) {
    if (names.has(name)) throw new UsageError(`--index ${name} given twice`);
    names.add(name);
  }
  const statusSeconds = seconds('status-interval', values['status-interval'], 5);
  if (statusSeconds === 0) throw new UsageError('--status-interval must be > 0');
  return {
    command: 'watch',
    resource,
    namespace: values.namespace,
    allNamespaces: values['all-namespaces'] === true,
    labelSelector: values.selector,
    fieldSelector: values['field-selector'],
    indexes,
    kubeconfig: values.kubeconfig,
    context: values.context,
    embedded: values.embedded === true,
    durationSeconds: seconds('duration', values.duration, 0),
    startupTimeoutMs: seconds('startup-timeout', values['startup-timeout'], 10) * 1000,
    statusIntervalMs: statusSeconds * 1000,
    churnMs: seconds('churn-ms', values['churn-ms'], 400),
    listMode,
    output: output as OutputFormat,
    labelColumns,
    showLabels: values['show-labels'] === true,
    noHeaders: values['no-headers'] === true,
  };
}
