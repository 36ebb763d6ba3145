/**
 * @file lax's control flow: cond, switch, platformDependent, whileLoop, foriLoop, scan, map, with JAX 0.10.2's
 * signatures in camelCase and its staging (jax/_src/lax/control_flow/{conditionals,loops}.py):
 * bodies are traced to closed jaxprs on the avals of their pytree-flattened operands,
 * closed-over values become leading operands (`*_nconsts`, `num_consts`), weakly typed initial
 * carries are promoted and the body retraced when the body changes their dtype, inputs that
 * bodies merely forward are pruned or moved to consts, and mismatched branch/carry types raise
 * JAX's errors. Tuples are JS arrays: a scan body returns `[carry, y]`. The staging steps are in
 * control-staging.ts, the error texts in control-errors.ts, associative_scan in
 * associative-scan.ts.
 */
import { ArrayImpl, hostReadable, hostScalar } from '../core/array.js';
import { ShapedArray } from '../core/aval.js';
import { toValue } from '../core/coerce.js';
import { type DType, int32 } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { treeFlatten, treeUnflatten } from '../core/pytree.js';
import { bind, isTracer, type Value } from '../core/trace.js';
import { ClosedJaxpr, Jaxpr, Var } from '../ir/jaxpr.js';
import { cond_p, scan_p, while_p } from '../primitives/control.js';
import { type BranchesPlatforms, platform_index } from '../primitives/platform-index.js';
import { vmap } from '../transforms/api.js';
import { checkBranchOutputs, checkCarryType, strShort } from './control-errors.js';
import {
  dceJaxpr,
  type Fn,
  flattenValues,
  forwarding,
  mergeLists,
  moveBindersToFront,
  partition,
  promoteWeakInputs,
  pruneOutputs,
  strongScalar,
  type Traced,
  traceFlat,
} from './control-staging.js';
import { convertElementType } from './convert.js';
import { add, clamp, lt, ne } from './elementwise.js';
import { concatenate, reshape, slice } from './structural.js';

// ---- cond / switch ------------------------------------------------------------------------------

/** Concatenate the branches' consts and give every branch all of them (common._merge_common_consts). */
function mergeCommonConsts(traced: Traced[]): { jaxprs: ClosedJaxpr[]; consts: Value[] } {
  const consts: Value[] = [];
  for (const t of traced) for (const c of t.consts) if (!consts.includes(c)) consts.push(c);
  const jaxprs = traced.map((t) => {
    const j = t.jaxpr.jaxpr;
    const own = new Map<Value, Var>();
    t.consts.forEach((c, i) => {
      if (!own.has(c)) own.set(c, j.invars[i]);
    });
    const constInvars = consts.map((c) => own.get(c) ?? new Var(c.aval));
    const invars = [...constInvars, ...j.invars.slice(t.consts.length)];
    return new ClosedJaxpr(new Jaxpr(j.constvars, invars, j.outvars, j.eqns), t.jaxpr.consts);
  });
  return { jaxprs, consts };
}

function condInternal(
  api: string,
  index: Value,
  fns: Fn[],
  names: string[],
  operands: unknown[],
  order: number[],
  branchesPlatforms?: BranchesPlatforms,
): unknown {
  const [args, inTree] = flattenValues(operands);
  const avals = args.map((a) => a.aval);
  // inTree describes the operand list; branches take the operands as separate arguments.
  const traced = fns.map((f) => traceFlat(f, inTree, avals));
  const { jaxprs, consts } = mergeCommonConsts(traced);
  for (let i = 1; i < traced.length; i++) {
    checkBranchOutputs(
      api,
      names[0],
      names[i],
      fns[0],
      fns[i],
      traced[0].outTree,
      traced[0].outAvals,
      traced[i].outTree,
      traced[i].outAvals,
    );
  }
  const fwds = jaxprs.map((j) => forwarding(j.jaxpr));
  const inFwd = fwds[0].map((f, k) => (fwds.every((g) => g[k] === f) ? f : null));
  const keep = inFwd.map((f) => f === null);
  const branches = order.map((i) => pruneOutputs(jaxprs[i], keep));
  const params = branchesPlatforms ? { branches, branches_platforms: branchesPlatforms } : { branches };
  const outs = bind(cond_p, [index, ...consts, ...args], params);
  const all = [...consts, ...args];
  let k = 0;
  const full = inFwd.map((f) => (f === null ? outs[k++] : all[f]));
  return treeUnflatten(traced[0].outTree, full);
}

/**
 * lax.cond(pred, trueFun, falseFun, ...operands): `pred` is a boolean (or number, compared with 0)
 * scalar. Both branches are traced; the false branch is branch 0 of the `cond` primitive.
 */
export function cond(pred: unknown, trueFun: Fn, falseFun: Fn, ...operands: unknown[]): any {
  if (typeof trueFun !== 'function' || typeof falseFun !== 'function') {
    throw new TypeError('lax.cond: true_fun and false_fun arguments should be callable.');
  }
  if (pred === null || pred === undefined) throw new TypeError('cond predicate is None');
  let p = toValue(pred);
  if (p.shape.length !== 0) {
    throw new TypeError(
      `Pred must be a scalar, got ${String(pred)} of shape (${p.shape.join(', ')}${p.shape.length === 1 ? ',' : ''}).`,
    );
  }
  if (!p.dtype.isBool) {
    if (p.dtype.isInt || p.dtype.isFloat) p = ne(p, convertElementType(0, p.dtype, true));
    else throw new TypeError(`Pred type must be either boolean or number, got ${p.dtype.name}.`);
  }
  const index = convertElementType(p, int32);
  return condInternal('cond', index, [trueFun, falseFun], ['true_fun', 'false_fun'], operands, [1, 0]);
}

/** lax.switch(index, branches, ...operands): the index is clamped to the branch range. */
export function switch_(index: unknown, branches: readonly Fn[], ...operands: unknown[]): any {
  if (!branches.every((b) => typeof b === 'function')) {
    throw new TypeError('lax.switch: branches argument should be a sequence of callables.');
  }
  const idx = toValue(index);
  if (idx.shape.length !== 0) {
    throw new TypeError(
      `Branch index must be scalar, got ${String(index)} of shape (${idx.shape.join(', ')}${idx.shape.length === 1 ? ',' : ''}).`,
    );
  }
  if (!idx.dtype.isInt)
    throw new TypeError(`Index type must be an integer, got ${String(index)} as ${idx.dtype.name}`);
  if (branches.length === 0) throw new Error('Empty branch sequence');
  if (branches.length === 1) return branches[0](...operands);
  const i = clamp(
    strongScalar(0, int32),
    convertElementType(idx, int32),
    strongScalar(branches.length - 1, int32),
  );
  return condInternal(
    'switch',
    i,
    [...branches],
    branches.map((_, k) => (k === 0 ? 'branch 0' : `branch${k}`)),
    operands,
    branches.map((_, k) => k),
  );
}

export { switch_ as switch };

/**
 * lax.platform_dependent(...args, {cpu, cuda, rocm, tpu, default}) (the branches last), as JAX
 * stages it: branches given as the same function are joined, `default` goes last with platforms
 * `None`, and platform_index picks one. Eagerly that index is concrete and only its branch runs;
 * under a trace every branch is staged in a `cond[branches_platforms=...]`, resolved when it is
 * lowered for a device (primitives/platform-index.ts).
 */
export function platformDependent(...argsAndBranches: unknown[]): unknown {
  const args = argsAndBranches.slice(0, -1);
  const { default: dflt, ...perPlatform } = (argsAndBranches.at(-1) ?? {}) as Record<string, unknown>;
  const groups: [string[], Fn][] = [];
  for (const [pname, f] of Object.entries(perPlatform)) {
    if (typeof f !== 'function')
      throw new TypeError(`lax.platform_dependent: the '${pname}' branch must be a callable.`);
    if (pname === 'gpu') throw new ValueError("Use 'cuda' or 'rocm' for lax.platform_dependent.");
    const same = groups.find(([, g]) => g === f);
    if (same) same[0].push(pname);
    else groups.push([[pname], f as Fn]);
  }
  const fns = groups.map(([, f]) => f);
  const platforms: (string[] | null)[] = groups.map(([ps]) => ps);
  if (dflt !== undefined && dflt !== null) {
    if (typeof dflt !== 'function')
      throw new TypeError("lax.platform_dependent: the 'default' branch must be a callable.");
    fns.push(dflt as Fn);
    platforms.push(null);
  }
  const index = bind(platform_index, [], { platforms })[0];
  if (!isTracer(index)) return fns[Number(hostScalar(index as ArrayImpl))](...args);
  return condInternal(
    'switch',
    index,
    fns,
    fns.map((_, k) => (k === 0 ? 'branch 0' : `branch${k}`)),
    args,
    fns.map((_, k) => k),
    platforms,
  );
}

// ---- while_loop ---------------------------------------------------------------------------------

/** lax.while_loop(condFun, bodyFun, initVal): forward-differentiable only (as JAX). */
export function whileLoop<T = any>(
  condFun: (x: T) => unknown,
  bodyFun: (x: T) => unknown,
  initVal: unknown,
): T {
  if (typeof condFun !== 'function' || typeof bodyFun !== 'function') {
    throw new TypeError('lax.while_loop: body_fun and cond_fun arguments should be callable.');
  }
  let [init, inTree] = flattenValues(initVal);
  const argsTree = treeFlatten([initVal])[1];
  const create = (avals: ShapedArray[]) => {
    const c = traceFlat(condFun as Fn, argsTree, avals);
    if (c.outTree.kind !== 'leaf' || c.outAvals.length !== 1) {
      throw new TypeError(`cond_fun must return a boolean scalar, but got pytree ${c.outTree}.`);
    }
    const pa = c.outAvals[0];
    if (pa.shape.length !== 0 || !pa.dtype.isBool) {
      throw new TypeError(
        `cond_fun must return a boolean scalar, but got output type(s) [${c.outAvals.map((a) => `ShapedArray(${strShort(a)}${a.weakType ? ', weak_type=True' : ''})`).join(', ')}].`,
      );
    }
    const b = traceFlat(bodyFun as Fn, argsTree, avals);
    return { c, b };
  };
  let avals = init.map((v) => v.aval);
  let { c, b } = create(avals);
  if (b.outAvals.length !== avals.length) {
    checkCarryType('while_loop body', bodyFun, inTree, avals, b.outTree, b.outAvals);
  }
  const [promoted, changed] = promoteWeakInputs(init, avals, b.outAvals);
  if (changed) {
    init = promoted;
    avals = init.map((v) => v.aval);
    ({ c, b } = create(avals));
  }
  checkCarryType('while_loop body', bodyFun, inTree, avals, b.outTree, b.outAvals);

  // A carry the body forwards unchanged and the cond does not read becomes a body const.
  let condJaxpr = c.jaxpr;
  let bodyJaxpr = b.jaxpr;
  let bodyConsts = b.consts;
  const nb = bodyConsts.length;
  const nc = c.consts.length;
  const bodyFwd = forwarding(bodyJaxpr.jaxpr);
  const carryNofwd = bodyFwd.map((f, i) => nb + i !== f);
  const dce = dceJaxpr(condJaxpr.jaxpr, [...c.consts.map(() => true), ...carryNofwd]);
  const moveToConst = dce.keep.slice(nc).map((k) => !k);
  let initVals = init;
  let newBodyConsts: Value[] = [];
  if (moveToConst.some(Boolean)) {
    condJaxpr = new ClosedJaxpr(dce.jaxpr, condJaxpr.consts);
    bodyJaxpr = pruneOutputs(
      bodyJaxpr,
      moveToConst.map((m) => !m),
    );
    bodyJaxpr = moveBindersToFront(bodyJaxpr, [...bodyConsts.map(() => false), ...moveToConst]);
    [initVals, newBodyConsts] = partition(moveToConst, init);
    bodyConsts = [...newBodyConsts, ...bodyConsts];
  }
  let outs = bind(while_p, [...c.consts, ...bodyConsts, ...initVals], {
    cond_jaxpr: condJaxpr,
    body_jaxpr: bodyJaxpr,
    cond_nconsts: nc,
    body_nconsts: bodyConsts.length,
  });
  if (moveToConst.some(Boolean)) outs = mergeLists(moveToConst, outs, newBodyConsts);
  return treeUnflatten(b.outTree, outs) as T;
}

// ---- scan ---------------------------------------------------------------------------------------

export interface ScanOptions {
  length?: number;
  reverse?: boolean;
  unroll?: number | boolean;
}

function inferScanLength(xs: Value[], length: number | undefined): number {
  const lengths = xs.map((x) => {
    if (x.shape.length === 0) {
      throw new TypeError(
        `scan got value with no leading axis to scan over: ${xs
          .filter((v) => v.shape.length === 0)
          .map(String)
          .join(', ')}.`,
      );
    }
    return x.shape[0];
  });
  if (length !== undefined && length !== null) {
    if (isTracer(length)) {
      throw new TypeError(
        'The `length` argument to `scan` expects a concrete `int` value. For scan-like iteration with a dynamic length, use `while_loop` or `fori_loop`.',
      );
    }
    const n = Number(length);
    if (!lengths.every((l) => l === n)) {
      throw new RangeError(
        `scan got \`length\` argument of ${n} which disagrees with leading axis sizes [${lengths.join(', ')}].`,
      );
    }
    return n;
  }
  const unique = [...new Set(lengths)];
  if (unique.length > 1)
    throw new RangeError(`scan got values with different leading axis sizes: ${lengths.join(', ')}.`);
  if (unique.length === 0) throw new RangeError('scan got no values to scan over and `length` not provided.');
  return unique[0];
}

/**
 * lax.scan(f, init, xs, {length, reverse, unroll}): `f(carry, x)` returns `[carry, y]`; the result
 * is `[finalCarry, stackedYs]`.
 */
export function scan<C = any, X = any, Y = any>(
  f: (carry: C, x: X) => readonly unknown[],
  init: C,
  xs: unknown = null,
  opts: ScanOptions = {},
): [C, Y] {
  if (typeof f !== 'function') throw new TypeError('lax.scan: f argument should be callable.');
  const { reverse = false } = opts;
  let [initFlat, initTree] = flattenValues(init);
  const [xsFlat, xsTree] = flattenValues(xs);
  const length = inferScanLength(xsFlat, opts.length);
  const xAvals = xsFlat.map((x) => new ShapedArray(x.shape.slice(1), x.dtype, x.weakType));
  const inTree = treeFlatten([init, xs])[1];
  const create = (carryAvals: ShapedArray[]) => {
    const t = traceFlat(f as Fn, inTree, [...carryAvals, ...xAvals]);
    if (t.outTree.kind !== 'list' || t.outTree.children.length !== 2) {
      throw new TypeError(`scan body output must be a pair, got ${t.outTree}.`);
    }
    const nCarryOut = t.outTree.children[0].numLeaves;
    return {
      t,
      carryTree: t.outTree.children[0],
      carryOut: t.outAvals.slice(0, nCarryOut),
    };
  };
  let carryAvals = initFlat.map((v) => v.aval);
  let { t, carryTree, carryOut } = create(carryAvals);
  if (carryOut.length !== carryAvals.length) {
    checkCarryType('scan body', f as Fn, initTree, carryAvals, carryTree, carryOut);
  }
  const [promoted, changed] = promoteWeakInputs(initFlat, carryAvals, carryOut);
  if (changed) {
    initFlat = promoted;
    carryAvals = initFlat.map((v) => v.aval);
    ({ t, carryTree, carryOut } = create(carryAvals));
  }
  checkCarryType('scan body', f as Fn, initTree, carryAvals, carryTree, carryOut);

  let unroll = opts.unroll ?? 1;
  if (typeof unroll === 'boolean') unroll = unroll ? Math.max(length, 1) : 1;
  if (unroll < 0) throw new RangeError('`unroll` must be a `bool` or a non-negative `int`.');

  let jaxpr = t.jaxpr;
  let consts = t.consts;
  let numCarry = initFlat.length;
  const numXs = xsFlat.length;
  const numYs = t.outAvals.length - numCarry;
  let argsFlat = [...initFlat, ...xsFlat];

  // A carry the body forwards unchanged is read-only: it becomes a const.
  const fwds = forwarding(jaxpr.jaxpr);
  const carryFwd = fwds.slice(0, numCarry);
  const extFwd = fwds.slice(numCarry);
  const moveToConst = carryFwd.map((fw, i) => consts.length + i === fw);
  let newConsts: Value[] = [];
  if (moveToConst.some(Boolean)) {
    jaxpr = pruneOutputs(jaxpr, [...moveToConst.map((m) => !m), ...Array(numYs).fill(true)]);
    jaxpr = moveBindersToFront(jaxpr, [
      ...consts.map(() => false),
      ...moveToConst,
      ...Array(numXs).fill(false),
    ]);
    [argsFlat, newConsts] = partition([...moveToConst, ...Array(numXs).fill(false)], argsFlat);
    consts = [...newConsts, ...consts];
    numCarry -= newConsts.length;
  }
  // A y that is an x passed through needs no copy: it is the xs array itself.
  const extToExt = extFwd.map((i) =>
    i !== null && i >= numCarry + consts.length ? i - consts.length : null,
  );
  jaxpr = pruneOutputs(jaxpr, [...Array(numCarry).fill(true), ...extToExt.map((i) => i === null)]);

  const outs = bind(scan_p, [...consts, ...argsFlat], {
    jaxpr,
    length,
    reverse,
    unroll,
    num_consts: consts.length,
    num_carry: numCarry,
  });
  const carryOuts = outs.slice(0, numCarry);
  let k = numCarry;
  const ys = extToExt.map((i) => (i === null ? outs[k++] : argsFlat[i]));
  let carry = carryOuts;
  if (moveToConst.some(Boolean)) carry = mergeLists(moveToConst, carryOuts, newConsts);
  void xsTree;
  return [treeUnflatten(carryTree, carry), treeUnflatten(t.outTree.children[1], ys)];
}

// ---- fori_loop ----------------------------------------------------------------------------------

export interface ForiOptions {
  unroll?: number | boolean;
}

/**
 * lax.fori_loop(lower, upper, bodyFun, initVal): a scan when both bounds are concrete (so reverse
 * mode works), else a while loop over (i, upper, x), as JAX does.
 */
export function foriLoop<T>(
  lower: unknown,
  upper: unknown,
  bodyFun: (i: Value, x: T) => T,
  initVal: T,
  opts: ForiOptions = {},
): T {
  if (typeof bodyFun !== 'function')
    throw new TypeError('lax.fori_loop: body_fun argument should be callable.');
  let lo = toValue(lower);
  let hi = toValue(upper);
  let dtype: DType | null = null;
  if (lo.dtype === hi.dtype) dtype = lo.dtype;
  else if (lo.dtype.kind === 'i' && hi.dtype.kind === 'i') {
    if (lo.weakType && !hi.weakType) dtype = hi.dtype;
    else if (!lo.weakType && hi.weakType) dtype = lo.dtype;
  }
  if (!dtype) {
    throw new TypeError(
      `lower and upper arguments to fori_loop must have equal types, got ${lo.dtype.name} and ${hi.dtype.name}`,
    );
  }
  // Bounds on a device without synchronous reads (webgpu) take the while path, as traced ones do.
  const concrete = lo instanceof ArrayImpl && hi instanceof ArrayImpl && hostReadable(lo) && hostReadable(hi);
  if (concrete) {
    const l = Math.trunc(Number((lo as ArrayImpl).dataSync()[0]));
    const u = Math.trunc(Number((hi as ArrayImpl).dataSync()[0]));
    const unroll = opts.unroll ?? false;
    const scannedFun = function scannedFun(loop_carry: [Value, T], _: unknown): [[Value, T], null] {
      const [i, x] = loop_carry;
      return [[i.add(1), bodyFun(i, x)], null];
    };
    const [[, result]] = scan(scannedFun as any, [l, initVal] as [unknown, T], null, {
      length: Math.max(u - l, 0),
      unroll,
    }) as [[Value, T], null];
    return result;
  }
  if (opts.unroll !== undefined && opts.unroll !== false && opts.unroll !== 1) {
    throw new RangeError('Can only use `unroll` in `fori_loop` if the loop bounds are statically known.');
  }
  if (lo.dtype !== dtype) lo = convertElementType(lo, dtype);
  if (hi.dtype !== dtype) hi = convertElementType(hi, dtype);
  const condFun = (loop_carry: [Value, Value, T]) => lt(loop_carry[0], loop_carry[1]);
  const whileBodyFun = function whileBodyFun(loop_carry: [Value, Value, T]): [Value, Value, T] {
    const [i, up, x] = loop_carry;
    return [add(i, strongScalar(1, i.dtype)), up, bodyFun(i, x)];
  };
  const [, , result] = whileLoop(condFun, whileBodyFun, [lo, hi, initVal] as [Value, Value, T]);
  return result;
}

// ---- map ----------------------------------------------------------------------------------------

export interface MapOptions {
  /** Apply `vmap(f)` to batches of this many elements per scan step (and once to the rest). */
  batchSize?: number;
}

/**
 * lax.map(f, xs, {batchSize}): f over the leading axis of xs (a pytree), as a scan with no
 * carry. With `batchSize`, as JAX does: the leading `batchSize * floor(n / batchSize)` elements
 * are scanned in batches through `vmap(f)`, the remainder goes through `vmap(f)` once, and the
 * results are concatenated.
 */
export function map<X, Y>(f: (x: X) => Y, xs: X, opts: MapOptions = {}): Y {
  const { batchSize } = opts;
  if (batchSize === undefined || batchSize === null) {
    const g = (_: unknown, x: X): [unknown[], Y] => [[], f(x)];
    return scan(g, [] as unknown[], xs)[1];
  }
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`lax.map: batch_size must be a positive integer, got ${batchSize}`);
  const [leaves, tree] = flattenValues(xs);
  if (leaves.length === 0) throw new TypeError('lax.map: xs must contain at least one array');
  const n = leaves[0].shape[0];
  const numBatches = Math.floor(n / batchSize);
  const whole = numBatches * batchSize;
  const vf = vmap(f as (...a: unknown[]) => unknown) as (x: X) => Y;
  // The operands first, leaf by leaf (as JAX stages them): x[:whole] in batches, x[whole:].
  // JAX indexes `leaf[:whole]` and `leaf[whole:]`: static slices, strides None.
  const cut = (l: Value, lo: number, hi: number) =>
    slice(
      l,
      l.shape.map((_, d) => (d === 0 ? lo : 0)),
      l.shape.map((n, d) => (d === 0 ? hi : n)),
    );
  const head = (l: Value) => (whole === l.shape[0] ? l : cut(l, 0, whole));
  const tail = (l: Value) => (whole === 0 ? l : cut(l, whole, l.shape[0]));
  const scanXs: Value[] = [];
  const restXs: Value[] = [];
  for (const l of leaves) {
    if (numBatches > 0) scanXs.push(reshape(head(l), [numBatches, batchSize, ...l.shape.slice(1)]));
    if (whole < n) restXs.push(tail(l));
  }
  const g = (_: unknown, x: X): [unknown[], Y] => [[], vf(x)];
  const scanned =
    numBatches > 0 ? flattenValues(scan(g, [] as unknown[], treeUnflatten(tree, scanXs) as X)[1]) : null;
  const rest = whole < n ? flattenValues(vf(treeUnflatten(tree, restXs) as X)) : null;
  const flat = (y: Value) => reshape(y, [y.shape[0] * y.shape[1], ...y.shape.slice(2)]);
  if (scanned && rest)
    return treeUnflatten(
      scanned[1],
      scanned[0].map((y, i) => concatenate([flat(y), rest[0][i]], 0)),
    ) as Y;
  if (scanned) return treeUnflatten(scanned[1], scanned[0].map(flat)) as Y;
  if (rest) return treeUnflatten(rest[1], rest[0]) as Y;
  throw new TypeError('lax.map: xs has no elements along its leading axis');
}
