/**
 * @file conv_general_dilated and the convolution family (lax.conv*, jnp.convolve/correlate,
 * scipy.signal) against fixtures from JAX 0.10.2 (fixtures/make_conv.py): values eager and jitted
 * in every padding, layout, dilation, group and dtype case; vjp w.r.t. lhs and rhs and jvp;
 * vmap over either or both operands; hessian, jacfwd, jacrev and per-example gradients; printed
 * jaxprs; error texts. Gradients are also checked against central finite differences (float64).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setCpuBlas } from '../../src/engine/backends/cpu/blas.js';
import type { Value } from '../../src/engine/index.js';
import {
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  numpy as jnp,
  jvp,
  lax,
  makeJaxpr,
  scipy,
  vjp,
  vmap,
  withConfig,
} from '../../src/engine/index.js';
import { convConfig } from '../../src/engine/primitives/conv-geometry.js';
import { dotConfig } from '../../src/engine/primitives/dot.js';
import { call, expectClose, fixture, fromEnc } from './conv-cases.js';

describe('values against JAX', () => {
  for (const c of fixture.values) {
    it(`${c.name} (eager)`, async () => {
      await expectClose(
        call(
          c.fn,
          c.opts,
          c.args.map((a) => fromEnc(a.value)),
        ),
        c.expected,
        c.weak_type,
      );
    });
    it(`${c.name} (jit)`, async () => {
      const f = jit((a: Value, b: Value) => call(c.fn, c.opts, [a, b]));
      const [a, b] = c.args.map((x) => fromEnc(x.value));
      await expectClose(f(a, b), c.expected, c.weak_type);
    });
  }
});

describe('gradients against JAX', () => {
  for (const c of fixture.grads) {
    it(`${c.name}: vjp w.r.t. lhs and rhs, jvp`, async () => {
      const f = (a: Value, b: Value) => call(c.fn, c.opts, [a, b]);
      const xs = c.args.map((a) => fromEnc(a.value));
      const [, pull] = vjp(f, xs[0], xs[1]);
      const [gl, gr] = pull(fromEnc(c.cotangent));
      await expectClose(gl, c.vjp_lhs);
      await expectClose(gr, c.vjp_rhs);
      const [, tout] = jvp(f, xs, c.tangents.map(fromEnc));
      await expectClose(tout, c.jvp);
    });
  }
  it('jitted grad w.r.t. both operands agrees with eager', async () => {
    const c = fixture.grads.find((g) => g.name === 'all dilations strides')!;
    const xs = c.args.map((a) => fromEnc(a.value));
    const loss = (a: Value, b: Value) => jnp.sum(jnp.square(call(c.fn, c.opts, [a, b])));
    const eager = grad(loss, { argnums: [0, 1] })(xs[0], xs[1]) as Value[];
    const jitted = jit(grad(loss, { argnums: [0, 1] }))(xs[0], xs[1]) as Value[];
    for (let i = 0; i < 2; i++) {
      const a = Array.from(await eager[i].data(), Number);
      const b = Array.from(await jitted[i].data(), Number);
      b.forEach((v, k) => {
        expect(Math.abs(v - a[k])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(a[k])));
      });
    }
  });
});

describe('vmap against JAX', () => {
  for (const c of fixture.vmaps) {
    it(c.name, async () => {
      const f = (a: Value, b: Value) => call('conv_general_dilated', c.opts, [a, b]);
      const xs = c.args.map((a) => fromEnc(a.value));
      await expectClose(vmap(f, { inAxes: c.in_axes })(...xs), c.expected);
      await expectClose(jit(vmap(f, { inAxes: c.in_axes }))(...xs), c.expected);
    });
  }
});

describe('vmap edge cases', () => {
  it('a size-0 vmapped axis gives an empty result of the right shape (as JAX)', () => {
    const f = (a: Value, b: Value) => lax.convGeneralDilated(a, b, [1, 1], 'SAME');
    expect(vmap(f, { inAxes: [0, null] })(jnp.ones([0, 2, 3, 5, 5]), jnp.ones([4, 3, 3, 3])).shape).toEqual([
      0, 2, 4, 5, 5,
    ]);
    expect(vmap(f, { inAxes: [null, 1] })(jnp.ones([2, 3, 5, 5]), jnp.ones([4, 0, 3, 3, 3])).shape).toEqual([
      0, 2, 4, 5, 5,
    ]);
  });
  it('vmap of vmap folds both axes', async () => {
    const x = lax
      .reshape(jnp.arange(2 * 3 * 1 * 2 * 5 * 5, { dtype: 'float32' }), [2, 3, 1, 2, 5, 5])
      .mul(0.01);
    const k = lax.reshape(jnp.arange(3 * 2 * 3 * 3, { dtype: 'float32' }), [3, 2, 3, 3]).mul(0.1);
    const f = (a: Value, b: Value) => lax.convGeneralDilated(a, b, [1, 1], 'SAME');
    const got = vmap(vmap(f, { inAxes: [0, null] }), { inAxes: [0, null] })(x, k);
    const want = lax.reshape(f(lax.reshape(x, [6, 2, 5, 5]), k), [2, 3, 1, 3, 5, 5]);
    expect(Array.from(await got.data(), Number)).toEqual(Array.from(await want.data(), Number));
  });
});

describe('higher-order derivatives against JAX', () => {
  const h = (name: string) => fixture.higher.find((c) => c.name === name)!;
  const NHWC = ['NHWC', 'HWIO', 'NHWC'] as const;
  it('hessian w.r.t. the kernel of sum(tanh(conv))', async () => {
    const c = h('hessian wrt kernel of sum(tanh(conv))');
    const [x, k] = c.args.map(fromEnc);
    const f = (kk: Value) => jnp.sum(jnp.tanh(lax.convGeneralDilated(x, kk, [1, 1], 'SAME')));
    await expectClose(hessian(f)(k), c.expected);
  });
  it('jacfwd w.r.t. the input', async () => {
    const c = h('jacfwd wrt input');
    const [x, k] = c.args.map(fromEnc);
    await expectClose(jacfwd((xx: Value) => lax.convGeneralDilated(xx, k, [2, 1], 'SAME'))(x), c.expected);
  });
  it('jacrev w.r.t. the kernel', async () => {
    const c = h('jacrev wrt kernel');
    const [x, k] = c.args.map(fromEnc);
    await expectClose(jacrev((kk: Value) => lax.convGeneralDilated(x, kk, [2, 1], 'SAME'))(k), c.expected);
  });
  const loss = (x: Value, k: Value) =>
    jnp.sum(
      jnp.square(
        lax.convGeneralDilated(jnp.expand_dims(x, 0), k, [1, 1], 'SAME', { dimensionNumbers: NHWC }),
      ),
    );
  it('per-example kernel gradients: vmap(grad)', async () => {
    const c = h('per-example kernel gradients');
    const [x, k] = c.args.map(fromEnc);
    await expectClose(vmap(grad(loss, { argnums: 1 }), { inAxes: [0, null] })(x, k), c.expected);
    await expectClose(jit(vmap(grad(loss, { argnums: 1 }), { inAxes: [0, null] }))(x, k), c.expected);
  });
  it('per-example input gradients: vmap(grad)', async () => {
    const c = h('per-example input gradients');
    const [x, k] = c.args.map(fromEnc);
    await expectClose(vmap(grad(loss, { argnums: 0 }), { inAxes: [0, null] })(x, k), c.expected);
  });
});

describe('gradients against finite differences (float64)', () => {
  /** Deterministic values in [-1, 1). */
  function data(shape: number[], seed: number): Value {
    let s = seed >>> 0;
    const n = shape.reduce((p, d) => p * d, 1);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out.push(s / 2 ** 31 - 1);
    }
    return lax.reshape(jnp.array(out, { dtype: 'float64' }), shape);
  }
  const CASES: [string, (a: Value, b: Value) => Value, number[], number[]][] = [
    [
      'strided, dilated, padded NHWC',
      (a, b) =>
        lax.convGeneralDilated(
          a,
          b,
          [2, 1],
          [
            [1, 2],
            [0, 1],
          ],
          {
            lhsDilation: [1, 2],
            rhsDilation: [2, 1],
            dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'],
          },
        ),
      [2, 5, 4, 2],
      [2, 2, 2, 3],
    ],
    [
      'feature groups',
      (a, b) => lax.convGeneralDilated(a, b, [1, 1], 'SAME', { featureGroupCount: 2 }),
      [1, 4, 3, 3],
      [4, 2, 2, 2],
    ],
    [
      'batch groups',
      (a, b) => lax.convGeneralDilated(a, b, [1, 1], 'VALID', { batchGroupCount: 2 }),
      [4, 2, 3, 3],
      [4, 2, 2, 2],
    ],
    [
      'conv_transpose',
      (a, b) => lax.convTranspose(a, b, [2, 2], 'SAME', { transposeKernel: true }),
      [1, 3, 3, 2],
      [2, 2, 3, 2],
    ],
  ];
  for (const [name, conv, ls, rs] of CASES) {
    it(name, () => {
      withConfig({ enableX64: true }, () => {
        const x = data(ls, 1);
        const k = data(rs, 2);
        const f = (a: Value, b: Value) => jnp.sum(jnp.sin(conv(a, b)));
        const [gx, gk] = grad(f, { argnums: [0, 1] })(x, k) as Value[];
        const eps = 1e-6;
        for (const [which, g, base] of [
          [0, gx, x],
          [1, gk, k],
        ] as const) {
          const flat = Array.from(base.dataSync() as Float64Array);
          const ga = Array.from(g.dataSync() as Float64Array);
          // A few coordinates of each gradient.
          for (const i of [0, Math.floor(flat.length / 3), flat.length - 1]) {
            const bump = (d: number) => {
              const v = [...flat];
              v[i] += d;
              const arr = lax.reshape(jnp.array(v, { dtype: 'float64' }), base.shape);
              return Number((which === 0 ? f(arr, k) : f(x, arr)).dataSync()[0]);
            };
            const fd = (bump(eps) - bump(-eps)) / (2 * eps);
            expect(Math.abs(fd - ga[i]), `${name} d/d${which ? 'rhs' : 'lhs'}[${i}]`).toBeLessThan(1e-6);
          }
        }
      });
    });
  }
});

describe('printed jaxprs', () => {
  const NHWC = ['NHWC', 'HWIO', 'NHWC'] as const;
  const cg =
    (strides: number[], padding: lax.ConvPadding, o: lax.ConvGeneralDilatedOptions = {}) =>
    (a: Value, b: Value) =>
      lax.convGeneralDilated(a, b, strides, padding, o);
  const sq = (g: (a: Value, b: Value) => Value) => (a: Value, b: Value) => jnp.sum(g(a, b).pow(2));
  const both = { argnums: [0, 1] };
  const fns: Record<string, (...xs: any[]) => any> = {
    'plain same': cg([1, 1], 'SAME'),
    'nhwc strides dilation': cg([2, 1], 'VALID', { rhsDilation: [1, 2], dimensionNumbers: NHWC }),
    'preferred precision': cg([1, 1], 'SAME', { precision: 'highest', preferredElementType: 'float32' }),
    'precision enum': cg([1, 1], 'SAME', { precision: lax.Precision.HIGH }),
    '1d': cg([1], [[1, 0]]),
    'grad both': grad(sq(cg([2, 1], 'SAME')), both),
    'grad both nhwc dilated': grad(
      sq(
        cg(
          [2, 2],
          [
            [1, 2],
            [0, 1],
          ],
          { lhsDilation: [1, 2], rhsDilation: [2, 1], dimensionNumbers: NHWC },
        ),
      ),
      both,
    ),
    'grad feature groups': grad(sq(cg([1, 1], 'SAME', { featureGroupCount: 2 })), both),
    'grad batch groups': grad(sq(cg([1, 1], 'VALID', { batchGroupCount: 2 })), both),
    'grad lhs only': grad(sq(cg([1, 1], 'SAME'))),
    jvp: (a: Value, b: Value) => jvp(cg([1, 1], 'SAME'), [a, b], [a, b]),
    'vmap lhs nhwc': vmap(cg([1, 1], 'VALID', { dimensionNumbers: NHWC }), { inAxes: [0, null] }),
    'vmap rhs hwio': vmap(cg([1, 1], 'SAME', { dimensionNumbers: NHWC }), { inAxes: [null, 3] }),
    'vmap both': vmap(cg([1, 1], 'SAME'), { inAxes: [0, 0] }),
    'vmap rhs feature groups': vmap(cg([1, 1], 'SAME', { featureGroupCount: 2 }), { inAxes: [null, 1] }),
    'vmap lhs batch groups': vmap(cg([1, 1], 'VALID', { batchGroupCount: 2 }), { inAxes: [1, null] }),
    'per-example grads': vmap(
      grad(
        (x: Value, k: Value) =>
          jnp.sum(
            lax
              .convGeneralDilated(jnp.getitem(x, [null]), k, [1, 1], 'SAME', { dimensionNumbers: NHWC })
              .pow(2),
          ),
        { argnums: 1 },
      ),
      { inAxes: [0, null] },
    ),
    'conv_transpose kernel': (a: Value, b: Value) =>
      lax.convTranspose(a, b, [2, 2], 'SAME', { transposeKernel: true }),
    'conv_transpose valid': (a: Value, b: Value) =>
      lax.convTranspose(a, b, [2, 1], 'VALID', { rhsDilation: [1, 2] }),
    'jnp.convolve same': (a: Value, b: Value) => jnp.convolve(a, b, 'same'),
    'jnp.correlate full swapped': (a: Value, b: Value) => jnp.correlate(a, b, { mode: 'full' }),
    'jnp.convolve int': (a: Value, b: Value) => jnp.convolve(a, b),
    'signal.convolve2d': (a: Value, b: Value) => scipy.signal.convolve2d(a, b),
    'signal.correlate same': (a: Value, b: Value) => scipy.signal.correlate(a, b, 'same'),
    'signal.correlate2d valid swapped': (a: Value, b: Value) => scipy.signal.correlate2d(a, b, 'valid'),
  };
  for (const c of fixture.jaxprs) {
    it(c.name, () => {
      const args = c.args.map((a) => jnp.ones(a.shape, { dtype: a.dtype }));
      expect(String(makeJaxpr(fns[c.name])(...args))).toBe(c.text);
    });
  }
});

describe('errors', () => {
  for (const c of fixture.errors) {
    it(c.name, () => {
      const xs = c.args.map((a) => fromEnc(a.value));
      let err: Error | undefined;
      try {
        call(c.fn, c.opts, xs);
      } catch (e) {
        err = e as Error;
      }
      expect(err, 'no error').toBeDefined();
      expect(err!.message).toBe(c.message);
      const cls: Record<string, string> = {
        ValueError: 'RangeError',
        TypeError: 'TypeError',
        NotImplementedError: 'NotImplementedError',
        RuntimeError: 'Error',
      };
      expect(err!.name).toBe(cls[c.type]);
    });
  }
  it('a ConvDimensionNumbers passes through; convDimensionNumbers resolves layout strings as JAX does', () => {
    const dn = lax.convDimensionNumbers([1, 5, 5, 3], [3, 3, 3, 4], ['NHWC', 'HWIO', 'NHWC']);
    expect(dn.lhs_spec).toEqual([0, 3, 1, 2]);
    expect(dn.rhs_spec).toEqual([3, 2, 0, 1]);
    expect(dn.out_spec).toEqual([0, 3, 1, 2]);
    expect(lax.convDimensionNumbers([1], [1], dn)).toBe(dn);
    expect(String(dn)).toBe(
      'ConvDimensionNumbers(lhs_spec=(0, 3, 1, 2), rhs_spec=(3, 2, 0, 1), out_spec=(0, 3, 1, 2))',
    );
  });
  it('shape helpers agree with JAX', () => {
    expect(lax.padtypeToPads([5, 6], [3, 2], [2, 1], 'SAME')).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(lax.padtypeToPads([5, 6], [3, 2], [2, 1], 'SAME_LOWER')).toEqual([
      [1, 1],
      [1, 0],
    ]);
    expect(
      lax.convGeneralShapeTuple([2, 5, 6, 3], [3, 2, 3, 4], [2, 1], 'SAME', ['NHWC', 'HWIO', 'NHWC']),
    ).toEqual([2, 3, 6, 4]);
    expect(
      lax.convTransposeShapeTuple([2, 4, 5, 3], [3, 3, 3, 2], [2, 2], 'SAME', ['NHWC', 'HWIO', 'NHWC']),
    ).toEqual([2, 8, 10, 2]);
  });
});

describe('lowering paths', () => {
  const libMinWork = dotConfig.libMinWork;
  afterEach(() => {
    convConfig.im2colMinWork = 1 << 20;
    dotConfig.libMinWork = libMinWork;
    setCpuBlas(null);
  });
  const floatCases = fixture.values.filter(
    (c) =>
      ['conv_general_dilated', 'conv', 'conv_with_general_padding', 'conv_transpose'].includes(c.fn) &&
      c.args.every((a) => a.dtype === 'float32') &&
      !c.opts.preferred_element_type,
  );
  it('im2col + the matmul library kernel agrees bit for bit with the reduce kernel (portable GEMM tier)', async () => {
    setCpuBlas(false);
    expect(floatCases.length).toBeGreaterThan(30);
    for (const c of floatCases) {
      const xs = c.args.map((a) => fromEnc(a.value));
      const f = (a: Value, b: Value) => call(c.fn, c.opts, [a, b]);
      convConfig.im2colMinWork = Number.POSITIVE_INFINITY;
      const ref = jit(f);
      expect(ref.lower(xs[0], xs[1]).compile().asText()).not.toContain('library kernel');
      const want = Array.from(await ref(xs[0], xs[1]).data(), Number);
      convConfig.im2colMinWork = 0;
      dotConfig.libMinWork = 1;
      const fast = jit(f);
      if (c.expected.data.length > 0) {
        expect(fast.lower(xs[0], xs[1]).compile().asText(), c.name).toContain('library kernel matmul');
      }
      const got = Array.from(await fast(xs[0], xs[1]).data(), Number);
      expect(got, c.name).toEqual(want);
      await expectClose(fast(xs[0], xs[1]), c.expected);
    }
  });
  it('gradients and vmaps through im2col match JAX', async () => {
    convConfig.im2colMinWork = 0;
    dotConfig.libMinWork = 1;
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
  it('the reference kernel reads each operand from a buffer: one map per relayout, one reduce', () => {
    const x = jnp.ones([1, 3, 5, 5]);
    const k = jnp.ones([2, 3, 3, 3]);
    // OIHW is already (out feature, in feature, window) with the window innermost: no copy.
    const f = jit((a: Value, b: Value) => lax.convGeneralDilated(jnp.sin(a), b, [1, 1], 'SAME').mul(2));
    expect(f.lower(x, k).compile().kernelCount).toBe(2);
  });
});
