/**
 * `patchWith`: write an object by editing an immer draft. The changes become an RFC 6902 JSON
 * Patch that starts with a `test` of `metadata.resourceVersion`, so the server applies it only to
 * the version the recipe saw (optimistic concurrency without sending the whole object). When
 * someone else wrote first (409, or the `test` failing with 422), it re-reads the object, runs the
 * recipe again on the fresh state and retries, a bounded number of times, like client-go's
 * `retry.RetryOnConflict`. Objects from the cache are frozen and typed {@link DeepReadonly}; the
 * draft, a mutable {@link Draft} of `T`, is the only way to "mutate" them.
 *
 * Layer `api`: write helpers on top of a {@link KubeClient} (patches, finalizers, discovery). May import:
 * `core`, `store`.
 */
import { type Draft, enablePatches, type Patch, produceWithPatches } from 'immer';
import type { KubeClient } from '../core/client.js';
import { isStatusError, KubeRxError } from '../core/errors.js';
import { asReadonly, type DeepReadonly, type KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';

enablePatches();

/** Options of {@link patchWith} and {@link patchStatusWith}. */
export interface PatchWithOptions {
  /** Attempts in all, including the first. Default 5. */
  maxAttempts?: number;
  /** Patch this subresource (`'status'` for `patchStatusWith`). */
  subresource?: string;
  /** Field manager recorded in `managedFields`. */
  fieldManager?: string;
}

/** A recipe edits the draft in place (or returns a replacement), immer style. */
// biome-ignore lint/suspicious/noConfusingVoidType: immer recipes return nothing or a replacement, like produce's.
export type PatchRecipe<T> = (draft: Draft<T>) => void | T;

function pointer(path: readonly (string | number)[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Converts immer patches to RFC 6902 operations.
 *
 * @example
 * ```ts
 * const [, patches] = produceWithPatches(deployment, (d) => { d.spec!.replicas = 3; });
 * toJsonPatch(patches); // [{ op: 'replace', path: '/spec/replicas', value: 3 }]
 * ```
 */
export function toJsonPatch(
  patches: readonly Patch[],
): { op: 'add' | 'remove' | 'replace'; path: string; value?: unknown }[] {
  return patches.map((p) =>
    p.op === 'remove'
      ? { op: p.op, path: pointer(p.path) }
      : { op: p.op, path: pointer(p.path), value: p.value },
  );
}

/** The patch was refused because the object changed since it was read. */
function isConflict(error: unknown): boolean {
  return isStatusError(error) && (error.code === 409 || error.code === 422);
}

/**
 * Applies `recipe` to `object` and patches the difference onto the server. `object` is usually
 * a cached one, read-only; the recipe gets a mutable draft of it. Resolves with the server's new
 * object, or `object` itself when the recipe changed nothing (so typed read-only, as it may be
 * a cached object).
 *
 * @example
 * ```ts
 * await patchWith(client, resources.deployments, deployment, (d) => {
 *   d.metadata!.labels = { ...d.metadata!.labels, owner: 'team-a' };
 *   d.spec!.replicas = 3;
 * });
 * ```
 */
export async function patchWith<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: T | DeepReadonly<T>,
  recipe: PatchRecipe<T>,
  options: PatchWithOptions = {},
): Promise<DeepReadonly<T>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const name = object.metadata?.name;
  if (!name) throw new KubeRxError('patchWith: the object has no metadata.name');
  const namespace = object.metadata?.namespace;
  let current = asReadonly<T>(object);
  for (let attempt = 1; ; attempt++) {
    // immer never writes to its base (the draft copies on write), so a frozen base is fine.
    const [, patches] = produceWithPatches(current as T, recipe as (draft: Draft<T>) => void);
    if (patches.length === 0) return current;
    const readVersion = current.metadata?.resourceVersion;
    const ops = [
      ...(readVersion
        ? [{ op: 'test' as const, path: '/metadata/resourceVersion', value: readVersion }]
        : []),
      ...toJsonPatch(patches),
    ];
    try {
      return asReadonly<T>(
        await client.patch(resource, name, ops, 'json', {
          namespace,
          subresource: options.subresource,
          fieldManager: options.fieldManager,
        }),
      );
    } catch (error) {
      if (!isConflict(error) || attempt >= maxAttempts) throw error;
      const fresh = await client.get(resource, name, { namespace });
      // A 422 that is not a stale resourceVersion is a real validation error: do not retry it.
      if (isStatusError(error) && error.code === 422 && fresh.metadata?.resourceVersion === readVersion)
        throw error;
      current = asReadonly<T>(fresh);
    }
  }
}

/**
 * {@link patchWith} on the status subresource.
 *
 * @example
 * ```ts
 * await patchStatusWith(client, widgets, widget, (w) => { w.status = { ready: true }; });
 * ```
 */
export function patchStatusWith<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: T | DeepReadonly<T>,
  recipe: PatchRecipe<T>,
  options: PatchWithOptions = {},
): Promise<DeepReadonly<T>> {
  return patchWith(client, resource, object, recipe, { ...options, subresource: 'status' });
}
