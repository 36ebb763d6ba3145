/**
 * @file The physical rewrite of programs holding typed PRNG keys: every `key<fry>` value becomes
 * its uint32 words (shape S + (2,)), the key primitives become the threefry implementation
 * (prng.ts `PHYSICAL`), and structural primitives that move keys around (slice, squeeze,
 * reshape, broadcast_in_dim, concatenate, transpose, rev, select_n, dynamic_slice,
 * dynamic_update_slice, gather, copy) act on the words with the trailing (2,) carried along. It is JAX's
 * lowering of extended dtypes (`physical_aval`, `mlir.lower_fun` of the impl rules, the
 * `KeyTyRules` of jax/_src/prng.py) done as a jaxpr-to-jaxpr pass, so the compiler, the backends
 * and the StableHLO export never see a key dtype. Calls (`jit`) and control flow keep their shape
 * with their bodies rewritten (a call whose rewrite needs array constants is inlined).
 *
 * The pass runs when a program is compiled (compile/index.ts `compileHooks`) and exported; a
 * key array's buffer already holds its words, so arguments and results need no conversion.
 */

import { compileHooks } from '../compile/index.js';
import { ArrayImpl } from '../core/array.js';
import { ShapedArray } from '../core/aval.js';
import { config } from '../core/config.js';
import { uint32 } from '../core/dtype.js';
import { NotImplementedError } from '../core/errors.js';
import type { Params } from '../core/primitive.js';
import { bind, type Value } from '../core/trace.js';
import { type Atom, ClosedJaxpr, Jaxpr, Literal, type Var } from '../ir/jaxpr.js';
import * as lax from '../lax/index.js';
import { GatherDimensionNumbers } from '../primitives/indexing.js';
import { traceToJaxpr } from '../transforms/staging.js';
import { PHYSICAL } from './prng.js';

/** A key aval's uint32 words; other avals as they are. */
export function physicalAval(a: ShapedArray): ShapedArray {
  return a.dtype.isKey ? new ShapedArray([...a.shape, 2], uint32, false) : a;
}

/** A concrete key array seen as its words (the same buffer). */
function physicalValue(x: Value): Value {
  if (!x.aval.dtype.isKey) return x;
  const a = x as unknown as ArrayImpl;
  if (!(a instanceof ArrayImpl)) throw new Error('physical: a traced key array cannot be a constant');
  return new ArrayImpl(physicalAval(a.aval), a.buffer, a.device, a.committed);
}

const isJaxpr = (v: unknown): v is Jaxpr | ClosedJaxpr => v instanceof Jaxpr || v instanceof ClosedJaxpr;

const keyCache = new WeakMap<Jaxpr, boolean>();

/** Whether a jaxpr (or one nested in its equations' params) holds a key value anywhere. */
export function hasKeys(j: Jaxpr): boolean {
  let r = keyCache.get(j);
  if (r !== undefined) return r;
  const key = (a: { aval: ShapedArray }) => a.aval.dtype.isKey;
  r =
    j.invars.some(key) ||
    j.constvars.some(key) ||
    j.outvars.some(key) ||
    j.eqns.some(
      (e) =>
        e.outvars.some(key) ||
        e.inputs.some(key) ||
        Object.values(e.params).some((v) => subJaxprs(v).some(hasKeys)),
    );
  keyCache.set(j, r);
  return r;
}

function subJaxprs(v: unknown): Jaxpr[] {
  if (v instanceof ClosedJaxpr) return [v.jaxpr];
  if (v instanceof Jaxpr) return [v];
  if (Array.isArray(v) && v.some(isJaxpr)) return v.flatMap(subJaxprs);
  return [];
}

// ---- structural primitives on key words ------------------------------------------------------------

const plus = (xs: unknown, extra: number) => [...(xs as readonly number[]).map(Number), extra];
/** The start index 0 for the words' dimension, in the dtype of the other indices. */
const zeroIndex = (like: Value | undefined) => lax.convertElementType(0, like ? like.dtype : 'int32');

type Structural = (ins: Value[], p: Params, rank: number, outRank: number) => [Value[], Params];

/** Each rule: operands and params for the same primitive over the words (`rank`: the keys' rank). */
const STRUCTURAL: Record<string, Structural> = {
  slice: (ins, p) => [
    ins,
    {
      ...p,
      start_indices: plus(p.start_indices, 0),
      limit_indices: plus(p.limit_indices, 2),
      strides: p.strides == null ? null : plus(p.strides, 1),
    },
  ],
  squeeze: (ins, p) => [ins, p],
  concatenate: (ins, p) => [ins, p],
  rev: (ins, p) => [ins, p],
  copy: (ins, p) => [ins, p],
  copy_p: (ins, p) => [ins, p],
  reshape: (ins, p) => [
    ins,
    { ...p, new_sizes: plus(p.new_sizes, 2), dimensions: p.dimensions == null ? null : p.dimensions },
  ],
  broadcast_in_dim: (ins, p) => {
    const shape = plus(p.shape, 2);
    return [ins, { ...p, shape, broadcast_dimensions: plus(p.broadcast_dimensions, shape.length - 1) }];
  },
  transpose: (ins, p, rank) => [ins, { ...p, permutation: plus(p.permutation, rank) }],
  select_n: ([pred, ...cases], p, rank) => {
    // The predicate selects whole keys: both words follow it.
    const pw = pred.ndim === 0 ? pred : lax.broadcastInDim(pred, [...pred.shape, 2], [...pred.shape.keys()]);
    void rank;
    return [[pw, ...cases], p];
  },
  dynamic_slice: ([x, ...idx], p) => [
    [x, ...idx, zeroIndex(idx[0])],
    { ...p, slice_sizes: plus(p.slice_sizes, 2) },
  ],
  dynamic_update_slice: ([x, u, ...idx], p) => [[x, u, ...idx, zeroIndex(idx[0])], p],
  // Each gathered key brings its two words: a last window dimension of size 2.
  gather: (ins, p, _rank, outRank) => {
    const dn = p.dimension_numbers as GatherDimensionNumbers;
    const words = new GatherDimensionNumbers({
      offset_dims: [...dn.offset_dims, outRank],
      collapsed_slice_dims: dn.collapsed_slice_dims,
      start_index_map: dn.start_index_map,
      operand_batching_dims: dn.operand_batching_dims,
      start_indices_batching_dims: dn.start_indices_batching_dims,
    });
    return [ins, { ...p, dimension_numbers: words, slice_sizes: plus(p.slice_sizes, 2) }];
  },
};

// ---- the interpreter --------------------------------------------------------------------------------

/** Evaluate a jaxpr on physical values (under the staging trace that records the rewrite). */
function evalPhysical(j: Jaxpr, consts: readonly Value[], args: readonly Value[]): Value[] {
  const env = new Map<Var, Value>();
  const read = (a: Atom): Value => (a instanceof Literal ? physicalValue(a.val) : env.get(a)!);
  for (const [i, v] of j.constvars.entries()) env.set(v, physicalValue(consts[i]));
  for (const [i, v] of j.invars.entries()) env.set(v, args[i]);
  for (const e of j.eqns) {
    const ins = e.inputs.map(read);
    const prim = e.primitive;
    let outs: Value[];
    const rule = PHYSICAL.get(prim);
    const nested = Object.values(e.params).some((v) => subJaxprs(v).some(hasKeys));
    if (rule) {
      outs = [
        rule(
          ins,
          e.params,
          e.outvars.map((v) => v.aval),
        ),
      ];
    } else if (prim.name === 'jit' && nested && physicalClosed(e.params.jaxpr as ClosedJaxpr).consts.length) {
      // A call whose rewrite made constants (jit's jaxpr takes none): inline it.
      const cj = e.params.jaxpr as ClosedJaxpr;
      outs = evalPhysical(cj.jaxpr, cj.consts, ins);
    } else if (nested) {
      const params: Params = {};
      for (const [k, v] of Object.entries(e.params)) params[k] = physicalParam(v);
      outs = bind(prim, ins, params);
    } else if (e.inputs.some((a) => a.aval.dtype.isKey) || e.outvars.some((v) => v.aval.dtype.isKey)) {
      const s = STRUCTURAL[prim.name];
      if (!s) {
        throw new NotImplementedError(
          `${prim.name} is not implemented for key arrays (dtype key<fry>); use random.keyData to work on their uint32 data`,
        );
      }
      const keyIn = e.inputs.find((a) => a.aval.dtype.isKey) ?? e.outvars[0];
      const [xs, p] = s(ins, e.params, keyIn.aval.ndim, e.outvars[0].aval.ndim);
      outs = bind(prim, xs, p);
    } else {
      outs = bind(prim, ins, e.params);
    }
    for (const [i, v] of e.outvars.entries()) env.set(v, outs[i]);
  }
  return j.outvars.map(read);
}

function physicalParam(v: unknown): unknown {
  if (v instanceof ClosedJaxpr) return hasKeys(v.jaxpr) ? physicalClosed(v) : v;
  if (v instanceof Jaxpr) {
    if (!hasKeys(v)) return v;
    const cj = physicalClosed(new ClosedJaxpr(v, []));
    if (cj.consts.length) throw new NotImplementedError('physical: a nested open jaxpr gained constants');
    return cj.jaxpr;
  }
  if (Array.isArray(v) && v.some(isJaxpr)) return v.map(physicalParam);
  return v;
}

const closedCache = new WeakMap<ClosedJaxpr, Map<boolean, ClosedJaxpr>>();

/** A closed jaxpr over key words: the same inputs and outputs, each key as its uint32 words. */
export function physicalClosed(cj: ClosedJaxpr): ClosedJaxpr {
  let m = closedCache.get(cj);
  if (!m) closedCache.set(cj, (m = new Map()));
  const layout = config.threefryPartitionable;
  let r = m.get(layout);
  if (!r) {
    r = traceToJaxpr((...xs) => evalPhysical(cj.jaxpr, cj.consts, xs), cj.jaxpr.inAvals.map(physicalAval));
    m.set(layout, r);
  }
  return r;
}

/**
 * The rewrite of a compiled program (inputs: its invars, then its constvars): the physical
 * jaxpr with the same inputs and any constants the rewrite made appended to its constvars.
 */
export function physicalProgram(j: Jaxpr): { jaxpr: Jaxpr; consts: Value[] } {
  const n = j.invars.length;
  const inner = new Jaxpr([], [...j.invars, ...j.constvars], j.outvars, j.eqns);
  const cj = physicalClosed(new ClosedJaxpr(inner, []));
  const p = cj.jaxpr;
  return {
    jaxpr: new Jaxpr([...p.invars.slice(n), ...p.constvars], p.invars.slice(0, n), p.outvars, p.eqns),
    consts: cj.consts,
  };
}

const programCache = new WeakMap<Jaxpr, Map<boolean, { jaxpr: Jaxpr; consts: Value[]; variant: string }>>();

compileHooks.physical = (j) => {
  if (!hasKeys(j)) return null;
  let m = programCache.get(j);
  if (!m) programCache.set(j, (m = new Map()));
  const layout = config.threefryPartitionable;
  let r = m.get(layout);
  if (!r) {
    r = { ...physicalProgram(j), variant: layout ? 'partitionable' : 'legacy' };
    m.set(layout, r);
  }
  return r;
};
