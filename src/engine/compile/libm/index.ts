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
import { float32 } from '../../core/dtype.js';
import { type BinExpr, type Kernel, rewrite, type SExpr, walk } from '../kir.js';
import { exp32, expm1_32, log1p32, log32 } from './explog.js';
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

function hasLibm(k: Kernel): boolean {
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
      if ((n.k === 'un' && n.dt === float32 && n.x.dt === float32 && n.op in LIBM_UNARY) || isPow(n))
        found = true;
    });
  return found;
}

/** The expression with every float32 function of LIBM_UNARY expanded. */
export function expandLibm(e: SExpr, memo = new Map<number, SExpr>()): SExpr {
  return rewrite(
    e,
    (n) => {
      if (isPow(n)) return pow32(expandLibm(n.a, memo), expandLibm(n.b, memo));
      if (n.k !== 'un' || n.dt !== float32 || n.x.dt !== float32) return undefined;
      const fn = LIBM_UNARY[n.op];
      return fn ? fn(expandLibm(n.x, memo)) : undefined;
    },
    memo,
  );
}

function isPow(n: SExpr): n is BinExpr {
  return n.k === 'bin' && n.op === 'pow' && n.dt === float32 && n.a.dt === float32 && n.b.dt === float32;
}

/**
 * A map, reduce, argreduce or scan kernel with its expressions expanded; the kernel itself when
 * there is nothing to expand.
 */
export function expandKernel<K extends Kernel>(k: K): K {
  if (!hasLibm(k)) return k;
  const memo = new Map<number, SExpr>();
  switch (k.kind) {
    case 'map':
      return { ...k, expr: expandLibm(k.expr, memo) };
    case 'reduce':
      return { ...k, body: expandLibm(k.body, memo), epilogue: k.epilogue && expandLibm(k.epilogue, memo) };
    case 'argreduce':
    case 'scan':
      return { ...k, body: expandLibm(k.body, memo) };
    default:
      return k;
  }
}
