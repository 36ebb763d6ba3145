/**
 * @file The float32 libm: transcendental functions as kernel IR built from + - * /, bit
 * operations and selects (build.ts), so that every renderer computes the same algorithm: the
 * CPU's JavaScript and WebAssembly SIMD kernels give the same bits, and WGSL the same float32
 * operations. `expandLibm` replaces the float32 `un`/`bin` nodes it knows by their expansions;
 * a backend calls it on its kernels' expressions before rendering. Other dtypes (float64: the
 * host's Math functions; float16) and functions not listed stay as they are.
 *
 * Accuracy (test/engine/libm.test.ts measures it against float64 references): within 2 ulp for
 * every float32 input, special values (NaN, +-inf, +-0, subnormals) as IEEE and C99 define them.
 */
import { float16, float32 } from '../../core/dtype.js';
import { type BinExpr, cast, type Kernel, rewrite, type SExpr, type UnExpr, walk } from '../kir.js';
import { erfInv32 } from './erfinv.js';
import { exp32, expm1_32, log1p32, log32 } from './explog.js';
import { guarded } from './guard.js';
import { pow32 } from './pow.js';
import { erf32, logistic32, tanh32 } from './special.js';
import { cos32, sin32, tan32 } from './trig.js';

/** The unary functions with a float32 expansion (and the binary `pow`: pow.ts). */
export const LIBM_UNARY: Readonly<Record<string, (x: SExpr) => SExpr>> = {
  sin: sin32,
  cos: cos32,
  tan: tan32,
  exp: exp32,
  expm1: expm1_32,
  log: log32,
  log1p: log1p32,
  tanh: tanh32,
  erf: erf32,
  logistic: logistic32,
};

/** A table of expansions: unary functions by their `un` op, and the binary `pow` under 'pow'. */
export type LibmTable = Readonly<Record<string, (x: SExpr, y: SExpr) => SExpr>>;

/**
 * For WGSL: every expansion behind guard.ts's guards, so that a shader compiler computes the CPU's
 * operations and roundings; and with float32 erf_inv (erfinv.ts, which guards its own steps) for
 * backends without float64 arithmetic. The CPU computes erf_inv in float64 lanes (runtime.ts
 * erfinv32, wasm/erfinv.ts), about 4x faster there, and with the same bits on every input tested
 * (test/engine/libm-erfinv.test.ts).
 */
export const LIBM_UNARY_F32_ONLY: LibmTable = {
  ...Object.fromEntries(Object.entries(LIBM_UNARY).map(([op, fn]) => [op, guarded(fn)])),
  pow: guarded(pow32),
  erf_inv: erfInv32,
};

function hasLibm(k: Kernel, table: Readonly<Record<string, unknown>>): boolean {
  const exprs =
    k.kind === 'map'
      ? [k.expr]
      : k.kind === 'reduce'
        ? [k.body, ...(k.epilogue ? [k.epilogue] : [])]
        : k.kind === 'argreduce' || k.kind === 'scan'
          ? [k.body]
          : [];
  let found = false;
  for (const e of exprs)
    walk(e, (n) => {
      if ((n.k === 'un' && n.op in table && (isF32(n) || isF16ErfInv(n))) || isPow(n)) found = true;
    });
  return found;
}

/** The expression with every float32 function of LIBM_UNARY expanded. */
export function expandLibm(e: SExpr, memo = new Map<number, SExpr>(), table: LibmTable = LIBM_UNARY): SExpr {
  return rewrite(
    e,
    (n) => {
      if (isPow(n)) return (table.pow ?? pow32)(expandLibm(n.a, memo, table), expandLibm(n.b, memo, table));
      if (n.k !== 'un') return undefined;
      const fn = table[n.op] as ((x: SExpr) => SExpr) | undefined;
      if (fn && isF16ErfInv(n)) return cast(fn(cast(expandLibm(n.x, memo, table), float32)), float16);
      return fn && isF32(n) ? fn(expandLibm(n.x, memo, table)) : undefined;
    },
    memo,
  );
}

const isF32 = (n: UnExpr): boolean => n.dt === float32 && n.x.dt === float32;
/** float16 erf_inv is float32's, rounded: XLA upcasts it (and the CPU's erfinv32 serves both). */
const isF16ErfInv = (n: UnExpr): boolean => n.op === 'erf_inv' && n.dt === float16 && n.x.dt === float16;

function isPow(n: SExpr): n is BinExpr {
  return n.k === 'bin' && n.op === 'pow' && n.dt === float32 && n.a.dt === float32 && n.b.dt === float32;
}

/**
 * A map, reduce, argreduce or scan kernel with its expressions expanded; the kernel itself when
 * there is nothing to expand.
 */
export function expandKernel<K extends Kernel>(k: K, table: LibmTable = LIBM_UNARY): K {
  if (!hasLibm(k, table)) return k;
  const memo = new Map<number, SExpr>();
  switch (k.kind) {
    case 'map':
      return { ...k, expr: expandLibm(k.expr, memo, table) };
    case 'reduce':
      return {
        ...k,
        body: expandLibm(k.body, memo, table),
        epilogue: k.epilogue && expandLibm(k.epilogue, memo, table),
      };
    case 'argreduce':
    case 'scan':
      return { ...k, body: expandLibm(k.body, memo, table) };
    default:
      return k;
  }
}
