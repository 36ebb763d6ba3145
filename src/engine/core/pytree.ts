/**
 * @file Pytrees: nested containers of leaves, as jax.tree_util has them. Leaves are arrays
 * (concrete or traced), numbers, booleans and bigints; JS arrays are lists, plain objects are
 * dicts (keys sorted, as JAX sorts dict keys); null/undefined are None (a node with no children).
 * Other classes can be registered as nodes.
 */
import { identityId, paramKey } from './hash-key.js';
import { ArrayMethods } from './methods.js';

export interface NodeType<T = unknown> {
  name: string;
  flatten(x: T): [children: unknown[], aux: unknown];
  unflatten(aux: unknown, children: unknown[]): T;
}

const customNodes = new Map<abstract new (...args: any[]) => unknown, NodeType<any>>();

/** Register a class as a pytree node (jax.tree_util.register_pytree_node). */
export function registerPytreeNode<T>(cls: abstract new (...args: any[]) => T, node: NodeType<T>): void {
  customNodes.set(cls, node);
}

/** How a tree structure is written out: key() and repr() walk it alike and differ only in words. */
interface Spelling {
  none: string;
  sep: string;
  entry(key: string, child: string): string;
  custom(def: TreeDef, children: string): string;
}

const KEY_SPELLING: Spelling = {
  none: 'N',
  sep: ',',
  entry: (k, child) => `${k.length}:${k}=${child}`,
  custom: (def, children) => `C${identityId(def.node!)}${paramKey(def.aux)}[${children}]`,
};

const REPR_SPELLING: Spelling = {
  none: 'None',
  sep: ', ',
  entry: (k, child) => `'${k}': ${child}`,
  custom: (def, children) => `CustomNode(${def.node!.name}[${JSON.stringify(def.aux)}], [${children}])`,
};

export class TreeDef {
  constructor(
    readonly kind: 'leaf' | 'none' | 'list' | 'dict' | 'custom',
    readonly children: TreeDef[] = [],
    /** dict keys, or the custom node's aux data */
    readonly aux: unknown = null,
    readonly node: NodeType | null = null,
  ) {}
  get numLeaves(): number {
    return this.kind === 'leaf' ? 1 : this.children.reduce((n, c) => n + c.numLeaves, 0);
  }
  get numNodes(): number {
    return 1 + this.children.reduce((n, c) => n + c.numNodes, 0);
  }
  equals(o: TreeDef): boolean {
    return this.key() === o.key();
  }
  /**
   * A cache key: the structure with dict keys by value, custom node types by identity and their
   * aux data as hash-key.ts keys it (the printed form would confuse two node classes of one name).
   */
  key(): string {
    return this.spell(KEY_SPELLING);
  }
  /** JAX's PyTreeDef text: `PyTreeDef([*, {'a': *}])`. */
  toString(): string {
    return `PyTreeDef(${this.repr()})`;
  }
  repr(): string {
    return this.spell(REPR_SPELLING);
  }
  private spell(sp: Spelling): string {
    const kids = this.children.map((c) => c.spell(sp));
    switch (this.kind) {
      case 'leaf':
        return '*';
      case 'none':
        return sp.none;
      case 'list':
        return `[${kids.join(sp.sep)}]`;
      case 'dict':
        return `{${(this.aux as string[]).map((k, i) => sp.entry(k, kids[i])).join(sp.sep)}}`;
      case 'custom':
        return sp.custom(this, kids.join(sp.sep));
    }
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function customNodeOf(x: unknown): NodeType | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  for (let p = Object.getPrototypeOf(x); p; p = Object.getPrototypeOf(p)) {
    const n = customNodes.get(p.constructor);
    if (n) return n;
  }
  return undefined;
}

export type IsLeaf = (x: unknown) => boolean;

export function treeFlatten(x: unknown, isLeaf?: IsLeaf): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const go = (v: unknown): TreeDef => {
    if (isLeaf?.(v)) {
      leaves.push(v);
      return new TreeDef('leaf');
    }
    if (v === null || v === undefined) return new TreeDef('none');
    if (v instanceof ArrayMethods) {
      leaves.push(v);
      return new TreeDef('leaf');
    }
    if (Array.isArray(v)) return new TreeDef('list', v.map(go));
    const custom = customNodeOf(v);
    if (custom) {
      const [children, aux] = custom.flatten(v);
      return new TreeDef('custom', children.map(go), aux, custom);
    }
    if (isPlainObject(v)) {
      const keys = Object.keys(v).sort();
      return new TreeDef(
        'dict',
        keys.map((k) => go(v[k])),
        keys,
      );
    }
    leaves.push(v);
    return new TreeDef('leaf');
  };
  const def = go(x);
  return [leaves, def];
}

export function treeUnflatten(def: TreeDef, leaves: readonly unknown[]): any {
  let i = 0;
  const go = (d: TreeDef): unknown => {
    switch (d.kind) {
      case 'leaf':
        return leaves[i++];
      case 'none':
        return null;
      case 'list':
        return d.children.map(go);
      case 'dict': {
        const out: Record<string, unknown> = {};
        (d.aux as string[]).forEach((k, j) => {
          // defineProperty, not assignment: a key such as `__proto__` stays an ordinary key.
          Object.defineProperty(out, k, {
            value: go(d.children[j]),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        });
        return out;
      }
      case 'custom':
        return d.node!.unflatten(d.aux, d.children.map(go));
    }
  };
  const out = go(def);
  if (i !== leaves.length)
    throw new Error(`Too many leaves for PyTreeDef; expected ${def.numLeaves}, got ${leaves.length}.`);
  return out;
}

export function treeLeaves(x: unknown, isLeaf?: IsLeaf): unknown[] {
  return treeFlatten(x, isLeaf)[0];
}

export function treeStructure(x: unknown, isLeaf?: IsLeaf): TreeDef {
  return treeFlatten(x, isLeaf)[1];
}

/** tree_map over one or more trees with the same structure as the first. */
export function treeMap(f: (...xs: any[]) => unknown, tree: unknown, ...rest: unknown[]): any {
  const [leaves, def] = treeFlatten(tree);
  const others = rest.map((r) => {
    const [l, d] = treeFlatten(r);
    if (!d.equals(def)) throw new TypeError(`Custom node type mismatch; expected ${def}, but got ${d}.`);
    return l;
  });
  return treeUnflatten(
    def,
    leaves.map((l, i) => f(l, ...others.map((o) => o[i]))),
  );
}
