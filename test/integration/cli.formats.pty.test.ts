/**
 * `kube-rx watch` output formats in a real pseudo-terminal (tmux), against the embedded cluster:
 * the table (pod and deployment columns, `-o wide`, `-L`, `--show-labels`, `--no-headers`) cut
 * to the terminal's width and never wrapped, and `-o json|yaml|name` printing the objects. Each
 * run is bounded by `--duration` and must exit 0.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cliCommand, Tmux } from './cliTmux.js';

const HOME = mkdtempSync(join(tmpdir(), 'kube-rx-pty-home-'));
const tmux = new Tmux('formats');

afterAll(() => tmux.kill());

/** Runs `kube-rx watch ...args` for a second in a terminal of `width` columns; returns its whole screen. */
async function watchIn(session: string, width: number, args: string[]) {
  const started = Date.now();
  tmux.start(
    session,
    cliCommand(HOME, ['watch', ...args, '--embedded', '--duration', '1', '--churn-ms', '0']),
    { width, height: 50 },
  );
  const { code } = await tmux.exit(session, started);
  expect(code, tmux.screen(session, true).join('\n')).toBe(0);
  const rows = tmux.screen(session, true);
  return {
    rows: rows.slice(
      0,
      rows.findIndex((r) => r.startsWith('KUBE_RX_EXIT=')),
    ),
    raw: tmux.rawScreen(session),
  };
}

describe('kube-rx watch output formats in a pseudo-terminal (tmux)', () => {
  it('the pod table is cut to a narrow terminal, never wrapped', async () => {
    const { rows, raw } = await watchIn('narrow', 60, ['pods', '-A', '--index', 'node=spec.nodeName']);
    expect(rows.find((r) => r.startsWith('EVENT'))).toMatch(
      /^EVENT +NAMESPACE +NAME +READY +STATUS +RESTA.*…$/,
    );
    const added = rows.filter((r) => r.startsWith('ADDED'));
    expect(added).toHaveLength(18);
    for (const row of added) {
      expect(row).toMatch(/^ADDED +(default|shop|payments) +[a-z]+-\d+ +0\/1 +Running +0 .*…$/);
      expect(row.endsWith('…'), row).toBe(true);
    }
    // -J joins wrapped rows: a wrapped row would make the joined screen shorter than the drawn one.
    expect(raw.length).toBe(tmux.screen('narrow').length);
    for (const row of raw) expect(row.length).toBeLessThanOrEqual(60);
  }, 30_000);

  it('-o wide shows IP, NODE and RV; -L and --show-labels add label columns', async () => {
    const { rows } = await watchIn('wide', 200, [
      'pods',
      '-n',
      'shop',
      '-o',
      'wide',
      '-L',
      'app',
      '--show-labels',
    ]);
    expect(rows.find((r) => r.startsWith('EVENT'))).toMatch(
      /^EVENT +NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +RV +APP +LABELS +NOTE$/,
    );
    const added = rows.filter((r) => r.startsWith('ADDED'));
    expect(added).toHaveLength(6);
    for (const row of added)
      expect(row).toMatch(
        /^ADDED +([a-z]+)-\d+ +0\/1 +Running +0 +\d+s +<none> +node-[abc] +\d+ +\1 +app=\1 +initial list$/,
      );
  }, 30_000);

  it('deployments: READY UP-TO-DATE AVAILABLE; --no-headers drops the header row', async () => {
    const { rows } = await watchIn('deploy', 120, ['deploy', '-n', 'payments']);
    expect(rows.find((r) => r.startsWith('EVENT'))).toMatch(
      /^EVENT +NAME +READY +UP-TO-DATE +AVAILABLE +AGE +NOTE$/,
    );
    expect(
      rows.filter((r) => /^ADDED +(api|web|worker) +0\/[1-3] +0 +0 +\d+s +initial list$/.test(r)),
    ).toHaveLength(3);
    const bare = await watchIn('bare', 120, ['deploy', '-n', 'payments', '--no-headers']);
    expect(bare.rows.filter((r) => r.startsWith('EVENT'))).toEqual([]);
    expect(bare.rows.filter((r) => r.startsWith('ADDED'))).toHaveLength(3);
  }, 30_000);

  it('-o json prints each object', async () => {
    const { rows } = await watchIn('json', 120, ['cm', '-n', 'shop', '-o', 'json']);
    const text = rows.slice(rows.indexOf('{'), rows.lastIndexOf('}') + 1).join('\n');
    const objects = JSON.parse(`[${text.replace(/\n}\n{/g, '\n},\n{')}]`) as {
      kind: string;
      metadata: { name: string };
    }[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/api-config',
      'ConfigMap/web-config',
      'ConfigMap/worker-config',
    ]);
  }, 30_000);

  it('-o yaml prints each object as a YAML document', async () => {
    const { rows } = await watchIn('yaml', 120, ['cm', '-n', 'shop', '-o', 'yaml']);
    const text = rows
      .slice(
        rows.indexOf('metadata:'),
        rows.findIndex((r) => r.startsWith('status: ')),
      )
      .join('\n');
    const documents = parseAllDocuments(text).map(
      (d) => d.toJSON() as { kind: string; data: { revision: string } },
    );
    expect(documents.map((d) => d.kind)).toEqual(['ConfigMap', 'ConfigMap', 'ConfigMap']);
    for (const document of documents) expect(document.data.revision).toBe('1');
  }, 30_000);

  it('-o name prints kind/name', async () => {
    const { rows } = await watchIn('name', 120, ['pods', '-n', 'default', '-o', 'name']);
    expect(rows.filter((r) => r.startsWith('pod/')).sort()).toEqual([
      'pod/api-2',
      'pod/api-3',
      'pod/web-0',
      'pod/web-1',
      'pod/worker-4',
      'pod/worker-5',
    ]);
  }, 30_000);
});
