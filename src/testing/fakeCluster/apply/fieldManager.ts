/**
 * The fake API server's field manager, after kube-apiserver's (`fieldmanager`) and
 * structured-merge-diff's `Updater`:
 * - `applyChange`: a server-side apply by one manager. The configuration is merged onto the live
 *   object; the manager's Apply entry becomes exactly the configuration's fields; fields it owned
 *   before and no longer applies are removed unless another manager owns them; a field whose
 *   value the apply changes (or adds) and that another manager owns is a conflict: 409 unless
 *   `force`, which moves the field to the applier.
 * - `updateChange`: any other write (create, replace, patch) by a manager records an `Update`
 *   entry: it gains what the write added or modified and loses what it removed, and other
 *   managers lose the fields it changed (an update always wins).
 */
import type { FieldConflict } from './conflicts.js';
import { conflictError } from './conflicts.js';
import { FieldSet } from './fieldSet.js';
import type { SchemaContext } from './listStrategies.js';
import {
  type ManagedFieldsEntry,
  type ManagerId,
  managerKey,
  readManagers,
  writeManagers,
} from './managers.js';
import { mergeApplied, removeFields } from './mergeApplied.js';
import { appliedFields, compareObjects, ownableFields } from './objectFields.js';

type Obj = Record<string, unknown>;

/** `metadata.managedFields` of an object, if any. */
function managedFieldsIn(object: Obj | undefined): unknown {
  return (object?.metadata as Record<string, unknown> | undefined)?.managedFields;
}

/** Who writes, and how. */
export interface Writer {
  readonly ctx: SchemaContext;
  readonly manager: string;
  readonly apiVersion: string;
  readonly subresource?: string;
  /** The write's time, RFC 3339 without fractions like the API server's. */
  readonly time: string;
}

/** The result of an apply: the object to store and its managedFields. */
export interface AppliedChange {
  readonly object: Obj;
  readonly managedFields: ManagedFieldsEntry[];
  /** True when neither the object nor its ownership changed (nothing to write). */
  readonly unchanged: boolean;
}

/**
 * The part of an applied configuration an endpoint takes: the status subresource only status;
 * the main endpoint of a kind with a status subresource everything but status.
 */
export function scopeOf(config: Obj, subresource: string | undefined, hasStatusSubresource: boolean): Obj {
  if (subresource === 'status')
    return {
      apiVersion: config.apiVersion,
      kind: config.kind,
      metadata: config.metadata,
      status: config.status,
    };
  if (!hasStatusSubresource) return config;
  const { status: _dropped, ...rest } = config;
  return rest;
}

function stripManaged(object: Obj): Obj {
  const metadata = { ...((object.metadata as Record<string, unknown> | undefined) ?? {}) };
  delete metadata.managedFields;
  return { ...object, metadata };
}

/**
 * Applies `config` (already scoped) by `writer` onto `live` (undefined: the object is created).
 * Throws the API server's 409 on conflicts unless `force`.
 */
export function applyChange(
  writer: Writer,
  live: Obj | undefined,
  config: Obj,
  force: boolean,
): AppliedChange {
  const { ctx } = writer;
  const base = live ? stripManaged(live) : {};
  const managers = readManagers(managedFieldsIn(live));
  const id: ManagerId = {
    manager: writer.manager,
    operation: 'Apply',
    apiVersion: writer.apiVersion,
    ...(writer.subresource ? { subresource: writer.subresource } : {}),
  };
  const key = managerKey(id);
  const previous = managers.get(key)?.fields ?? new FieldSet();
  const applied = appliedFields(ctx, config);
  let others = new FieldSet();
  for (const [k, m] of managers) if (k !== key) others = others.union(m.fields);
  const stopped = previous.difference(applied).difference(others);
  const orphans = stopped.paths().filter((p) => !others.hasDescendantOf(p));
  const merged = removeFields(ctx, mergeApplied(ctx, base, stripManaged(config)), orphans) as Obj;

  const change = compareObjects(ctx, base, merged);
  const changed = change.modified.union(change.added);
  const conflicts: FieldConflict[] = [];
  for (const [k, m] of managers) {
    if (k === key) continue;
    for (const path of m.fields.intersection(changed).paths()) conflicts.push({ manager: m.id, path });
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const [k, m] of managers)
    if (k !== key && conflicts.some((c) => c.manager === m.id))
      managers.set(k, { ...m, fields: m.fields.difference(changed) });

  const unchangedObject =
    live !== undefined && change.added.size + change.modified.size + change.removed.size === 0;
  const sameOwnership = previous.difference(applied).size === 0 && applied.difference(previous).size === 0;
  const before = managers.get(key);
  managers.set(key, {
    id,
    fields: applied,
    time: unchangedObject && sameOwnership && before?.time ? before.time : writer.time,
  });
  return {
    object: merged,
    managedFields: writeManagers(managers),
    unchanged: unchangedObject && sameOwnership && conflicts.length === 0,
  };
}

/**
 * The managedFields after a write that is not an apply, from `before` (undefined: created; its
 * managedFields are the live ones, or those the client sent to replace them) to `after`.
 */
export function updateChange(
  writer: Writer,
  before: Obj | undefined,
  after: Obj,
  managedFields: unknown,
): ManagedFieldsEntry[] {
  const { ctx } = writer;
  const managers = readManagers(managedFields);
  const id: ManagerId = {
    manager: writer.manager,
    operation: 'Update',
    apiVersion: writer.apiVersion,
    ...(writer.subresource ? { subresource: writer.subresource } : {}),
  };
  const key = managerKey(id);
  const change = compareObjects(ctx, before ? stripManaged(before) : zeroValueOf(after), stripManaged(after));
  const changed = change.modified.union(change.added);
  for (const [k, m] of managers)
    if (k !== key) managers.set(k, { ...m, fields: m.fields.difference(changed) });
  const previous = managers.get(key);
  const fields = (previous?.fields ?? new FieldSet()).union(changed).difference(change.removed);
  const touched = changed.size + change.removed.size > 0;
  managers.set(key, { id, fields, time: touched || !previous?.time ? writer.time : previous.time });
  return writeManagers(managers);
}

/**
 * What a created object is compared with: the zero value of its Go type, in which the structs
 * that are not pointers exist empty (`metadata`, `spec`, `status`, a pod template and its parts),
 * so a creator owns their fields but not the structs themselves, as on the API server.
 */
function zeroValueOf(object: Obj): Obj {
  const zero = (value: unknown, shape: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (value === null || typeof value !== 'object') return out;
    for (const [k, sub] of Object.entries(shape))
      if (Object.hasOwn(value, k))
        out[k] = zero((value as Record<string, unknown>)[k], sub as Record<string, unknown>);
    return out;
  };
  const template = { metadata: {}, spec: {} };
  return zero(ownableFields(object), {
    metadata: {},
    status: {},
    spec: { template, strategy: {}, updateStrategy: {}, jobTemplate: { spec: { template } } },
  }) as Obj;
}
