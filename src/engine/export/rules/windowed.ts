/**
 * @file Export rules of the windowed reductions and convolution, after
 * jax/_src/lax/windowed_reductions.py and convolution.py: reduce_window_sum/max/min as
 * `stablehlo.reduce_window` from a broadcast identity, the general reduce_window with its body
 * jaxpr as the reducer, select_and_gather_add as JAX's variadic reduce_window over (operand,
 * tangents), select_and_scatter_add as JAX's CPU lowering (the operand padded with the select's
 * identity, `stablehlo.select_and_scatter` without padding, then a slice back), and
 * conv_general_dilated as `stablehlo.convolution`.
 */

import type { DType } from '../../core/dtype.js';
import type { Primitive } from '../../core/primitive.js';
import type { Jaxpr } from '../../ir/jaxpr.js';
import { denseI64, i64Array } from '../attrs.js';
import {
  compare,
  elementwise,
  functionalType,
  generic,
  pad,
  reduceWindow,
  ret,
  scalarConst,
  select,
  slice,
  ty,
} from '../hlo.js';
import { avalType, jaxprSubcomp, registerExportRule } from '../lower.js';
import { type Builder, Op, Region, type Value } from '../mlir.js';
import { precisionNames } from './dot.js';
import { fullLike } from './elementwise.js';
import { maxIdentity, minIdentity } from './reductions.js';

const nums = (x: unknown): number[] => Array.from(x as ArrayLike<number>, Number);
const pads = (x: unknown): number[][] => (x as number[][]).map((p) => [Number(p[0]), Number(p[1])]);
const asNum = (v: number | bigint | boolean) =>
  typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;

interface WindowParams {
  dims: number[];
  strides: number[];
  padding: number[][];
  base: number[];
  rhs: number[];
}

function windowParams(p: Record<string, unknown>): WindowParams {
  const dims = nums(p.window_dimensions);
  const ones = dims.map(() => 1);
  return {
    dims,
    strides: p.window_strides ? nums(p.window_strides) : ones,
    padding: p.padding ? pads(p.padding) : dims.map(() => [0, 0]),
    base: p.base_dilation ? nums(p.base_dilation) : ones,
    rhs: p.window_dilation ? nums(p.window_dilation) : ones,
  };
}

/** `"stablehlo.reduce_window"` with these window params, its reducer from `body(accs, xs)`. */
function reduceWindowOp(
  b: Builder,
  xs: Value[],
  inits: Value[],
  w: WindowParams,
  body: (b: Builder, accs: Value[], xs: Value[]) => Value[],
): Value[] {
  return reduceWindow(b, xs, inits, w.dims, w.strides, w.padding, w.base, w.rhs, body);
}

const SPECIALISED: [string, string, (d: DType) => number | bigint | boolean][] = [
  ['reduce_window_sum', 'add', () => 0],
  ['reduce_window_max', 'maximum', maxIdentity],
  ['reduce_window_min', 'minimum', minIdentity],
];

for (const [name, op, identity] of SPECIALISED) {
  registerExportRule(name, (ctx, [x], p) => {
    const init = fullLike(ctx.b, asNum(identity(x.dtype)), { shape: [], dtype: x.dtype });
    return reduceWindowOp(ctx.b, [x], [init], windowParams(p), (b, [a], [v]) => [
      elementwise(b, `stablehlo.${op}`, [a, v]),
    ]);
  });
}

registerExportRule('reduce_window', (ctx, ins, p) => {
  const n = ins.length >> 1;
  const jaxpr = p.jaxpr as Jaxpr;
  return reduceWindowOp(ctx.b, ins.slice(0, n), ins.slice(n), windowParams(p), (b, accs, xs) =>
    jaxprSubcomp(ctx.mod, b, jaxpr, [], [...accs, ...xs]),
  );
});

const isGe = (p: Record<string, unknown>) => (p.select_prim as Primitive).name === 'ge';

/** _select_and_gather_add_using_variadic_reducewindow. */
registerExportRule('select_and_gather_add', (ctx, [t, x], p) => {
  const b = ctx.b;
  const ge = isGe(p);
  const k0 = scalarConst(b, ge ? -Infinity : Infinity, x.dtype);
  const v0 = scalarConst(b, 0, x.dtype);
  const [, out] = reduceWindowOp(b, [x, t], [k0, v0], windowParams(p), (bb, [kx, vx], [ky, vy]) => {
    const which = compare(bb, ge ? 'GE' : 'LE', kx, ky);
    return [select(bb, which, kx, ky), select(bb, which, vx, vy)];
  });
  return [out];
});

/** _select_and_scatter_add_impl(expand_padding=True), JAX's CPU lowering. */
registerExportRule('select_and_scatter_add', (ctx, [source, operand], p) => {
  const b = ctx.b;
  const ge = isGe(p);
  const w = windowParams(p);
  const d = operand.dtype;
  const identity = asNum(ge ? maxIdentity(d) : minIdentity(d));
  const padded = pad(
    b,
    operand,
    scalarConst(b, identity, d),
    w.padding.map((q) => q[0]),
    w.padding.map((q) => q[1]),
    w.padding.map(() => 0),
  );
  const zero = scalarConst(b, d.isBool ? false : 0, d);
  const sel = new Region([ty([], d), ty([], d)]);
  b.within(sel, () => ret(b, [compare(b, ge ? 'GE' : 'LE', sel.block.args[0], sel.block.args[1])]));
  const sc = new Region([ty([], d), ty([], d)]);
  b.within(sc, () =>
    ret(b, [
      elementwise(b, d.isBool ? 'stablehlo.or' : 'stablehlo.add', [sc.block.args[0], sc.block.args[1]]),
    ]),
  );
  const props = [
    `padding = ${denseI64(
      w.padding.flatMap(() => [0, 0]),
      [w.padding.length, 2],
    )}`,
    `window_dimensions = ${i64Array(w.dims)}`,
    `window_strides = ${i64Array(w.strides)}`,
  ].join(', ');
  const out = generic(b, 'stablehlo.select_and_scatter', [padded, source, zero], [padded.type], props, [
    sel,
    sc,
  ]).results[0];
  return [
    slice(
      b,
      out,
      w.padding.map((q) => q[0]),
      w.padding.map((q, i) => q[0] + operand.shape[i]),
      null,
    ),
  ];
});

/** `[b, f, 0, 1]`: each dimension's role (batch/feature or output/input, then spatial order). */
function dimLabels(spec: readonly number[], first: string, second: string): string {
  const labels: string[] = new Array(spec.length);
  labels[spec[0]] = first;
  labels[spec[1]] = second;
  for (let i = 2; i < spec.length; i++) labels[spec[i]] = String(i - 2);
  return `[${labels.join(', ')}]`;
}

registerExportRule('conv_general_dilated', (ctx, [lhs, rhs], p) => {
  const dn = p.dimension_numbers as { lhs_spec: number[]; rhs_spec: number[]; out_spec: number[] };
  const out = avalType(ctx.avalsOut[0]);
  const strides = nums(p.window_strides);
  const padding = pads(p.padding);
  const [p0, p1] = precisionNames(p.precision);
  const window = `window = {stride = ${i64List(strides)}, pad = ${JSON.stringify(padding).replace(/,/g, ', ')}, lhs_dilate = ${i64List(nums(p.lhs_dilation))}, rhs_dilate = ${i64List(nums(p.rhs_dilation))}, reverse = [${strides.map(() => 'false').join(', ')}]}`;
  const dims = `dim_numbers = ${dimLabels(dn.lhs_spec, 'b', 'f')}x${dimLabels(dn.rhs_spec, 'o', 'i')}->${dimLabels(dn.out_spec, 'b', 'f')}`;
  const attrs = `{batch_group_count = ${Number(p.batch_group_count)} : i64, feature_group_count = ${Number(p.feature_group_count)} : i64, precision_config = [#stablehlo<precision ${p0}>, #stablehlo<precision ${p1}>]}`;
  const op = new Op(
    'stablehlo.convolution',
    [lhs, rhs],
    [out],
    (pr) =>
      `stablehlo.convolution(${pr.v(lhs)}, ${pr.v(rhs)}) ${dims}, ${window} ${attrs} : ${functionalType([lhs.type, rhs.type], [out])}`,
  );
  return ctx.b.add(op).results;
});

const i64List = (xs: readonly number[]) => `[${xs.join(', ')}]`;
