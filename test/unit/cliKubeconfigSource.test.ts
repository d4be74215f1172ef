/**
 * How `kube-rx watch` finds its cluster, in kubectl's order: `--kubeconfig`, `KUBECONFIG`
 * (merged, first wins, missing files skipped), `~/.kube/config`, the in-cluster service account,
 * else the embedded cluster with a one-line notice. Every case runs on files in a temporary
 * directory and an environment of its own, so the machine's kubeconfig never leaks in.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliFailure } from '../../src/cli/failures.js';
import { type KubeConfigSource, resolveClusterSource } from '../../src/cli/kubeconfigSource.js';

const dir = mkdtempSync(join(tmpdir(), 'kube-rx-kubeconfig-'));
const emptyHome = join(dir, 'empty-home');
mkdirSync(emptyHome);

/** A kubeconfig with one cluster, user and context per entry; the first is current unless told. */
function kubeconfig(
  file: string,
  contexts: { name: string; server: string; namespace?: string }[],
  current: string | null = contexts[0]?.name ?? null,
): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`);
  lines.push('users:');
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  user:', `    token: token-${c.name}`);
  lines.push('contexts:');
  for (const c of contexts) {
    lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}`, `    user: ${c.name}`);
    if (c.namespace) lines.push(`    namespace: ${c.namespace}`);
  }
  if (current !== null) lines.push(`current-context: ${current}`);
  const path = join(dir, file);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const dev = kubeconfig('dev.yaml', [
  { name: 'dev', server: 'https://dev.example:6443', namespace: 'team-a' },
  { name: 'staging', server: 'https://staging.example:6443' },
]);
const prod = kubeconfig('prod.yaml', [
  { name: 'prod', server: 'https://prod.example:6443', namespace: 'shop' },
  { name: 'dev', server: 'https://shadowed.example:6443', namespace: 'shadowed' },
]);
const noCurrent = kubeconfig('no-current.yaml', [{ name: 'only', server: 'https://only.example' }], null);

async function resolved(args: Parameters<typeof resolveClusterSource>[0], env: Record<string, string>) {
  const source = await resolveClusterSource(args, { env: { HOME: emptyHome, ...env } });
  expect(source.kind).toBe('kubeconfig');
  const { kind: _, kubeConfig, ...rest } = source as KubeConfigSource;
  expect(kubeConfig.getCurrentContext()).toBe(rest.context);
  return rest;
}

async function failure(args: Parameters<typeof resolveClusterSource>[0], env: Record<string, string>) {
  const error = await resolveClusterSource(args, { env: { HOME: emptyHome, ...env } }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliFailure);
  return (error as Error).message;
}

describe('kube-rx watch: where the cluster comes from', () => {
  it('--kubeconfig wins over KUBECONFIG; the context namespace comes along', async () => {
    expect(await resolved({ kubeconfig: dev }, { KUBECONFIG: prod })).toEqual({
      origin: dev,
      context: 'dev',
      server: 'https://dev.example:6443',
      namespace: 'team-a',
    });
  });

  it('--context picks another context; one without a namespace leaves it undefined', async () => {
    expect(await resolved({ kubeconfig: dev, context: 'staging' }, {})).toEqual({
      origin: dev,
      context: 'staging',
      server: 'https://staging.example:6443',
      namespace: undefined,
    });
  });

  it('KUBECONFIG: files merged in order, the first definition and current-context win, missing files skipped', async () => {
    const list = [join(dir, 'missing.yaml'), prod, dev].join(delimiter);
    const source = await resolved({}, { KUBECONFIG: list });
    expect(source).toEqual({
      origin: `KUBECONFIG (${prod}${delimiter}${dev})`,
      context: 'prod',
      server: 'https://prod.example:6443',
      namespace: 'shop',
    });
    // `dev` is defined in both: prod.yaml came first, so its definition is the one used.
    expect(await resolved({ context: 'dev' }, { KUBECONFIG: list })).toMatchObject({
      server: 'https://shadowed.example:6443',
      namespace: 'shadowed',
    });
    expect(await resolved({ context: 'staging' }, { KUBECONFIG: list })).toMatchObject({
      server: 'https://staging.example:6443',
    });
  });

  it('~/.kube/config when KUBECONFIG is unset or empty', async () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    kubeconfig('home/.kube/config', [{ name: 'home', server: 'https://home.example' }]);
    for (const env of [{ HOME: home }, { HOME: home, KUBECONFIG: '' }] as Record<string, string>[]) {
      expect(await resolved({}, env)).toEqual({
        origin: join(home, '.kube', 'config'),
        context: 'home',
        server: 'https://home.example',
        namespace: undefined,
      });
    }
  });

  it('the in-cluster service account when there is no kubeconfig', async () => {
    const prefix = join(dir, 'pod');
    const sa = join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'in-cluster-token');
    writeFileSync(join(sa, 'namespace'), 'kube-system\n');
    const env = { HOME: emptyHome, KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
    const source = await resolveClusterSource({}, { env, serviceAccountPrefix: prefix });
    expect(source).toMatchObject({
      kind: 'kubeconfig',
      origin: 'the in-cluster service account',
      server: 'https://[fd00::1]:443',
      namespace: 'kube-system',
    });
    // The token reaches the request headers (client-node's token-file provider re-reads it).
    const options: { headers?: Record<string, string> } = { headers: {} };
    await (source as KubeConfigSource).kubeConfig.applyToHTTPSOptions(options);
    expect(options.headers?.Authorization).toBe('Bearer in-cluster-token');
    // Without the token file the pod has no service account: not in-cluster.
    const elsewhere = await resolveClusterSource({}, { env, serviceAccountPrefix: emptyHome });
    expect(elsewhere.kind).toBe('embedded');
  });

  it('no kubeconfig at all: the embedded cluster, with a one-line notice saying what was looked at', async () => {
    const source = await resolveClusterSource({}, { env: { HOME: emptyHome } });
    expect(source).toEqual({
      kind: 'embedded',
      notice: `no kubeconfig (KUBECONFIG is not set, ${join(emptyHome, '.kube', 'config')} does not exist, not running in a cluster): watching the embedded fake cluster`,
    });
    const missing = join(dir, 'missing.yaml');
    const listed = await resolveClusterSource({}, { env: { HOME: emptyHome, KUBECONFIG: missing } });
    expect(listed).toMatchObject({
      kind: 'embedded',
      notice: expect.stringContaining(`KUBECONFIG=${missing} names no existing file`),
    });
    expect((listed as { notice: string }).notice).not.toContain('\n');
  });

  it('--embedded forces the embedded cluster without a notice, even with a kubeconfig', async () => {
    expect(await resolveClusterSource({ embedded: true }, { env: { KUBECONFIG: dev } })).toEqual({
      kind: 'embedded',
    });
  });

  it('fails with one line: unknown context, no current-context, unreadable file, --context without kubeconfig', async () => {
    expect(await failure({ kubeconfig: dev, context: 'nope' }, {})).toBe(
      `context "nope" does not exist in ${dev} (contexts: dev, staging)`,
    );
    expect(await failure({}, { KUBECONFIG: noCurrent })).toBe(
      `${noCurrent} sets no current-context; pass --context (contexts: only)`,
    );
    expect(await failure({ kubeconfig: join(dir, 'absent.yaml') }, {})).toMatch(
      /^cannot load kubeconfig .*absent\.yaml: ENOENT/,
    );
    expect(await failure({ context: 'prod' }, {})).toMatch(
      /^context "prod" does not exist: no kubeconfig \(KUBECONFIG is not set, .* does not exist, not running in a cluster\)$/,
    );
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'clusters: [unclosed\n');
    expect(await failure({ kubeconfig: broken }, {})).toMatch(/^cannot load kubeconfig .*broken\.yaml: /);
  });
});
