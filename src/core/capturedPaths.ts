/**
 * The paths whose values the JSON scan picks out of every object it checks (core/jsonScan.ts): the
 * metadata a cell keeps (slots 0-5, fixed), then the fields that `byField` indexes read, which
 * register themselves when they are made (slots 6 on). Registering is process-wide on purpose:
 * cells are made by the transport, which does not know which indexes the cache behind it has,
 * and capturing a field nobody reads costs a key comparison per object. A field not captured
 * (registered after a cell was made, or one past the limit) is read from a parse, as before.
 */
import type { CaptureTrie } from './jsonScan.js';

/** Slots of the metadata every cell keeps. */
export const NAME_SLOT = 0;
export const NAMESPACE_SLOT = 1;
export const RESOURCE_VERSION_SLOT = 2;
export const UID_SLOT = 3;
export const LABELS_SLOT = 4;
export const OWNER_REFERENCES_SLOT = 5;
/** The first slot of a registered field. */
export const FIRST_FIELD_SLOT = 6;

const METADATA_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.resourceVersion',
  'metadata.uid',
  'metadata.labels',
  'metadata.ownerReferences',
];

/** Registered paths past this many are not captured. */
const MAX_PATHS = 24;
/** Each node of the trie needs a bit of its own (see CaptureTrie). */
const MAX_NODES = 30;

const paths: string[][] = METADATA_PATHS.map((path) => path.split('.'));
let trie = trieOf(paths);

/** The capture trie and how many slots it fills, as of now. */
export function captureSetup(): { readonly trie: CaptureTrie; readonly slots: number } {
  return trie;
}

/**
 * The slot the scan captures `path` (dotted, as `byField` takes it) into, registering it if new;
 * `undefined` when it cannot be captured: past the limit, or on a path that runs into or through
 * another captured value (`metadata.labels.app`, or `spec` once `spec.nodeName` is captured).
 *
 * @example
 * ```ts
 * captureSlot('spec.nodeName'); // 6, say: every scan from now on captures it
 * ```
 */
export function captureSlot(path: string): number | undefined {
  const parts = path.split('.');
  const same = paths.findIndex((known) => known.join('.') === path);
  // The metadata slots are read through a cell's metadata view, not as fields.
  if (same >= 0) return same >= FIRST_FIELD_SLOT ? same : undefined;
  if (paths.length >= MAX_PATHS || paths.some((known) => overlaps(known, parts))) return undefined;
  const next = trieOf([...paths, parts]);
  if (next.nodes > MAX_NODES) return undefined;
  paths.push(parts);
  trie = next;
  return paths.length - 1;
}

/** True when one path is a prefix of the other: one value would hold the other. */
function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Building {
  keys: string[];
  next: (Building | number)[];
  bit: number;
}

function trieOf(all: readonly (readonly string[])[]): { trie: CaptureTrie; slots: number; nodes: number } {
  let bits = 0;
  const node = (): Building => ({ keys: [], next: [], bit: 1 << bits++ });
  const root = node();
  all.forEach((parts, slot) => {
    let at = root;
    parts.forEach((part, i) => {
      const k = at.keys.indexOf(part);
      if (i === parts.length - 1) {
        at.keys.push(part);
        at.next.push(slot);
        return;
      }
      if (k >= 0) at = at.next[k] as Building;
      else {
        const child = node();
        at.keys.push(part);
        at.next.push(child);
        at = child;
      }
    });
  });
  return { trie: root, slots: all.length, nodes: bits };
}
