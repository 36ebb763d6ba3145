/**
 * @file The transformation API, as jax's: jvp linearize vjp grad valueAndGrad jacfwd jacrev
 * jacobian hessian vmap stopGradient evalShape linearTranspose. Arguments and outputs are pytrees;
 * the flat machinery is in jvp.ts (forward mode), partial-eval.ts (linearize), transpose.ts
 * (reverse mode = linearize + transpose, as in Autodidax part 4 and JAX) and vmap.ts. Argument
 * checks and error texts follow JAX 0.10.2's api.py.
 */
import { ShapedArray } from '../core/aval.js';
import { scalarArray, toValue } from '../core/coerce.js';
import { type DType, int32, promoteTypes } from '../core/dtype.js';
import { type TreeDef, treeFlatten, treeUnflatten } from '../core/pytree.js';
import { shapeTuple, sizeOf } from '../core/shape.js';
import { bind, bind1, type Value, withTracingLabel } from '../core/trace.js';
import { evalJaxpr } from '../ir/eval.js';
import { NpInt } from '../ir/pyrepr.js';
import { add, convert_element_type, eq } from '../primitives/elementwise.js';
import { iota, reshape, split } from '../primitives/structural.js';
import { instantiate, jvpFlat, stop_gradient, type Tangent, Zero } from './jvp.js';
import { type LinearFn, linearizeFlat, PartialVal, partialEvalFlat } from './partial-eval.js';
import { traceToJaxpr } from './staging.js';
import { backwardPass, UndefPrimal } from './transpose.js';
import { type BatchDim, vmapFlat } from './vmap.js';
import './rules/index.js';

import { ValueError } from '../core/errors.js';

export {
  type CheckpointOptions,
  type CheckpointPolicy,
  checkpoint,
  checkpointPolicies,
  remat,
} from './checkpoint.js';
export { type CustomJvp, type CustomVjp, customJvp, customVjp } from './custom.js';
export { Zero as Float0Zero, Zero } from './jvp.js';
export { ValueError };

type Fn = (...args: any[]) => any;
type Argnums = number | readonly number[];

export interface GradOptions {
  argnums?: Argnums;
  hasAux?: boolean;
  /** The function is holomorphic: complex inputs and outputs, complex derivatives (JAX's). */
  holomorphic?: boolean;
}

// ---- pytree plumbing --------------------------------------------------------------------------------

/** Flatten a pytree of arrays / JS scalars into values. */
function flattenValues(x: unknown): [Value[], TreeDef] {
  const [leaves, tree] = treeFlatten(x);
  return [leaves.map(toValue), tree];
}

/**
 * A flat-in/flat-out version of `f` whose inputs are the leaves of `inTree`; the output tree (and
 * aux leaves, appended as extra outputs so they leave the traces as primal values) are recorded.
 */
function flatFun(f: Fn, inTree: TreeDef, hasAux: boolean) {
  const store: { outTree: TreeDef | null; auxTree: TreeDef | null; nOut: number } = {
    outTree: null,
    auxTree: null,
    nOut: 0,
  };
  const g = (...xs: Value[]): Value[] => {
    const args = treeUnflatten(inTree, xs) as unknown[];
    let out = f(...args);
    let auxLeaves: Value[] = [];
    if (hasAux) {
      if (!Array.isArray(out) || out.length !== 2) {
        throw new TypeError(
          `has_aux=True requires the function to return a pair (output, aux), got ${String(out)}.`,
        );
      }
      const [o, aux] = out;
      out = o;
      const [al, at] = treeFlatten(aux);
      store.auxTree = at;
      auxLeaves = al.map(toValue);
    }
    const [ol, ot] = treeFlatten(out);
    store.outTree = ot;
    store.nOut = ol.length;
    return [...ol.map(toValue), ...auxLeaves];
  };
  return { g, store };
}

function argnumsList(argnums: Argnums, nargs: number): number[] {
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  return list.map((a) => {
    if (!Number.isInteger(a) || a >= nargs || a < -nargs) {
      throw new TypeError(
        `Differentiating with respect to argnums=${Array.isArray(argnums) ? `(${argnums.join(', ')})` : argnums} requires at least ${Math.max(...list.map((x) => (x < 0 ? -x : x + 1)))} positional arguments to be passed by the caller, but got only ${nargs} positional arguments.`,
      );
    }
    return a < 0 ? a + nargs : a;
  });
}

/** f with only the argnums arguments free (JAX's argnums_partial); takes them as a list. */
function partialArgs(f: Fn, args: unknown[], nums: number[]): Fn {
  return (...dyn: unknown[]) => {
    const a = [...args];
    nums.forEach((n, j) => {
      a[n] = dyn[j];
    });
    return f(...a);
  };
}

function tupleText(shape: readonly number[]): string {
  return shapeTuple(shape);
}

// ---- jvp / linearize ----------------------------------------------------------------------------------

function float0OrZeros(z: Zero): Value | Zero {
  return z.isFloat0 ? z : instantiate(z);
}

/** jax.jvp(f, primals, tangents) -> [primalsOut, tangentsOut]. */
export function jvp(
  f: Fn,
  primals: readonly unknown[],
  tangents: readonly unknown[],
  opts: { hasAux?: boolean } = {},
): any[] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    const bad = !Array.isArray(primals) ? primals : tangents;
    throw new TypeError(
      `primal and tangent arguments to jax.jvp must be tuples or lists; found ${describe(bad)}.`,
    );
  }
  const [pl, pt] = flattenValues(primals);
  const [tlRaw, tt] = treeFlatten(tangents);
  if (!pt.equals(tt)) {
    throw new TypeError(
      `primal and tangent arguments to jax.jvp must have the same tree structure; primals have tree structure ${pt} whereas tangents have tree structure ${tt}.`,
    );
  }
  const tl: Tangent[] = tlRaw.map((t, i) => {
    const p = pl[i];
    if (t instanceof Zero) return new Zero(p.aval);
    if (!p.dtype.isInexact) return new Zero(p.aval);
    let v = toValue(t);
    if (v.dtype !== p.dtype) {
      if (v.weakType && v.ndim === 0)
        v = bind1(convert_element_type, [v], { new_dtype: p.dtype, sharding: null, weak_type: p.weakType });
      else {
        throw new TypeError(
          `primal and tangent arguments to jax.jvp do not match; dtypes must be equal, or in case of int/bool primal dtype the tangent dtype must be float0.Got primal dtype ${p.dtype.name} and so expected tangent dtype ${p.dtype.name}, but got tangent dtype ${v.dtype.name} instead.`,
        );
      }
    }
    if (v.shape.join() !== p.shape.join()) {
      throw new ValueError(
        `jvp called with different primal and tangent shapes;Got primal shape ${tupleText(p.shape)} and tangent shape as ${tupleText(v.shape)}`,
      );
    }
    return v;
  });
  const { g, store } = flatFun(f, pt, Boolean(opts.hasAux));
  const [po, to] = withTracingLabel(tracedFor(f, 'jvp'), () => jvpFlat(g, pl, tl, 'jvp'));
  const n = store.nOut;
  const primalOut = treeUnflatten(store.outTree!, po.slice(0, n));
  const tangentOut = treeUnflatten(
    store.outTree!,
    to.slice(0, n).map((t) => (t instanceof Zero ? float0OrZeros(t) : t)),
  );
  if (opts.hasAux) return [primalOut, tangentOut, treeUnflatten(store.auxTree!, po.slice(n))];
  return [primalOut, tangentOut];
}

function describe(x: unknown): string {
  if (x && typeof x === 'object' && 'aval' in (x as object)) return 'Array';
  return typeof x;
}

/** Evaluate a linear function of tangent leaves (float0 inputs are skipped). */
function evalLinear(lin: LinearFn, tangents: Value[]): Tangent[] {
  const ins = tangents.filter((_, i) => lin.inLinear[i]);
  const outs = evalJaxprLinear(lin, ins);
  let k = 0;
  return lin.outZeros.map((z) => (z ? z : outs[k++]));
}

function evalJaxprLinear(lin: LinearFn, ins: Value[]): Value[] {
  return evalJaxpr(lin.jaxpr, lin.consts, ins);
}

/** jax.linearize(f, ...primals) -> [primalOut, fJvp]; fJvp(...tangents) gives the output tangents. */
export function linearize(f: Fn, ...primals: unknown[]): [any, (...tangents: unknown[]) => any] {
  const [pl, pt] = flattenValues(primals);
  const { g, store } = flatFun(f, pt, false);
  const { primalsOut, lin } = withTracingLabel(tracedFor(f, 'linearize'), () => linearizeFlat(g, pl));
  const fJvp = (...tangents: unknown[]) => {
    const [tl, tt] = flattenValues(tangents);
    if (!tt.equals(pt))
      throw new TypeError(
        `linearized function called on tangent values inconsistent with the original primal values: got ${tt} for primal ${pt}`,
      );
    const outs = evalLinear(lin, tl);
    return treeUnflatten(
      store.outTree!,
      outs.map((t) => (t instanceof Zero ? float0OrZeros(t) : t)),
    );
  };
  return [treeUnflatten(store.outTree!, primalsOut), fJvp];
}

// ---- vjp / grad ----------------------------------------------------------------------------------------

interface VjpResult {
  out: unknown;
  outLeaves: Value[];
  aux: unknown;
  pullback: (ct: unknown) => unknown[];
  /** Flat pullback: output cotangent leaves -> input cotangent leaves. */
  pullbackFlat: (cts: Value[]) => (Value | Zero)[];
  inTree: TreeDef;
  outTree: TreeDef;
}

function vjpInternal(f: Fn, primals: unknown[], hasAux: boolean, label = tracedFor(f, 'vjp')): VjpResult {
  const [pl, pt] = flattenValues(primals);
  const { g, store } = flatFun(f, pt, hasAux);
  const { primalsOut, lin } = withTracingLabel(label, () => linearizeFlat(g, pl));
  const n = store.nOut;
  const outTree = store.outTree!;
  const outLeaves = primalsOut.slice(0, n);
  const pullbackFlat = (cts: Value[]): (Value | Zero)[] => {
    const jaxprCts: Tangent[] = [];
    lin.outZeros.forEach((z, i) => {
      if (z === null) jaxprCts.push(i < n ? cts[i] : new Zero(lin.jaxpr.outvars[jaxprCts.length].aval));
    });
    const args = lin.inAvals.filter((_, i) => lin.inLinear[i]).map((a) => new UndefPrimal(a));
    const res = backwardPass(lin.jaxpr, lin.consts, args, jaxprCts);
    let k = 0;
    return lin.inAvals.map((a, i) => (lin.inLinear[i] ? instantiate(res[k++]) : new Zero(a)));
  };
  const pullback = (ct: unknown) => {
    const [cl, ctTree] = treeFlatten(ct);
    if (!ctTree.equals(outTree)) {
      throw new TypeError(
        `Tree structure of cotangent input ${ctTree}, does not match structure of primal output ${outTree}.`,
      );
    }
    const cts = cl.map((c, i) => {
      const o = outLeaves[i];
      let v = toValue(c);
      if (v.shape.join() !== o.shape.join()) {
        throw new ValueError(
          `Shape of cotangent input to vjp pullback function ${tupleText(v.shape)} must be the same as the shape of corresponding primal input ${tupleText(o.shape)}.`,
        );
      }
      if (v.dtype !== o.dtype && o.dtype.isInexact)
        v = bind1(convert_element_type, [v], { new_dtype: o.dtype, sharding: null, weak_type: o.weakType });
      return v;
    });
    return treeUnflatten(pt, pullbackFlat(cts)) as unknown[];
  };
  return {
    out: treeUnflatten(outTree, outLeaves),
    outLeaves,
    aux: hasAux ? treeUnflatten(store.auxTree!, primalsOut.slice(n)) : undefined,
    pullback,
    pullbackFlat,
    inTree: pt,
    outTree,
  };
}

function isVjpOptions(x: unknown): x is { hasAux: boolean } {
  return (
    x !== null &&
    typeof x === 'object' &&
    Object.getPrototypeOf(x) === Object.prototype &&
    Object.keys(x as object).length === 1 &&
    typeof (x as { hasAux?: unknown }).hasAux === 'boolean'
  );
}

/**
 * jax.vjp(f, ...primals) -> [out, vjpFn] (vjpFn(ct) returns one cotangent per primal). A trailing
 * `{hasAux: true}` (an object with only that key) asks for [out, vjpFn, aux].
 */
export function vjp(f: Fn, ...primals: unknown[]): any[] {
  let hasAux = false;
  if (primals.length && isVjpOptions(primals[primals.length - 1])) {
    hasAux = (primals.pop() as { hasAux: boolean }).hasAux;
  }
  const r = vjpInternal(f, primals, hasAux);
  return hasAux ? [r.out, r.pullback, r.aux] : [r.out, r.pullback];
}

/** JAX's _check_input_dtype_revderiv (grad, jacrev). */
function checkInputDtype(name: string, dt: DType, holomorphic = false): void {
  if (holomorphic && !dt.isComplex) {
    throw new TypeError(
      `${name} with holomorphic=True requires inputs with complex dtype, but got ${dt.name}.`,
    );
  }
  if (!dt.isInexact) {
    throw new TypeError(
      `${name} requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got ${dt.name}. If you want to use Boolean- or integer-valued inputs, use vjp or set allow_int to True.`,
    );
  }
}

/** JAX's _check_output_dtype_revderiv (grad, jacrev). */
function checkOutputDtype(name: string, dt: DType, holomorphic = false): void {
  if (holomorphic) {
    if (!dt.isComplex)
      throw new TypeError(
        `${name} with holomorphic=True requires outputs with complex dtype, but got ${dt.name}.`,
      );
  } else if (dt.isComplex) {
    throw new TypeError(
      `${name} requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got ${dt.name}. For holomorphic differentiation, pass holomorphic=True. For differentiation of non-holomorphic functions involving complex outputs, use jax.vjp directly.`,
    );
  } else if (!dt.isFloat) {
    throw new TypeError(
      `${name} requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got ${dt.name}. For differentiation of functions with integer outputs, use jax.vjp directly.`,
    );
  }
}

/**
 * The call wrapper that grad, jacfwd and jacrev share: `body` gets the call's arguments, the argnums
 * to differentiate (checked against this call) and those arguments.
 */
function differentiating(
  argnums: Argnums,
  body: (args: unknown[], nums: number[], dyn: unknown[]) => unknown,
): (...args: any[]) => any {
  return (...args: unknown[]) => {
    const nums = argnumsList(argnums, args.length);
    return body(
      args,
      nums,
      nums.map((i) => args[i]),
    );
  };
}

/** jax.value_and_grad. */
export function valueAndGrad(f: Fn, opts: GradOptions = {}): (...args: any[]) => any {
  const argnums = opts.argnums ?? 0;
  const hasAux = Boolean(opts.hasAux);
  return differentiating(argnums, (args, nums, dyn) => {
    for (const leaf of flattenValues(dyn)[0]) checkInputDtype('grad', leaf.dtype, opts.holomorphic);
    const r = vjpInternal(partialArgs(f, args, nums), dyn, hasAux, tracedFor(f, 'grad'));
    if (r.outLeaves.length !== 1 || r.outTree.kind !== 'leaf') {
      throw new TypeError(
        `Gradient only defined for scalar-output functions. Output was ${describeOut(r.out)}.`,
      );
    }
    const ans = r.outLeaves[0];
    if (ans.ndim !== 0)
      throw new TypeError(
        `Gradient only defined for scalar-output functions. Output had shape: ${tupleText(ans.shape)}.`,
      );
    checkOutputDtype('grad', ans.dtype, opts.holomorphic);
    const gs = r.pullback(scalarArray(1, ans.dtype));
    const g = typeof argnums === 'number' ? gs[0] : gs;
    return hasAux ? [[r.out, r.aux], g] : [r.out, g];
  });
}

function describeOut(x: unknown): string {
  if (Array.isArray(x)) return `(${x.map(describeOut).join(', ')})`;
  return String(x);
}

/** jax.grad(f, {argnums, hasAux}). */
export function grad(f: Fn, opts: GradOptions = {}): (...args: any[]) => any {
  const vg = valueAndGrad(f, opts);
  const g = (...args: unknown[]) => {
    const [v, gr] = vg(...args);
    return opts.hasAux ? [gr, (v as unknown[])[1]] : gr;
  };
  Object.defineProperty(g, 'name', { value: `grad(${f.name || '<lambda>'})` });
  return g;
}

// ---- Jacobians -------------------------------------------------------------------------------------------

interface LeafType {
  shape: readonly number[];
  dtype: DType;
  weakType: boolean;
}

function convertV(x: Value, dtype: DType, weakType: boolean): Value {
  return bind1(convert_element_type, [x], { new_dtype: dtype, sharding: null, weak_type: weakType });
}

/** jnp.split with sizes (printed as np.int64, as jnp.split computes them with NumPy). */
function splitV(x: Value, sizes: number[], axis: number): Value[] {
  return bind(split, [x], { sizes: sizes.map((k) => new NpInt(k)), axis });
}

/**
 * JAX's _std_basis: jnp.eye(total) (iota, iota, add the offset 0, eq, convert), split along axis 1
 * per leaf, each part reshaped to [total, ...leaf.shape] and cast to the leaf's type.
 */
function stdBasis(leaves: readonly LeafType[]): Value[] {
  const total = leaves.reduce((s, l) => s + sizeOf(l.shape), 0);
  const dt = promoteTypes(...leaves.map((l) => ({ dtype: l.dtype, weakType: l.weakType }))).dtype;
  const rows = bind1(iota, [], { dtype: int32, shape: [total, total], dimension: 0, sharding: null });
  const cols = bind1(iota, [], { dtype: int32, shape: [total, total], dimension: 1, sharding: null });
  const shifted = bind1(add, [rows, scalarArray(0, int32)]);
  const eye = convertV(bind1(eq, [shifted, cols]), dt, false);
  const parts = splitV(
    eye,
    leaves.map((l) => sizeOf(l.shape)),
    1,
  );
  return leaves.map((l, i) => convertV(reshapeV(parts[i], [total, ...l.shape]), l.dtype, l.weakType));
}

/**
 * JAX's _unravel_array_into_pytree for a Jacobian: split `arr` along `axis` into one part per leaf,
 * reshape each to the leaf's shape in place of that axis, and cast to `example`'s type where it
 * differs.
 */
function unravel(leaves: readonly LeafType[], axis: number, example: LeafType, arr: Value): Value[] {
  const parts = splitV(
    arr,
    leaves.map((l) => sizeOf(l.shape)),
    axis,
  );
  return parts.map((x, i) => {
    const r = reshapeV(x, [...arr.shape.slice(0, axis), ...leaves[i].shape, ...arr.shape.slice(axis + 1)]);
    return r.dtype === example.dtype && r.weakType === example.weakType
      ? r
      : convertV(r, example.dtype, example.weakType);
  });
}

function reshapeV(x: Value, shape: number[]): Value {
  if (x.shape.join() === shape.join()) return x;
  return bind1(reshape, [x], { new_sizes: shape, dimensions: null, sharding: null });
}

/** Build the output-major Jacobian tree from per-(output leaf, input leaf) blocks. */
function jacTree(
  outTree: TreeDef,
  inTree: TreeDef,
  argnums: Argnums,
  block: (o: number, i: number) => Value,
  nOut: number,
  nIn: number,
): unknown {
  const perOut: unknown[] = [];
  for (let o = 0; o < nOut; o++) {
    const ins: Value[] = [];
    for (let i = 0; i < nIn; i++) ins.push(block(o, i));
    const t = treeUnflatten(inTree, ins) as unknown[];
    perOut.push(typeof argnums === 'number' ? t[0] : t);
  }
  return treeUnflatten(outTree, perOut);
}

/** jax.jacfwd: the Jacobian by forward mode, vmapped jvp over the standard basis. */
export function jacfwd(f: Fn, opts: GradOptions = {}): (...args: any[]) => any {
  const argnums = opts.argnums ?? 0;
  const hasAux = Boolean(opts.hasAux);
  return differentiating(argnums, (args, nums, dyn) => {
    const [pl, pt] = flattenValues(dyn);
    for (const l of pl) {
      if (opts.holomorphic && !l.dtype.isComplex) {
        throw new TypeError(
          `jacfwd with holomorphic=True requires inputs with complex dtype, but got ${l.dtype.name}.`,
        );
      }
      if (!opts.holomorphic && !l.dtype.isFloat) {
        throw new TypeError(
          `jacfwd requires real-valued inputs (input dtype that is a sub-dtype of np.floating), but got ${l.dtype.name}. For holomorphic differentiation, pass holomorphic=True. For differentiation of non-holomorphic functions involving complex inputs or integer inputs, use jax.jvp directly.`,
        );
      }
    }
    const { g, store } = flatFun(partialArgs(f, args, nums), pt, hasAux);
    const basis = stdBasis(pl);
    const total = basis.length ? basis[0].shape[0] : 0;
    let nOut = 0;
    let nAll = 0;
    const outs = vmapFlat(
      (...ts) => {
        const [po, to] = jvpFlat(g, pl, ts, 'jvp');
        nOut = store.nOut;
        nAll = po.length;
        return [...po, ...to.slice(0, nOut).map(instantiate)];
      },
      basis,
      basis.map(() => 0),
      (i) => (i < nAll ? null : -1),
      total,
      null,
    );
    const primal = outs.slice(0, nOut);
    const jacs = outs.slice(nAll);
    // Per output leaf (JAX's tree_map of _jacfwd_unravel over y): one split over the inputs.
    const blocks = primal.map((y, o) => unravel(pl, jacs[o].ndim - 1, y, jacs[o]));
    const result = jacTree(store.outTree!, pt, argnums, (o, i) => blocks[o][i], nOut, pl.length);
    return hasAux ? [result, treeUnflatten(store.auxTree!, outs.slice(nOut, nAll))] : result;
  });
}

/** jax.jacrev: the Jacobian by reverse mode, vmapped vjp over the output basis. */
export function jacrev(f: Fn, opts: GradOptions = {}): (...args: any[]) => any {
  const argnums = opts.argnums ?? 0;
  const hasAux = Boolean(opts.hasAux);
  return differentiating(argnums, (args, nums, dyn) => {
    const [pl] = flattenValues(dyn);
    for (const l of pl) checkInputDtype('jacrev', l.dtype, opts.holomorphic);
    const r = vjpInternal(partialArgs(f, args, nums), dyn, hasAux, tracedFor(f, 'jacrev'));
    for (const y of r.outLeaves) checkOutputDtype('jacrev', y.dtype, opts.holomorphic);
    const basis = stdBasis(r.outLeaves);
    const total = basis.length ? basis[0].shape[0] : 0;
    const cols = vmapFlat(
      (...cts) => r.pullbackFlat(cts).map((c) => (c instanceof Zero ? instantiate(c) : c)),
      basis,
      basis.map(() => 0),
      () => 0,
      total,
      null,
    );
    // Per input leaf (JAX's tree_map of _jacrev_unravel over the inputs): one split over the
    // outputs; then the tree is transposed to output-major.
    const blocks = pl.map((x, i) => unravel(r.outLeaves, 0, x, cols[i]));
    const result = jacTree(
      r.outTree,
      r.inTree,
      argnums,
      (o, i) => blocks[i][o],
      r.outLeaves.length,
      pl.length,
    );
    return hasAux ? [result, r.aux] : result;
  });
}

export const jacobian = jacrev;

/** jax.hessian = jacfwd(jacrev(f)). */
export function hessian(f: Fn, opts: GradOptions = {}): (...args: any[]) => any {
  return jacfwd(jacrev(f, opts), opts);
}

// ---- vmap ------------------------------------------------------------------------------------------------

export type AxisSpec = number | null | readonly AxisSpec[] | { [k: string]: AxisSpec };

export interface VmapOptions {
  inAxes?: AxisSpec;
  outAxes?: AxisSpec;
  axisSize?: number;
  /** Names the mapped axis for collectives (lax.psum(x, name), lax.axisIndex(name), ...). */
  axisName?: string;
}

/** Per-leaf axes of `tree` from a pytree prefix of axes (JAX's flatten_axes). */
function flattenAxes(what: string, tree: unknown, prefix: AxisSpec): (number | null)[] {
  const out: (number | null)[] = [];
  const notPrefix = (t: unknown, p: AxisSpec) =>
    new ValueError(
      `${what} specification must be a tree prefix of the corresponding value, got specification ${JSON.stringify(p)} for value tree ${treeFlatten(t)[1]}.`,
    );
  const go = (t: unknown, p: AxisSpec) => {
    if (p === null || p === undefined || typeof p === 'number') {
      const n = treeFlatten(t)[0].length;
      for (let i = 0; i < n; i++) out.push(p ?? null);
      return;
    }
    const [, def] = treeFlatten(t, (x) => x !== t);
    if (Array.isArray(p)) {
      if (!Array.isArray(t) || t.length !== p.length) {
        throw notPrefix(t, p);
      }
      for (let i = 0; i < t.length; i++) go(t[i], p[i]);
      return;
    }
    if (def.kind !== 'dict') {
      throw notPrefix(t, p);
    }
    const keys = Object.keys(t as object).sort();
    const pkeys = Object.keys(p).sort();
    if (keys.join() !== pkeys.join()) {
      throw notPrefix(t, p);
    }
    for (const k of keys) go((t as Record<string, unknown>)[k], (p as Record<string, AxisSpec>)[k]);
  };
  go(tree, prefix);
  return out;
}

function paramNames(f: Fn): string[] | null {
  const src = Function.prototype.toString.call(f);
  const m =
    /^\s*(?:async\s+)?(?:function\b[^(]*)?\(([^)]*)\)/.exec(src) ??
    /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (!m) return null;
  const names = m[1]
    .split(',')
    .map((s) =>
      s
        .trim()
        .replace(/[:=].*$/, '')
        .trim(),
    )
    .filter(Boolean);
  if (names.some((n) => !/^[A-Za-z_$][\w$]*$/.test(n))) return null;
  return names;
}

/** jax.vmap(f, {inAxes, outAxes, axisSize, axisName}). */
export function vmap(f: Fn, opts: VmapOptions = {}): (...args: any[]) => any {
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  if (Array.isArray(inAxes) === false && inAxes !== null && typeof inAxes === 'object') {
    throw new TypeError(
      `vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got ${JSON.stringify(inAxes)}.`,
    );
  }
  const vf = (...args: unknown[]) => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw new ValueError(
        `vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)=${inAxes.length}, len(args)=${args.length}`,
      );
    }
    const [leaves, inTree] = flattenValues(args);
    const axes = Array.isArray(inAxes)
      ? flattenAxes('vmap in_axes', args, inAxes)
      : leaves.map(() => inAxes as number | null);
    const norm = leaves.map((l, i) => {
      const a = axes[i];
      if (a === null) return null;
      if (a < -l.ndim || a >= l.ndim) {
        throw new ValueError(
          `vmap was requested to map its argument along axis ${a}, which implies that its rank should be at least ${a < 0 ? -a : a + 1}, but is only ${l.ndim} (its shape is ${tupleText(l.shape)})`,
        );
      }
      return a < 0 ? a + l.ndim : a;
    });
    const sizes = leaves.map((l, i) => (norm[i] === null ? null : l.shape[norm[i]!]));
    const mapped = sizes.filter((s): s is number => s !== null);
    let axisSize = opts.axisSize;
    if (mapped.length === 0 && axisSize === undefined) {
      throw new ValueError('vmap must have at least one non-None value in in_axes');
    }
    if (new Set(mapped).size > 1 || (axisSize !== undefined && mapped.some((s) => s !== axisSize))) {
      throw new ValueError(sizeMismatch(f, args, leaves, norm, sizes, axisSize));
    }
    axisSize = axisSize ?? mapped[0];
    const { g, store } = flatFun(f, inTree, false);
    let outLeafAxes: (number | null)[] = [];
    const outs = withTracingLabel(tracedFor(f, 'vmap'), () =>
      vmapFlat(
        g,
        leaves,
        norm,
        (i) => {
          if (i === 0) {
            const outTree = treeUnflatten(store.outTree!, new Array(store.nOut).fill(0));
            outLeafAxes =
              outAxes !== null && typeof outAxes === 'object'
                ? flattenAxes('vmap out_axes', outTree, outAxes)
                : new Array(store.nOut).fill(outAxes);
          }
          return outLeafAxes[i];
        },
        axisSize,
        opts.axisName ?? null,
      ),
    );
    return treeUnflatten(store.outTree!, outs);
  };
  return vf;
}

/** The label of the traces a transformation starts: `f traced for grad`. */
function tracedFor(f: Fn, what: string): string {
  return `${f.name || '<lambda>'} traced for ${what}`;
}

function sizeMismatch(
  f: Fn,
  args: unknown[],
  leaves: Value[],
  axes: (number | null)[],
  sizes: (number | null)[],
  axisSize?: number,
): string {
  const names = paramNames(f);
  // Which positional argument (and path inside it) each leaf comes from.
  const where: string[] = [];
  args.forEach((a, i) => {
    const n = treeFlatten(a)[0].length;
    const base = names?.[i] ? `argument ${names[i]}` : `args[${i}]`;
    for (let k = 0; k < n; k++)
      where.push(n === 1 && treeFlatten(a)[1].kind === 'leaf' ? base : `${base}[${k}]`);
  });
  const desc = (i: number) =>
    `axis ${axes[i]} of ${where[i]} of type ${leaves[i].dtype.name}[${leaves[i].shape.join(',')}]`;
  const lines: string[] = [];
  if (axisSize !== undefined) {
    lines.push(
      `vmap got inconsistent sizes for array axes to be mapped:\n  * the axes sizes must all equal the specified axis_size ${axisSize}`,
    );
  }
  const bySize = new Map<number, number[]>();
  sizes.forEach((s, i) => {
    if (s === null) return;
    bySize.set(s, [...(bySize.get(s) ?? []), i]);
  });
  const items = [...bySize.entries()].map(([s, idx]) =>
    idx.length === 1
      ? `  * one axis had size ${s}: ${desc(idx[0])}`
      : `  * most axes (${idx.length} of them) had size ${s}, e.g. ${desc(idx[0])}`,
  );
  if (axisSize !== undefined)
    return `vmap got inconsistent sizes for array axes to be mapped:\n${items.join(';\n')}`;
  return `vmap got inconsistent sizes for array axes to be mapped:\n${items.join(';\n')}`;
}

// ---- small utilities ---------------------------------------------------------------------------------------

/** lax.stop_gradient over a pytree: float leaves get a `stop_gradient` (zero tangent). */
export function stopGradient<T>(x: T): T {
  const [leaves, tree] = treeFlatten(x);
  return treeUnflatten(
    tree,
    leaves.map((l) => {
      // As JAX's _stop_gradient: bound whatever the dtype (integer values too).
      return bind1(stop_gradient, [toValue(l)]);
    }),
  );
}

/** jax.eval_shape: output avals (ShapedArray, like ShapeDtypeStruct) without computing. */
export function evalShape(f: Fn, ...args: unknown[]): any {
  const [leaves, inTree] = treeFlatten(args);
  const avals = leaves.map((l) => (l instanceof ShapedArray ? l : toValue(l).aval));
  let outTree: TreeDef | null = null;
  const cj = traceToJaxpr((...xs) => {
    const [ol, ot] = treeFlatten(f(...(treeUnflatten(inTree, xs) as unknown[])));
    outTree = ot;
    return ol.map(toValue);
  }, avals);
  return treeUnflatten(outTree!, cj.outAvals);
}

/** jax.linear_transpose(f, ...primals): the transpose of a linear f; returns one cotangent per primal. */
export function linearTranspose(f: Fn, ...primals: unknown[]): (ct: unknown) => unknown[] {
  const [leaves, inTree] = treeFlatten(primals);
  const avals = leaves.map((l) => (l instanceof ShapedArray ? l : toValue(l).aval));
  const { g, store } = flatFun(f, inTree, false);
  const pe = partialEvalFlat(
    g,
    avals.map((a) => PartialVal.unknown(a)),
  );
  const outTree = store.outTree!;
  const outAvals = pe.knownOuts
    .map((k, _i) => k?.aval ?? null)
    .map((a, i) => a ?? pe.jaxpr.outvars[unknownIndex(pe.knownOuts, i)].aval);
  return (ct: unknown) => {
    const [cl, ctTree] = treeFlatten(ct);
    if (!ctTree.equals(outTree)) {
      throw new TypeError(
        `linear_transpose cotangent tree does not match function output, expected ${outTree} but got ${ctTree}`,
      );
    }
    const cts: Tangent[] = [];
    cl.forEach((c, i) => {
      const v = toValue(c);
      if (v.shape.join() !== outAvals[i].shape.join() || v.dtype !== outAvals[i].dtype) {
        throw new TypeError(
          `linear_transpose cotangent type mismatch: expected ${outAvals[i].strShort()}, got ${v.aval.strShort()}`,
        );
      }
      if (pe.knownOuts[i] === null) cts.push(v);
    });
    const res = backwardPass(
      pe.jaxpr,
      pe.consts,
      avals.map((a) => new UndefPrimal(a)),
      cts,
    );
    return treeUnflatten(inTree, res.map(instantiate)) as unknown[];
  };
}

function unknownIndex(known: (Value | null)[], i: number): number {
  return known.slice(0, i).filter((k) => k === null).length;
}

export type { BatchDim };
