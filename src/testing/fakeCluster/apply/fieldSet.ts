/**
 * A set of field paths: what one manager owns, what an apply sets, what a write changed. Stored
 * as the paths' JSON texts so set algebra is plain `Set` work. `toFieldsV1` / `fromFieldsV1`
 * convert to and from the `fieldsV1` trie of `managedFields`, where each path element is a key, a
 * leaf is `{}`, and a node that is itself a member and also has members below carries `".": {}`.
 */
import type { FieldPath } from './pathElements.js';

/** A FieldsV1 trie, as in `metadata.managedFields[].fieldsV1`. */
export type FieldsV1 = { [element: string]: FieldsV1 };

/** An immutable-by-convention set of field paths. */
export class FieldSet {
  private readonly members: Set<string>;

  constructor(paths: Iterable<FieldPath> = []) {
    this.members = new Set([...paths].map((p) => JSON.stringify(p)));
  }

  private static of(members: Iterable<string>): FieldSet {
    const set = new FieldSet();
    for (const m of members) set.members.add(m);
    return set;
  }

  get size(): number {
    return this.members.size;
  }

  has(path: FieldPath): boolean {
    return this.members.has(JSON.stringify(path));
  }

  /** The paths, sorted by their text (stable output). */
  paths(): FieldPath[] {
    return [...this.members].sort().map((m) => JSON.parse(m) as FieldPath);
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.of([...this.members, ...other.members]);
  }

  difference(other: FieldSet): FieldSet {
    return FieldSet.of([...this.members].filter((m) => !other.members.has(m)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.of([...this.members].filter((m) => other.members.has(m)));
  }

  /** True when some member lies strictly below `path` (so removing `path` would drop it). */
  hasDescendantOf(path: FieldPath): boolean {
    return this.paths().some((p) => p.length > path.length && path.every((e, i) => p[i] === e));
  }

  /** The FieldsV1 trie of the set. */
  toFieldsV1(): FieldsV1 {
    interface Node {
      member: boolean;
      children: Map<string, Node>;
    }
    const root: Node = { member: false, children: new Map() };
    for (const path of this.paths()) {
      let node = root;
      for (const element of path) {
        let next = node.children.get(element);
        if (!next) {
          next = { member: false, children: new Map() };
          node.children.set(element, next);
        }
        node = next;
      }
      node.member = true;
    }
    const render = (node: Node): FieldsV1 => {
      const out: FieldsV1 = {};
      if (node.member && node.children.size > 0) out['.'] = {};
      for (const key of [...node.children.keys()].sort())
        Object.defineProperty(out, key, {
          value: render(node.children.get(key) as Node),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    };
    return render(root);
  }

  /** The set a FieldsV1 trie encodes. */
  static fromFieldsV1(trie: unknown): FieldSet {
    const paths: FieldPath[] = [];
    const walk = (node: unknown, path: string[]) => {
      if (node === null || typeof node !== 'object') return;
      const keys = Object.keys(node);
      if (keys.length === 0 && path.length > 0) paths.push(path);
      for (const key of keys) {
        if (key === '.') paths.push(path);
        else walk((node as Record<string, unknown>)[key], [...path, key]);
      }
    };
    walk(trie, []);
    return new FieldSet(paths);
  }
}
