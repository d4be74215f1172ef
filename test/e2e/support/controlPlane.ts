/**
 * A throwaway Kubernetes control plane for the end-to-end tests: the real etcd and kube-apiserver
 * (built from Go modules by test/e2e/apiserver/build.mjs), started on loopback ports with a
 * temporary data dir, generated service-account keys, a static admin token and AlwaysAllow
 * authorization, like controller-runtime's envtest. Runs in vitest's main process (the global
 * setup); tests reach it through the kubeconfig it writes and the control endpoint.
 *
 * kube-controller-manager is not part of the plane by default: a test that needs controllers (the
 * garbage collector for owner references) starts it with {@link ControlPlane.startControllerManager}
 * (through the control endpoint) and stops it when done, so other suites do not pay for it.
 *
 * Two cache-behaviour choices matter for the tests:
 * - `--etcd-compaction-interval=0`: kube-apiserver does not compact etcd by itself, so the only
 *   compaction is the one a test asks for.
 * - `--watch-cache-sizes=secrets#0`: Secrets are watched straight from etcd, where a compaction
 *   below a watcher's resourceVersion bites at once (410 Gone). Cached resources are served from
 *   the watch cache's in-memory window, which an etcd compaction does not touch.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ControlPlaneOptions {
  /** Folder holding the `etcd`, `kube-apiserver` and `kube-controller-manager` binaries. */
  readonly binDir: string;
  /** Temporary folder for data, certificates, keys, logs and the kubeconfig. */
  readonly workDir: string;
  /** Called with the PIDs of the running binaries whenever one starts. */
  readonly onSpawn?: (pids: number[]) => void;
}

/** Options of {@link ControlPlane.startControllerManager}. */
export interface ControllerManagerOptions {
  /** kube-controller-manager's `--controllers` (for instance `['garbagecollector']`). */
  readonly controllers: readonly string[];
}

/** What tests need to reach the control plane (handed over with vitest's `provide`). */
export interface ControlPlaneInfo {
  readonly kubeconfig: string;
  readonly server: string;
  readonly etcdUrl: string;
  readonly workDir: string;
  readonly logDir: string;
}

/** A free loopback port (the OS picks one; there is a short window in which another could take it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Resolves with the HTTP status of `GET https://127.0.0.1:<port><path>` (0 when unreachable). */
function probe(port: number, path: string, token: string, ca: Buffer | undefined): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { authorization: `Bearer ${token}` },
        ...(ca ? { ca } : { rejectUnauthorized: false }),
        timeout: 2_000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

function running(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export class ControlPlane {
  private readonly token = randomBytes(24).toString('hex');
  private etcd: ChildProcess | undefined;
  private apiserver: ChildProcess | undefined;
  private controllerManager: ChildProcess | undefined;
  private controllerManagerArgs: string[] = [];
  private apiserverArgs: string[] = [];
  private ports = { etcdClient: 0, etcdPeer: 0, apiserver: 0 };
  readonly logDir: string;

  constructor(private readonly options: ControlPlaneOptions) {
    this.logDir = join(options.workDir, 'logs');
  }

  get etcdUrl(): string {
    return `http://127.0.0.1:${this.ports.etcdClient}`;
  }

  get server(): string {
    return `https://127.0.0.1:${this.ports.apiserver}`;
  }

  get kubeconfigPath(): string {
    return join(this.options.workDir, 'kubeconfig');
  }

  /** PIDs of the running binaries (for the reaper that kills them if vitest dies). */
  pids(): number[] {
    return [this.etcd?.pid, this.apiserver?.pid, this.controllerManager?.pid].filter(
      (p): p is number => p !== undefined,
    );
  }

  info(): ControlPlaneInfo {
    return {
      kubeconfig: this.kubeconfigPath,
      server: this.server,
      etcdUrl: this.etcdUrl,
      workDir: this.options.workDir,
      logDir: this.logDir,
    };
  }

  async start(): Promise<void> {
    const { workDir } = this.options;
    for (const d of ['etcd', 'certs', 'logs']) mkdirSync(join(workDir, d), { recursive: true });
    this.ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
    await this.startEtcd();
    this.writeCredentials();
    await this.startApiserver();
    this.writeKubeconfig();
  }

  private spawnLogged(name: string, bin: string, args: string[]): ChildProcess {
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(join(this.options.binDir, bin), args, {
      cwd: this.options.workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('exit', () => setTimeout(() => log.end(), 100));
    if (name === 'etcd') this.etcd = child;
    else if (name === 'kube-controller-manager') this.controllerManager = child;
    else this.apiserver = child;
    this.options.onSpawn?.(this.pids());
    return child;
  }

  private async startEtcd(): Promise<void> {
    const peer = `http://127.0.0.1:${this.ports.etcdPeer}`;
    this.etcd = this.spawnLogged('etcd', 'etcd', [
      '--name=e2e',
      `--data-dir=${join(this.options.workDir, 'etcd')}`,
      `--listen-client-urls=${this.etcdUrl}`,
      `--advertise-client-urls=${this.etcdUrl}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=e2e=${peer}`,
      '--initial-cluster-state=new',
      '--unsafe-no-fsync', // a throwaway test store: speed over durability
      '--log-level=warn',
    ]);
    await this.waitUntil('etcd', this.etcd, async () => {
      try {
        const res = await fetch(`${this.etcdUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      } catch {
        return false;
      }
    });
  }

  private writeCredentials(): void {
    const { workDir } = this.options;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(workDir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }), {
      mode: 0o600,
    });
    writeFileSync(join(workDir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    // token,user,uid,"groups": the admin is in system:masters (authorization is AlwaysAllow anyway).
    writeFileSync(join(workDir, 'tokens.csv'), `${this.token},kube-rx-e2e-admin,1000,"system:masters"\n`, {
      mode: 0o600,
    });
    const { workDir: w } = this.options;
    this.apiserverArgs = [
      `--etcd-servers=${this.etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.ports.apiserver}`,
      `--cert-dir=${join(w, 'certs')}`,
      `--service-account-key-file=${join(w, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(w, 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--token-auth-file=${join(w, 'tokens.csv')}`,
      '--authorization-mode=AlwaysAllow',
      '--service-cluster-ip-range=10.0.0.0/24',
      // A loopback advertise address is refused by the endpoint reconciler; nothing here needs it.
      '--endpoint-reconciler-type=none',
      '--etcd-compaction-interval=0',
      '--watch-cache-sizes=secrets#0',
      '--profiling=false',
      '--v=1',
    ];
  }

  /** Starts kube-apiserver (again) on the same port and waits for `/readyz`. */
  async startApiserver(): Promise<void> {
    if (this.apiserver && this.apiserver.exitCode === null && this.apiserver.signalCode === null)
      throw new Error('kube-apiserver is already running');
    this.apiserver = this.spawnLogged('kube-apiserver', 'kube-apiserver', this.apiserverArgs);
    const ca = () => this.servingCa();
    await this.waitUntil(
      'kube-apiserver',
      this.apiserver,
      async () => (await probe(this.ports.apiserver, '/readyz', this.token, ca())) === 200,
      120_000,
    );
  }

  /** SIGKILLs kube-apiserver (no graceful shutdown: every connection just dies). */
  async killApiserver(): Promise<void> {
    const child = this.apiserver;
    if (!child) return;
    child.kill('SIGKILL');
    await exited(child);
  }

  /**
   * Starts kube-controller-manager with only `options.controllers`, as the admin of the kubeconfig
   * the tests use (no leader election, no per-controller service accounts, no serving port), and
   * waits until it runs them: for the garbage collector, until it has synced its monitors and
   * proceeds to collect garbage. A no-op when it already runs with the same controllers; restarts
   * it when they differ.
   */
  async startControllerManager(options: ControllerManagerOptions): Promise<void> {
    const args = [
      `--kubeconfig=${this.kubeconfigPath}`,
      `--controllers=${options.controllers.join(',')}`,
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      '--secure-port=0', // no /healthz server: nothing here scrapes it, and it needs no certificates
      '--v=1',
    ];
    if (running(this.controllerManager)) {
      if (args.join(' ') === this.controllerManagerArgs.join(' ')) return;
      await this.stopControllerManager();
    }
    this.controllerManagerArgs = args;
    const child = this.spawnLogged('kube-controller-manager', 'kube-controller-manager', args);
    const gc = options.controllers.some(
      (c) => c === 'garbagecollector' || c === 'garbage-collector-controller',
    );
    // klog writes to stderr; the last 4 KiB are kept so a line split across chunks still matches.
    let tail = '';
    let ready = false;
    const readyLine = gc ? /Proceeding to collect garbage/ : /Started controller|Starting controller/;
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-4096);
      if (readyLine.test(tail)) ready = true;
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    try {
      await this.waitUntil('kube-controller-manager', child, async () => ready, 120_000);
    } finally {
      child.stderr?.off('data', onData);
      child.stdout?.off('data', onData);
    }
  }

  /** Stops kube-controller-manager if it runs (SIGTERM, SIGKILL after 10 s). */
  async stopControllerManager(): Promise<void> {
    const child = this.controllerManager;
    if (!child || !running(child)) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(timer);
  }

  /**
   * The CA that signed the serving certificate kube-apiserver generated in --cert-dir: the file
   * holds the serving certificate followed by its self-signed CA.
   */
  private servingCa(): Buffer | undefined {
    try {
      const pem = readFileSync(join(this.options.workDir, 'certs', 'apiserver.crt'), 'utf8');
      const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
      const last = blocks[blocks.length - 1];
      return last ? Buffer.from(last) : undefined;
    } catch {
      return undefined;
    }
  }

  private writeKubeconfig(): void {
    const ca = this.servingCa();
    if (!ca) throw new Error('kube-apiserver wrote no serving certificate to --cert-dir');
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'e2e',
          cluster: { server: this.server, 'certificate-authority-data': ca.toString('base64') },
        },
      ],
      users: [{ name: 'admin', user: { token: this.token } }],
      contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'admin', namespace: 'default' } }],
      'current-context': 'e2e',
    };
    writeFileSync(this.kubeconfigPath, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
  }

  private async waitUntil(
    name: string,
    child: ChildProcess,
    ready: () => Promise<boolean>,
    timeoutMs = 60_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `${name} exited (${child.exitCode ?? child.signalCode}) while starting; see ${join(this.logDir, `${name}.log`)}`,
        );
      if (await ready()) return;
      await sleep(200);
    }
    throw new Error(`${name} not ready after ${timeoutMs} ms; see ${join(this.logDir, `${name}.log`)}`);
  }

  /** Stops everything: kube-controller-manager, kube-apiserver, then etcd; SIGKILL after 10 s. */
  async stop(): Promise<void> {
    for (const child of [this.controllerManager, this.apiserver, this.etcd]) {
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    }
  }
}
