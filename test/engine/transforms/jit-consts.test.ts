/**
 * @file A jit call keeps the concrete arrays its function closes over in its closed jaxpr, as
 * JAX's pjit does: they print as the inner jaxpr's constvars (before `;`) and the call takes only
 * the arguments; when the function also closes over a tracer of an enclosing trace, every
 * constant becomes a leading argument. Texts and values are JAX 0.10.2's
 * (fixtures/jit_consts.json, made by fixtures/make_jit_consts.py); the same functions run
 * eagerly and under an outer jit, with the kept constants inside loop and branch bodies too, and
 * on every device (WebGPU skips without an adapter).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  grad,
  jit,
  numpy as jnp,
  jvp,
  lax,
  makeJaxpr,
  scipy,
  type Value,
  vmap,
} from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

interface Case {
  name: string;
  shape: number[];
  jaxpr: string;
  outputs: unknown[];
}
const fx = JSON.parse(
  readFileSync(new URL('../../../fixtures/jit_consts.json', import.meta.url), 'utf8'),
) as {
  cases: Case[];
};

const C = jnp.array([1, 2, 3], { dtype: 'float32' });
const D = jnp.array([10, 20, 30], { dtype: 'float32' });
const add_c = (y: Value) => jnp.add(y, C);
function inner(y: Value) {
  return jnp.multiply(jit((z: Value) => jnp.subtract(z, C))(y), 2);
}
const one = (x: Value) => jit((y: Value) => jnp.multiply(y, C))(x);
const nested = (x: Value) => jit(inner)(x);

const FUNCTIONS: Record<string, (...xs: Value[]) => unknown> = {
  one,
  two: (x) => jit((y: Value) => jnp.add(jnp.multiply(y, D), C))(x),
  nested,
  with_tracer: (x) => jit((y: Value) => jnp.add(jnp.multiply(y, C), x))(x),
  in_scan: (x) => lax.scan((c: Value) => [jit(add_c)(c), null], x, null, { length: 2 })[0],
  in_cond: (x) => lax.cond(jnp.greater(jnp.sum(x), 0), jit(add_c), (v: Value) => jnp.multiply(v, D), x),
  grad_one: grad((x: Value) => jnp.sum(one(x))),
  grad_outer: grad((x: Value) => jnp.sum(jit(one)(x))),
  grad_nested: grad((x: Value) => jnp.sum(nested(x))),
  vmap_one: vmap(one),
  jvp_one: (x, t) => jvp(one, [x], [t]),
};
Object.defineProperty(add_c, 'name', { value: 'add_c' });

function inputs(c: Case): Value[] {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const x = jnp
    .add(jnp.divide(jnp.arange(n, undefined, undefined, { dtype: 'float32' }), 4), 0.5)
    .reshape(c.shape);
  return c.name === 'jvp_one' ? [x, jnp.ones(c.shape)] : [x];
}

const flat = (out: unknown): Value[] => (Array.isArray(out) ? out.flat() : [out]) as Value[];

describe('jit keeps closed-over constants in its closed jaxpr (JAX 0.10.2)', () => {
  it('covers every fixture case', () => {
    expect(fx.cases.map((c) => c.name).sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  for (const c of fx.cases) {
    it(`${c.name}: prints as JAX's`, () => {
      expect(String(makeJaxpr(FUNCTIONS[c.name])(...inputs(c)))).toBe(c.jaxpr);
    });

    it(`${c.name}: gives JAX's values, eagerly and under jit`, async () => {
      const f = FUNCTIONS[c.name];
      for (const g of [f, jit(f)]) {
        const outs = flat(g(...inputs(c)));
        expect(await Promise.all(outs.map((o) => o.tolist()))).toEqual(c.outputs);
      }
    });
  }

  it('keeps constants in while bodies and switch branches when compiled', async () => {
    const addC = jit(add_c);
    const mulD = jit((v: Value) => jnp.multiply(v, D));
    const w = jit((x: Value) =>
      lax.whileLoop(
        (v: Value) => jnp.less(jnp.sum(addC(v)), 30),
        (v: Value) => mulD(v),
        x,
      ),
    );
    expect(await w(jnp.ones([3])).tolist()).toEqual([10, 20, 30]);
    const sw = jit((i: Value, x: Value) => lax.switch(i, [addC, (v: Value) => jnp.negative(v), mulD], x));
    expect(await Promise.all([0, 1, 2].map((i) => sw(i, jnp.ones([3])).tolist()))).toEqual([
      [2, 3, 4],
      [-1, -1, -1],
      [10, 20, 30],
    ]);
  });

  it('lowers with the kept constants as leading arguments', () => {
    const lowered = jit((x: Value) => jit(add_c)(x)).lower(jnp.ones([3]));
    expect(lowered.compile().kernelCount).toBeGreaterThan(0);
    expect(String(lowered.asText())).toContain('jaxpr={ lambda c:f32[3]; a:f32[3].');
  });
});

const webgpu = await deviceAvailable('webgpu', 'jit constants on webgpu');

describe('kept constants on every device', () => {
  for (const device of ['cpu', 'gpujs', ...(webgpu ? ['webgpu'] : [])]) {
    it(`${device}: a loop body's and sici's nested constants`, async () => {
      const addC = jit(add_c);
      const f = jit((x: Value) => lax.scan((c: Value) => [addC(c), null], addC(x), null, { length: 2 })[0], {
        device,
      });
      expect(await f(jnp.ones([3])).tolist()).toEqual([4, 7, 10]);
      const sici = jit((x: Value) => scipy.special.sici(x), { device });
      const [si, ci] = sici(jnp.array([0.5, 2, 10], { dtype: 'float32' })) as Value[];
      // SciPy's float32 values, to float32 rounding.
      const want = [
        [0.4931074, 1.605413, 1.6583476],
        [-0.17778409, 0.42298082, -0.04545643],
      ];
      for (const [k, got] of [await si.tolist(), await ci.tolist()].entries())
        (got as number[]).forEach((g, i) => {
          expect(g).toBeCloseTo(want[k][i], 6);
        });
    });
  }
});
