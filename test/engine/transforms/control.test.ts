/**
 * @file jvp / grad / vmap through the control-flow primitives (transforms/rules/control.ts):
 * values and printed jaxprs against JAX 0.10.2 (fixtures/control_rules.json, written by
 * fixtures/make_control_rules.py; case names match the mirrors below), checkGrads on each, the
 * reverse-mode error of while_loop, and that jit(grad(scan)) keeps the loops as loops.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { grad, jacfwd, jit, numpy as jnp, jvp, lax, makeJaxpr, vmap } from '../../../src/engine/index.js';
import { checkGrads } from '../../../src/engine/test-util.js';
import { expectClose } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIX = JSON.parse(readFileSync(join(root, 'fixtures', 'control_rules.json'), 'utf8')) as {
  jaxprs: Record<string, string>;
  values: Record<string, unknown>;
  errors: Record<string, { type: string; message: string }>;
};

const f32 = (x: unknown) => jnp.array(x as number, { dtype: 'float32' });
const xs4 = () => f32([1, 2, 3, 4]);
const m34 = () =>
  f32(
    Array.from({ length: 3 }, (_, i) =>
      Array.from({ length: 4 }, (_, j) => Math.fround(Math.sin(Math.fround((i * 4 + j) * Math.fround(0.7))))),
    ),
  );
const v3 = () => f32([1, -3, 20]);
const w3 = () => f32([1, 3, 20]);

// ---- mirrors of fixtures/make_control_rules.py ---------------------------------------------------

function scanCumprod(x: Value): Value {
  const [, ys] = lax.scan(
    (c: Value, xi: Value) => {
      const n = c.mul(xi);
      return [n, n];
    },
    f32(1),
    x,
  );
  return jnp.sum(ys);
}

const condSin = (x: Value): Value =>
  lax.cond(
    x.gt(0),
    (y: Value) => jnp.sin(y).mul(y),
    (y: Value) => jnp.cos(y),
    x,
  );

function whileNewton(a: Value): Value {
  const body = (c: [Value, Value]) => [c[0].add(1), jnp.multiply(0.5, c[1].add(a.div(c[1])))];
  return lax.whileLoop((c: [Value, Value]) => c[0].lt(6), body, [0, a])[1];
}

const whileCounter = (x: Value): Value =>
  lax.whileLoop(
    (c: [Value, Value]) => c[0].lt(5),
    (c: [Value, Value]) => [c[0].add(1), c[1].mul(1.5).add(jnp.sin(c[1]))],
    [0, x],
  )[1];

const scanVm = (x: Value) =>
  lax.scan((c: Value, xi: Value) => [c.add(xi), c.mul(xi)], jnp.zeros([], { dtype: 'float32' }), x);

const condBatched = (x: Value): Value =>
  lax.cond(
    x.gt(0),
    (y: Value) => jnp.sin(y),
    (y: Value) => y.mul(2.0),
    x,
  );

const whileBatched = (x: Value) =>
  lax.whileLoop(
    (c: [Value, Value]) => c[1].lt(10.0),
    (c: [Value, Value]) => [c[0].add(1), c[1].mul(2.0)],
    [0, x],
  );

const foriStatic = (x: Value): Value =>
  lax.foriLoop(0, 3, (_i: Value, c: Value) => c.mul(jnp.sin(c)).add(1.0), x);

const whileDyn = (x: Value, n: Value): Value => lax.foriLoop(0, n, (_i: Value, c: Value) => c.mul(2.0), x);

const jvpNewton = (a: Value, t: Value) => jvp(whileNewton, [a], [t]);
const jvpCounter = (x: Value, t: Value) => jvp(whileCounter, [x], [t]);

// ---- printed jaxprs -------------------------------------------------------------------------------

/**
 * tjax's jvp of `add` accumulates the two tangents with add_any where JAX 0.10.2's _add_jvp
 * binds add (rules/elementwise.ts, not this module); cases marked `true` compare with add_any
 * read as add.
 */
const JAXPRS: Record<string, [(...a: any[]) => unknown, () => Value[], boolean?]> = {
  grad_scan_cumprod: [grad(scanCumprod), () => [xs4()]],
  grad_cond: [grad(condSin), () => [f32(1)]],
  jvp_cond: [(x: Value, t: Value) => jvp(condSin, [x], [t]), () => [f32(1), f32(1)]],
  jvp_while_newton: [jvpNewton, () => [f32(2), f32(1)], true],
  jvp_while_counter: [jvpCounter, () => [f32(1), f32(1)], true],
  vmap_scan: [vmap(scanVm), () => [m34()]],
  vmap_cond_batched: [vmap(condBatched), () => [v3()]],
  vmap_while_batched: [vmap(whileBatched), () => [w3()]],
  grad_fori_static: [grad(foriStatic), () => [f32(0.5)]],
};

describe('printed jaxprs of transformed control flow match JAX 0.10.2', () => {
  for (const [name, [f, args, addJvp]] of Object.entries(JAXPRS)) {
    it(name, () => {
      expect(FIX.jaxprs[name]).toBeDefined();
      const text = String(makeJaxpr(f)(...args()));
      const norm = (s: string) => (addJvp ? s.replace(/= add_any /g, '= add ') : s);
      expect(norm(text)).toBe(norm(FIX.jaxprs[name]));
    });
  }

  it('jacfwd_cond: the cond equation matches (the basis preamble is jacfwd, elsewhere)', () => {
    const text = String(makeJaxpr(jacfwd(condSin))(f32(1)));
    const condOf = (s: string) => {
      const body = s.slice(s.indexOf('cond['), s.lastIndexOf('    )'));
      // Rename vars by order of appearance so the comparison ignores the preamble's names.
      const names = new Map<string, string>();
      return body.replace(/\b[a-z]{1,2}\b(?=:|[ ,)\n]|$)/g, (v) => {
        if (!names.has(v)) names.set(v, `v${names.size}`);
        return names.get(v)!;
      });
    };
    expect(condOf(text)).toBe(condOf(FIX.jaxprs.jacfwd_cond));
  });
});

// ---- values ---------------------------------------------------------------------------------------

describe('values of transformed control flow match JAX 0.10.2', () => {
  const V = FIX.values;

  it('grad of a scan computing a cumulative product (eager and jit)', async () => {
    await expectClose(scanCumprod(xs4()), V.scan_cumprod);
    await expectClose(grad(scanCumprod)(xs4()), V.grad_scan_cumprod);
    await expectClose(jit(grad(scanCumprod))(xs4()), V.jit_grad_scan);
    // d/dx_k sum_j prod_{i<=j} x_i = sum_{j>=k} prod_{i<=j, i!=k} x_i
    const x = [1, 2, 3, 4];
    const analytic = x.map((_, k) => {
      let s = 0;
      for (let j = k; j < 4; j++) {
        let p = 1;
        for (let i = 0; i <= j; i++) if (i !== k) p *= x[i];
        s += p;
      }
      return s;
    });
    await expectClose(grad(scanCumprod)(xs4()), analytic);
  });

  it('grad and jacfwd of cond take the derivative of the branch taken', async () => {
    for (const [name, x] of [
      ['pos', 1],
      ['neg', -1],
    ] as const) {
      await expectClose(grad(condSin)(f32(x)), V[`grad_cond_${name}`]);
      await expectClose(jacfwd(condSin)(f32(x)), V[`jacfwd_cond_${name}`]);
      await expectClose(jit(grad(condSin))(f32(x)), V[`grad_cond_${name}`]);
    }
  });

  it('jvp of while: Newton iteration and a counter loop', async () => {
    const [p, t] = jvpNewton(f32(2), f32(1));
    await expectClose([await p.tolist(), await t.tolist()], V.jvp_while_newton);
    const [p2, t2] = jvpCounter(f32(0.3), f32(1));
    await expectClose([await p2.tolist(), await t2.tolist()], V.jvp_while_counter);
    const [p3, t3] = jit(jvpNewton)(f32(2), f32(1));
    await expectClose([await p3.tolist(), await t3.tolist()], V.jvp_while_newton);
  });

  it('vmap of scan (eager and jit), and grad through it', async () => {
    for (const f of [vmap(scanVm), jit(vmap(scanVm))]) {
      const [c, ys] = f(m34()) as [Value, Value];
      expect(c.shape).toEqual([3]);
      expect(ys.shape).toEqual([3, 4]);
      await expectClose([await c.tolist(), await ys.tolist()], V.vmap_scan);
    }
    const loss = (m: Value) => jnp.sum((vmap(scanVm)(m) as [Value, Value])[1].pow(2));
    await expectClose(grad(loss)(m34()), V.grad_vmap_scan);
  });

  it('vmap of cond with a batched predicate selects per lane', async () => {
    await expectClose(vmap(condBatched)(v3()), V.vmap_cond_batched);
    await expectClose(jit(vmap(condBatched))(v3()), V.vmap_cond_batched);
  });

  it('vmap of while with a batched predicate runs each lane to its own end', async () => {
    for (const f of [vmap(whileBatched), jit(vmap(whileBatched))]) {
      const [i, x] = f(w3()) as [Value, Value];
      expect(i.dtype.name).toBe('int32');
      expect(i.weakType).toBe(true);
      expect(await i.tolist()).toEqual((V.vmap_while_batched as number[][])[0]);
      await expectClose(x, (V.vmap_while_batched as number[][])[1]);
    }
  });

  it('grad of foriLoop with static bounds (a scan)', async () => {
    await expectClose(grad(foriStatic)(f32(0.5)), V.grad_fori_static);
    await expectClose(jit(grad(foriStatic))(f32(0.5)), V.grad_fori_static);
  });
});

// ---- checkGrads -------------------------------------------------------------------------------------

describe('checkGrads through control flow', () => {
  it('scan (cumulative product)', async () => {
    await checkGrads(scanCumprod, [f32([0.5, 1.2, -0.7, 0.9])], { order: 2 });
  });
  it('cond, both branches', async () => {
    await checkGrads(condSin, [f32(0.8)], { order: 2 });
    await checkGrads(condSin, [f32(-0.6)], { order: 2 });
  });
  it('while (forward mode only)', async () => {
    await checkGrads(whileNewton, [f32(2)], { order: 2, modes: ['fwd'] });
    await checkGrads(whileCounter, [f32(0.3)], { order: 1, modes: ['fwd'] });
  });
  it('vmap of scan', async () => {
    await checkGrads((m: Value) => (vmap(scanVm)(m) as [Value, Value])[1], [m34()], { order: 1 });
  });
  it('vmap of cond with a batched predicate', async () => {
    await checkGrads(vmap(condBatched), [f32([0.4, -0.5, 1.5])], { order: 1 });
  });
  it('vmap of while with a batched predicate (forward mode)', async () => {
    await checkGrads((x: Value) => (vmap(whileBatched)(x) as [Value, Value])[1], [w3()], {
      order: 1,
      modes: ['fwd'],
    });
  });
  it('foriLoop with static bounds', async () => {
    await checkGrads(foriStatic, [f32(0.5)], { order: 2 });
  });
  it('scan with consts, a closed-over array and reverse', async () => {
    const w = f32([0.3, -0.2]);
    const f = (x: Value, b: Value) =>
      lax.scan((c: Value, xi: Value) => [jnp.tanh(c.mul(w).add(xi).add(b)), c.mul(xi)], f32([0.1, 0.2]), x, {
        reverse: true,
      });
    await checkGrads(
      f,
      [
        f32([
          [0.5, 1.0],
          [-0.3, 0.2],
          [0.7, -0.1],
        ]),
        f32(0.25),
      ],
      { order: 2 },
    );
  });
});

// ---- errors and compilation -------------------------------------------------------------------------

describe('reverse mode of while, and compiled structure', () => {
  it('grad through a dynamic-bound foriLoop raises JAX error', () => {
    const e = FIX.errors.grad_while;
    expect(() => jit(grad(whileDyn))(f32(1), jnp.array(3, { dtype: 'int32' }))).toThrow(e.message);
    expect(() => grad((x: Value) => whileNewton(x))(f32(2))).toThrow(e.message);
  });

  it('jit(grad(scan)) keeps both loops as loops', async () => {
    const small = jit(grad(scanCumprod)).lower(xs4()).compile();
    const long = jnp.linspace(0.9, 1.1, 1000).astype('float32');
    const big = jit(grad(scanCumprod)).lower(long).compile();
    expect(big.kernelCount).toBe(small.kernelCount);
    // The forward scan, the reverse scan, and the map kernels writing their constant operands.
    expect(small.kernelCount).toBeLessThanOrEqual(5);
    expect(small.asText().match(/: scan length=\d+/g)?.length).toBe(2);
    await expectClose(jit(grad(scanCumprod))(xs4()), FIX.values.jit_grad_scan);
  });
});
