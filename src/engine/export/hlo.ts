/**
 * @file StableHLO (and the few CHLO and func) operations the export emits, each with the text form
 * that StableHLO's custom assembly formats print (stablehlo/dialect/StablehloOps.td and
 * AssemblyFormat.cpp): `stablehlo.add %a, %b : tensor<3xf32>`, `stablehlo.broadcast_in_dim %x,
 * dims = [0] : (tensor<3xf32>) -> tensor<3x4xf32>`, the generic `"stablehlo.gather"(...) <{...}>`
 * form for ops without a custom one, and so on. Constructors take a Builder and append.
 */

import type { Complex } from '../core/complex.js';
import { bool, complexOf, type DType, int32, realPart } from '../core/dtype.js';
import { denseI64, denseScalar, i64Array } from './attrs.js';
import {
  type Builder,
  Op,
  type OpPrinter,
  Region,
  symbol,
  type TensorType,
  typeText,
  type Value,
} from './mlir.js';

export const tt = typeText;

/** `(t1, t2) -> t3` / `-> (t3, t4)`. */
export function functionalType(ins: readonly TensorType[], outs: readonly TensorType[]): string {
  const o = outs.length === 1 ? tt(outs[0]) : `(${outs.map(tt).join(', ')})`;
  return `(${ins.map(tt).join(', ')}) -> ${o}`;
}

function sameTypes(types: readonly TensorType[]): boolean {
  const t0 = tt(types[0]);
  return types.every((t) => tt(t) === t0);
}

/** StableHLO's printSameOperandsAndResultType: one type when all agree, else the functional type. */
function sameOrFunctional(ins: readonly Value[], out: TensorType): string {
  const all = [...ins.map((v) => v.type), out];
  return sameTypes(all)
    ? tt(out)
    : functionalType(
        ins.map((v) => v.type),
        [out],
      );
}

export function ty(shape: readonly number[], dtype: DType): TensorType {
  return { shape: [...shape], dtype };
}

export const list = (xs: readonly (number | bigint)[]): string => `[${xs.join(', ')}]`;

// ---- generic form ----------------------------------------------------------------------------------

/** `({ ^bb0(...): ... })` blocks of the generic form (`^bb0` only for blocks with arguments). */
export function genericRegions(p: OpPrinter, regions: readonly Region[]): string {
  if (!regions.length) return '';
  const parts = regions.map((r) => {
    const head = r.block.args.length ? `${p.indent}^bb0(${p.args(r.block.args)}):\n` : '';
    return `{\n${head}${p.body(r)}\n${p.indent}}`;
  });
  return ` (${parts.join(', ')})`;
}

/** An op in MLIR's generic form: `"name"(%a, %b) <{props}> ({regions}) : (types) -> types`. */
export function generic(
  b: Builder,
  name: string,
  operands: readonly Value[],
  results: readonly TensorType[],
  props: string,
  regions: readonly Region[] = [],
): Op {
  const op = new Op(
    name,
    operands,
    results,
    (p) =>
      `"${name}"(${p.vs(operands)})${props ? ` <{${props}}>` : ''}${genericRegions(p, regions)} : ${functionalType(
        operands.map((v) => v.type),
        results,
      )}`,
    regions,
  );
  b.add(op);
  return op;
}

// ---- constants and elementwise ------------------------------------------------------------------------

/** `stablehlo.constant dense<...> : tensor<...>` (named %cst for floats and complex, %c otherwise). */
export function constant(b: Builder, dense: string, type: TensorType): Value {
  const op = new Op(
    'stablehlo.constant',
    [],
    [type],
    () => `stablehlo.constant ${dense} : ${tt(type)}`,
    [],
    [type.dtype.isInexact ? 'cst' : 'c'],
  );
  return b.add(op).results[0];
}

export function scalarConst(b: Builder, v: number | bigint | boolean | Complex, dtype: DType): Value {
  return constant(b, denseScalar(v, dtype), ty([], dtype));
}

/** Ops whose operands and result share a type: `stablehlo.add %a, %b : tensor<3xf32>`. */
export function elementwise(b: Builder, name: string, ins: readonly Value[], out?: TensorType): Value {
  const type = out ?? ins[0].type;
  const op = new Op(name, ins, [type], (p) => `${name} ${p.vs(ins)} : ${sameOrFunctional(ins, type)}`);
  return b.add(op).results[0];
}

/** CHLO's unary and binary forms: `chlo.erf %x : tensor<3xf32> -> tensor<3xf32>`. */
export function chlo(b: Builder, name: string, ins: readonly Value[], out?: TensorType): Value {
  const type = out ?? ins[0].type;
  const op = new Op(
    `chlo.${name}`,
    ins,
    [type],
    (p) => `chlo.${name} ${p.vs(ins)} : ${ins.map((v) => tt(v.type)).join(', ')} -> ${tt(type)}`,
  );
  return b.add(op).results[0];
}

/** stablehlo.real: a complex tensor's real parts. */
export function realHlo(b: Builder, z: Value): Value {
  return unaryTyped(b, 'stablehlo.real', z, ty(z.shape, realPart(z.dtype)));
}

/** stablehlo.imag: a complex tensor's imaginary parts. */
export function imagHlo(b: Builder, z: Value): Value {
  return unaryTyped(b, 'stablehlo.imag', z, ty(z.shape, realPart(z.dtype)));
}

/**
 * stablehlo.complex of two part tensors; StableHLO's ComplexOpType format prints only the result
 * type when the operands are its parts.
 */
export function complexHlo(b: Builder, re: Value, im: Value): Value {
  const out = ty(re.shape, complexOf(re.dtype));
  const op = new Op(
    'stablehlo.complex',
    [re, im],
    [out],
    (p) => `stablehlo.complex ${p.vs([re, im])} : ${tt(out)}`,
  );
  return b.add(op).results[0];
}

/** Comparison types as JAX picks them (mlir.compare_hlo: FLOAT for every non-integer type). */
export function compareType(d: DType): string {
  if (d.isInexact) return 'FLOAT';
  if (d.kind === 'i') return 'SIGNED';
  return 'UNSIGNED';
}

export function compare(b: Builder, dir: string, x: Value, y: Value, cmpType?: string): Value {
  const out = ty(x.shape, bool);
  const kind = cmpType ?? compareType(x.dtype);
  const op = new Op(
    'stablehlo.compare',
    [x, y],
    [out],
    (p) =>
      `stablehlo.compare ${dir}, ${p.v(x)}, ${p.v(y)}, ${kind} : ${functionalType([x.type, y.type], [out])}`,
  );
  return b.add(op).results[0];
}

export function select(b: Builder, pred: Value, onTrue: Value, onFalse: Value): Value {
  const out = onTrue.type;
  const plain = tt(onTrue.type) === tt(onFalse.type);
  const op = new Op('stablehlo.select', [pred, onTrue, onFalse], [out], (p) => {
    const types = plain
      ? `${tt(pred.type)}, ${tt(out)}`
      : functionalType([pred.type, onTrue.type, onFalse.type], [out]);
    return `stablehlo.select ${p.vs([pred, onTrue, onFalse])} : ${types}`;
  });
  return b.add(op).results[0];
}

/** Ops printed with a functional type always: convert, bitcast_convert, is_finite, reshape. */
export function unaryTyped(b: Builder, name: string, x: Value, out: TensorType): Value {
  const op = new Op(name, [x], [out], (p) => `${name} ${p.v(x)} : ${sameOrFunctional([x], out)}`);
  return b.add(op).results[0];
}

export function convert(b: Builder, x: Value, dtype: DType): Value {
  return unaryTyped(b, 'stablehlo.convert', x, ty(x.shape, dtype));
}

export function reshape(b: Builder, x: Value, shape: readonly number[]): Value {
  const out = ty(shape, x.dtype);
  const op = new Op(
    'stablehlo.reshape',
    [x],
    [out],
    (p) => `stablehlo.reshape ${p.v(x)} : ${functionalType([x.type], [out])}`,
  );
  return b.add(op).results[0];
}

// ---- structural -------------------------------------------------------------------------------------

export function broadcastInDim(
  b: Builder,
  x: Value,
  shape: readonly number[],
  dims: readonly number[],
): Value {
  return withDims(b, 'stablehlo.broadcast_in_dim', x, ty(shape, x.dtype), dims);
}

/** An op of one operand and a `dims` attribute: broadcast_in_dim, transpose. */
function withDims(b: Builder, name: string, x: Value, out: TensorType, dims: readonly number[]): Value {
  const op = new Op(
    name,
    [x],
    [out],
    (p) => `${name} ${p.v(x)}, dims = ${list(dims)} : ${functionalType([x.type], [out])}`,
  );
  return b.add(op).results[0];
}

export function transpose(b: Builder, x: Value, perm: readonly number[]): Value {
  const out = ty(
    perm.map((d) => x.shape[d]),
    x.dtype,
  );
  return withDims(b, 'stablehlo.transpose', x, out, perm);
}

export function slice(
  b: Builder,
  x: Value,
  start: readonly number[],
  limit: readonly number[],
  strides: readonly number[] | null,
): Value {
  const st = strides ?? start.map(() => 1);
  const out = ty(
    start.map((s, i) => Math.max(0, Math.ceil((limit[i] - s) / st[i]))),
    x.dtype,
  );
  const ranges = start
    .map((s, i) => (st[i] === 1 ? `${s}:${limit[i]}` : `${s}:${limit[i]}:${st[i]}`))
    .join(', ');
  const op = new Op(
    'stablehlo.slice',
    [x],
    [out],
    (p) => `stablehlo.slice ${p.v(x)} [${ranges}] : ${functionalType([x.type], [out])}`,
  );
  return b.add(op).results[0];
}

export function pad(
  b: Builder,
  x: Value,
  v: Value,
  lo: readonly number[],
  hi: readonly number[],
  interior: readonly number[],
): Value {
  const out = ty(
    x.shape.map((n, i) => lo[i] + hi[i] + n + Math.max(0, n - 1) * interior[i]),
    x.dtype,
  );
  const op = new Op(
    'stablehlo.pad',
    [x, v],
    [out],
    (p) =>
      `stablehlo.pad ${p.v(x)}, ${p.v(v)}, low = ${list(lo)}, high = ${list(hi)}, interior = ${list(interior)} : ${functionalType([x.type, v.type], [out])}`,
  );
  return b.add(op).results[0];
}

export function concatenate(b: Builder, xs: readonly Value[], dim: number): Value {
  const shape = [...xs[0].shape];
  shape[dim] = xs.reduce((n, x) => n + x.shape[dim], 0);
  const out = ty(shape, xs[0].dtype);
  const op = new Op(
    'stablehlo.concatenate',
    xs,
    [out],
    (p) =>
      `stablehlo.concatenate ${p.vs(xs)}, dim = ${dim} : ${functionalType(
        xs.map((x) => x.type),
        [out],
      )}`,
  );
  return b.add(op).results[0];
}

export function reverse(b: Builder, x: Value, dims: readonly number[]): Value {
  const op = new Op(
    'stablehlo.reverse',
    [x],
    [x.type],
    (p) => `stablehlo.reverse ${p.v(x)}, dims = ${list(dims)} : ${tt(x.type)}`,
  );
  return b.add(op).results[0];
}

export function iota(b: Builder, shape: readonly number[], dtype: DType, dim: number): Value {
  const out = ty(shape, dtype);
  const op = new Op('stablehlo.iota', [], [out], () => `stablehlo.iota dim = ${dim} : ${tt(out)}`);
  return b.add(op).results[0];
}

export function dynamicSlice(b: Builder, x: Value, idx: readonly Value[], sizes: readonly number[]): Value {
  const out = ty(sizes, x.dtype);
  const ins = [x, ...idx];
  const op = new Op(
    'stablehlo.dynamic_slice',
    ins,
    [out],
    (p) =>
      `stablehlo.dynamic_slice ${p.vs(ins)}, sizes = ${list(sizes)} : ${functionalType(
        ins.map((v) => v.type),
        [out],
      )}`,
  );
  return b.add(op).results[0];
}

export function dynamicUpdateSlice(b: Builder, x: Value, upd: Value, idx: readonly Value[]): Value {
  const ins = [x, upd, ...idx];
  const op = new Op(
    'stablehlo.dynamic_update_slice',
    ins,
    [x.type],
    (p) =>
      `stablehlo.dynamic_update_slice ${p.vs(ins)} : ${functionalType(
        ins.map((v) => v.type),
        [x.type],
      )}`,
  );
  return b.add(op).results[0];
}

// ---- regions: reductions, calls, returns --------------------------------------------------------------

/** `stablehlo.return` (or func's `return` directly in a function body). */
export function ret(b: Builder, xs: readonly Value[], func = false): Op {
  return b.add(
    new Op(func ? 'func.return' : 'stablehlo.return', xs, [], (p) => {
      const kw = func ? 'return' : 'stablehlo.return';
      return xs.length ? `${kw} ${p.vs(xs)} : ${xs.map((x) => tt(x.type)).join(', ')}` : kw;
    }),
  );
}

/** `call @f(...)` (`func.call` inside a region of another op). */
export function call(
  b: Builder,
  callee: { name: string },
  args: readonly Value[],
  results: readonly TensorType[],
): Value[] {
  const op = new Op(
    'func.call',
    args,
    results,
    (p) =>
      `${p.inFunc ? 'call' : 'func.call'} ${symbol(callee.name)}(${p.vs(args)}) : ${functionalType(
        args.map((a) => a.type),
        results,
      )}`,
  );
  return b.add(op).results;
}

/**
 * A reducer region over scalars of these dtypes: `body(accs, xs)` emits the combination and
 * returns the new accumulators (JAX's block argument order: all accumulators, then all inputs).
 */
export function reducerRegion(
  b: Builder,
  dtypes: readonly DType[],
  body: (accs: Value[], xs: Value[]) => Value[],
): Region {
  const r = new Region([...dtypes, ...dtypes].map((d) => ty([], d)));
  const n = dtypes.length;
  b.within(r, () => ret(b, body(r.block.args.slice(0, n), r.block.args.slice(n))));
  return r;
}

/**
 * stablehlo.reduce. With one operand whose body is a single binary op of the two arguments
 * StableHLO prints the compact form (`applies stablehlo.add across dimensions = [0]`).
 */
export function reduce(
  b: Builder,
  xs: readonly Value[],
  inits: readonly Value[],
  dims: readonly number[],
  body: Region,
): Value[] {
  const keep = xs[0].shape.filter((_, i) => !dims.includes(i));
  const outs = xs.map((x) => ty(keep, x.dtype));
  const ops = body.block.ops;
  const args = body.block.args;
  const compact =
    ops.length === 2 &&
    ops[0].operands.length === 2 &&
    ops[0].operands[0] === args[0] &&
    ops[0].operands[1] === args[xs.length] &&
    ops[1].operands[0] === ops[0].results[0] &&
    ops[0].name.startsWith('stablehlo.') &&
    xs.length === 1;
  const operands = [...xs, ...inits];
  const op = new Op(
    'stablehlo.reduce',
    operands,
    outs,
    (p) => {
      const pairs = xs.map((x, i) => `(${p.v(x)} init: ${p.v(inits[i])})`).join(', ');
      const types = functionalType(
        operands.map((v) => v.type),
        outs,
      );
      if (compact)
        return `stablehlo.reduce${pairs} applies ${ops[0].name} across dimensions = ${list(dims)} : ${types}`;
      const n = xs.length;
      const groups = xs.map((_, i) => `(${p.args([args[i], args[n + i]])})`).join(' ');
      return `stablehlo.reduce${pairs} across dimensions = ${list(dims)} : ${types}\n${p.indent} reducer${groups}  {\n${p.body(body)}\n${p.indent}}`;
    },
    [body],
  );
  return b.add(op).results;
}

/** The index type of gathers and dynamic slices JAX builds. */
export const i32 = int32;

/** stablehlo.reduce_window in the generic form, its reducer built by `body(accs, xs)`. */
export function reduceWindow(
  b: Builder,
  xs: readonly Value[],
  inits: readonly Value[],
  window: readonly number[],
  strides: readonly number[],
  padding: readonly (readonly number[])[],
  baseDilation: readonly number[],
  windowDilation: readonly number[],
  body: (b: Builder, accs: Value[], xs: Value[]) => Value[],
): Value[] {
  const outShape = xs[0].shape.map((n, i) => {
    const padded = (n - 1) * baseDilation[i] + 1 + padding[i][0] + padding[i][1];
    const w = (window[i] - 1) * windowDilation[i] + 1;
    return padded < w ? 0 : Math.floor((padded - w) / strides[i]) + 1;
  });
  const region = reducerRegion(
    b,
    xs.map((x) => x.dtype),
    (accs, vs) => body(b, accs, vs),
  );
  const props = [
    `base_dilations = ${i64Array(baseDilation)}`,
    `padding = ${denseI64(padding.flat(), [padding.length, 2])}`,
    `window_dilations = ${i64Array(windowDilation)}`,
    `window_dimensions = ${i64Array(window)}`,
    `window_strides = ${i64Array(strides)}`,
  ].join(', ');
  return generic(
    b,
    'stablehlo.reduce_window',
    [...xs, ...inits],
    xs.map((x) => ty(outShape, x.dtype)),
    props,
    [region],
  ).results;
}
