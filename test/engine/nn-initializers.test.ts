/**
 * @file nn.initializers against JAX 0.10.2's draws (fixtures/linen.json, made by
 * fixtures/make_linen.py with `jax.nn.initializers.<name>(**args)(jax.random.key(seed), shape,
 * dtype)`): every builder, several shapes, in/out/batch axes and dtypes, eager and under jit, and
 * JAX's errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jit, numpy as jnp, nn, random, type Value, withConfig } from '../../src/engine/index.js';

interface Case {
  name: string;
  args: Record<string, unknown> | null;
  seed: number;
  shape: number[];
  dtype: string;
  values: unknown;
}

const fx = JSON.parse(readFileSync(new URL('../../fixtures/linen.json', import.meta.url), 'utf8'));
const I = nn.initializers;

/** The TS builder for a fixture case: JAX's keyword arguments become options / positionals. */
function build(c: Case): nn.initializers.Initializer {
  const a = (c.args ?? {}) as Record<string, any>;
  const axes = { inAxis: a.in_axis, outAxis: a.out_axis, batchAxis: a.batch_axis };
  switch (c.name) {
    case 'zeros':
      return I.zeros;
    case 'ones':
      return I.ones;
    case 'constant':
      return I.constant(a.value);
    case 'uniform':
      return I.uniform(a.scale);
    case 'normal':
      return I.normal(a.stddev);
    case 'truncated_normal':
      return I.truncatedNormal(a.stddev, null, a.lower, a.upper);
    case 'variance_scaling':
      return I.varianceScaling(a.scale, a.mode, a.distribution, axes);
    case 'orthogonal':
      return I.orthogonal(a.scale, a.column_axis);
    case 'delta_orthogonal':
      return I.deltaOrthogonal(a.scale, a.column_axis);
    default: {
      const camel = c.name.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
      return (I as unknown as Record<string, (o: object) => nn.initializers.Initializer>)[camel](axes);
    }
  }
}

/** float32 normals differ from XLA's by a few ulps at most (erf_inv, QR rounding in orthogonal). */
function ulpTol(dtype: string): number {
  return dtype === 'float16' ? 1e-3 : dtype === 'float64' ? 1e-13 : 2e-6;
}

function close(got: number[], want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => {
    expect(Math.abs(v - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
  });
}

async function values(v: Value): Promise<number[]> {
  return (
    (await jnp.astype(v, v.dtype.name === 'float64' ? 'float64' : 'float32').tolist()) as number[]
  ).flat(5) as number[];
}

describe('nn.initializers draw as JAX does', () => {
  for (const c of fx.initializers as Case[]) {
    const label = `${c.name}(${JSON.stringify(c.args ?? '')}) ${c.dtype}[${c.shape}]`;
    it(label, async () => {
      const init = build(c);
      const out = init(random.key(c.seed), c.shape, c.dtype);
      expect(out.shape).toEqual(c.shape);
      expect(out.dtype.name).toBe(c.dtype);
      const want = [c.values].flat(5) as number[];
      close(await values(out), want, ulpTol(c.dtype));
      // Under jit, with the shape and dtype closed over as JAX's static arguments are.
      const jitted = jit((k: Value) => init(random.wrapKeyData(k), c.shape, c.dtype));
      close(await values(jitted(random.keyData(random.key(c.seed))) as Value), want, ulpTol(c.dtype));
    });
  }

  it('raw uint32 keys (random.PRNGKey) give the same draws as typed keys', async () => {
    const a = I.glorotUniform()(random.PRNGKey(7), [4, 5]);
    const b = I.glorotUniform()(random.key(7), [4, 5]);
    expect(await a.tolist()).toEqual(await b.tolist());
  });

  it('the default dtype is float32 (float64 under x64)', () => {
    expect(I.lecunNormal()(random.key(0), [2, 2]).dtype.name).toBe('float32');
    expect(I.zeros(random.key(0), [2]).dtype.name).toBe('float32');
  });

  it('a dtype given to the builder is the default for its calls', () => {
    expect(I.heNormal({ dtype: 'float16' })(random.key(0), [2, 2]).dtype.name).toBe('float16');
    expect(I.constant(3, 'float16')(random.key(0), [2]).dtype.name).toBe('float16');
  });
});

describe('nn.initializers in float64 (x64)', () => {
  for (const c of fx.initializers_x64 as Case[]) {
    it(`${c.name} float64[${c.shape}]`, async () => {
      await withConfig({ enableX64: true }, async () => {
        const out = build(c)(random.key(c.seed), c.shape, 'float64');
        expect(out.dtype.name).toBe('float64');
        close(await values(out), [c.values].flat(5) as number[], ulpTol('float64'));
      });
    });
  }
});

describe('nn.initializers errors are JAX', () => {
  const errs = fx.initializer_errors as Record<string, [string, string]>;
  const cases: [string, () => unknown][] = [
    ['fans_1d', () => I.glorotUniform()(random.key(0), [3])],
    ['bad_mode', () => I.varianceScaling(1, 'fan_x' as 'fan_in', 'normal')(random.key(0), [2, 2])],
    ['bad_dist', () => I.varianceScaling(1, 'fan_in', 'cauchy' as 'normal')(random.key(0), [2, 2])],
    ['ortho_1d', () => I.orthogonal()(random.key(0), [3])],
    ['delta_2d', () => I.deltaOrthogonal()(random.key(0), [3, 3])],
    ['delta_fan', () => I.deltaOrthogonal()(random.key(0), [3, 4, 2])],
  ];
  for (const [label, f] of cases) {
    it(label, () => {
      const [cls, msg] = errs[label];
      expect(f).toThrow(msg);
      try {
        f();
      } catch (e) {
        expect((e as Error).name).toBe(cls);
      }
    });
  }
});

describe('computeFans', () => {
  it('counts the receptive field into both fans', () => {
    expect(I.computeFans([3, 3, 4, 8])).toEqual([36, 72]);
    expect(I.computeFans([5, 3, 4], -2, -1, 0)).toEqual([3, 4]);
    expect(I.computeFans([2, 3, 4], [0, 1], -1)).toEqual([6, 4]);
  });
});
