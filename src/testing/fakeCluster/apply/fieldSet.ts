/**
 * A set of field paths: what one manager owns, what an apply sets, what a write changed. Keyed
 * by the paths' JSON texts so set algebra is plain `Map` work. `toFieldsV1` / `fromFieldsV1`
 * convert to and from the `fieldsV1` trie of `managedFields`, where each path element is a key, a
 * leaf is `{}`, and a node that is itself a member and also has members below carries `".": {}`.
 */
import type { FieldPath } from './pathElements.js';

/** A FieldsV1 trie, as in `metadata.managedFields[].fieldsV1`. */
export type FieldsV1 = { [element: string]: FieldsV1 };

/**
 * An immutable-by-convention set of field paths. Operations that change nothing return the set
 * itself, so a manager whose fields a write leaves alone keeps its set, and with it the stored
 * trie it was read from. (Sets are not remembered beyond a write: one per manager of every stored
 * object would take more memory than the objects.)
 */
export class FieldSet {
  /** Each path by its JSON text (the set's identity of a path), so no text is parsed back. */
  private readonly members: Map<string, FieldPath>;
  /**
   * The trie this set was read from or last rendered, returned again while it is frozen: a stored
   * trie, which nobody can have changed. One handed out unfrozen (a dry run's) is rendered anew.
   */
  private trie: FieldsV1 | undefined;

  constructor(paths: Iterable<FieldPath> = []) {
    this.members = new Map();
    for (const path of paths) this.members.set(JSON.stringify(path), Object.freeze(path) as FieldPath);
  }

  private static of(members: Iterable<[string, FieldPath]>): FieldSet {
    const set = new FieldSet();
    for (const [text, path] of members) set.members.set(text, path);
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
    return [...this.members.keys()].sort().map((text) => this.members.get(text) as FieldPath);
  }

  union(other: FieldSet): FieldSet {
    if ([...other.members.keys()].every((text) => this.members.has(text))) return this;
    return FieldSet.of([...this.members, ...other.members]);
  }

  difference(other: FieldSet): FieldSet {
    if (other.members.size === 0 || ![...this.members.keys()].some((text) => other.members.has(text)))
      return this;
    return FieldSet.of([...this.members].filter(([text]) => !other.members.has(text)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.of([...this.members].filter(([text]) => other.members.has(text)));
  }

  /** True when some member lies strictly below `path` (so removing `path` would drop it). */
  hasDescendantOf(path: FieldPath): boolean {
    return this.paths().some((p) => p.length > path.length && path.every((e, i) => p[i] === e));
  }

  /** The FieldsV1 trie of the set: the one it was read from or rendered before if that is frozen, else a new one. */
  toFieldsV1(): FieldsV1 {
    if (this.trie !== undefined && Object.isFrozen(this.trie)) return this.trie;
    this.trie = this.rendered();
    return this.trie;
  }

  private rendered(): FieldsV1 {
    interface Node {
      member: boolean;
      children: Map<string, Node>;
    }
    const root: Node = { member: false, children: new Map() };
    // Each node sorts its own keys below, so the paths need no order here.
    for (const path of this.members.values()) {
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
      for (const key of [...node.children.keys()].sort()) {
        const child = render(node.children.get(key) as Node);
        // A key read from a client's trie may be `__proto__`: define it, never assign it.
        if (key === '__proto__')
          Object.defineProperty(out, key, {
            value: child,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else out[key] = child;
      }
      return out;
    };
    return render(root);
  }

  /**
   * The set a FieldsV1 trie encodes. A frozen trie (a stored object's, rendered by this class) is
   * also what the set renders to, as long as no operation changes the set.
   */
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
    const set = new FieldSet(paths);
    if (trie !== null && typeof trie === 'object') set.trie = trie as FieldsV1;
    return set;
  }
}
