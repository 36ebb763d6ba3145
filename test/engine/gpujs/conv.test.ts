/**
 * @file Convolutions on the gpu.js backend against JAX's values (fixtures/make_conv.py): the
 * portable reduce kernel (and the im2col + matmul path) render to gpu.js, so a float32
 * convolution runs there with no CPU fallback; what gpu.js cannot hold (int32 data) falls back to
 * the CPU visibly, as other kernels do. Float32 tolerance.
 *
 * When gpu.js cannot start the file skips with the reason; under CI (gpu.js is a dependency) it
 * fails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { devicePut, jit, lax, type Value, vjp } from '../../../src/engine/index.js';
import { convConfig } from '../../../src/engine/primitives/conv-geometry.js';
import { dotConfig } from '../../../src/engine/primitives/dot.js';
import { deviceAvailable } from '../../device-available.js';
import { call, expectClose, fixture, fromEnc } from '../conv-cases.js';

const available = await deviceAvailable('gpujs', 'gpujs conv');
const d = describe.skipIf(!available);
const on = (x: Value) => devicePut(x, 'gpujs');

const CASES = new Set([
  'same_lower',
  'negative padding',
  'all dilations strides',
  'odd layout',
  '1d nwc dilated',
  '3d ndhwc',
  'feature groups 3 nhwc',
  'batch groups 3 nhwc',
  'transpose kernel',
  'jnp.convolve same',
  'convolve2d full',
]);

d('gpujs: convolutions', () => {
  afterEach(() => {
    convConfig.im2colMinWork = 1 << 20;
    dotConfig.libMinWork = 32768;
  });
  for (const [path, im2col] of [
    ['reduce kernel', false],
    ['im2col + matmul', true],
  ] as const) {
    it(`run on gpu.js and match JAX: ${path}`, async () => {
      if (im2col) {
        convConfig.im2colMinWork = 0;
        dotConfig.libMinWork = 1;
      }
      const cases = fixture.values.filter((c) => CASES.has(c.name));
      expect(cases.length).toBe(CASES.size);
      for (const c of cases) {
        const [a, b] = c.args.map((x) => on(fromEnc(x.value)));
        const f = jit((p: Value, q: Value) => call(c.fn, c.opts, [p, q]));
        const text = f.lower(a, b).compile().asText();
        expect(text, c.name).not.toMatch(/on cpu \(fallback/);
        if (im2col && c.fn !== 'convolve') expect(text, c.name).toMatch(/matmul_\d+ on gpujs/);
        await expectClose(f(a, b), c.expected, undefined, 2e-5);
      }
    });
  }
  it('gradients run on gpu.js', async () => {
    for (const c of fixture.grads.filter((g) => CASES.has(g.name))) {
      const xs = c.args.map((x) => on(fromEnc(x.value)));
      const [, pull] = vjp(
        jit((p: Value, q: Value) => call(c.fn, c.opts, [p, q])),
        xs[0],
        xs[1],
      );
      const [gl, gr] = pull(on(fromEnc(c.cotangent)));
      await expectClose(gl, c.vjp_lhs, undefined, 2e-5);
      await expectClose(gr, c.vjp_rhs, undefined, 2e-5);
    }
  });
  it('int32 convolutions fall back to the CPU visibly', async () => {
    const c = fixture.values.find((v) => v.name === 'int32')!;
    const [a, b] = c.args.map((x) => on(fromEnc(x.value)));
    const f = jit((p: Value, q: Value) =>
      lax.convGeneralDilated(p, q, c.opts.window_strides, c.opts.padding),
    );
    expect(f.lower(a, b).compile().asText()).toMatch(/reduce_\d+ on cpu \(fallback: .*int32/);
    await expectClose(f(a, b), c.expected);
  });
});
