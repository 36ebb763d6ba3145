/**
 * @file Convolutions on the WebGPU backend against JAX's values (fixtures/make_conv.py): every
 * float32 case of the fixture through the tiled `conv` library kernel (backends/webgpu/lib-conv.ts)
 * and through the portable reduce kernel rendered to WGSL; gradients and vmaps on the device; a
 * larger NHWC convolution against the CPU. Results are float32 sums in another order than XLA's,
 * so they agree to float32 tolerance, not bit for bit.
 *
 * Without an adapter the file skips with the reason; under CI (which installs Mesa's EGL) it fails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { devicePut, jit, lax, random, type Value, vjp, vmap } from '../../../src/engine/index.js';
import { convConfig } from '../../../src/engine/primitives/conv-geometry.js';
import { deviceAvailable } from '../../device-available.js';
import { call, expectClose, fixture, fromEnc } from '../conv-cases.js';

const available = await deviceAvailable('webgpu', 'webgpu conv');
const d = describe.skipIf(!available);

const gpu = (x: Value) => devicePut(x, 'webgpu');
const floatCases = fixture.values.filter((c) => c.args.every((a) => a.dtype === 'float32'));

/** Cases that cover every feature of the lowering (paddings, layouts, dilations, groups, 1-d/3-d). */
const REPRESENTATIVE = new Set([
  'same_lower',
  'negative padding',
  'strides same_lower',
  'all dilations strides',
  'nhwc strides dilation',
  'odd layout',
  '1d nwc dilated',
  '3d ndhwc',
  'feature groups 3 nhwc',
  'depthwise',
  'batch groups 3 nhwc',
  'transpose kernel',
  'transpose 1d',
]);

d('webgpu: convolutions against JAX', () => {
  afterEach(() => {
    convConfig.useLib = true;
  });
  for (const [path, useLib] of [
    ['tiled conv kernel', true],
    ['reference reduce kernel', false],
  ] as const) {
    it(`float32 value cases, ${path}`, async () => {
      convConfig.useLib = useLib;
      // The tiled kernel takes every case; the reference one (slow to compile on llvmpipe) the
      // representative ones.
      const cases = useLib ? floatCases : floatCases.filter((c) => REPRESENTATIVE.has(c.name));
      expect(cases.length).toBeGreaterThan(useLib ? 60 : 12);
      for (const c of cases) {
        const [a, b] = c.args.map((x) => gpu(fromEnc(x.value)));
        const f = jit((p: Value, q: Value) => call(c.fn, c.opts, [p, q]));
        const text = f.lower(a, b).compile().asText();
        const is2d = c.args[0].shape.length <= 4 && c.fn !== 'signal_convolve' && c.fn !== 'signal_correlate';
        if (useLib && is2d && c.expected.data.length > 0) expect(text, c.name).toMatch(/\/\/ conv_\d+:/);
        if (!useLib) expect(text, c.name).not.toMatch(/\/\/ conv_\d+:/);
        const out = f(a, b);
        expect(String((out as any).device)).toBe('webgpu:0');
        await expectClose(out, c.expected, undefined, 2e-5);
      }
    });
  }
  it('gradients w.r.t. both operands and vmaps run on the device', async () => {
    for (const c of fixture.grads.filter((g) => REPRESENTATIVE.has(g.name))) {
      const xs = c.args.map((x) => gpu(fromEnc(x.value)));
      const [, pull] = vjp(
        jit((p: Value, q: Value) => call(c.fn, c.opts, [p, q])),
        xs[0],
        xs[1],
      );
      const [gl, gr] = pull(gpu(fromEnc(c.cotangent)));
      expect(String((gl as any).device)).toBe('webgpu:0');
      await expectClose(gl, c.vjp_lhs, undefined, 2e-5);
      await expectClose(gr, c.vjp_rhs, undefined, 2e-5);
    }
    for (const c of fixture.vmaps.filter((_, i) => i % 2 === 0)) {
      const [a, b] = c.args.map((x) => gpu(fromEnc(x.value)));
      const f = (p: Value, q: Value) => call('conv_general_dilated', c.opts, [p, q]);
      await expectClose(jit(vmap(f, { inAxes: c.in_axes }))(a, b), c.expected, undefined, 2e-5);
    }
  });
  it('a 2x16x16x32 NHWC convolution with a 3x3x32x48 kernel agrees with the CPU', async () => {
    const x = random.normal(random.key(0), [2, 16, 16, 32]);
    const k = random.normal(random.key(1), [3, 3, 32, 48]);
    const f = (p: Value, q: Value) =>
      lax.convGeneralDilated(p, q, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] });
    const want = Array.from(await jit(f)(x, k).data(), Number);
    const got = Array.from(await jit(f)(gpu(x), gpu(k)).data(), Number);
    expect(got.length).toBe(want.length);
    const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i]) / (1 + Math.abs(want[i]))));
    expect(worst).toBeLessThan(1e-4);
  });
});
