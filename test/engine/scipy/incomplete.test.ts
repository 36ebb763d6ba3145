/**
 * @file The incomplete gamma and beta primitives (igamma, igammac, igamma_grad_a,
 * random_gamma_grad, regularized_incomplete_beta) and scipy.special.gammainc / gammaincc /
 * betainc on them: accuracy over wide ranges (a from 1e-3 to 1e4, x from 1e-30 to 1e4, results down
 * to the float64 underflow and near 1), jaxprs as JAX 0.10.2 prints them, JAX's derivative rules,
 * vmap, jit and the edge values of SciPy / JAX.
 *
 * Expected values: fixtures/incomplete.json from fixtures/make_incomplete.py (SciPy 1.17's float64
 * result on the inputs rounded to each dtype, mpmath's at 40 digits for float64, JAX 0.10.2's own
 * results). Measured on that grid (CPU): every float32 result is the correctly rounded one
 * (0 ulp; JAX's float32 results are up to thousands of ulps off in the tails); float64 relative
 * errors against mpmath are <= 1.3e-14 (gamma), 2.5e-14 (beta) and 8.3e-14 (derivatives in a,
 * a = 1e4 near x) for results above 1e-20, and <= 2.1e-13 in the far tails (results down to
 * 1e-290), where the x^a e^-x / Gamma(a) factor is exp of an exponent in the hundreds.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  config,
  grad,
  jit,
  numpy as jnp,
  lax,
  makeJaxpr,
  scipy,
  vmap,
  withConfig,
} from '../../../src/engine/index.js';
import { checkGrads } from '../../../src/engine/test-util.js';
import { dec, ulps } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'incomplete.json'), 'utf8'));

const sp = scipy.special as unknown as Record<string, (...a: unknown[]) => any>;
const FNS: Record<string, (...a: any[]) => any> = {
  gammainc: sp.gammainc,
  gammaincc: sp.gammaincc,
  betainc: sp.betainc,
  igamma_grad_a: lax.igammaGradA,
  random_gamma_grad: lax.randomGammaGrad,
};

/** Maximum float32 ulps against the reference (SciPy, or mpmath for the derivatives). */
const TOL32: Record<string, number> = {
  gammainc: 1,
  gammaincc: 1,
  betainc: 1,
  igamma_grad_a: 1,
  random_gamma_grad: 1,
};
/** Maximum float64 relative errors against mpmath: [results >= 1e-20, all results >= 1e-290]. */
const TOL64: Record<string, [number, number]> = {
  gammainc: [2e-14, 2.5e-13],
  gammaincc: [1e-14, 1e-13],
  betainc: [4e-14, 3e-13],
  igamma_grad_a: [1.2e-13, 1.2e-13],
  random_gamma_grad: [1.2e-13, 1.2e-13],
};

const f32 = (v: number | number[]) => jnp.array(v, { dtype: 'float32' });

describe('incomplete gamma / beta accuracy (cpu)', () => {
  for (const [name, c] of Object.entries<any>(fx)) {
    it(`${name} float32 within ${TOL32[name]} ulp of ${c.float32.ref ? 'SciPy' : 'mpmath'}`, async () => {
      const args = c.float32.args.map((a: any) => f32(dec(a)));
      const out = FNS[name](...args);
      expect(out.dtype.name).toBe('float32');
      const got = (await out.data()) as Float32Array;
      const ref = dec(c.float32.ref ?? c.float32.exact);
      let max = 0;
      let jaxMax = 0;
      const jx = dec(c.float32.jax);
      ref.forEach((r, i) => {
        if (Number.isNaN(r) && !c.float32.ref) return; // edge points: tested below
        max = Math.max(max, ulps(got[i], r));
        const uj = ulps(jx[i], r);
        if (Number.isFinite(uj)) jaxMax = Math.max(jaxMax, uj);
      });
      expect(max).toBeLessThanOrEqual(TOL32[name]);
      expect(max).toBeLessThanOrEqual(jaxMax);
    });

    it(`${name} float64 (x64) within ${TOL64[name].join(' / ')} relative of mpmath`, async () => {
      const out = withConfig({ enableX64: true }, () =>
        FNS[name](...c.float64.args.map((a: any) => jnp.array(dec(a), { dtype: 'float64' }))),
      );
      expect(out.dtype.name).toBe('float64');
      const got = (await out.data()) as Float64Array;
      const exact = dec(c.float64.exact);
      const ref = c.float64.ref ? dec(c.float64.ref) : null;
      let big = 0;
      let all = 0;
      exact.forEach((e, i) => {
        if (Number.isNaN(e)) {
          // Edge inputs (x = 0, x = 1): SciPy's value exactly.
          if (ref) expect(ulps(got[i], ref[i], true)).toBe(0);
          return;
        }
        if (Math.abs(e) < 1e-290) return;
        const r = Math.abs(got[i] - e) / Math.abs(e);
        all = Math.max(all, r);
        if (Math.abs(e) >= 1e-20) big = Math.max(big, r);
      });
      expect(big).toBeLessThanOrEqual(TOL64[name][0]);
      expect(all).toBeLessThanOrEqual(TOL64[name][1]);
    });
  }

  it('float64 agrees with SciPy to 1e-13 wherever SciPy is within 1e-14 of mpmath', async () => {
    for (const name of ['gammainc', 'gammaincc', 'betainc']) {
      const c = fx[name].float64;
      const out = withConfig({ enableX64: true }, () =>
        FNS[name](...c.args.map((a: any) => jnp.array(dec(a), { dtype: 'float64' }))),
      );
      const got = (await out.data()) as Float64Array;
      const exact = dec(c.exact);
      const ref = dec(c.ref);
      let max = 0;
      ref.forEach((r, i) => {
        const e = exact[i];
        if (Number.isNaN(e) || Math.abs(e) < 1e-290 || Math.abs(r - e) > 1e-14 * Math.abs(e)) return;
        max = Math.max(max, Math.abs(got[i] - r) / Math.abs(r));
      });
      expect(max, name).toBeLessThanOrEqual(2.5e-13);
    }
  });
});

describe('incomplete gamma / beta as primitives', () => {
  const a = f32(1);
  const b = f32(2);
  const x = f32(0.5);

  it('scipy.special binds igamma / igammac / regularized_incomplete_beta (JAX 0.10.2 text)', () => {
    expect(String(makeJaxpr(sp.gammainc)(a, b))).toBe(
      '{ lambda ; a:f32[] b:f32[]. let c:f32[] = igamma a b in (c,) }',
    );
    expect(String(makeJaxpr(sp.gammaincc)(a, b))).toBe(
      '{ lambda ; a:f32[] b:f32[]. let c:f32[] = igammac a b in (c,) }',
    );
    expect(String(makeJaxpr(sp.betainc)(a, b, x))).toBe(
      [
        '{ lambda ; a:f32[] b:f32[] c:f32[]. let',
        '    d:f32[] = regularized_incomplete_beta a b c',
        '  in (d,) }',
      ].join('\n'),
    );
    expect(String(makeJaxpr(lax.igammaGradA)(a, b))).toBe(
      '{ lambda ; a:f32[] b:f32[]. let c:f32[] = igamma_grad_a a b in (c,) }',
    );
    // Rank promotion as jnp's, then lax broadcasting; integers promote to weak float32.
    expect(String(makeJaxpr(sp.gammainc)(jnp.ones([3]), jnp.ones([2, 3])))).toBe(
      [
        '{ lambda ; a:f32[3] b:f32[2,3]. let',
        '    c:f32[1,3] = broadcast_in_dim[broadcast_dimensions=(1,)] a',
        '    d:f32[2,3] = igamma c b',
        '  in (d,) }',
      ].join('\n'),
    );
    expect(String(makeJaxpr(sp.gammainc)(1, 2))).toBe(
      [
        '{ lambda ; a:i32[] b:i32[]. let',
        '    c:f32[] = convert_element_type[new_dtype=float32 weak_type=True] a',
        '    d:f32[] = convert_element_type[new_dtype=float32 weak_type=True] b',
        '    e:f32[] = igamma c d',
        '  in (e,) }',
      ].join('\n'),
    );
  });

  it('lax checks dtypes as JAX does', () => {
    expect(() => lax.igamma(jnp.array(1, { dtype: 'int32' }), jnp.array(2, { dtype: 'int32' }))).toThrow(
      'igamma does not accept dtype int32 at position 0. Accepted dtypes at position 0 are subtypes of floating.',
    );
    expect(() => lax.igamma(f32(1), jnp.array(2, { dtype: 'float16' }))).toThrow(
      'lax.igamma requires arguments to have the same dtypes, got float32, float16.',
    );
  });

  it('grad follows JAX: igamma_grad_a for a, the density for x (JAX 0.10.2 text)', () => {
    expect(String(makeJaxpr(grad(sp.gammainc, { argnums: [0, 1] }))(a, b))).toBe(
      [
        '{ lambda ; a:f32[] b:f32[]. let',
        '    _:f32[] = igamma a b',
        '    c:f32[] = igamma_grad_a a b',
        '    d:f32[] = neg b',
        '    e:f32[] = sub a 1.0:f32[]',
        '    f:f32[] = log b',
        '    g:f32[] = mul e f',
        '    h:f32[] = add d g',
        '    i:f32[] = lgamma a',
        '    j:f32[] = sub h i',
        '    k:f32[] = exp j',
        '    l:f32[] = mul 1.0:f32[] k',
        '    m:f32[] = mul 1.0:f32[] c',
        '  in (m, l) }',
      ].join('\n'),
    );
    expect(String(makeJaxpr(grad(sp.gammaincc, { argnums: [0, 1] }))(a, b))).toBe(
      [
        '{ lambda ; a:f32[] b:f32[]. let',
        '    _:f32[] = igammac a b',
        '    c:f32[] = igamma_grad_a a b',
        '    d:f32[] = neg b',
        '    e:f32[] = sub a 1.0:f32[]',
        '    f:f32[] = log b',
        '    g:f32[] = mul e f',
        '    h:f32[] = add d g',
        '    i:f32[] = lgamma a',
        '    j:f32[] = sub h i',
        '    k:f32[] = exp j',
        '    l:f32[] = neg 1.0:f32[]',
        '    m:f32[] = mul l k',
        '    n:f32[] = neg 1.0:f32[]',
        '    o:f32[] = mul n c',
        '  in (o, m) }',
      ].join('\n'),
    );
    expect(String(makeJaxpr(grad(sp.betainc, { argnums: 2 }))(a, b, x))).toBe(
      [
        '{ lambda ; a:f32[] b:f32[] c:f32[]. let',
        '    _:f32[] = regularized_incomplete_beta a b c',
        '    d:f32[] = lgamma a',
        '    e:f32[] = lgamma b',
        '    f:f32[] = add d e',
        '    g:f32[] = add a b',
        '    h:f32[] = lgamma g',
        '    i:f32[] = sub f h',
        '    j:f32[] = sub b 1.0:f32[]',
        '    k:f32[] = neg c',
        '    l:f32[] = log1p k',
        '    m:f32[] = mul j l',
        '    n:f32[] = sub a 1.0:f32[]',
        '    o:f32[] = log c',
        '    p:f32[] = mul n o',
        '    q:f32[] = add m p',
        '    r:f32[] = sub q i',
        '    s:f32[] = exp r',
        '    t:f32[] = mul s 1.0:f32[]',
        '  in (t,) }',
      ].join('\n'),
    );
  });

  it("raises JAX's errors for the derivatives JAX does not define", () => {
    expect(() => grad(sp.betainc)(a, b, x)).toThrow(
      'Betainc gradient with respect to a and b not supported.',
    );
    expect(() => grad(sp.betainc, { argnums: 1 })(a, b, x)).toThrow(
      'Betainc gradient with respect to a and b not supported.',
    );
    expect(() => grad(lax.igammaGradA)(a, b)).toThrow(
      "Differentiation rule for 'igamma_grad_a' not implemented",
    );
    expect(() => grad(lax.randomGammaGrad, { argnums: 1 })(a, b)).toThrow(
      "Differentiation rule for 'random_gamma_grad' not implemented",
    );
  });

  it('checkGrads (float64, first order, both modes)', async () => {
    const prev = config.enableX64;
    config.enableX64 = true;
    try {
      const d = (v: number | number[]) => jnp.array(v, { dtype: 'float64' });
      const opts = {
        order: 1,
        modes: ['fwd', 'rev'] as ('fwd' | 'rev')[],
        eps: 1e-5,
        rtol: 1e-6,
        atol: 1e-8,
      };
      const av = d([0.5, 2, 30, 7]);
      const xv = d([0.3, 2.5, 28, 12]);
      await checkGrads(sp.gammainc, [av, xv], opts);
      await checkGrads(sp.gammaincc, [av, xv], opts);
      const bv = d([0.7, 3, 20, 2]);
      const tv = d([0.3, 0.5, 0.6, 0.9]);
      await checkGrads((t: any) => sp.betainc(av, bv, t), [tv], opts);
      // random_gamma_grad is -(dP/da) / (dP/dx), the implicit derivative of a Gamma(a) sample.
      const pa = grad(sp.gammainc, { argnums: 0 });
      const px = grad(sp.gammainc, { argnums: 1 });
      for (const [aa, xx] of [
        [0.5, 0.3],
        [2, 2.5],
        [30, 28],
        [7, 12],
      ]) {
        const want = -Number(await pa(d(aa), d(xx)).tolist()) / Number(await px(d(aa), d(xx)).tolist());
        const got = Number(await lax.randomGammaGrad(d(aa), d(xx)).tolist());
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-13 * Math.abs(want));
      }
    } finally {
      config.enableX64 = prev;
    }
  });

  it('vmap is elementwise batching; jit gives the same bits as eager, fused', async () => {
    const A = f32([0.5, 2, 30, 1000]);
    const X = f32([0.3, 2.5, 28, 990]);
    const B = f32([0.7, 3, 20, 1000]);
    const T = f32([0.3, 0.5, 0.6, 0.49]);
    expect(String(makeJaxpr(vmap(sp.gammainc))(A, X))).toBe(
      '{ lambda ; a:f32[4] b:f32[4]. let c:f32[4] = igamma a b in (c,) }',
    );
    expect(String(makeJaxpr(vmap(sp.betainc, { inAxes: [0, null, 0] }))(A, f32(2), T))).toBe(
      [
        '{ lambda ; a:f32[4] b:f32[] c:f32[4]. let',
        '    d:f32[4] = regularized_incomplete_beta a b c',
        '  in (d,) }',
      ].join('\n'),
    );
    for (const [f, args] of [
      [sp.gammainc, [A, X]],
      [sp.gammaincc, [A, X]],
      [lax.igammaGradA, [A, X]],
      [lax.randomGammaGrad, [A, X]],
      [sp.betainc, [A, B, T]],
    ] as [(...v: any[]) => any, any[]][]) {
      const eager = Array.from(await f(...args).data());
      expect(Array.from(await jit(f)(...args).data())).toEqual(eager);
      const lists = (await Promise.all(args.map((v) => v.tolist()))) as number[][];
      const rows = await Promise.all(
        [0, 1, 2, 3].map(async (i) => Number(await f(...lists.map((l) => f32(l[i]))).tolist())),
      );
      expect(Array.from(await vmap(f)(...args).data())).toEqual(rows);
    }
    const fused = jit((u: any, v: any) => sp.gammainc(u.add(1), v).mul(2));
    expect(fused.lower(A, X).compile().kernelCount).toBe(1);
  });

  it('edge values follow SciPy (and JAX where they agree)', async () => {
    const inf = Number.POSITIVE_INFINITY;
    const nan = Number.NaN;
    const gA = [0, 0, 1, 0, inf, inf, 1, -1, 1, 2, nan];
    const gX = [0, 1, 0, inf, 1, inf, inf, 1, -1, 0, 1];
    expect(await sp.gammainc(f32(gA), f32(gX)).tolist()).toEqual([nan, 1, 0, 1, 0, nan, 1, nan, nan, 0, nan]);
    expect(await sp.gammaincc(f32(gA), f32(gX)).tolist()).toEqual([
      nan,
      0,
      1,
      0,
      1,
      nan,
      0,
      nan,
      nan,
      1,
      nan,
    ]);
    expect(await lax.igammaGradA(f32([1, 0, 1, 2]), f32([0, 1, -1, inf])).tolist()).toEqual([0, nan, nan, 0]);
    expect(await lax.randomGammaGrad(f32([1, 0, 1]), f32([0, 1, -1])).tolist()).toEqual([0, nan, nan]);
    const bA = [0, 0, 1, 0, 0, 1, 1, 1, 2, 2, inf, 1, inf, -1, 1, 1, 0, 1];
    const bB = [0, 1, 0, 0, 1, 0, 1, 1, 3, 3, 1, inf, inf, 1, 1, 1, 1, 0];
    const bX = [0.5, 0.5, 0.5, 0, 0, 1, 0, 1, 0, 1, 0.5, 0.5, 0.5, 0.5, -0.1, 1.1, 1, 0];
    expect(await sp.betainc(f32(bA), f32(bB), f32(bX)).tolist()).toEqual([
      nan,
      1,
      0,
      nan,
      0,
      1,
      0,
      1,
      0,
      1,
      0,
      1,
      nan,
      nan,
      nan,
      nan,
      1,
      0,
    ]);
    // Tiny a: Q = 1 - x^a / Gamma(a+1) - ... without cancellation (JAX gives 0 here).
    const q = await withConfig({ enableX64: true }, () =>
      sp.gammaincc(jnp.array(1e-30, { dtype: 'float64' }), jnp.array(1e-30, { dtype: 'float64' })).tolist(),
    );
    expect(Math.abs(Number(q) - 6.850033712491985e-29) / 6.85e-29).toBeLessThan(1e-14);
  });

  it('float16 computes once and rounds (JAX binds the primitive on float16 too)', async () => {
    for (const dtype of ['float16']) {
      const av = jnp.array([1, 2, 0.5], { dtype });
      const out = sp.gammainc(av, jnp.array([1, 3, 0.25], { dtype }));
      expect(out.dtype.name).toBe(dtype);
      expect(String(makeJaxpr(sp.gammainc)(av, av))).toContain(`igamma a b`);
      const want = [1 - Math.exp(-1), 1 - 4 * Math.exp(-3), 0.5204998778130465];
      const got = (await out.tolist()) as number[];
      // The correctly rounded float16 values of 1 - e^-1, 1 - 4 e^-3 and erf(1/2).
      for (let i = 0; i < 3; i++) expect(got[i]).toBe(Number(await jnp.array(want[i], { dtype }).tolist()));
    }
  });
});
