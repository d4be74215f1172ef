#!/usr/bin/env node
// Builds the real kube-apiserver, etcd and kube-controller-manager for kube-rx's end-to-end tests
// from the Go module beside this file (go.mod pins k8s.io/kubernetes and go.etcd.io/etcd/server/v3),
// the way controller-runtime's envtest runs controllers against real control-plane binaries.
// kube-controller-manager is started only by the tests that need a controller (garbage collection).
//
// Binaries go to <cache>/<k8s version>-<etcd version>/ (cache: $KUBE_RX_E2E_BIN_CACHE, default
// .cache/e2e-bin at the repository root, git-ignored) next to a stamp.json that records the inputs
// (versions, go version, hashes of go.mod/go.sum and the wrapper mains). A warm run whose stamp
// matches and whose binaries exist does not call `go build` at all. A cold run needs Go and the Go
// module proxy; Go's own build cache (GOCACHE) makes a rebuild after a fresh clone mostly a link.
//
// Prints the cache folder on the last line of stdout so callers (the vitest global setup) can use
// it; `--print-dir` prints only that line and fails if the binaries are not built yet.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const moduleDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(moduleDir, '../../..');

/** The binaries this module builds: output name -> package path (relative to moduleDir). */
const targets = [
  { name: 'etcd', pkg: './cmd/etcd' },
  { name: 'kube-apiserver', pkg: './cmd/kube-apiserver' },
  { name: 'kube-controller-manager', pkg: './cmd/kube-controller-manager' },
];

function requiredVersion(goMod, modulePath) {
  const re = new RegExp(`^\\s*${modulePath.replaceAll('.', '\\.')}\\s+(v\\S+)`, 'm');
  const m = re.exec(goMod);
  if (!m) throw new Error(`go.mod does not require ${modulePath}`);
  return m[1];
}

function goVersion() {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      `kube-rx e2e tests need Go on PATH to build kube-apiserver, etcd and kube-controller-manager (${r.error?.message ?? r.stderr})`,
    );
  }
  return r.stdout.trim();
}

export function binaryCache() {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const kubernetes = requiredVersion(goMod, 'k8s.io/kubernetes');
  const etcd = requiredVersion(goMod, 'go.etcd.io/etcd/server/v3');
  const root = process.env.KUBE_RX_E2E_BIN_CACHE
    ? resolve(process.env.KUBE_RX_E2E_BIN_CACHE)
    : join(repoRoot, '.cache', 'e2e-bin');
  const dir = join(root, `${kubernetes}-${etcd}`);
  return {
    dir,
    kubernetes,
    etcd,
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    etcdBin: join(dir, 'etcd'),
  };
}

function inputsHash() {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', ...targets.map((t) => join(t.pkg, 'main.go'))]) {
    h.update(f)
      .update('\0')
      .update(readFileSync(join(moduleDir, f)))
      .update('\0');
  }
  return h.digest('hex');
}

function stampOk(cache, expected) {
  const stampFile = join(cache.dir, 'stamp.json');
  if (!existsSync(stampFile)) return false;
  if (!targets.every((t) => existsSync(join(cache.dir, t.name)))) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    return stamp.inputs === expected.inputs && stamp.go === expected.go;
  } catch {
    return false;
  }
}

function build(cache, go) {
  mkdirSync(cache.dir, { recursive: true });
  rmSync(join(cache.dir, 'stamp.json'), { force: true });
  // The version that `kube-apiserver --version` and GET /version report (the binaries otherwise say
  // v0.0.0-master); DefaultKubeBinaryVersion in component-base already matches the release.
  const [major, minor] = cache.kubernetes.replace(/^v/, '').split('.');
  const versionPkg = 'k8s.io/component-base/version';
  const ldflags = [
    '-s',
    '-w',
    `-X ${versionPkg}.gitVersion=${cache.kubernetes}`,
    `-X ${versionPkg}.gitMajor=${major}`,
    `-X ${versionPkg}.gitMinor=${minor}`,
    `-X ${versionPkg}.gitTreeState=clean`,
  ].join(' ');
  const env = { ...process.env, CGO_ENABLED: '0' };
  const started = Date.now();
  for (const t of targets) {
    const out = join(cache.dir, t.name);
    const tmp = `${out}.tmp-${process.pid}`;
    const t0 = Date.now();
    process.stderr.write(`[e2e build] go build ${t.pkg} -> ${out}\n`);
    const r = spawnSync(
      'go',
      ['build', '-trimpath', '-buildvcs=false', `-ldflags=${ldflags}`, '-o', tmp, t.pkg],
      { cwd: moduleDir, env, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (r.error || r.status !== 0) {
      rmSync(tmp, { force: true });
      throw new Error(`go build ${t.pkg} failed (${r.error?.message ?? `exit ${r.status}`})`);
    }
    renameSync(tmp, out);
    process.stderr.write(`[e2e build] ${t.name} built in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const stamp = {
    kubernetes: cache.kubernetes,
    etcd: cache.etcd,
    go,
    inputs: inputsHash(),
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  writeFileSync(join(cache.dir, 'stamp.json'), `${JSON.stringify(stamp, null, 2)}\n`);
  return stamp;
}

function main() {
  const cache = binaryCache();
  if (process.argv.includes('--print-dir')) {
    if (!targets.every((t) => existsSync(join(cache.dir, t.name)))) {
      console.error(`e2e binaries are not built; run: node ${fileURLToPath(import.meta.url)}`);
      process.exit(1);
    }
    console.log(cache.dir);
    return;
  }
  const go = goVersion();
  const expected = { inputs: inputsHash(), go };
  if (stampOk(cache, expected)) {
    process.stderr.write(
      `[e2e build] cached: kube-apiserver and kube-controller-manager ${cache.kubernetes}, etcd ${cache.etcd} (no rebuild)\n`,
    );
  } else {
    const started = Date.now();
    build(cache, go);
    process.stderr.write(
      `[e2e build] kube-apiserver + kube-controller-manager ${cache.kubernetes} + etcd ${cache.etcd} built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
  console.log(cache.dir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`[e2e build] ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}
