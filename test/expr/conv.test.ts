/**
 * @file The expression language reaches the convolution family by JAX's names (lax's at top level
 * and under `lax.` in snake_case, jnp's convolve/correlate, scipy.signal's), takes Python's
 * positional parameters past the engine's options object as those options, and refuses
 * duplicates and extra arguments as Python does.
 */
import { describe, expect, it } from 'vitest';
import { numpy as jnp, lax, type Value } from '../../src/engine/index.js';
import { evaluateExpression } from '../../src/expr/evaluate.js';
import { parseExpression } from '../../src/expr/index.js';

const x = lax.reshape(jnp.arange(2 * 5 * 4 * 3, { dtype: 'float32' }), [2, 5, 4, 3]).mul(0.1);
const k = lax.reshape(jnp.arange(3 * 2 * 3 * 4, { dtype: 'float32' }), [3, 2, 3, 4]).mul(-0.05);

function ev(src: string): Value {
  return evaluateExpression(
    src,
    parseExpression(src),
    new Map<string, unknown>([
      ['x', x],
      ['k', k],
    ]),
  ) as Value;
}

async function same(a: Value, b: Value): Promise<void> {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(await a.data(), Number)).toEqual(Array.from(await b.data(), Number));
}

const NHWC = ['NHWC', 'HWIO', 'NHWC'] as const;

describe('convolutions in the expression language', () => {
  it('positional Python arguments past the padding become options', async () => {
    const want = lax.convGeneralDilated(
      x,
      k,
      [2, 1],
      [
        [1, 0],
        [0, 1],
      ],
      {
        lhsDilation: [1, 1],
        rhsDilation: [2, 1],
        dimensionNumbers: NHWC,
      },
    );
    await same(
      ev("conv_general_dilated(x, k, (2, 1), ((1, 0), (0, 1)), (1, 1), (2, 1), ('NHWC', 'HWIO', 'NHWC'))"),
      want,
    );
    await same(
      ev(
        "lax.conv_general_dilated(x, k, window_strides=(2, 1), padding=[(1, 0), (0, 1)], rhs_dilation=(2, 1), dimension_numbers=('NHWC', 'HWIO', 'NHWC'))",
      ),
      want,
    );
  });
  it('conv_transpose, conv_with_general_padding and lax.conv by their JAX names', async () => {
    await same(
      ev("conv_transpose(x, k, (2, 2), 'SAME', (2, 1))"),
      lax.convTranspose(x, k, [2, 2], 'SAME', { rhsDilation: [2, 1] }),
    );
    await same(
      ev("conv_transpose(x, transpose(k, (0, 1, 3, 2)), (2, 2), 'SAME', None, None, True)"),
      lax.convTranspose(x, lax.transpose(k, [0, 1, 3, 2]), [2, 2], 'SAME', { transposeKernel: true }),
    );
    const xn = lax.transpose(x, [0, 3, 1, 2]);
    const kn = lax.transpose(k, [3, 2, 0, 1]);
    await same(
      ev(
        'conv_with_general_padding(transpose(x, (0, 3, 1, 2)), transpose(k, (3, 2, 0, 1)), (1, 1), ((1, 1), (0, 0)), (2, 1), None)',
      ),
      lax.convWithGeneralPadding(
        xn,
        kn,
        [1, 1],
        [
          [1, 1],
          [0, 0],
        ],
        [2, 1],
        null,
      ),
    );
    await same(
      ev("lax.conv(transpose(x, (0, 3, 1, 2)), transpose(k, (3, 2, 0, 1)), (1, 1), 'SAME', 'highest')"),
      lax.conv(xn, kn, [1, 1], 'SAME', { precision: 'highest' }),
    );
  });
  it('jnp and scipy.signal convolutions', async () => {
    const a = jnp.array([1, 2, 3, 4, 5], { dtype: 'float32' });
    const v = jnp.array([1, 0, -1], { dtype: 'float32' });
    const env = new Map<string, unknown>([
      ['a', a],
      ['v', v],
    ]);
    const e = (src: string) => evaluateExpression(src, parseExpression(src), env) as Value;
    await same(e("convolve(a, v, mode='same')"), jnp.convolve(a, v, 'same'));
    await same(e("correlate(a, v, 'full')"), jnp.correlate(a, v, 'full'));
    await same(e("scipy.signal.convolve(a, v, 'valid')"), jnp.convolve(a, v, 'valid'));
    await same(
      e("convolve2d(a[None], v[None], 'same', 'fill', 0)"),
      jnp.convolve(a, v, 'same').reshape(1, 5),
    );
  });
  it('refuses duplicated and extra arguments as Python does', () => {
    expect(() => ev("conv_general_dilated(x, k, (1, 1), 'SAME', (1, 1), lhs_dilation=(1, 1))")).toThrow(
      "conv_general_dilated() got multiple values for argument 'lhs_dilation'",
    );
    expect(() => ev("conv(x, k, (1, 1), 'SAME', None, None, 3)")).toThrow(
      'conv() takes from 4 to 6 positional arguments but 7 were given',
    );
  });
});
