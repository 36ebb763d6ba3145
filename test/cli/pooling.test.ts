/**
 * @file Pooling and windowed reductions from the command line: the expression language reaches
 * flax's `max_pool` / `avg_pool` / `min_pool` and `lax.reduce_window` by their Python names and
 * keywords, and `tjax grad` differentiates through them. Expected values: fixtures/windowed.json
 * (fixtures/make_windowed.py, JAX 0.10.2 and flax 0.12.8).
 */
import { describe, expect, it } from 'vitest';
import { FX, values } from '../engine/windowed-fixture.js';
import { tjax } from './run-cli.js';

function json(args: string[]): unknown {
  const r = tjax([...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** A described fixture array as a nested JSON list for --arg. */
function nested(d: { shape: number[] }, flat: number[]): unknown {
  const build = (dim: number, off: number): unknown => {
    if (dim === d.shape.length) return flat[off];
    const stride = d.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: d.shape[dim] }, (_, i) => build(dim + 1, off + i * stride));
  };
  return build(0, 0);
}

describe('pooling in expressions', () => {
  it('tjax grad differentiates sum(max_pool(x, (2, 2), strides=(2, 2))) as JAX does', () => {
    const x = JSON.stringify(FX.cli.x);
    expect(json(['grad', 'sum(max_pool(x, (2, 2), strides=(2, 2)))', '--arg', `x=${x}`])).toEqual(
      FX.cli.grad,
    );
  });

  it("avg_pool takes flax's keywords", () => {
    const c = FX.flax.find((f: { name: string }) => f.name === 'avg_pool_same_exclude_pad');
    const x = JSON.stringify(nested(c.x, values(c.x)));
    const got = (
      json([
        'run',
        'avg_pool(x, (3, 3), strides=(2, 2), padding="SAME", count_include_pad=False)',
        '--arg',
        `x=${x}`,
      ]) as unknown[]
    ).flat(4) as number[];
    const want = values(c.out);
    expect(got.length).toBe(want.length);
    got.forEach((v, i) => {
      expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want[i])));
    });
  });

  it('lax.reduce_window takes a computation, a lambda and keywords', () => {
    const x = '[1.0, 2.0, 3.0]';
    expect(json(['run', 'lax.reduce_window(x, 0., lax.add, (2,), (1,), "SAME")', '--arg', `x=${x}`])).toEqual(
      [3, 5, 3],
    );
    expect(
      json([
        'run',
        'lax.reduce_window(x, 1., lax.mul, (2,), padding="SAME", window_strides=(1,))',
        '--arg',
        `x=${x}`,
      ]),
    ).toEqual([2, 6, 3]);
    expect(
      json(['run', 'lax.reduce_window(x, 0., lambda a, b: a + b * b, (2,))', '--arg', `x=${x}`]),
    ).toEqual([5, 13]);
    expect(json(['run', 'min_pool(x, (2,), (1,), "SAME")', '--arg', 'x=[[3.0], [1.0], [2.0]]'])).toEqual([
      [1],
      [1],
      [2],
    ]);
  });
});
