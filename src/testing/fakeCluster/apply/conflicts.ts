/**
 * Apply conflicts as the API server reports them: 409 Conflict, one `FieldManagerConflict` cause
 * per field and manager (`field: ".spec.replicas"`, `message: 'conflict with "kubectl"'`; an
 * Update manager is named with its apiVersion, `"kubectl-edit" using apps/v1`), and the message
 * `Apply failed with 1 conflict: conflict with "m": .spec.replicas` (several: grouped by manager).
 */
import { StatusError } from '../../../core/errors.js';
import type { ManagerId } from './managers.js';
import { type FieldPath, pathText } from './pathElements.js';

/** One conflicting field and the manager that owns it. */
export interface FieldConflict {
  readonly manager: ManagerId;
  readonly path: FieldPath;
}

/** A manager as the API server names it in conflicts. */
export function managerText(id: ManagerId): string {
  let text = JSON.stringify(id.manager);
  if (id.subresource) text += ` with subresource ${JSON.stringify(id.subresource)}`;
  if (id.operation === 'Update') text += ` using ${id.apiVersion}`;
  return text;
}

function message(conflicts: readonly FieldConflict[]): string {
  if (conflicts.length === 1) {
    const only = conflicts[0] as FieldConflict;
    return `Apply failed with 1 conflict: conflict with ${managerText(only.manager)}: ${pathText(only.path)}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const name = managerText(c.manager);
    byManager.set(name, [...(byManager.get(name) ?? []), pathText(c.path)]);
  }
  const lines = [...byManager.keys()]
    .sort()
    .flatMap((name) => [`conflicts with ${name}:`, ...(byManager.get(name) ?? []).map((p) => `- ${p}`)]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The 409 the API server answers an apply with conflicts. */
export function conflictError(conflicts: readonly FieldConflict[]): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code: 409,
    reason: 'Conflict',
    message: message(conflicts),
    details: {
      causes: conflicts.map((c) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with ${managerText(c.manager)}`,
        field: pathText(c.path),
      })),
    },
  });
}
