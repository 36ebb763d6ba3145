/**
 * @file The libm's expansions made opaque to a shader compiler's float rewrites, for WGSL.
 *
 * The libm (compile/libm) is a sequence of float32 operations, each rounded on its own, whose
 * double-float steps (TwoSum, Dekker's product, corrected quotients) rely on exactly that. GLSL and
 * SPIR-V compilers may reassociate float sums and contract a*b + c into fused multiply-adds: Mesa's
 * llvmpipe turns TwoSum's (a + b) - a into b, and fuses products into the sums they feed, so a
 * WGSL kernel computed the CPU's algorithm with other roundings (a fifth of exp's and log's
 * results an ulp apart). `guarded` puts every float32 + - * / of an expansion behind a select on a
 * condition the compiler cannot decide (the first input's bits equal to one NaN payload, where the
 * result is NaN anyway), as erfinv.ts does for its own steps: each operation's result is then an
 * opaque, already-rounded value, and WGSL computes what the CPU computes, bit for bit wherever its
 * operations are IEEE's (llvmpipe's are; test/engine/webgpu/libm.test.ts). The select's other arm
 * is that input, not a constant: with a constant arm the compiler folds an operation into the
 * select (1 + sel(g, 0, t) becomes sel(g, 1, 1 + t)), merges it with the guard on t (the same
 * condition) and reassociates what it sees (llvmpipe: expm1 past 2^24, an ulp off).
 *
 * The CPU renders the libm unguarded: JavaScript and WebAssembly neither reassociate nor fuse.
 */
import { float32 } from '../../core/dtype.js';
import { bin, rewrite, type SExpr, sel } from '../kir.js';
import { bits, eq, i } from './build.js';

const ARITHMETIC = new Set(['add', 'sub', 'mul', 'div']);

/** A NaN payload no computation here produces, as the guard's undecidable condition. */
const GUARD_BITS = 0x7fa5a5a5;

/**
 * A function making values opaque: v where x's bits are not GUARD_BITS, else x (a NaN, as the
 * result of any function of x is then). x must be an input of the computation, of its dtype.
 */
export function opaque(x: SExpr): (v: SExpr) => SExpr {
  const guard = eq(bits(x), i(GUARD_BITS));
  return (v) => sel(guard, x, v);
}

/**
 * `fn` with every float32 + - * / that it adds to its inputs' expressions guarded; the inputs
 * themselves are left as they are.
 */
export function guarded<A extends SExpr[]>(fn: (...xs: A) => SExpr): (...xs: A) => SExpr {
  return (...xs: A): SExpr => {
    const out = fn(...xs);
    const o = opaque(xs[0]);
    const memo = new Map<number, SExpr>();
    for (const x of xs) memo.set(x.id, x);
    const visit = (n: SExpr): SExpr | undefined => {
      if (n.k !== 'bin' || n.dt !== float32 || !ARITHMETIC.has(n.op)) return undefined;
      return o(bin(n.op, rewrite(n.a, visit, memo), rewrite(n.b, visit, memo), n.dt));
    };
    return rewrite(out, visit, memo);
  };
}
