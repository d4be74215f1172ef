#!/usr/bin/env node
// Builds P4's client-go anchor (main.go beside this file: a SharedIndexInformer on the recorded P4
// responses) from the Go module here, which pins k8s.io/client-go and the rest of its modules at the
// versions test/e2e/apiserver/go.mod pins, so the Go module cache and build cache the e2e binaries
// filled serve this build too (a rebuild is then mostly a link).
//
// The binary goes to <cache>/<client-go version>/clientgo (cache: $KUBE_RX_BENCH_BIN_CACHE, default
// .cache/bench-bin at the repository root, git-ignored) next to a stamp.json that records the inputs
// (client-go version, go version, hashes of go.mod, go.sum and main.go). A run whose stamp matches
// and whose binary exists does not call `go build`. Without Go, or when the build fails, it exits 1
// with the reason on stderr: bench/p4Peer.ts then runs P4 without client-go and says why.
//
// Prints the binary's path on the last line of stdout.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const moduleDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(moduleDir, '../..');
const INPUTS = ['go.mod', 'go.sum', 'main.go'];

function clientGoVersion() {
  const m = /^\s*k8s\.io\/client-go\s+(v\S+)/m.exec(readFileSync(join(moduleDir, 'go.mod'), 'utf8'));
  if (!m) throw new Error('go.mod does not require k8s.io/client-go');
  return m[1];
}

function goVersion() {
  const r = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`no Go on PATH to build the client-go anchor (${r.error?.message ?? r.stderr.trim()})`);
  }
  return r.stdout.trim();
}

function inputsHash() {
  const h = createHash('sha256');
  for (const f of INPUTS) {
    h.update(f)
      .update('\0')
      .update(readFileSync(join(moduleDir, f)))
      .update('\0');
  }
  return h.digest('hex');
}

function main() {
  const clientGo = clientGoVersion();
  const root = process.env.KUBE_RX_BENCH_BIN_CACHE
    ? resolve(process.env.KUBE_RX_BENCH_BIN_CACHE)
    : join(repoRoot, '.cache', 'bench-bin');
  const dir = join(root, clientGo);
  const binary = join(dir, 'clientgo');
  const stampFile = join(dir, 'stamp.json');
  const expected = { clientGo, go: goVersion(), inputs: inputsHash() };
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (existsSync(binary) && stamp.inputs === expected.inputs && stamp.go === expected.go) {
      process.stderr.write(
        `[bench build] cached: client-go ${clientGo} anchor, ${expected.go} (no rebuild)\n`,
      );
      console.log(binary);
      return;
    }
  } catch {
    // no stamp or an unreadable one: build
  }
  mkdirSync(dir, { recursive: true });
  rmSync(stampFile, { force: true });
  const tmp = `${binary}.tmp-${process.pid}`;
  const started = Date.now();
  process.stderr.write(`[bench build] go build client-go ${clientGo} anchor -> ${binary}\n`);
  const r = spawnSync('go', ['build', '-trimpath', '-buildvcs=false', '-ldflags=-s -w', '-o', tmp, '.'], {
    cwd: moduleDir,
    env: { ...process.env, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`go build of the client-go anchor failed (${r.error?.message ?? `exit ${r.status}`})`);
  }
  renameSync(tmp, binary);
  const buildSeconds = Math.round((Date.now() - started) / 100) / 10;
  writeFileSync(
    stampFile,
    `${JSON.stringify({ ...expected, builtAt: new Date().toISOString(), buildSeconds }, null, 2)}\n`,
  );
  process.stderr.write(`[bench build] client-go ${clientGo} anchor built in ${buildSeconds} s\n`);
  console.log(binary);
}

try {
  main();
} catch (e) {
  console.error(`[bench build] ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
