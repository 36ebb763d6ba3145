/**
 * @file Convolution on the CPU's GEMM tiers (the `conv_gemm` library kernel: primitives/conv-gemm.ts,
 * backends/cpu/lib-conv.ts): the forward pass and both gradients on the native tier (OpenBLAS),
 * the WebAssembly SIMD GEMM and the JavaScript one (TJAX_CPU_SIMD=0), against a float64 reference
 * computed here by the definition (every window position multiplied, padding and dilation holes as
 * zeros, as XLA does). float32 results are checked against the error bound of any float32
 * summation order, (n + 2) 2^-24 sum |a b| (Higham, eq. 3.5). Sizes 1, 7, 33, 255, 1023 and 1025
 * appear in features, spatial extents and k (k past 4096 takes the native tier's k-blocks);
 * layouts NHWC/HWIO and NCHW/OIHW, 1-d and 3-d, strides, both dilations, asymmetric padding,
 * feature and batch groups; transposed and sliced operands; zero sizes; NaN and infinity; and the
 * same bits on 1 and 2 threads. The fixture-based tests (conv.test.ts) also run through here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gemmTier, setCpuBlas, setCpuGemm } from '../../src/engine/backends/cpu/blas.js';
import { setCpuThreads, threadStats } from '../../src/engine/backends/cpu/threads.js';
import { cpuSimd } from '../../src/engine/backends/cpu/wasm/simd.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, vjp, vmap, withConfig } from '../../src/engine/index.js';
import { convConfig } from '../../src/engine/primitives/conv-geometry.js';
import { call, expectClose, fixture, fromEnc } from './conv-cases.js';

const native = gemmTier().tier === 'native';
const gemmMinWork = convConfig.gemmMinWork;
const im2colMinWork = convConfig.im2colMinWork;

afterEach(() => {
  setCpuBlas(null);
  setCpuGemm(null);
  setCpuThreads(null);
  cpuSimd.enabled = true;
  convConfig.gemmMinWork = gemmMinWork;
  convConfig.im2colMinWork = im2colMinWork;
});

const TIERS: [string, () => void][] = [
  ['native', () => setCpuBlas(true)],
  // Every product on tjax's own AVX-512 GEMM (where the CPU has AVX-512), k-blocks included.
  [
    'native-own',
    () => {
      setCpuBlas(true);
      setCpuGemm('all');
    },
  ],
  [
    'wasm',
    () => {
      setCpuBlas(false);
      cpuSimd.enabled = true;
    },
  ],
  [
    'js',
    () => {
      setCpuBlas(false);
      cpuSimd.enabled = false;
    },
  ],
];

/** Deterministic values in [-1, 1) (xorshift32). */
function fill(n: number, seed: number): Float64Array {
  const x = new Float64Array(n);
  let s = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return x;
}

const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

interface Spec {
  name: string;
  /** Canonical shapes: lhs (N, C, spatial...), rhs (O, I, window...). */
  lhs: number[];
  rhs: number[];
  strides?: number[];
  padding?: [number, number][];
  lhsDil?: number[];
  rhsDil?: number[];
  fgc?: number;
  bgc?: number;
  /** Layout strings, else channels-last (NHWC-like). */
  dn?: [string, string, string];
}

const LAST: Record<number, [string, string, string]> = {
  1: ['NWC', 'WIO', 'NWC'],
  2: ['NHWC', 'HWIO', 'NHWC'],
  3: ['NDHWC', 'DHWIO', 'NDHWC'],
};

/** The permutation that takes canonical (N, C, spatial...) to a layout string's order. */
function permOf(spec: string, chars: string): number[] {
  // chars: the batch/feature letters first, then spatial letters in order.
  const sp = [...spec].filter((c) => !chars.includes(c));
  return [...spec].map((c) => (c === chars[0] ? 0 : c === chars[1] ? 1 : 2 + sp.indexOf(c)));
}

interface Geo {
  nsp: number;
  N: number;
  C: number;
  O: number;
  Cg: number;
  inSp: number[];
  kSp: number[];
  outSp: number[];
  strides: number[];
  pad: number[];
  ld: number[];
  rd: number[];
  fgc: number;
  bgc: number;
}

function geometry(s: Spec): Geo {
  const nsp = s.lhs.length - 2;
  const ones = new Array(nsp).fill(1);
  const strides = s.strides ?? ones;
  const padding = s.padding ?? s.rhs.slice(2).map((k): [number, number] => [(k - 1) >> 1, k >> 1]);
  const ld = s.lhsDil ?? ones;
  const rd = s.rhsDil ?? ones;
  const inSp = s.lhs.slice(2);
  const kSp = s.rhs.slice(2);
  const outSp = inSp.map((n, d) => {
    const dil = (n - 1) * ld[d] + 1 + padding[d][0] + padding[d][1];
    const win = (kSp[d] - 1) * rd[d] + 1;
    return Math.max(0, Math.floor((dil - win) / strides[d]) + 1);
  });
  return {
    nsp,
    N: s.lhs[0],
    C: s.lhs[1],
    O: s.rhs[0],
    Cg: s.rhs[1],
    inSp,
    kSp,
    outSp,
    strides,
    pad: padding.map((p) => p[0]),
    ld,
    rd,
    fgc: s.fgc ?? 1,
    bgc: s.bgc ?? 1,
  };
}

/** Flat index of a canonical multi-index. */
function flat(shape: readonly number[], idx: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
  return f;
}

function* multi(shape: readonly number[]): Generator<number[]> {
  const n = prod(shape);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    yield idx;
    for (let d = shape.length - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
}

/**
 * Calls `visit(outFlat, lhsFlat | -1, rhsFlat)` for every term of every output element, by the
 * definition (canonical layouts; -1 for padding and dilation holes, which count as zeros).
 */
function terms(g: Geo, visit: (o: number, l: number, r: number) => void): void {
  const outN = g.N / g.bgc;
  const groups = g.fgc * g.bgc;
  const Og = g.O / groups;
  const outShape = [outN, g.O, ...g.outSp];
  const lhsShape = [g.N, g.C, ...g.inSp];
  const rhsShape = [g.O, g.Cg, ...g.kSp];
  const pos = new Array(g.nsp);
  for (const oi of multi(outShape)) {
    const [n, o, ...s] = oi;
    const of = flat(outShape, oi);
    const grp = Math.floor(o / Og);
    for (let ci = 0; ci < g.Cg; ci++) {
      for (const k of multi(g.kSp)) {
        let ok = true;
        for (let d = 0; d < g.nsp; d++) {
          const p = s[d] * g.strides[d] + k[d] * g.rd[d] - g.pad[d];
          const size = (g.inSp[d] - 1) * g.ld[d] + 1;
          ok &&= p >= 0 && p < size && p % g.ld[d] === 0;
          pos[d] = p / g.ld[d];
        }
        const nb = g.bgc > 1 ? grp * outN + n : n;
        const c = g.fgc > 1 ? grp * g.Cg + ci : ci;
        visit(of, ok ? flat(lhsShape, [nb, c, ...pos]) : -1, flat(rhsShape, [o, ci, ...k]));
      }
    }
  }
}

interface Ref {
  out: Float64Array;
  outAbs: Float64Array;
  gx: Float64Array;
  gxAbs: Float64Array;
  gw: Float64Array;
  gwAbs: Float64Array;
}

function reference(g: Geo, x: Float64Array, w: Float64Array, ct: Float64Array): Ref {
  const outSize = (g.N / g.bgc) * g.O * prod(g.outSp);
  const r: Ref = {
    out: new Float64Array(outSize),
    outAbs: new Float64Array(outSize),
    gx: new Float64Array(x.length),
    gxAbs: new Float64Array(x.length),
    gw: new Float64Array(w.length),
    gwAbs: new Float64Array(w.length),
  };
  terms(g, (o, l, k) => {
    const xv = l < 0 ? 0 : x[l];
    r.out[o] += xv * w[k];
    r.outAbs[o] += Math.abs(xv * w[k]);
    if (l >= 0) {
      r.gx[l] += ct[o] * w[k];
      r.gxAbs[l] += Math.abs(ct[o] * w[k]);
    }
    r.gw[k] += ct[o] * xv;
    r.gwAbs[k] += Math.abs(ct[o] * xv);
  });
  return r;
}

/** A canonical array as a tjax array in `layout` (a transpose of the canonical one). */
function place(data: Float64Array, shape: number[], perm: number[], dtype: string): Value {
  const canon = jnp.array(data, { dtype }).reshape(shape);
  return jnp.transpose(canon, perm);
}

/** A tjax array in `layout` read back in canonical order. */
async function canonical(x: Value, perm: number[]): Promise<Float64Array> {
  const inv = perm.map((_, i) => perm.indexOf(i));
  return Float64Array.from(await jnp.transpose(x, inv).data(), Number);
}

function expectWithin(
  name: string,
  got: Float64Array,
  want: Float64Array,
  abs: Float64Array,
  n: number,
  eps: number,
) {
  expect(got.length, name).toBe(want.length);
  let bad = 0;
  let first = '';
  for (let i = 0; i < want.length; i++) {
    const tol = (n + 2) * eps * abs[i] + 1e-30;
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      if (bad++ === 0) first = `${name}[${i}]: ${got[i]} vs ${want[i]} (tol ${tol})`;
    }
  }
  expect(bad, first).toBe(0);
}

const SPECS: Spec[] = [
  { name: 'NHWC 3x3 SAME, 1 in, 7 out, 33x7 image', lhs: [2, 1, 33, 7], rhs: [7, 1, 3, 3] },
  { name: 'NHWC 255 features in, 7 out', lhs: [1, 255, 5, 4], rhs: [7, 255, 3, 3] },
  {
    name: 'NHWC 1023 features out, 2x2 VALID',
    lhs: [2, 3, 6, 5],
    rhs: [1023, 3, 2, 2],
    padding: [
      [0, 0],
      [0, 0],
    ],
  },
  { name: 'NHWC 1025 features in: k = 4100 (native k-blocks)', lhs: [1, 1025, 4, 3], rhs: [5, 1025, 2, 2] },
  { name: 'NHWC several tiles: batch 2 of 17x17, 7 in, 33 out', lhs: [2, 7, 17, 17], rhs: [33, 7, 3, 3] },
  {
    name: 'NHWC strides 2, lhs and rhs dilation, asymmetric padding',
    lhs: [3, 6, 8, 7],
    rhs: [4, 6, 3, 2],
    strides: [2, 2],
    padding: [
      [1, 2],
      [0, 1],
    ],
    lhsDil: [2, 1],
    rhsDil: [1, 2],
  },
  { name: 'NHWC feature groups (2)', lhs: [2, 8, 8, 8], rhs: [6, 4, 3, 3], fgc: 2 },
  { name: 'NHWC batch groups (2)', lhs: [4, 6, 7, 7], rhs: [6, 6, 3, 3], bgc: 2 },
  { name: 'NCHW/OIHW 3x3 SAME', lhs: [2, 5, 9, 7], rhs: [4, 5, 3, 3], dn: ['NCHW', 'OIHW', 'NCHW'] },
  {
    name: 'NCHW/OIHW groups, stride 2, padding (2, 0)',
    lhs: [2, 6, 9, 8],
    rhs: [6, 3, 3, 3],
    fgc: 2,
    strides: [2, 1],
    padding: [
      [2, 0],
      [1, 1],
    ],
    dn: ['NCHW', 'OIHW', 'NCHW'],
  },
  { name: '1-d NWC, window 5', lhs: [3, 4, 17], rhs: [6, 4, 5] },
  { name: '3-d NCDHW', lhs: [1, 3, 5, 5, 5], rhs: [4, 3, 2, 2, 2], dn: ['NCDHW', 'OIDHW', 'NCDHW'] },
];

/** The spec's operands and cotangent, its function and layouts. */
function setup(s: Spec, dtype: 'float32' | 'float64') {
  const g = geometry(s);
  const nsp = g.nsp;
  const dn = s.dn ?? LAST[nsp];
  const lp = permOf(dn[0], 'NC');
  const rp = permOf(dn[1], 'OI');
  const op = permOf(dn[2], 'NC');
  const round = (a: Float64Array) => (dtype === 'float32' ? Float64Array.from(new Float32Array(a)) : a);
  const x = round(fill(prod(s.lhs), 11));
  const w = round(fill(prod(s.rhs), 12));
  const outShape = [g.N / g.bgc, g.O, ...g.outSp];
  const ct = round(fill(prod(outShape), 13));
  const f = (a: Value, b: Value) =>
    lax.convGeneralDilated(a, b, g.strides, s.padding ?? 'SAME', {
      lhsDilation: s.lhsDil,
      rhsDilation: s.rhsDil,
      featureGroupCount: g.fgc,
      batchGroupCount: g.bgc,
      dimensionNumbers: dn,
    });
  return {
    g,
    x,
    w,
    ct,
    f,
    lp,
    rp,
    op,
    outShape,
    args: () => [place(x, s.lhs, lp, dtype), place(w, s.rhs, rp, dtype), place(ct, outShape, op, dtype)],
  };
}

describe('the conv_gemm kernel against float64 sums by the definition', () => {
  for (const [tier, use] of TIERS) {
    describe(`${tier} tier`, () => {
      for (const s of SPECS) {
        it(`${s.name}: forward and both gradients`, async () => {
          if (tier.startsWith('native') && !native) return;
          convConfig.gemmMinWork = 0;
          use();
          const t = setup(s, 'float32');
          const ref = reference(t.g, t.x, t.w, t.ct);
          const [a, b, ct] = t.args();
          const fj = jit(t.f);
          expect(fj.lower(a, b).compile().asText()).toContain('library kernel conv_gemm');
          const [out, pull] = vjp(fj, a, b);
          const [ga, gb] = pull(ct) as Value[];
          const eps = 2 ** -24;
          const K = t.g.Cg * prod(t.g.kSp);
          const n = Math.max(K, t.g.O * prod(t.g.kSp), (t.g.N / t.g.bgc) * prod(t.g.outSp));
          expectWithin('out', await canonical(out, t.op), ref.out, ref.outAbs, K, eps);
          expectWithin('lhs cotangent', await canonical(ga, t.lp), ref.gx, ref.gxAbs, n, eps);
          expectWithin('rhs cotangent', await canonical(gb, t.rp), ref.gw, ref.gwAbs, n, eps);
        });
      }
      it('float64 under x64', async () => {
        if (tier.startsWith('native') && !native) return;
        convConfig.gemmMinWork = 0;
        use();
        for (const s of [SPECS[1], SPECS[5], SPECS[9]]) {
          await withConfig({ enableX64: true }, async () => {
            const t = setup(s, 'float64');
            const ref = reference(t.g, t.x, t.w, t.ct);
            const [a, b, ct] = t.args();
            const [out, pull] = vjp(jit(t.f), a, b);
            const [ga, gb] = pull(ct) as Value[];
            expect(out.dtype.name).toBe('float64');
            const eps = 2 ** -53;
            expectWithin('out', await canonical(out, t.op), ref.out, ref.outAbs, 1 << 14, eps);
            expectWithin('lhs cotangent', await canonical(ga, t.lp), ref.gx, ref.gxAbs, 1 << 14, eps);
            expectWithin('rhs cotangent', await canonical(gb, t.rp), ref.gw, ref.gwAbs, 1 << 14, eps);
          });
        }
      });
      it('gives the same bits on 1 and 2 threads', async () => {
        if (tier.startsWith('native') && !native) return;
        convConfig.gemmMinWork = 0;
        use();
        // Several units of work on the pool in each of the three convolutions.
        const t = setup({ name: '', lhs: [2, 16, 17, 17], rhs: [32, 16, 3, 3] }, 'float32');
        const [a, b, ct] = t.args();
        const runs: Float32Array[][] = [];
        const before = threadStats.jobs;
        for (const threads of [1, 2]) {
          setCpuThreads(threads);
          const [out, pull] = vjp(jit(t.f), a, b);
          const [ga, gb] = pull(ct) as Value[];
          runs.push((await Promise.all([out.data(), ga.data(), gb.data()])) as Float32Array[]);
        }
        for (let i = 0; i < 3; i++) expect(Buffer.compare(bytes(runs[1][i]), bytes(runs[0][i]))).toBe(0);
        // The worker pool ran the units where the tier runs on it.
        if (tier !== 'js') expect(threadStats.jobs).toBeGreaterThan(before);
      });
      it('propagates NaN and infinities (inf * padding zero = NaN, as XLA)', async () => {
        if (tier.startsWith('native') && !native) return;
        convConfig.gemmMinWork = 0;
        use();
        const s: Spec = { name: '', lhs: [1, 3, 6, 6], rhs: [2, 3, 3, 3] };
        const t = setup(s, 'float32');
        t.x[flat(s.lhs, [0, 1, 2, 3])] = Number.NaN;
        t.w[flat(s.rhs, [1, 2, 0, 0])] = Number.POSITIVE_INFINITY;
        const ref = reference(t.g, t.x, t.w, t.ct);
        const [a, b] = t.args();
        const got = await canonical(jit(t.f)(a, b), t.op);
        for (let i = 0; i < got.length; i++) {
          if (Number.isFinite(ref.out[i])) expect(Number.isFinite(got[i]), `${i}`).toBe(true);
          else expect(got[i], `${i}`).toBe(ref.out[i]);
        }
        expect(got.some((v) => Number.isNaN(v))).toBe(true);
        expect(got.some((v) => v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY)).toBe(true);
      });
    });
  }
});

describe('operands and sizes', () => {
  it('reads a transposed lhs where it lies and copies a sliced or reversed one; same values', async () => {
    convConfig.gemmMinWork = 0;
    // Stored as (H, W, N, C): its NHWC transpose keeps the features at stride 1.
    const x = jnp.array(fill(2 * 7 * 9 * 5, 21), { dtype: 'float32' }).reshape([7, 9, 2, 5]);
    const k = jnp.array(fill(3 * 3 * 5 * 4, 22), { dtype: 'float32' }).reshape([3, 3, 5, 4]);
    const conv = (a: Value, b: Value) =>
      lax.convGeneralDilated(a, b, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] });
    const viaT = jit((a: Value, b: Value) => conv(jnp.transpose(a, [2, 0, 1, 3]), b));
    const direct = jnp.transpose(x, [2, 0, 1, 3]);
    // The transpose is read in place: no copy kernel before the convolution.
    expect(viaT.lower(x, k).compile().kernelCount).toBe(1);
    expect(Array.from(await viaT(x, k).data(), Number)).toEqual(
      Array.from(await conv(direct, k).data(), Number),
    );
    const viaRev = jit((a: Value, b: Value) => conv(jnp.flip(a, 1), b));
    expect(Array.from(await viaRev(direct, k).data(), Number)).toEqual(
      Array.from(await conv(jnp.flip(direct, 1), k).data(), Number),
    );
  });
  it('zero sizes: empty batch or output features give empty results, no input features give zeros', async () => {
    convConfig.gemmMinWork = 0;
    const conv = jit((a: Value, b: Value) =>
      lax.convGeneralDilated(a, b, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] }),
    );
    for (const [tier, use] of TIERS) {
      if (tier.startsWith('native') && !native) continue;
      use();
      expect(conv(jnp.ones([0, 4, 4, 3]), jnp.ones([3, 3, 3, 2])).shape).toEqual([0, 4, 4, 2]);
      expect(conv(jnp.ones([2, 4, 4, 3]), jnp.ones([3, 3, 3, 0])).shape).toEqual([2, 4, 4, 0]);
      const z = conv(jnp.ones([2, 4, 4, 0]), jnp.ones([3, 3, 0, 2]));
      expect(Array.from(await z.data(), Number)).toEqual(new Array(2 * 4 * 4 * 2).fill(0));
    }
  });
  it('eager and jitted convolutions give the same bits', async () => {
    const x = jnp.array(fill(2 * 16 * 16 * 16, 31), { dtype: 'float32' }).reshape([2, 16, 16, 16]);
    const k = jnp.array(fill(3 * 3 * 16 * 32, 32), { dtype: 'float32' }).reshape([3, 3, 16, 32]);
    const conv = (a: Value, b: Value) =>
      lax.convGeneralDilated(a, b, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] });
    expect(jit(conv).lower(x, k).compile().asText()).toContain('conv_gemm');
    expect(Array.from(await conv(x, k).data(), Number)).toEqual(
      Array.from(await jit(conv)(x, k).data(), Number),
    );
  });
  it('the JavaScript tier gives the reference reduce kernel bits where k runs in its order', async () => {
    use('js');
    const t = setup(SPECS[4], 'float32');
    const [a, b] = t.args();
    convConfig.gemmMinWork = Number.POSITIVE_INFINITY;
    convConfig.im2colMinWork = Number.POSITIVE_INFINITY;
    const ref = jit(t.f);
    expect(ref.lower(a, b).compile().asText()).not.toContain('library kernel');
    const want = await ref(a, b).data();
    convConfig.im2colMinWork = im2colMinWork;
    convConfig.gemmMinWork = 0;
    expect(Array.from(await jit(t.f)(a, b).data(), Number)).toEqual(Array.from(want, Number));
  });
});

function use(tier: string): void {
  TIERS.find(([t]) => t === tier)![1]();
}

describe('the fixtures through conv_gemm (JAX 0.10.2, fixtures/make_conv.py)', () => {
  const floatCases = fixture.values.filter(
    (c) =>
      ['conv_general_dilated', 'conv', 'conv_with_general_padding', 'conv_transpose'].includes(c.fn) &&
      c.args.every((a) => a.dtype === 'float32' || a.dtype === 'float64') &&
      !c.opts.preferred_element_type,
  );
  for (const [tier, setTier] of TIERS) {
    it(`${tier} tier: values, gradients and vmaps`, async () => {
      if (tier.startsWith('native') && !native) return;
      convConfig.gemmMinWork = 0;
      setTier();
      expect(floatCases.length).toBeGreaterThan(30);
      for (const c of floatCases) {
        const xs = c.args.map((a) => fromEnc(a.value));
        const f = jit((a: Value, b: Value) => call(c.fn, c.opts, [a, b]));
        if (c.expected.data.length > 0)
          expect(f.lower(xs[0], xs[1]).compile().asText(), c.name).toContain('conv_gemm');
        await expectClose(f(xs[0], xs[1]), c.expected);
      }
      for (const c of fixture.grads) {
        const f = (a: Value, b: Value) => call(c.fn, c.opts, [a, b]);
        const xs = c.args.map((a) => fromEnc(a.value));
        const [, pull] = vjp(jit(f), xs[0], xs[1]);
        const [gl, gr] = pull(fromEnc(c.cotangent));
        await expectClose(gl, c.vjp_lhs);
        await expectClose(gr, c.vjp_rhs);
      }
      for (const c of fixture.vmaps) {
        const f = (a: Value, b: Value) => call('conv_general_dilated', c.opts, [a, b]);
        const [a, b] = c.args.map((x) => fromEnc(x.value));
        await expectClose(jit(vmap(f, { inAxes: c.in_axes }))(a, b), c.expected);
      }
    });
  }
});
