/**
 * `metadata.managedFields` read and written: one entry per manager, operation (`Apply` or
 * `Update`), subresource and, for updates, apiVersion; the fields it owns in `fieldsV1`. The API
 * server lists Apply entries first, then by time and manager name, and drops a manager that owns
 * nothing.
 */
import { FieldSet } from './fieldSet.js';

/** One `metadata.managedFields` entry (`metav1.ManagedFieldsEntry`). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: unknown;
  subresource?: string;
}

/** Who a manager is: an entry's identity without its fields and time. */
export interface ManagerId {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly subresource?: string;
}

/** A manager's ownership. */
export interface Ownership {
  readonly id: ManagerId;
  readonly fields: FieldSet;
  readonly time?: string;
}

/** The key that identifies a manager (an Apply entry is one per manager, whatever its apiVersion). */
export function managerKey(id: ManagerId): string {
  return JSON.stringify([
    id.manager,
    id.operation,
    id.operation === 'Update' ? id.apiVersion : '',
    id.subresource ?? '',
  ]);
}

/** The managers of an object, by key; entries that are not FieldsV1 entries are ignored. */
export function readManagers(managedFields: unknown): Map<string, Ownership> {
  const managers = new Map<string, Ownership>();
  if (!Array.isArray(managedFields)) return managers;
  for (const raw of managedFields as Partial<ManagedFieldsEntry>[]) {
    if (!raw || typeof raw.manager !== 'string' || (raw.operation !== 'Apply' && raw.operation !== 'Update'))
      continue;
    const id: ManagerId = {
      manager: raw.manager,
      operation: raw.operation,
      apiVersion: raw.apiVersion ?? '',
      ...(raw.subresource ? { subresource: raw.subresource } : {}),
    };
    managers.set(managerKey(id), {
      id,
      fields: FieldSet.fromFieldsV1(raw.fieldsV1),
      ...(raw.time ? { time: raw.time } : {}),
    });
  }
  return managers;
}

/** The `managedFields` of these managers, in the API server's order, empty ones dropped. */
export function writeManagers(managers: Map<string, Ownership>): ManagedFieldsEntry[] {
  return [...managers.values()]
    .filter((m) => m.fields.size > 0)
    .sort(
      (a, b) =>
        compare(a.id.operation, b.id.operation) ||
        compare(a.time ?? '', b.time ?? '') ||
        compare(a.id.manager, b.id.manager) ||
        compare(a.id.apiVersion, b.id.apiVersion) ||
        compare(a.id.subresource ?? '', b.id.subresource ?? ''),
    )
    .map((m) => ({
      manager: m.id.manager,
      operation: m.id.operation,
      apiVersion: m.id.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: 'FieldsV1' as const,
      fieldsV1: m.fields.toFieldsV1(),
      ...(m.id.subresource ? { subresource: m.id.subresource } : {}),
    }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
