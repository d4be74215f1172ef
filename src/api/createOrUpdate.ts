/**
 * `createOrUpdate`: controller-runtime's `controllerutil.CreateOrUpdate`. Read the object; if it
 * does not exist, run `mutate` on the desired object and create it; otherwise run `mutate` on a
 * draft of the existing one and write it back (`PUT`, guarded by the resourceVersion read) only
 * when something changed. It says what happened, so a reconcile can log or emit an event only on
 * a real change. `mutate` must be idempotent and must not change the name or namespace.
 */
import type { Draft } from 'immer';
import type { KubeClient, WriteOptions } from '../core/client.js';
import { isStatusError, KubeRxError } from '../core/errors.js';
import { asReadonly, type DeepReadonly, type KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import { mergePatchOf } from './mergePatch.js';
import type { PatchRecipe } from './patchWith.js';

/** What {@link createOrUpdate} or `createOrPatch` did, and the object as the server now has it. */
export interface CreateOrUpdateResult<T> {
  readonly operation: 'created' | 'updated' | 'unchanged';
  readonly object: DeepReadonly<T>;
}

/** Options of {@link createOrUpdate} and `createOrPatch`. */
export interface CreateOrUpdateOptions {
  /** Validate and answer, store nothing (`dryRun=All`). */
  readonly dryRun?: boolean;
  /** Field manager recorded in `managedFields`. */
  readonly fieldManager?: string;
}

/**
 * Runs `mutate` on a mutable deep copy of `base` (a plain copy rather than an immer draft, so a
 * mutate function may both edit it and return a replacement such as `setControllerReference`'s);
 * `base` is untouched.
 */
export function mutated<T extends KubeObject>(base: T | DeepReadonly<T>, mutate: PatchRecipe<T>): T {
  const copy = JSON.parse(JSON.stringify(base)) as T;
  const next = (mutate(copy as Draft<T>) as T | undefined) ?? copy;
  const before = base.metadata;
  if (next.metadata?.name !== before?.name || next.metadata?.namespace !== before?.namespace)
    throw new KubeRxError('createOrUpdate: the mutate function must not change the name or namespace');
  return next;
}

/**
 * Reads the object named like `object`; resolves with the existing one, or `undefined` on 404.
 */
async function readExisting<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: T | DeepReadonly<T>,
): Promise<T | undefined> {
  const name = object.metadata?.name;
  if (!name) throw new KubeRxError('createOrUpdate: the object has no metadata.name');
  try {
    return await client.get(resource, name, { namespace: object.metadata?.namespace });
  } catch (error) {
    if (isStatusError(error) && error.code === 404) return undefined;
    throw error;
  }
}

/**
 * What createOrUpdate and createOrPatch share: read the object; when absent, create it from
 * `mutate(object)`; else hand the live object and the write options to `update`, which decides
 * how (and whether) to write.
 */
export async function createOr<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: T | DeepReadonly<T>,
  mutate: PatchRecipe<T>,
  options: CreateOrUpdateOptions,
  update: (existing: T, write: WriteOptions) => Promise<CreateOrUpdateResult<T>>,
): Promise<CreateOrUpdateResult<T>> {
  const write: WriteOptions = {
    namespace: object.metadata?.namespace,
    dryRun: options.dryRun,
    fieldManager: options.fieldManager,
  };
  const existing = await readExisting(client, resource, object);
  if (!existing) {
    const created = await client.create(resource, mutated(object, mutate), write);
    return { operation: 'created', object: asReadonly<T>(created) };
  }
  return update(existing, write);
}

/**
 * Creates `object` (after `mutate`) if absent, else updates the existing object with `mutate`
 * applied, if that changed it.
 *
 * @example
 * ```ts
 * const { operation } = await createOrUpdate(client, resources.configMaps, { metadata: { name, namespace } }, (cm) => {
 *   cm.data = { html: website.spec.html };
 * });
 * if (operation !== 'unchanged') recorder.event(website, { type: 'Normal', reason: 'Synced', action: 'Update' });
 * ```
 */
export async function createOrUpdate<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: T | DeepReadonly<T>,
  mutate: PatchRecipe<T>,
  options: CreateOrUpdateOptions = {},
): Promise<CreateOrUpdateResult<T>> {
  return createOr(client, resource, object, mutate, options, async (existing, write) => {
    const next = mutated(existing, mutate);
    // A mutate function that returns a fresh copy (setControllerReference does) may still change nothing.
    if (mergePatchOf(existing, next) === undefined)
      return { operation: 'unchanged', object: asReadonly<T>(existing) };
    const updated = await client.replace(resource, next, write);
    return { operation: 'updated', object: asReadonly<T>(updated) };
  });
}
