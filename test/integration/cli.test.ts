/**
 * `kube-rx watch` without a terminal: argument errors, resource names, row and status formats,
 * the in-place status redraw (checked on a minimal terminal model), runs against the embedded
 * cluster in-process, and the real executable as a child process (exit codes, SIGTERM, bin/).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseCliArgs, UsageError } from '../../src/cli/args.js';
import { builtinResource, resolveResource } from '../../src/cli/resolveResource.js';
import { type CliIo, runCli } from '../../src/cli/run.js';
import { Screen } from '../../src/cli/screen.js';
import { WatchStats } from '../../src/cli/stats.js';
import { statusLine } from '../../src/cli/statusLine.js';
import { EventTable } from '../../src/cli/table.js';
import { resources } from '../../src/index.js';
import { addEvent, createFakeCluster, deleteEvent, pod, updateEvent } from '../../src/testing/index.js';
import { closedPortUrl, kubeconfigFile, silentServer, statusServer, type TestServer } from './cliServers.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** A home without ~/.kube/config: with KUBECONFIG unset, the CLI falls back to the embedded cluster. */
const EMPTY_HOME = mkdtempSync(join(tmpdir(), 'kube-rx-cli-home-'));
/** The environment of the child processes: the machine's kubeconfig must not leak in. */
const { KUBECONFIG: _kubeconfig, ...parentEnv } = process.env;
const CHILD_ENV = { ...parentEnv, HOME: EMPTY_HOME };

const STATUS =
  /objects (\d+)(?: \(syncing\))? \| ([\d.]+) events\/s \| rv (\S+) \| relists (\d+) \| watch restarts (\d+)/;

/** Collects what a CLI run writes. */
function capture(isTTY = false, columns?: number) {
  let text = '';
  return {
    stream: { write: (chunk: string) => (text += chunk), isTTY, columns },
    get text() {
      return text;
    },
  };
}

function io(signal?: AbortSignal, env: Record<string, string> = { HOME: EMPTY_HOME }) {
  const stdout = capture();
  const stderr = capture();
  const cliIo: CliIo = { stdout: stdout.stream, stderr: stderr.stream, signal, env };
  return { cliIo, stdout, stderr };
}

/** A terminal reduced to what the screen uses: text, `\n`, `\r` and erase-line (`ESC [2K`). */
function terminal(output: string): string[] {
  const rows: string[] = [''];
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const c = output[i] as string;
    if (output.startsWith('\x1b[2K', i)) {
      rows[rows.length - 1] = '';
      i += 3;
    } else if (c === '\r') col = 0;
    else if (c === '\n') {
      rows.push('');
      col = 0;
    } else {
      const row = rows[rows.length - 1] as string;
      rows[rows.length - 1] = row.slice(0, col).padEnd(col) + c + row.slice(col + 1);
      col++;
    }
  }
  return rows;
}

describe('kube-rx arguments', () => {
  it('parses a full watch command', () => {
    expect(
      parseCliArgs([
        'watch',
        'po',
        '-n',
        'shop',
        '-l',
        'app=web',
        '--field-selector',
        'spec.nodeName=node-a',
        '--index',
        'node=spec.nodeName',
        '--index',
        'phase=status.phase',
        '--duration',
        '2.5',
        '--startup-timeout',
        '3',
        '--status-interval',
        '1',
        '--churn-ms',
        '0',
        '--list-mode',
        'streaming',
        '-o',
        'wide',
        '-L',
        'app,tier',
        '-L',
        'team',
        '--show-labels',
        '--no-headers',
      ]),
    ).toEqual({
      command: 'watch',
      resource: 'po',
      namespace: 'shop',
      allNamespaces: false,
      labelSelector: 'app=web',
      fieldSelector: 'spec.nodeName=node-a',
      indexes: [
        { name: 'node', path: 'spec.nodeName' },
        { name: 'phase', path: 'status.phase' },
      ],
      kubeconfig: undefined,
      context: undefined,
      embedded: false,
      durationSeconds: 2.5,
      startupTimeoutMs: 3000,
      statusIntervalMs: 1000,
      churnMs: 0,
      listMode: 'streaming',
      output: 'wide',
      labelColumns: ['app', 'tier', 'team'],
      showLabels: true,
      noHeaders: true,
    });
    expect(parseCliArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseCliArgs(['watch', 'pods', '-h'])).toEqual({ command: 'help' });
    expect(parseCliArgs(['--version'])).toEqual({ command: 'version' });
    expect(parseCliArgs(['watch', 'pods'])).toMatchObject({
      durationSeconds: 0,
      startupTimeoutMs: 10_000,
      statusIntervalMs: 5000,
      output: 'table',
      labelColumns: [],
      showLabels: false,
      noHeaders: false,
      churnMs: 400,
    });
  });

  it.each([
    [[], /missing command/],
    [['get', 'pods'], /unknown command "get"/],
    [['watch'], /missing resource/],
    [['watch', 'pods', 'extra'], /unexpected argument "extra"/],
    [['watch', 'pods', '--index', 'node'], /--index expects NAME=PATH/],
    [['watch', 'pods', '--index', '=spec.nodeName'], /--index expects NAME=PATH/],
    [['watch', 'pods', '--index', 'n=spec..x'], /--index expects NAME=PATH/],
    [['watch', 'pods', '--index', 'namespace=metadata.namespace'], /clashes with the built-in/],
    [['watch', 'pods', '--index', 'n=a', '--index', 'n=b'], /--index n given twice/],
    [['watch', 'pods', '--duration', 'soon'], /--duration must be a number >= 0/],
    [['watch', 'pods', '--duration=-1'], /--duration must be a number >= 0/],
    [['watch', 'pods', '--startup-timeout', 'never'], /--startup-timeout must be a number >= 0/],
    [['watch', 'pods', '-o', 'table'], /--output must be wide, json, yaml or name, got "table"/],
    [['watch', 'pods', '-o', 'json', '-L', 'app'], /apply to tables, not to -o json/],
    [['watch', 'pods', '-o', 'name', '--no-headers'], /apply to tables, not to -o name/],
    [['watch', 'pods', '-o', 'yaml', '--show-labels'], /apply to tables, not to -o yaml/],
    [['watch', 'pods', '--status-interval', '0'], /--status-interval must be > 0/],
    [['watch', 'pods', '--list-mode', 'fast'], /--list-mode must be paginated, streaming or auto/],
    [['watch', 'pods', '-n', 'a', '-A'], /exclude each other/],
    [['watch', 'pods', '--embedded', '--kubeconfig', 'k'], /--embedded excludes --kubeconfig and --context/],
    [['watch', 'pods', '--embedded', '--context', 'c'], /--embedded excludes --kubeconfig and --context/],
    [['watch', 'pods', '--bogus'], /Unknown option '--bogus'/],
    [['watch', 'pods', '-n'], /argument missing/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('kube-rx resource names', () => {
  it('accepts plural, singular, short, camelCase and plural.group names', () => {
    for (const name of ['pods', 'pod', 'po', 'Pods', 'v1/pods']) {
      if (!name.includes('/')) expect(builtinResource(name)).toBe(resources.pods);
    }
    expect(builtinResource('cm')).toBe(resources.configMaps);
    expect(builtinResource('configmaps')).toBe(resources.configMaps);
    expect(builtinResource('configMaps')).toBe(resources.configMaps);
    expect(builtinResource('deploy')).toBe(resources.deployments);
    expect(builtinResource('deployments.apps')).toBe(resources.deployments);
    expect(builtinResource('deployment')).toBe(resources.deployments);
    expect(builtinResource('svc')).toBe(resources.services);
    expect(builtinResource('ns')).toBe(resources.namespaces);
    expect(builtinResource('no')).toBe(resources.nodes);
    expect(builtinResource('widgets')).toBeUndefined();
  });

  it('an unknown name is a usage error that lists the known ones', async () => {
    const error = await resolveResource('widgets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /unknown resource "widgets"\. Known: .*configmaps.*deployments.*pods/,
    );
    expect((error as Error).message).toContain('group/version/plural');
  });

  it('group/version/plural goes through discovery', async () => {
    const cluster = createFakeCluster();
    await expect(resolveResource('apps/v1/deployments', cluster.client)).resolves.toEqual(
      resources.deployments,
    );
    await expect(resolveResource('v1/configmaps', cluster.client)).resolves.toEqual(resources.configMaps);
    await expect(resolveResource('example.com/v1/widgets', cluster.client)).rejects.toThrow(
      'the server does not serve example.com/v1',
    );
    await expect(resolveResource('apps/v1/widgets', cluster.client)).rejects.toThrow(
      /apps\/v1 has no resource widgets; it serves: .*deployments/,
    );
    await expect(resolveResource('a/b/c/d', cluster.client)).rejects.toThrow(/use group\/version\/plural/);
  });
});

describe('kube-rx rows and status line', () => {
  const a = pod('web-1', '12', { nodeName: 'node-a' });
  const index = [{ name: 'node', path: 'spec.nodeName' }];

  it("rows: event type, the kind's columns, and notes; aligned under the header", () => {
    const table = new EventTable({
      resource: resources.pods,
      wide: false,
      namespaceColumn: true,
      labelColumns: [],
      showLabels: false,
      noHeaders: false,
      indexes: index,
    });
    const rows = table.rows(
      [addEvent(a, true), updateEvent(a, pod('web-1', '13')), updateEvent(a, a, true), deleteEvent(a, true)],
      0,
    );
    expect(rows).toEqual([
      'EVENT      NAMESPACE   NAME    READY   STATUS   RESTARTS   AGE         NOTE',
      'ADDED      default     web-1   0/1              0          <unknown>   initial list, node=node-a',
      'MODIFIED   default     web-1   0/1              0          <unknown>',
      'RESYNC     default     web-1   0/1              0          <unknown>   node=node-a',
      'DELETED    default     web-1   0/1              0          <unknown>   final state unknown (missed while disconnected), node=node-a',
    ]);
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', resourceVersion: '3' } };
    const nodes = new EventTable({
      resource: resources.nodes,
      wide: false,
      namespaceColumn: false,
      labelColumns: [],
      showLabels: false,
      noHeaders: true,
      indexes: [],
    });
    expect(nodes.rows([addEvent(node)], 0)).toEqual(['ADDED      node-a   <unknown>']);
  });

  it('status: objects, events/s over a window, rv, relists, watch restarts, index counts', () => {
    let now = 10_000;
    const stats = new WatchStats(() => now, 5_000);
    expect(statusLine(stats)).toBe(
      'objects 0 (syncing) | 0.0 events/s | rv - | relists 0 | watch restarts 0',
    );
    stats.recordEvents(10);
    now += 2_000;
    stats.recordEvents(10);
    Object.assign(stats, {
      objects: 3,
      resourceVersion: '42',
      synced: true,
      relists: 1,
      watches: 4,
      errors: 2,
    });
    stats.indexCounts = { node: { 'node-b': 1, 'node-a': 2 } };
    expect(statusLine(stats)).toBe(
      'objects 3 | 10.0 events/s | rv 42 | relists 1 | watch restarts 3 | errors 2 | node: node-a=2 node-b=1',
    );
    now += 10_000; // the window moved past every event
    expect(stats.eventsPerSecond()).toBe(0);
  });

  it('on a terminal the status line is redrawn in place under the rows', async () => {
    const out = capture(true, 60);
    const screen = new Screen(out.stream);
    expect(screen.live).toBe(true);
    screen.setStatus('objects 0 (syncing)');
    screen.line('row 1');
    screen.line('row 2');
    screen.setStatus('objects 2'); // while rows are pending: drawn with them
    await new Promise((r) => setImmediate(r));
    expect(terminal(out.text)).toEqual(['row 1', 'row 2', 'objects 2']);
    screen.setStatus(`objects 3 ${'x'.repeat(100)}`);
    expect(terminal(out.text)).toEqual(['row 1', 'row 2', `objects 3 ${'x'.repeat(48)}…`]);
    screen.line('row 3');
    await new Promise((r) => setImmediate(r));
    expect(terminal(out.text).slice(-2)).toEqual(['row 3', `objects 3 ${'x'.repeat(48)}…`]);
    screen.close(['status: final']);
    expect(terminal(out.text)).toEqual(['row 1', 'row 2', 'row 3', 'status: final', '']);
    expect(out.text).toContain('\r\x1b[2K');
  });

  it('without a terminal rows are plain lines and setStatus draws nothing', () => {
    const out = capture(false);
    const screen = new Screen(out.stream);
    screen.setStatus('objects 1');
    screen.line('row 1');
    screen.close(['status: objects 1']);
    expect(out.text).toBe('row 1\nstatus: objects 1\n');
  });
});

describe('kube-rx watch against the embedded cluster (no terminal)', () => {
  it('prints the initial list, live events, periodic status lines and index counts at exit', async () => {
    const { cliIo, stdout, stderr } = io();
    const code = await runCli(
      [
        'watch',
        'pods',
        '-A',
        '--index',
        'node=spec.nodeName',
        '--duration',
        '2.5',
        '--status-interval',
        '0.5',
        '--churn-ms',
        '40',
      ],
      cliIo,
    );
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    const lines = stdout.text.split('\n');
    expect(lines[0]).toBe(
      `no kubeconfig (KUBECONFIG is not set, ${join(EMPTY_HOME, '.kube', 'config')} does not exist, not running in a cluster): watching the embedded fake cluster`,
    );
    expect(lines[1]).toMatch(
      /^kube-rx watch pods\.v1 \(all namespaces\) on the embedded fake cluster at http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(lines[2]).toMatch(/^EVENT\s+NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+NOTE$/);
    expect(lines.filter((l) => /^ADDED .*initial list, node=node-[abc]$/.test(l))).toHaveLength(18);
    expect(
      lines.some((l) => /^(ADDED|DELETED) .* node=node-[abc]$/.test(l) && !l.includes('initial list')),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith('~ fault: dropped watches'))).toBe(true);
    const statuses = lines.filter((l) => l.startsWith('status: ')).map((l) => STATUS.exec(l));
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    for (const s of statuses) expect(s).not.toBeNull();
    const last = statuses[statuses.length - 1] as RegExpExecArray;
    expect(Number(last[1])).toBeGreaterThan(0);
    expect(Number(last[3])).toBeGreaterThan(18);
    expect(Number(last[5])).toBeGreaterThanOrEqual(1); // the dropped watches were re-opened
    expect(lines.at(-2)).toMatch(/^index node: node-a=\d+ node-b=\d+ node-c=\d+$/);
    expect(lines.at(-1)).toBe('');
  });

  it('a namespace and a label selector narrow the cache; the signal stops it like Ctrl-C', async () => {
    const abort = new AbortController();
    const { cliIo, stdout } = io(abort.signal);
    const run = runCli(['watch', 'deploy', '-n', 'shop', '-l', 'app in (web,api)', '--churn-ms', '0'], cliIo);
    for (let i = 0; i < 200 && !stdout.text.includes('initial list\nADDED'); i++)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    expect(await run).toBe(0);
    const rows = stdout.text.split('\n').filter((l) => l.startsWith('ADDED'));
    // One namespace: no NAMESPACE column, as in kubectl.
    expect(rows.map((r) => r.split(/\s+/)[1]).sort()).toEqual(['api', 'web']);
    expect(stdout.text).toMatch(/^EVENT\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+NOTE$/m);
    expect(stdout.text).toMatch(/kube-rx watch deployments\.v1\.apps \(namespace shop\)/);
    expect(stdout.text).toMatch(/status: objects 2 \|/);
  });

  it('group/version/plural is resolved through discovery of the served cluster', async () => {
    const { cliIo, stdout, stderr } = io();
    expect(
      await runCli(['watch', 'v1/configmaps', '-A', '--duration', '0.5', '--churn-ms', '0'], cliIo),
    ).toBe(0);
    expect(stderr.text).toBe('');
    expect(stdout.text).toMatch(/kube-rx watch configmaps\.v1 \(all namespaces\)/);
    expect(stdout.text.split('\n').filter((l) => /^ADDED .*-config .*initial list$/.test(l))).toHaveLength(9);
    const bad = io();
    expect(await runCli(['watch', 'apps/v1/widgets', '--churn-ms', '0'], bad.cliIo)).toBe(2);
    expect(bad.stderr.text).toMatch(/^kube-rx: apps\/v1 has no resource widgets; it serves: /);
  });

  it('usage errors exit 2 with a message on stderr and nothing on stdout', async () => {
    for (const argv of [['watch', 'widgets'], ['watch'], ['watch', 'pods', '--index', 'oops']]) {
      const { cliIo, stdout, stderr } = io();
      expect(await runCli(argv, cliIo)).toBe(2);
      expect(stdout.text).toBe('');
      expect(stderr.text).toMatch(/^kube-rx: /);
    }
    const unknown = io();
    await runCli(['watch', 'widgets'], unknown.cliIo);
    expect(unknown.stderr.text).toMatch(/unknown resource "widgets"\. Known: .*pods/);
    const help = io();
    expect(await runCli(['--help'], help.cliIo)).toBe(0);
    expect(help.stdout.text).toMatch(/^Usage: kube-rx watch <resource> \[options\]/);
    expect(help.stdout.text).toContain('--index NAME=PATH');
    const version = io();
    expect(await runCli(['--version'], version.cliIo)).toBe(0);
    expect(version.stdout.text).toMatch(/^kube-rx \d+\.\d+\.\d+/);
  });

  it('an unreadable kubeconfig fails with exit 1', async () => {
    const { cliIo, stderr } = io();
    expect(await runCli(['watch', 'pods', '--kubeconfig', '/nonexistent/kubeconfig'], cliIo)).toBe(1);
    expect(stderr.text).toMatch(
      /^kube-rx: cannot load kubeconfig \/nonexistent\/kubeconfig: ENOENT[^\n]*\n$/,
    );
  });
});

describe('kube-rx watch: kubeconfig, context and namespace like kubectl', () => {
  /** The namespaces of the initial-list rows of a run against `env`'s cluster. */
  async function namespacesSeen(argv: string[], env: Record<string, string>) {
    const { cliIo, stdout, stderr } = io(undefined, { HOME: EMPTY_HOME, ...env });
    const code = await runCli(
      ['watch', 'cm', '--duration', '0.6', '--churn-ms', '0', '--index', 'ns=metadata.namespace', ...argv],
      cliIo,
    );
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    const rows = stdout.text.split('\n').filter((l) => l.startsWith('ADDED'));
    const namespaces = rows.map((r) => /ns=(\S+)$/.exec(r)?.[1]);
    return { namespaces: [...new Set(namespaces)].sort(), text: stdout.text };
  }

  it('KUBECONFIG is used without --kubeconfig, and its context namespace is the default', async () => {
    const cluster = createFakeCluster();
    for (const ns of ['default', 'shop', 'payments'])
      await cluster.admin.create(resources.configMaps, { metadata: { name: 'settings', namespace: ns } });
    const server = await cluster.listen();
    try {
      const inShop = kubeconfigFile(server.url, 'shop');
      const plain = kubeconfigFile(server.url);
      const shop = await namespacesSeen([], { KUBECONFIG: inShop });
      expect(shop.namespaces).toEqual(['shop']);
      expect(shop.text).toContain(`(namespace shop) on cluster ${server.url} (context fake from ${inShop})`);
      expect((await namespacesSeen(['-n', 'payments'], { KUBECONFIG: inShop })).namespaces).toEqual([
        'payments',
      ]);
      expect((await namespacesSeen(['-A'], { KUBECONFIG: inShop })).namespaces).toEqual([
        'default',
        'payments',
        'shop',
      ]);
      // A context without a namespace means `default`, as in kubectl.
      expect((await namespacesSeen([], { KUBECONFIG: plain })).namespaces).toEqual(['default']);
      // ~/.kube/config when KUBECONFIG is unset.
      const home = mkdtempSync(join(tmpdir(), 'kube-rx-cli-home-'));
      mkdirSync(join(home, '.kube'));
      writeFileSync(join(home, '.kube', 'config'), readFileSync(inShop));
      const fromHome = await namespacesSeen([], { HOME: home });
      expect(fromHome.namespaces).toEqual(['shop']);
      expect(fromHome.text).toContain(`from ${join(home, '.kube', 'config')})`);
      // --embedded ignores them all: the seeded shop has three config maps per namespace.
      const embedded = await namespacesSeen(['--embedded', '-n', 'payments'], { KUBECONFIG: inShop });
      expect(embedded.text).toMatch(
        /^kube-rx watch configmaps\.v1 \(namespace payments\) on the embedded fake cluster/,
      );
      expect(embedded.text.split('\n').filter((l) => l.startsWith('ADDED'))).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('cluster-scoped resources ignore the namespace', async () => {
    const { cliIo, stdout } = io();
    expect(await runCli(['watch', 'ns', '-n', 'shop', '--duration', '0.5', '--churn-ms', '0'], cliIo)).toBe(
      0,
    );
    expect(stdout.text).toMatch(/kube-rx watch namespaces\.v1 \(cluster-scoped\)/);
  });
});

describe('kube-rx watch output formats (in-process, no terminal)', () => {
  /** Runs `kube-rx watch ...argv` on the still embedded cluster for a moment. */
  async function watchEmbedded(argv: string[], columns?: number) {
    const stdout = capture(false, columns);
    const stderr = capture();
    const cliIo: CliIo = { stdout: stdout.stream, stderr: stderr.stream, env: { HOME: EMPTY_HOME } };
    const code = await runCli(
      ['watch', ...argv, '--embedded', '--duration', '0.6', '--churn-ms', '0'],
      cliIo,
    );
    expect(code, stderr.text).toBe(0);
    return { stdout: stdout.text, stderr: stderr.text, lines: stdout.text.split('\n') };
  }
  const cells = (line: string) => line.split(/ {3,}/);

  it('default: pods as kubectl shows them, with EVENT first and NAMESPACE for -A', async () => {
    const { lines } = await watchEmbedded(['pods', '-A']);
    const headerAt = lines.findIndex((l) => l.startsWith('EVENT'));
    expect(cells(lines[headerAt] as string)).toEqual([
      'EVENT',
      'NAMESPACE',
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'NOTE',
    ]);
    const rows = lines.filter((l) => l.startsWith('ADDED'));
    expect(rows).toHaveLength(18);
    for (const row of rows)
      expect(row).toMatch(
        /^ADDED {6}(default|shop|payments) +[a-z]+-\d+ +0\/1 {5}Running {3}0 {10}\d+s +initial list$/,
      );
    // Aligned: every column starts where its header does.
    const header = lines[headerAt] as string;
    for (const row of rows) expect(row.indexOf('Running')).toBe(header.indexOf('STATUS'));
  });

  it('-o wide adds IP, NODE and RV; deployments get READY UP-TO-DATE AVAILABLE', async () => {
    const pods = await watchEmbedded(['pods', '-o', 'wide']);
    expect(pods.lines.find((l) => l.startsWith('EVENT'))).toMatch(
      /^EVENT +NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +RV +NOTE$/,
    );
    const podRows = pods.lines.filter((l) => l.startsWith('ADDED'));
    expect(podRows).toHaveLength(6);
    for (const row of podRows) expect(row).toMatch(/ <none> +node-[abc] +\d+ +initial list$/);
    const deployments = await watchEmbedded(['deploy', '-n', 'shop', '-o', 'wide']);
    expect(cells(deployments.lines.find((l) => l.startsWith('EVENT')) as string)).toEqual([
      'EVENT',
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
      'RV',
      'NOTE',
    ]);
    expect(deployments.lines.filter((l) => l.startsWith('ADDED')).map(cells)).toEqual([
      [
        'ADDED',
        'api',
        expect.stringMatching(/^0\/[1-3]$/),
        '0',
        '0',
        expect.stringMatching(/^\d+s$/),
        'api',
        'api:1',
        'app=api',
        expect.stringMatching(/^\d+$/),
        'initial list',
      ],
      [
        'ADDED',
        'web',
        expect.stringMatching(/^0\/[1-3]$/),
        '0',
        '0',
        expect.stringMatching(/^\d+s$/),
        'web',
        'web:1',
        'app=web',
        expect.stringMatching(/^\d+$/),
        'initial list',
      ],
      [
        'ADDED',
        'worker',
        expect.stringMatching(/^0\/[1-3]$/),
        '0',
        '0',
        expect.stringMatching(/^\d+s$/),
        'worker',
        'worker:1',
        'app=worker',
        expect.stringMatching(/^\d+$/),
        'initial list',
      ],
    ]);
  });

  it('-L (repeatable, comma-separated), --show-labels and --no-headers', async () => {
    const argv = ['cm', '-n', 'payments', '-L', 'app,tier', '-L', 'team', '--show-labels'];
    const headed = await watchEmbedded(argv);
    const header = headed.lines.find((l) => l.startsWith('EVENT')) as string;
    expect(header).toMatch(/^EVENT +NAME +DATA +AGE +APP +TIER +TEAM +LABELS +NOTE$/);
    /** A row's cells, cut where the header's columns start (empty cells included). */
    const byHeader = (row: string) => {
      const starts = [...header.matchAll(/\S+/g)].map((m) => [m[0], m.index] as const);
      return Object.fromEntries(
        starts.map(([name, at], i) => [name, row.slice(at, starts[i + 1]?.[1] ?? undefined).trim()]),
      );
    };
    const rows = headed.lines.filter((l) => l.startsWith('ADDED'));
    expect(rows.map(byHeader)).toEqual(
      ['api', 'web', 'worker'].map((app) => ({
        EVENT: 'ADDED',
        NAME: `${app}-config`,
        DATA: '1',
        AGE: expect.stringMatching(/^\d+s$/),
        APP: app,
        TIER: '',
        TEAM: '',
        LABELS: `app=${app}`,
        NOTE: 'initial list',
      })),
    );
    const bare = await watchEmbedded([...argv, '--no-headers']);
    expect(
      bare.lines.some((l) => l.startsWith('EVENT')),
      'no header row',
    ).toBe(false);
    const ageless = (row: string) => row.replace(/\d+s/, 'Ns');
    expect(bare.lines.filter((l) => l.startsWith('ADDED')).map(ageless)).toEqual(rows.map(ageless));
  });

  it('rows are cut to the terminal width, never wrapped', async () => {
    const { lines } = await watchEmbedded(['pods', '-A', '--index', 'node=spec.nodeName'], 50);
    const rows = lines.filter((l) => l.startsWith('ADDED'));
    expect(rows).toHaveLength(18);
    for (const row of lines) expect(row.length).toBeLessThan(50);
    for (const row of rows) expect(row.endsWith('…')).toBe(true);
  });

  it('-o json: stdout holds only the objects, pretty-printed, one after another', async () => {
    const { stdout, stderr } = await watchEmbedded(['pods', '-A', '-o', 'json']);
    const objects = JSON.parse(`[${stdout.replace(/\n}\n{/g, '\n},\n{')}]`) as {
      kind: string;
      metadata: { name: string };
    }[];
    expect(objects).toHaveLength(18);
    for (const object of objects) expect(object.kind).toBe('Pod');
    expect(stdout.startsWith('{\n    "metadata": {\n        "name": ')).toBe(true);
    expect(stderr).toMatch(/^kube-rx watch pods\.v1 \(all namespaces\) on the embedded fake cluster/);
    expect(stderr).toMatch(/\nstatus: objects 18 \|[^\n]*\n$/);
  });

  it('-o yaml: one YAML document per object, separated by ---', async () => {
    const { stdout, stderr } = await watchEmbedded(['deploy', '-A', '-o', 'yaml']);
    const documents = parseAllDocuments(stdout).map(
      (d) => d.toJSON() as { kind: string; spec: { replicas: number } },
    );
    expect(documents).toHaveLength(9);
    for (const document of documents) {
      expect(document.kind).toBe('Deployment');
      expect(document.spec.replicas).toBeGreaterThan(0);
    }
    expect(stdout.match(/^---$/gm)).toHaveLength(8);
    expect(stderr).toMatch(/^kube-rx watch deployments/);
  });

  it('-o name: kind/name per event, as kubectl get -w -o name', async () => {
    const { stdout } = await watchEmbedded(['deploy', '-n', 'shop', '-o', 'name']);
    expect(stdout).toBe('deployment.apps/api\ndeployment.apps/web\ndeployment.apps/worker\n');
    const pods = await watchEmbedded(['po', '-n', 'shop', '-o', 'name']);
    expect(pods.stdout.split('\n').filter(Boolean)).toEqual(
      expect.arrayContaining(['pod/api-8', 'pod/web-6', 'pod/worker-10']),
    );
  });

  it('json and name follow the events as they arrive, deletes included', async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(
      ['watch', 'pods', '-A', '-o', 'name', '--embedded', '--duration', '2', '--churn-ms', '30'],
      { stdout: stdout.stream, stderr: stderr.stream, env: { HOME: EMPTY_HOME } },
    );
    expect(code).toBe(0);
    const names = stdout.text.split('\n').filter(Boolean);
    expect(names.length).toBeGreaterThan(18);
    for (const name of names) expect(name).toMatch(/^pod\/[a-z]+-\d+$/);
  });
});

/** Checks an exit-1 result: one line on stderr, exactly `reason` after `kube-rx: `, well within 10 s. */
function expectFailure(result: { code: number | null; stderr: string; ms: number }, reason: string) {
  expect(result.stderr).toBe(`kube-rx: ${reason}\n`);
  expect(result.code).toBe(1);
  expect(result.ms).toBeLessThan(10_000);
}

describe('kube-rx watch exits 1 with a one-line reason (in-process)', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });
  const keep = (server: TestServer) => {
    servers.push(server);
    return server;
  };

  /** Runs `kube-rx watch pods` against `url` through KUBECONFIG. */
  async function watchAt(url: string, ...extra: string[]) {
    const { cliIo, stdout, stderr } = io(undefined, { HOME: EMPTY_HOME, KUBECONFIG: kubeconfigFile(url) });
    const started = Date.now();
    const code = await runCli(['watch', 'pods', ...extra], cliIo);
    return { code, stdout: stdout.text, stderr: stderr.text, ms: Date.now() - started };
  }

  it('an unreachable server (a closed loopback port): cannot reach ...: ECONNREFUSED, at once', async () => {
    const url = await closedPortUrl();
    const result = await watchAt(url);
    expectFailure(result, `cannot reach ${url}: ECONNREFUSED`);
    expect(result.ms, 'the first refused connection ends it, no backoff').toBeLessThan(3_000);
    expect(result.stdout).not.toMatch(/^status:/m);
    const { cliIo, stderr } = io(undefined, { HOME: EMPTY_HOME, KUBECONFIG: kubeconfigFile(url) });
    expect(await runCli(['watch', 'example.com/v1/widgets'], cliIo)).toBe(1);
    expect(stderr.text).toBe(`kube-rx: cannot reach ${url}: ECONNREFUSED\n`);
  });

  it('an auth failure: 401 and 403 end the run at the first answer', async () => {
    const unauthorized = keep(await statusServer(401, 'Unauthorized', 'Unauthorized'));
    expectFailure(
      await watchAt(unauthorized.url),
      `${unauthorized.url} rejected the credentials (401 Unauthorized: Unauthorized); check the kubeconfig's user`,
    );
    expect(unauthorized.requests).toEqual(['GET /api/v1/namespaces/default/pods?limit=500']);
    const forbidden = keep(
      await statusServer(403, 'Forbidden', 'pods is forbidden: User "dev" cannot list resource "pods"'),
    );
    expectFailure(
      await watchAt(forbidden.url),
      `${forbidden.url} forbids listing pods.v1 (403 Forbidden: pods is forbidden: User "dev" cannot list resource "pods")`,
    );
  });

  it('an unknown context', async () => {
    const file = kubeconfigFile('http://127.0.0.1:9');
    const { cliIo, stderr } = io(undefined, { HOME: EMPTY_HOME });
    const started = Date.now();
    const code = await runCli(['watch', 'pods', '--kubeconfig', file, '--context', 'prod'], cliIo);
    expectFailure(
      { code, stderr: stderr.text, ms: Date.now() - started },
      `context "prod" does not exist in ${file} (contexts: fake)`,
    );
  });

  it('a rejected selector: checked locally before any request, and a 400 from the server', async () => {
    const server = keep(await statusServer(500, 'InternalError', 'must not be asked'));
    expectFailure(
      await watchAt(server.url, '-l', 'app in (web'),
      'invalid label selector "app in (web" at 11: expected ","',
    );
    expect(server.requests, 'nothing was sent').toEqual([]);
    const strict = keep(
      await statusServer(400, 'BadRequest', "unable to parse requirement: found '=', expected: identifier"),
    );
    expectFailure(
      await watchAt(strict.url, '-l', 'app=web'),
      `${strict.url} rejected the request for pods.v1 (400 BadRequest: unable to parse requirement: found '=', expected: identifier)`,
    );
  });

  it('silence: no answer within --startup-timeout', async () => {
    const server = keep(await silentServer());
    const result = await watchAt(server.url, '--startup-timeout', '1');
    expectFailure(result, `cannot reach ${server.url}: no answer within 1 s`);
    expect(result.ms).toBeGreaterThanOrEqual(950);
    expect(server.requests.length).toBeGreaterThan(0);
    // group/version/plural: the discovery request is under the same deadline.
    const { cliIo, stderr } = io(undefined, { HOME: EMPTY_HOME, KUBECONFIG: kubeconfigFile(server.url) });
    const started = Date.now();
    const code = await runCli(['watch', 'apps/v1/deployments', '--startup-timeout', '1'], cliIo);
    expectFailure(
      { code, stderr: stderr.text, ms: Date.now() - started },
      `cannot reach ${server.url}: no answer within 1 s`,
    );
    expect(server.requests).toContain('GET /apis/apps/v1');
  });

  it('answers that are all failures (503): the last one, once the startup timeout passes', async () => {
    const server = keep(await statusServer(503, 'ServiceUnavailable', 'apiserver is shutting down'));
    const result = await watchAt(server.url, '--startup-timeout', '1.5');
    expectFailure(
      result,
      `${server.url} answered 503 ServiceUnavailable: apiserver is shutting down (still failing after 1.5 s)`,
    );
    expect(result.stdout, 'the retries were reported above').toMatch(/^! list: 503 ServiceUnavailable/m);
  });

  it('once the cache is synced, a lost server is retried (! rows), not fatal', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, pod('web-1', ''));
    const server = await cluster.listen();
    const abort = new AbortController();
    const { cliIo, stdout, stderr } = io(abort.signal, {
      HOME: EMPTY_HOME,
      KUBECONFIG: kubeconfigFile(server.url),
    });
    const run = runCli(['watch', 'pods', '--startup-timeout', '1'], cliIo);
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => stdout.text.includes('initial list'));
    await server.close();
    await until(() => /^! (list|watch): .*ECONNREFUSED/m.test(stdout.text));
    await new Promise((r) => setTimeout(r, 1_200)); // past the startup timeout
    abort.abort();
    expect(await run).toBe(0);
    expect(stderr.text).toBe('');
    expect(stdout.text).toMatch(/^! (list|watch): .*ECONNREFUSED/m);
    expect(stdout.text).toMatch(/^status: objects 1 \|/m);
  });
});

/** Runs a command to completion (or until `stop` says to send SIGTERM), collecting its output. */
function run(command: string, args: string[], stop?: (stdout: string) => boolean) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child: ChildProcess = spawn(command, args, {
      cwd: ROOT,
      env: CHILD_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stop && !signalled && stop(stdout)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the kube-rx executable (child process, stdout is a pipe)', () => {
  const tsx = ['--import', 'tsx', 'src/cli/main.ts'];

  it('exit codes: 2 for usage errors, 0 for --help', async () => {
    const bad = await run(process.execPath, [...tsx, 'watch', 'widgets']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/kube-rx: unknown resource "widgets"/);
    const help = await run(process.execPath, [...tsx, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kube-rx watch/);
  });

  it('SIGTERM stops a watch cleanly with a final status line', async () => {
    const result = await run(process.execPath, [...tsx, 'watch', 'cm', '--churn-ms', '50'], (out) =>
      out.includes('initial list\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ADDED .*-config .*initial list$/m);
    expect(result.stdout).toMatch(
      /\nstatus: objects \d+ \| [\d.]+ events\/s \| rv \d+ \| relists \d+ \| watch restarts \d+\n$/,
    );
  });

  it('exit 1 with one line on stderr: unreachable, 401, unknown context, rejected selector, server 400', async () => {
    const closed = await closedPortUrl();
    const unauthorized = await statusServer(401, 'Unauthorized', 'Unauthorized');
    const badRequest = await statusServer(400, 'BadRequest', 'unable to parse requirement');
    try {
      const cases: [string[], string][] = [
        [['--kubeconfig', kubeconfigFile(closed)], `cannot reach ${closed}: ECONNREFUSED`],
        [
          ['--kubeconfig', kubeconfigFile(unauthorized.url)],
          `${unauthorized.url} rejected the credentials (401 Unauthorized: Unauthorized); check the kubeconfig's user`,
        ],
        [['--kubeconfig', kubeconfigFile(closed), '--context', 'nope'], 'context "nope" does not exist in '],
        [
          ['--kubeconfig', kubeconfigFile(closed), '-l', 'app in (web'],
          'invalid label selector "app in (web" at 11: ',
        ],
        [
          ['--kubeconfig', kubeconfigFile(badRequest.url), '-l', 'app=web'],
          `${badRequest.url} rejected the request for pods.v1 (400 BadRequest: unable to parse requirement)`,
        ],
      ];
      // One after the other: each must end within 10 s of its start, tsx's startup included.
      for (const [argv, reason] of cases) {
        const started = Date.now();
        const result = await run(process.execPath, [...tsx, 'watch', 'pods', ...argv]);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr.startsWith(`kube-rx: ${reason}`), result.stderr).toBe(true);
        expect(result.stderr.split('\n'), 'one line').toHaveLength(2);
        expect(Date.now() - started).toBeLessThan(10_000);
      }
      expect(badRequest.requests).toHaveLength(1);
    } finally {
      await unauthorized.close();
      await badRequest.close();
    }
  }, 60_000);

  it('output formats through a pipe: table, wide, json, yaml and name', async () => {
    const watch = (...argv: string[]) =>
      run(process.execPath, [...tsx, 'watch', ...argv, '--duration', '1', '--churn-ms', '0']);
    const table = await watch('deploy', '-n', 'shop', '-L', 'app');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^EVENT +NAME +READY +UP-TO-DATE +AVAILABLE +AGE +APP +NOTE$/m);
    expect(
      table.stdout.match(/^ADDED +(api|web|worker) +0\/[1-3] +0 +0 +\d+s +\1 +initial list$/gm),
    ).toHaveLength(3);
    const wide = await watch('pods', '-n', 'shop', '-o', 'wide', '--no-headers');
    expect(wide.stdout).not.toMatch(/^EVENT/m);
    expect(
      wide.stdout.match(/^ADDED +\S+ +0\/1 +Running +0 +\d+s +<none> +node-[abc] +\d+ +initial list$/gm),
    ).toHaveLength(6);
    const json = await watch('cm', '-n', 'shop', '-o', 'json');
    expect(json.code).toBe(0);
    const objects = JSON.parse(`[${json.stdout.replace(/\n}\n{/g, '\n},\n{')}]`) as { kind: string }[];
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'ConfigMap', 'ConfigMap']);
    const yaml = await watch('cm', '-n', 'shop', '-o', 'yaml');
    expect(parseAllDocuments(yaml.stdout).map((d) => (d.toJSON() as { kind: string }).kind)).toEqual([
      'ConfigMap',
      'ConfigMap',
      'ConfigMap',
    ]);
    const name = await watch('cm', '-n', 'shop', '-o', 'name');
    expect(name.stdout).toBe('configmap/api-config\nconfigmap/web-config\nconfigmap/worker-config\n');
    expect(name.stderr).toMatch(
      /^no kubeconfig .*: watching the embedded fake cluster\nkube-rx watch configmaps\.v1 \(namespace shop\)/,
    );
  }, 60_000);

  it.skipIf(!existsSync(resolve(ROOT, 'dist/cli/main.js')))(
    'bin/kube-rx.mjs runs the built CLI',
    async () => {
      const version = await run(process.execPath, ['bin/kube-rx.mjs', '--version']);
      expect(version.code).toBe(0);
      expect(version.stdout).toMatch(/^kube-rx \d+\.\d+\.\d+\n$/);
      const watch = await run(process.execPath, [
        'bin/kube-rx.mjs',
        'watch',
        'deploy',
        '-A',
        '--duration',
        '1',
        '--churn-ms',
        '0',
      ]);
      expect(watch.code).toBe(0);
      expect(watch.stdout.split('\n').filter((l) => /^ADDED .*initial list$/.test(l))).toHaveLength(9);
    },
  );
});
