/**
 * Server-side apply: send the fields you care about, and the API server merges them into the
 * object, records you (`fieldManager`) as their owner in `metadata.managedFields`, and removes the
 * fields you applied before and no longer do. When another manager owns a field whose value you
 * would change, it refuses with 409 and a list of the conflicting fields, an
 * {@link ApplyConflictError}; `force: true` takes them over. This is controller-runtime's
 * `client.Apply` patch and kube-rs's `Patch::Apply`: declarative and idempotent, where
 * `patchWith` is an imperative edit of the object you read.
 */
import type { KubeClient } from '../core/client.js';
import { ApplyConflictError, isStatusError, KubeRxError } from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import { apiVersionOf, type ResourceType } from '../core/resources.js';

/** Options of {@link apply} and {@link applyStatus}. */
export interface ApplyOptions {
  /** The manager that owns what this apply sets (required: one per controller or tool). */
  fieldManager: string;
  /** Take fields other managers own instead of failing with {@link ApplyConflictError}. */
  force?: boolean;
  /** Validate and compute the result without storing it (`dryRun=All`). */
  dryRun?: boolean;
  /** The namespace, when the object does not say it in `metadata.namespace`. */
  namespace?: string;
}

/** A typed apply configuration: any part of `T`, with `metadata.name` set. */
export type ApplyConfiguration<T extends KubeObject> = Partial<T> & { metadata: { name: string } };

/**
 * Applies `object` (the fields this manager owns) with server-side apply, creating the object when
 * absent, and resolves with the object the server stored. `apiVersion` and `kind` are filled in
 * from `resource` when missing.
 *
 * @example
 * ```ts
 * await apply(client, resources.configMaps, { metadata: { name: 'cfg', namespace: 'default' }, data: { mode: 'fast' } }, {
 *   fieldManager: 'my-controller',
 * });
 * ```
 */
export function apply<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: ApplyConfiguration<T>,
  options: ApplyOptions,
): Promise<T> {
  return send(client, resource, object, options, undefined);
}

/**
 * {@link apply} on the status subresource: only `status` is taken; the object must exist.
 *
 * @example
 * ```ts
 * await applyStatus(client, resources.deployments, { metadata: { name: 'web', namespace: 'default' }, status: { observedGeneration: 2 } }, {
 *   fieldManager: 'my-controller',
 * });
 * ```
 */
export function applyStatus<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: ApplyConfiguration<T>,
  options: ApplyOptions,
): Promise<T> {
  return send(client, resource, object, options, 'status');
}

async function send<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: ApplyConfiguration<T>,
  options: ApplyOptions,
  subresource: 'status' | undefined,
): Promise<T> {
  const name = object.metadata?.name;
  if (!name) throw new KubeRxError('apply: the object has no metadata.name');
  if (!options.fieldManager) throw new KubeRxError('apply: a fieldManager is required');
  const body = {
    ...object,
    apiVersion: object.apiVersion ?? apiVersionOf(resource),
    kind: object.kind ?? resource.kind,
  };
  try {
    return await client.patch(resource, name, body, 'apply', {
      namespace: options.namespace ?? object.metadata.namespace,
      fieldManager: options.fieldManager,
      force: options.force,
      dryRun: options.dryRun,
      subresource,
    });
  } catch (error) {
    throw asApplyConflict(error);
  }
}

/** A 409 with field-manager causes becomes an {@link ApplyConflictError}; anything else is passed on. */
export function asApplyConflict(error: unknown): unknown {
  if (!isStatusError(error) || error.code !== 409 || error instanceof ApplyConflictError) return error;
  const causes = error.status.details?.causes ?? [];
  const fromManagers = causes.some((c) => {
    const cause = c as { reason?: string; type?: string };
    return (cause.reason ?? cause.type) === 'FieldManagerConflict';
  });
  return fromManagers ? new ApplyConflictError(error.status) : error;
}
