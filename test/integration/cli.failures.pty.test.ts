/**
 * `kube-rx watch` in a real pseudo-terminal (tmux) when it cannot work: an unreachable server, an
 * auth failure, an unknown context, a rejected selector (locally, and a 400 from the server).
 * Each must end within 10 s with exit code 1, its reason as the one row above the exit code,
 * and no live status line left behind on the screen.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPortUrl, kubeconfigFile, statusServer, type TestServer } from './cliServers.js';
import { cliCommand, Tmux } from './cliTmux.js';

const HOME = mkdtempSync(join(tmpdir(), 'kube-rx-pty-home-'));
const LIVE = /objects \d+(?: \(syncing\))? \| [\d.]+ events\/s/;
const tmux = new Tmux('failures');
const servers: TestServer[] = [];

afterAll(async () => {
  tmux.kill();
  for (const server of servers) await server.close();
});

/** Runs `kube-rx watch pods ...args` in a 200x20 terminal; checks the exit-1 screen; returns it. */
async function expectExit1(session: string, args: string[], reason: string) {
  const started = Date.now();
  tmux.start(session, cliCommand(HOME, ['watch', 'pods', ...args]), { width: 200, height: 20 });
  const { code, rows, ms } = await tmux.exit(session, started);
  const exitAt = rows.findIndex((row) => row.startsWith('KUBE_RX_EXIT='));
  expect(code, rows.join('\n')).toBe(1);
  expect(rows[exitAt - 1], 'the reason is the last row before the exit').toBe(`kube-rx: ${reason}`);
  expect(
    rows.filter((row) => row.startsWith('kube-rx: ')),
    'one line of reason',
  ).toHaveLength(1);
  expect(
    rows.filter((row) => LIVE.test(row)),
    'no live status line left behind',
  ).toEqual([]);
  expect(ms, 'within 10 s, the start of node included').toBeLessThan(10_000);
  return rows;
}

describe('kube-rx watch exits 1 with one line in a pseudo-terminal (tmux)', () => {
  it('an unreachable server: a closed loopback port', async () => {
    const url = await closedPortUrl();
    await expectExit1(
      'unreachable',
      ['--kubeconfig', kubeconfigFile(url)],
      `cannot reach ${url}: ECONNREFUSED`,
    );
  }, 30_000);

  it('an auth failure: a server answering 401', async () => {
    const server = await statusServer(401, 'Unauthorized', 'Unauthorized');
    servers.push(server);
    await expectExit1(
      'unauthorized',
      ['--kubeconfig', kubeconfigFile(server.url)],
      `${server.url} rejected the credentials (401 Unauthorized: Unauthorized); check the kubeconfig's user`,
    );
  }, 30_000);

  it('an unknown context', async () => {
    const file = kubeconfigFile('http://127.0.0.1:9');
    await expectExit1(
      'context',
      ['--kubeconfig', file, '--context', 'prod'],
      `context "prod" does not exist in ${file} (contexts: fake)`,
    );
  }, 30_000);

  it('a rejected selector: locally, before any request', async () => {
    const server = await statusServer(500, 'InternalError', 'must not be asked');
    servers.push(server);
    await expectExit1(
      'selector',
      ['--kubeconfig', kubeconfigFile(server.url), '-l', 'tier notin (a,'],
      'invalid label selector "tier notin (a," at 14: expected ","',
    );
    expect(server.requests).toEqual([]);
  }, 30_000);

  it('a rejected selector: a 400 from the server', async () => {
    const server = await statusServer(400, 'BadRequest', 'unable to parse requirement');
    servers.push(server);
    await expectExit1(
      'badrequest',
      ['--kubeconfig', kubeconfigFile(server.url), '-l', 'app=web'],
      `${server.url} rejected the request for pods.v1 (400 BadRequest: unable to parse requirement)`,
    );
  }, 30_000);
});
