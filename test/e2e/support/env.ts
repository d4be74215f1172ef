/**
 * What an end-to-end test uses to reach the control plane the global setup started: its
 * kubeconfig (optionally pointed at a proxy), a `kubeClient`, the control endpoint (kill/restart
 * kube-apiserver, start/stop kube-controller-manager), etcd's maintenance API through its JSON
 * gateway, and a comparison of an informer's cache with a fresh LIST.
 */
import { KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { KubeClient } from '../../../src/core/client.js';
import { isStatusError } from '../../../src/core/errors.js';
import { type KubeObject, objectKey } from '../../../src/core/objects.js';
import { apiVersionOf, type ResourceType, resources } from '../../../src/core/resources.js';
import {
  type HttpKubeClient,
  type KubeClientOptions,
  kubeClient,
} from '../../../src/transport/kubeClient.js';

export function e2e() {
  return inject('e2e');
}

/** The e2e kubeconfig; `server` points the cluster elsewhere (a proxy in front of kube-apiserver). */
export function kubeConfig(server?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(e2e().kubeconfig);
  if (server) kc.clusters = kc.clusters.map((cluster) => ({ ...cluster, server }));
  return kc;
}

export function client(options: KubeClientOptions & { server?: string } = {}): HttpKubeClient {
  const { server, ...rest } = options;
  // No client-side rate limit: the churn suites write thousands of objects, which client-go's
  // default 5 QPS would stretch to minutes. A test that is about the limit passes its own.
  return kubeClient(kubeConfig(server), { userAgent: 'kube-rx-e2e', rateLimit: false, ...rest });
}

/** Asks the global setup to kill, start or restart kube-apiserver; resolves once it is done. */
export async function control(
  action: 'kill' | 'start' | 'restart',
  query: Record<string, string> = {},
): Promise<{ ms: number }> {
  return controlRequest(`/apiserver/${action}`, query);
}

/**
 * Asks the global setup to start kube-controller-manager with only `controllers` (for instance
 * `['garbagecollector']`) as the e2e admin; resolves once they run (the garbage collector has
 * synced). Not started by default: call it in `beforeAll` and {@link stopControllerManager} in
 * `afterAll`.
 */
export async function startControllerManager(options: {
  controllers: readonly string[];
}): Promise<{ ms: number }> {
  return controlRequest('/controller-manager/start', { controllers: options.controllers.join(',') });
}

/** Stops the kube-controller-manager {@link startControllerManager} started (a no-op if none runs). */
export async function stopControllerManager(): Promise<{ ms: number }> {
  return controlRequest('/controller-manager/stop', {});
}

async function controlRequest(path: string, query: Record<string, string>): Promise<{ ms: number }> {
  const url = new URL(path, e2e().controlUrl);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, { method: 'POST' });
  const body = (await res.json()) as { ok: boolean; ms: number; error?: string };
  if (!body.ok) throw new Error(`control ${path} failed: ${body.error}`);
  return body;
}

/** One call to etcd's v3 API through its gRPC-JSON gateway on the client URL. */
async function etcd<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${e2e().etcdUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** etcd's current revision (what kube-apiserver reports as the newest resourceVersion). */
export async function etcdRevision(): Promise<number> {
  const body = await etcd<{ header: { revision: string } }>('/v3/kv/range', {
    key: Buffer.from('/registry/').toString('base64'),
    count_only: true,
  });
  return Number(body.header.revision);
}

/** Compacts etcd's history up to `revision` (like `etcdctl compact --physical`). */
export async function compactEtcd(revision: number): Promise<void> {
  await etcd('/v3/kv/compaction', { revision: String(revision), physical: true });
}

/** Creates a namespace unless it exists (namespaces are never deleted: no namespace controller runs). */
export async function ensureNamespace(c: KubeClient, name: string): Promise<void> {
  try {
    await c.create<V1Namespace>(resources.namespaces, { metadata: { name } });
  } catch (error) {
    if (!(isStatusError(error) && error.code === 409)) throw error;
  }
}

/** A list item as the informer caches it (list items lack apiVersion/kind; listWatch adds them). */
function withTypeMeta(resource: ResourceType<KubeObject>, item: KubeObject): KubeObject {
  return { apiVersion: apiVersionOf(resource), kind: resource.kind, ...item };
}

/** Every object of a fresh (unpaginated, consistent) LIST, by key. */
export async function freshList(
  c: HttpKubeClient,
  resource: ResourceType<KubeObject>,
  selector: { namespace?: string; labelSelector?: string } = {},
): Promise<Map<string, KubeObject>> {
  const list = await c.list(resource, selector);
  return new Map(
    (list.items as KubeObject[]).map((item) => [objectKey(item) as string, withTypeMeta(resource, item)]),
  );
}

/**
 * The differences between a cache and the server's truth: keys missing or extra, and objects at
 * another resourceVersion or with other content. Empty when they agree.
 */
export function differences(actual: Iterable<KubeObject>, expected: Map<string, KubeObject>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const object of actual) {
    const key = objectKey(object) as string;
    seen.add(key);
    const want = expected.get(key);
    if (!want) out.push(`extra ${key}@${object.metadata?.resourceVersion}`);
    else if (want.metadata?.resourceVersion !== object.metadata?.resourceVersion)
      out.push(`stale ${key}: ${object.metadata?.resourceVersion} != ${want.metadata?.resourceVersion}`);
    else if (JSON.stringify(sorted(want)) !== JSON.stringify(sorted(object))) out.push(`content ${key}`);
  }
  for (const key of expected.keys()) if (!seen.has(key)) out.push(`missing ${key}`);
  return out;
}

/** A copy with object keys sorted, so two equal objects serialise the same. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}

/** Polls `check` until it returns true (or throws the last failure after `timeoutMs`). */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
