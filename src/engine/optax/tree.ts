/**
 * @file optax.tree (optax/tree_utils/_tree_math.py, _casting.py): arithmetic on pytrees of arrays, the moment
 * updates every adaptive optimizer is written with (`updateMoment`, `biasCorrection`, ...), and `mapPrefix`,
 * a tree map whose first tree may be a prefix of the others (jax.tree.map's rule, which `masked` and
 * `multiTransform` rely on: a mask leaf `true` stands for a whole subtree). The operations are the ones optax
 * writes, in its order, so float32 results round as optax's do.
 */
import { type DTypeLike, toDType } from '../core/dtype.js';
import { type TreeDef, treeFlatten, treeLeaves, treeMap, treeUnflatten } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import { type ArrayLike, type PyTree, ValueError } from './base.js';
import { s } from './numerics.js';

const arr = (x: unknown): Value => jnp.asarray(x);

export function zerosLike(tree: PyTree, dtype?: DTypeLike | null): PyTree {
  return treeMap((x: unknown) => jnp.zerosLike(arr(x), { dtype: dtype ?? undefined }), tree);
}
export function onesLike(tree: PyTree, dtype?: DTypeLike | null): PyTree {
  return treeMap((x: unknown) => jnp.onesLike(arr(x), { dtype: dtype ?? undefined }), tree);
}
export function fullLike(tree: PyTree, fillValue: ArrayLike, dtype?: DTypeLike | null): PyTree {
  return treeMap((x: unknown) => jnp.fullLike(arr(x), fillValue, { dtype: dtype ?? undefined }), tree);
}

/** Leafwise sum of two or more trees. */
export function add(x: PyTree, y: PyTree, ...others: PyTree[]): PyTree {
  return treeMap(
    (...ls: Value[]) => ls.slice(1).reduce((acc: Value, l) => jnp.add(acc, l), ls[0]),
    x,
    y,
    ...others,
  );
}
export function sub(x: PyTree, y: PyTree): PyTree {
  return treeMap((a: Value, b: Value) => jnp.subtract(a, b), x, y);
}
export function mul(x: PyTree, y: PyTree): PyTree {
  return treeMap((a: Value, b: Value) => jnp.multiply(a, b), x, y);
}
export function div(x: PyTree, y: PyTree): PyTree {
  return treeMap((a: Value, b: Value) => jnp.true_divide(a, b), x, y);
}
/** scalar * tree. */
export function scale(scalar: ArrayLike, tree: PyTree): PyTree {
  return treeMap((x: Value) => jnp.multiply(scalar, x), tree);
}
/** x + scalar * y, leafwise. */
export function addScale(x: PyTree, scalar: ArrayLike, y: PyTree): PyTree {
  const c = jnp.asarray(scalar);
  return treeMap((a: Value, b: Value) => jnp.add(a, jnp.multiply(c, b)), x, y);
}

function reduceLeaves(op: (a: Value, b: Value) => Value, values: Value[], initial: ArrayLike): Value {
  return values.reduce((acc: Value, v) => op(acc, v), jnp.asarray(initial));
}

/** Sum over leaves of the inner products (optax.tree.vdot). */
export function vdot(x: PyTree, y: PyTree): Value {
  const dots = treeLeaves(treeMap((a: unknown, b: unknown) => jnp.vdot(arr(a), arr(b)), x, y)) as Value[];
  return reduceLeaves(jnp.add, dots, 0);
}
/** Sum of every element of every leaf. */
export function sum(tree: PyTree): Value {
  const sums = treeLeaves(treeMap((x: unknown) => jnp.sum(arr(x)), tree)) as Value[];
  return reduceLeaves(jnp.add, sums, 0);
}
/** The extremum over the non-empty leaves: each leaf's `leaf` reduction, combined by `op` (init when none). */
function extremum(
  tree: PyTree,
  op: (a: Value, b: Value) => Value,
  leaf: (x: Value) => Value,
  init: number,
): Value {
  const leaves = (treeLeaves(tree) as unknown[]).map(arr).filter((x) => x.size > 0);
  return reduceLeaves(op, leaves.map(leaf), init);
}
export function max(tree: PyTree): Value {
  return extremum(tree, jnp.maximum, (x) => jnp.max(x), Number.NEGATIVE_INFINITY);
}
export function min(tree: PyTree): Value {
  return extremum(tree, jnp.minimum, (x) => jnp.min(x), Number.POSITIVE_INFINITY);
}
/** Number of elements in all leaves. */
export function size(tree: PyTree): number {
  return (treeLeaves(tree) as unknown[]).reduce((n: number, x) => n + arr(x).size, 0);
}
export function conj(tree: PyTree): PyTree {
  return treeMap((x: unknown) => arr(x), tree);
}
export function real(tree: PyTree): PyTree {
  return treeMap((x: unknown) => arr(x), tree);
}

/**
 * The norm of all leaves together (optax.tree.norm): ord 2 (default), 1 or 'inf'. optax squares each leaf as
 * real^2 + imag^2, which for a real leaf is x^2 + 0.
 */
export function norm(tree: PyTree, opts: { ord?: number | string | null; squared?: boolean } = {}): Value {
  const ord = opts.ord ?? null;
  if (ord === null || ord === 2) {
    const sq = sum(
      treeMap((x: unknown) => jnp.add(jnp.square(arr(x)), jnp.square(jnp.zerosLike(arr(x)))), tree),
    );
    return opts.squared ? sq : jnp.sqrt(sq);
  }
  let ret: Value;
  if (ord === 1) ret = sum(treeMap((x: unknown) => jnp.abs(arr(x)), tree));
  else if (ord === Number.POSITIVE_INFINITY || ord === 'inf' || ord === 'infinity') {
    ret = max(treeMap((x: unknown) => jnp.abs(arr(x)), tree));
  } else throw new ValueError(`Unsupported ord: ${ord}`);
  return opts.squared ? jnp.square(ret) : ret;
}

export function clip(tree: PyTree, minValue?: ArrayLike | null, maxValue?: ArrayLike | null): PyTree {
  return treeMap((g: unknown) => jnp.clip(arr(g), minValue ?? null, maxValue ?? null), tree);
}
export function where(condition: ArrayLike, x: PyTree, y: PyTree): PyTree {
  return treeMap((a: unknown, b: unknown) => jnp.where(condition, arr(a), arr(b)), x, y);
}

/** Casts every leaf to dtype; a null dtype leaves the tree as it is. */
export function cast(tree: PyTree, dtype?: DTypeLike | null): PyTree {
  if (dtype === null || dtype === undefined) return tree;
  const dt = toDType(dtype);
  return treeMap((t: unknown) => jnp.astype(arr(t), dt), tree);
}
/** Casts each leaf to the dtype of the matching leaf of `other`. */
export function castLike(tree: PyTree, other: PyTree): PyTree {
  return treeMap((t: unknown, o: unknown) => jnp.astype(arr(t), arr(o).dtype), tree, other);
}

/** An exponential moving average of updates^order: (1 - decay) * g^order + decay * t. */
export function updateMoment(updates: PyTree, moments: PyTree, decay: ArrayLike, order: number): PyTree {
  const c = s.sub(1, decay);
  return treeMap(
    (g: Value, t: Value) => jnp.add(jnp.multiply(c, jnp.power(g, order)), jnp.multiply(decay, t)),
    updates,
    moments,
  );
}
/** As updateMoment, of |g|^order (for real g the same as g^order, which is what optax computes). */
export function updateMomentPerElemNorm(
  updates: PyTree,
  moments: PyTree,
  decay: ArrayLike,
  order: number,
): PyTree {
  return updateMoment(updates, moments, decay, order);
}
/** The infinity-norm moment of Adamax: max(|g| + eps, decay * t). */
export function updateInfinityMoment(
  updates: PyTree,
  moments: PyTree,
  decay: ArrayLike,
  eps: ArrayLike,
): PyTree {
  return treeMap(
    (g: Value, t: Value) => jnp.maximum(jnp.add(jnp.abs(g), eps), jnp.multiply(decay, t)),
    updates,
    moments,
  );
}
/**
 * moment / (1 - decay^count). `decay` is rounded to float32 before the power, as optax's `decay**count` does
 * with an int32 count.
 */
export function biasCorrection(moment: PyTree, decay: ArrayLike, count: ArrayLike): PyTree {
  const bc = jnp.subtract(1, jnp.power(decay, count));
  return treeMap((t: Value) => jnp.true_divide(t, jnp.astype(bc, t.dtype)), moment);
}

// ---- prefix trees ---------------------------------------------------------------------------------

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** The subtrees of `tree` at the leaves of `def`, which must be a prefix of tree's structure. */
function flattenUpTo(def: TreeDef, tree: unknown, out: unknown[]): void {
  const mismatch = (): never => {
    const [, full] = treeFlatten(tree);
    throw new Error(`Tree structure mismatch: ${def} is not a prefix of ${full}.`);
  };
  switch (def.kind) {
    case 'leaf':
      out.push(tree);
      return;
    case 'none':
      if (tree !== null && tree !== undefined) mismatch();
      return;
    case 'list':
      if (!Array.isArray(tree) || tree.length !== def.children.length) mismatch();
      def.children.forEach((c, i) => {
        flattenUpTo(c, (tree as unknown[])[i], out);
      });
      return;
    case 'dict': {
      const keys = def.aux as string[];
      if (!isPlainObject(tree)) mismatch();
      const obj = tree as Record<string, unknown>;
      const treeKeys = Object.keys(obj).sort();
      if (treeKeys.length !== keys.length || treeKeys.some((k, i) => k !== keys[i])) mismatch();
      keys.forEach((k, i) => {
        flattenUpTo(def.children[i], obj[k], out);
      });
      return;
    }
    case 'custom': {
      const [, full] = treeFlatten(tree, (x) => x !== tree);
      if (full.kind !== 'custom' || full.node !== def.node) mismatch();
      const [children] = def.node!.flatten(tree);
      def.children.forEach((c, i) => {
        flattenUpTo(c, children[i], out);
      });
      return;
    }
  }
}

/**
 * jax.tree.map(f, prefix, ...trees) where `prefix`'s structure is a prefix of each tree's: f gets each leaf of
 * `prefix` with the whole subtrees of the others at that position. The result has `prefix`'s structure.
 */
export function mapPrefix(
  f: (p: any, ...subtrees: any[]) => unknown,
  prefix: PyTree,
  ...trees: PyTree[]
): PyTree {
  const [leaves, def] = treeFlatten(prefix);
  const subs = trees.map((t) => {
    const out: unknown[] = [];
    flattenUpTo(def, t, out);
    return out;
  });
  return treeUnflatten(
    def,
    leaves.map((l, i) => f(l, ...subs.map((sub) => sub[i]))),
  );
}
