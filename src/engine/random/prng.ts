/**
 * @file The typed-key PRNG primitives of jax/_src/prng.py: `random_seed`, `random_wrap`,
 * `random_unwrap`, `random_bits`, `random_split` and `random_fold_in`, over arrays of dtype
 * `key<fry>` (core/dtype.ts KeyDType), with JAX's names, params and abstract evaluation, so a
 * sampler's jaxpr reads as JAX's (`random_bits[bit_width=32 shape=(3,)] a` on `a:key<fry>[]`).
 *
 * Rules, as JAX gives them:
 * - abstract eval: keys of shape S draw bits or split keys of shape S + `shape`; fold_in
 *   broadcasts keys against messages; seed/wrap/unwrap map between S and the data's S + (2,).
 * - evaluation: none of their own. A program holding keys is rewritten to the threefry
 *   implementation on the keys' uint32 words before it is lowered (physical.ts, JAX's
 *   `mlir.lower_fun` of the impl), so eager ops (one-equation programs) and jit share that path.
 *   `PHYSICAL` below is that rewrite for these primitives: the per-key function of
 *   threefry-keys.ts, mapped with vmap over the leading key dimensions (prng.py's
 *   iterated_vmap_unary/binary).
 * - jvp: none needed: their operands are keys and integers, whose tangents are float0 symbolic
 *   zeros, and the JVP trace binds a primitive with only zero tangents itself.
 * - batching: seed/wrap/unwrap keep the batch dim where it is; bits and split move it to the
 *   front (a key array of shape (B,) draws B blocks); fold_in broadcasts.
 */

import { ShapedArray } from '../core/aval.js';
import { keyFry, toDType, uint32 } from '../core/dtype.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { shapeTuple } from '../core/shape.js';
import { bind1, evalHooks, type Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { broadcastingShape } from '../primitives/common.js';
import { broadcastBatcher, setBatch } from '../transforms/rules/common.js';
import { type BatchRule, moveBatchAxis, vmapFlat } from '../transforms/vmap.js';
import { foldInData, randomBitsData, seedData, splitData } from './threefry-keys.js';

/** The shape a `shape` param holds, as a plain list. */
const shapeParam = (p: Params) => (p.shape as readonly number[]).map(Number);

function needKeys(name: string, a: ShapedArray): void {
  if (!a.dtype.isKey) {
    throw new TypeError(`${name} accepts a key array, but was given an array of dtype ${a.dtype.name}`);
  }
}

/** Eager evaluation: the one-equation program, compiled through the physical rewrite. */
function compiled(prim: () => Primitive) {
  return (args: unknown[], p: Params) => evalHooks.eagerImpl!(args, p, prim());
}

export const random_seed: Primitive = definePrimitive('random_seed', {
  abstractEval([seeds]) {
    if (!seeds.dtype.isInt) {
      throw new TypeError(`random_seed requires integer seeds, got dtype ${seeds.dtype.name}`);
    }
    return [new ShapedArray(seeds.shape, keyFry)];
  },
  impl: compiled(() => random_seed),
});

export const random_wrap: Primitive = definePrimitive('random_wrap', {
  abstractEval([data]) {
    if (data.dtype !== uint32 || data.ndim === 0 || data.shape[data.ndim - 1] !== 2) {
      throw new TypeError(
        `JAX encountered invalid PRNG key data: expected key_data to have shape (..., 2) and dtype uint32; got shape=${shapeTuple(data.shape)} dtype=${data.dtype.name}`,
      );
    }
    return [new ShapedArray(data.shape.slice(0, -1), keyFry)];
  },
  impl: compiled(() => random_wrap),
});

export const random_unwrap: Primitive = definePrimitive('random_unwrap', {
  abstractEval([keys]) {
    needKeys('random_unwrap', keys);
    return [new ShapedArray([...keys.shape, 2], uint32)];
  },
  impl: compiled(() => random_unwrap),
});

export const random_bits: Primitive = definePrimitive('random_bits', {
  abstractEval([keys], p) {
    needKeys('random_bits', keys);
    const bw = Number(p.bit_width);
    if (![8, 16, 32, 64].includes(bw)) throw new TypeError(`random_bits: invalid bit width ${bw}`);
    return [new ShapedArray([...keys.shape, ...shapeParam(p)], toDType(`uint${bw}`))];
  },
  impl: compiled(() => random_bits),
});

export const random_split: Primitive = definePrimitive('random_split', {
  abstractEval([keys], p) {
    needKeys('random_split', keys);
    return [new ShapedArray([...keys.shape, ...shapeParam(p)], keyFry)];
  },
  impl: compiled(() => random_split),
});

export const random_fold_in: Primitive = definePrimitive('random_fold_in', {
  abstractEval([keys, msgs]) {
    needKeys('random_fold_in', keys);
    if (msgs.dtype !== uint32) {
      throw new TypeError(`random_fold_in requires uint32 messages, got dtype ${msgs.dtype.name}`);
    }
    return [new ShapedArray(broadcastingShape('random_fold_in', [keys.shape, msgs.shape]), keyFry)];
  },
  impl: compiled(() => random_fold_in),
});

// ---- batching --------------------------------------------------------------------------------------

/** Elementwise over the key (or seed) dims: the batch dim stays where it is. */
const inPlace =
  (prim: Primitive, lastOk: boolean): BatchRule =>
  ([x], [d], p, n) => {
    // The data's trailing (2,) cannot carry the batch: move the batch dim in front of it.
    const v = !lastOk && d === x.ndim - 1 ? moveBatchAxis(x, d, 0, n) : x;
    return [[bind1(prim, [v], p)], [v === x ? d : 0]];
  };

/** Keys batched at the front draw a block per key. */
const fronted =
  (prim: Primitive): BatchRule =>
  ([x], [d], p, n) => [[bind1(prim, [moveBatchAxis(x, d, 0, n)], p)], [0]];

setBatch(random_seed, inPlace(random_seed, true));
setBatch(random_wrap, inPlace(random_wrap, false));
setBatch(random_unwrap, inPlace(random_unwrap, true));
setBatch(random_bits, fronted(random_bits));
setBatch(random_split, fronted(random_split));
setBatch(random_fold_in, broadcastBatcher(random_fold_in));

// ---- the physical rewrite ----------------------------------------------------------------------------

/** `f` of single keys mapped over `n` leading dims of its operands (all batched at the front). */
function overKeys(n: number, f: (...xs: Value[]) => Value, xs: Value[]): Value {
  if (n === 0) return f(...xs);
  return vmapFlat(
    (...ys) => [overKeys(n - 1, f, ys)],
    xs,
    xs.map(() => 0),
    [0],
    xs[0].shape[0],
  )[0];
}

/** The rewrite of each key primitive to uint32 key data: physical operands in, physical results out. */
export const PHYSICAL = new Map<Primitive, (ins: Value[], p: Params, outAvals: ShapedArray[]) => Value>([
  [random_seed, ([s]) => overKeys(s.ndim, seedData, [s])],
  [random_wrap, ([d]) => d],
  [random_unwrap, ([k]) => k],
  [
    random_bits,
    ([k], p) => overKeys(k.ndim - 1, (x) => randomBitsData(x, Number(p.bit_width), shapeParam(p)), [k]),
  ],
  [random_split, ([k], p) => overKeys(k.ndim - 1, (x) => splitData(x, shapeParam(p)), [k])],
  [
    random_fold_in,
    ([k, m], _p, [out]) => {
      // lax broadcasting: operands of the result's rank stretch size-1 dims, 0-d ones everything.
      const s = out.shape;
      const r = s.length;
      const dims = (x: Value, extra: number) =>
        x.ndim === extra ? [] : Array.from({ length: r + extra }, (_, i) => i);
      const kb = lax.broadcastInDim(k, [...s, 2], k.ndim === 1 ? [r] : dims(k, 1));
      const mb = lax.broadcastInDim(m, s, dims(m, 0));
      return overKeys(s.length, foldInData, [kb, mb]);
    },
  ],
]);
