/**
 * @file customJvp / customVjp / checkpoint against JAX 0.10.2 (fixtures/custom.json, written by
 * fixtures/make_custom.py): values and gradients under jit, vmap and higher order, error texts,
 * and printed jaxprs (exact where this engine stages what JAX stages).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import {
  checkpoint,
  checkpointPolicies as cp,
  customJvp,
  customVjp,
  grad,
  hessian,
  jacfwd,
  jit,
  numpy as jnp,
  jvp,
  makeJaxpr,
  nn,
  vmap,
} from '../../../src/engine/index.js';
import { expectClose } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIX = JSON.parse(readFileSync(join(root, 'fixtures', 'custom.json'), 'utf8')) as {
  jaxprs: Record<string, string>;
  values: Record<string, any>;
  errors: Record<string, { type: string; message: string }>;
};
const V = FIX.values;

const f32 = (x: unknown) => jnp.array(x, { dtype: 'float32' });
const one = () => f32(1);
const v3 = () => f32([-1.0, 0.5, 2.0]);
const W = () =>
  f32([
    [0, 0.1, 0.2],
    [0.3, 0.4, 0.5],
    [0.6, 0.7, 0.8],
  ]);
const x3 = () => f32([0.1, 0.2, 0.3]);

// ---- the functions of make_custom.py ------------------------------------------------------------------

const log1pexp = customJvp(function log1pexp(x: Value) {
  return jnp.log(jnp.add(1.0, jnp.exp(x)));
});
log1pexp.defjvp(function log1pexp_jvp([x]: Value[], [xDot]: Value[]) {
  const ans = log1pexp(x);
  return [ans, xDot.mul(jnp.subtract(1, jnp.true_divide(1, jnp.add(1, jnp.exp(x)))))];
});

const clipGradient = customVjp(function clip_gradient(_lo: unknown, _hi: unknown, x: Value) {
  return x;
});
clipGradient.defvjp(
  function clip_fwd(lo: Value, hi: Value, x: Value) {
    return [x, [lo, hi]];
  },
  function clip_bwd([lo, hi]: Value[], g: Value) {
    return [null, null, jnp.minimum(jnp.maximum(g, lo), hi)];
  },
);
const clipF = (x: Value) => clipGradient(-0.5, 0.5, jnp.sin(x).mul(3.0));

const app = customJvp(
  function app(f: (y: Value) => Value, x: Value) {
    return f(x);
  },
  { nondiffArgnums: [0] },
);
app.defjvp(function app_jvp(f: (y: Value) => Value, [x]: Value[], [xDot]: Value[]) {
  return [f(x), xDot.mul(2.0)];
});

const app2 = customVjp(
  function app2(f: (y: Value) => Value, x: Value) {
    return f(x);
  },
  { nondiffArgnums: [0] },
);
app2.defvjp(
  function app2_fwd(f: (y: Value) => Value, x: Value) {
    return [f(x), x];
  },
  function app2_bwd(_f: unknown, x: Value, g: Value) {
    return [g.mul(5.0).mul(x)];
  },
);

const twiceCos = customJvp(function twice_cos(x: Value) {
  return jnp.sin(x);
});
twiceCos.defjvps((g: Value, _ans: Value, x: Value) => jnp.cos(x).mul(2.0).mul(g));
const outer = customJvp(function outer(x: Value) {
  return twiceCos(x).mul(3.0);
});
outer.defjvp(function outer_jvp([x]: Value[], [t]: Value[]) {
  return [outer(x), twiceCos(x).mul(t)];
});

const treeFn = customJvp(function tree_fn(p: { a: Value; b: Value }) {
  return p.a.mul(jnp.sin(p.b));
});
treeFn.defjvp(function tree_fn_jvp([p]: { a: Value; b: Value }[], [t]: { a: Value; b: Value }[]) {
  return [treeFn(p), t.a.mul(jnp.sin(p.b)).add(p.a.mul(jnp.cos(p.b)).mul(t.b).mul(10.0))];
});

const CLOSED = f32([1, 2, 3]);
const closure = customJvp(function closure(x: Value) {
  return jnp.sum(x.mul(CLOSED));
});
closure.defjvp(function closure_jvp([x]: Value[], [t]: Value[]) {
  return [closure(x), jnp.sum(t.mul(CLOSED)).mul(2.0)];
});

// Named as in make_custom.py: jit prints the function's name.
const sinSin = function sin_sin(x: Value) {
  return jnp.sin(jnp.sin(x));
};
function dotFn(w: Value, x: Value) {
  return jnp.sum(jnp.sin(jnp.matmul(w, jnp.sin(x))));
}

// ---- values ---------------------------------------------------------------------------------------------

describe('custom_jvp values', () => {
  it('log1pexp: values, gradients (eager and jit), vmap, second order', async () => {
    await expectClose(vmap(log1pexp)(f32([0, 1, 10])), V.log1pexp);
    await expectClose(vmap(grad(log1pexp))(f32([0, 1, 100])), V.grad_log1pexp);
    // The plain formula gives nan at 100; the rule gives 1.
    await expectClose(grad(log1pexp)(f32(100)), V.jit_grad_log1pexp);
    await expectClose(jit(grad(log1pexp))(f32(100)), V.jit_grad_log1pexp);
    await expectClose(grad(grad(log1pexp))(one()), V.grad_grad_log1pexp);
    await expectClose(grad((x: Value) => jnp.sum(vmap(log1pexp)(x)))(v3()), V.grad_sum_vmap_log1pexp);
    await expectClose(jacfwd(log1pexp)(v3()), V.jacfwd_log1pexp);
    await expectClose(hessian(log1pexp)(one()), V.hessian_log1pexp);
  });
  it('eager call runs the function and keeps dtype', async () => {
    const y = log1pexp(f32([0, 1]));
    expect(y.dtype.name).toBe('float32');
    expect(y.weakType).toBe(false);
    await expectClose(y, (V.log1pexp as number[]).slice(0, 2));
  });
  it('nondiff_argnums passes the static argument to the rule', async () => {
    await expectClose(
      app((y: Value) => y.mul(y), f32(3)),
      V.app_value,
    );
    await expectClose(grad((x: Value) => app((y: Value) => y.mul(y), x))(f32(3)), V.grad_app);
  });
  it('a custom_jvp whose rule calls another custom_jvp (and second order)', async () => {
    await expectClose(grad(outer)(one()), V.grad_outer);
    await expectClose(grad(grad(outer))(one()), V.grad_grad_outer);
    await expectClose(jvp(outer, [one()], [f32(2)])[1], V.jvp_outer);
    await expectClose(jit(grad(grad(outer)))(one()), V.grad_grad_outer);
  });
  it('closed-over arrays become leading operands (num_consts)', async () => {
    await expectClose(grad(closure)(CLOSED), V.grad_closure);
    await expectClose(grad(jit(closure))(CLOSED), V.grad_closure);
  });
  it('pytree arguments', async () => {
    const g = grad(treeFn)({ a: f32(2), b: f32(0.5) }) as { a: Value; b: Value };
    await expectClose(g.a, V.grad_tree.a);
    await expectClose(g.b, V.grad_tree.b);
  });
  it('jax.nn.relu: gradient 0 at 0, under vmap and jit', async () => {
    await expectClose(nn.relu(v3()), V.relu);
    await expectClose(vmap(grad(nn.relu))(f32([-1, 0, 2])), V.grad_relu);
    await expectClose(jit(vmap(grad(nn.relu)))(f32([-1, 0, 2])), V.grad_relu);
    await expectClose(grad((x: Value) => jnp.sum(nn.relu(x)))(f32([-1, 0, 2])), V.grad_relu);
  });
  it('under jit the call is staged and fused', async () => {
    const jf = jit(log1pexp);
    await expectClose(jf(f32([0, 1, 10])), V.log1pexp);
    expect(jf.lower(f32([0, 1, 10])).compile().kernelCount).toBe(1);
  });
});

describe('custom_vjp values', () => {
  it('clip_gradient: grad, vmap of grad, jit, grad of vmap', async () => {
    await expectClose(clipF(one()), V.clip_value);
    await expectClose(grad(clipF)(one()), (V.grad_clip as number[])[0]);
    await expectClose(vmap(grad(clipF))(v3()), V.grad_clip);
    await expectClose(jit(vmap(grad(clipF)))(v3()), V.jit_grad_clip);
    await expectClose(grad((x: Value) => jnp.sum(vmap(clipF)(x)))(v3()), V.grad_sum_vmap_clip);
  });
  it('second order through fwd and bwd', async () => {
    const h = (x: Value) => clipGradient(-0.5, 0.5, jnp.sin(x).mul(3.0)).pow(2);
    await expectClose(grad(grad(h))(one()), V.grad_grad_clip);
  });
  it('nondiff_argnums', async () => {
    await expectClose(grad((x: Value) => app2((y: Value) => y.mul(y), x))(f32(3)), V.grad_app2);
  });
  it('jit of the custom_vjp function keeps values', async () => {
    await expectClose(jit(clipF)(one()), V.clip_value);
  });
});

describe('checkpoint values', () => {
  it('values and gradients equal the plain ones, for every policy', async () => {
    await expectClose(checkpoint(dotFn)(W(), x3()), V.checkpoint_dot);
    for (const policy of [
      null,
      cp.nothingSaveable,
      cp.everythingSaveable,
      cp.dotsSaveable,
      cp.dotsWithNoBatchDimsSaveable,
    ]) {
      const g = grad(checkpoint(dotFn, { policy }), { argnums: [0, 1] })(W(), x3()) as Value[];
      await expectClose(g[0], V.grad_checkpoint_dot[0]);
      await expectClose(g[1], V.grad_checkpoint_dot[1]);
    }
    await expectClose(grad(dotFn, { argnums: [0, 1] })(W(), x3())[0], V.grad_dot[0]);
  });
  it('second order, vmap and jit', async () => {
    await expectClose(grad(grad(checkpoint(sinSin)))(one()), V.grad_grad_checkpoint);
    await expectClose(vmap(grad(checkpoint(sinSin)))(v3()), V.vmap_grad_checkpoint);
    await expectClose(jit(vmap(grad(checkpoint(sinSin))))(v3()), V.vmap_grad_checkpoint);
  });
  it('remat recomputes the forward ops in the backward part', () => {
    const text = String(makeJaxpr(grad(checkpoint(sinSin)))(one()));
    const [fwd, bwd] = text.split('remat2[');
    expect(fwd.match(/= sin /g)?.length).toBe(2);
    expect(bwd.match(/= sin /g)?.length).toBe(1);
    expect(bwd).toContain('differentiated=True');
    // Without checkpoint the backward part reuses the forward results.
    expect(String(makeJaxpr(grad(sinSin))(one())).match(/= sin /g)?.length).toBe(2);
  });
  it('dotsSaveable saves dot_general results instead of recomputing them', () => {
    const saved = String(makeJaxpr(grad(checkpoint(dotFn, { policy: cp.dotsSaveable })))(W(), x3()));
    const plain = String(makeJaxpr(grad(checkpoint(dotFn)))(W(), x3()));
    const inner = (t: string) => t.split('remat2[')[1];
    expect(inner(plain).match(/dot_general/g)?.length).toBe(2);
    expect(inner(saved).match(/dot_general/g)?.length).toBe(1);
  });
  it('staticArgnums and pytrees', async () => {
    const f = checkpoint((p: { w: Value }, n: number) => jnp.sum(jnp.sin(p.w).mul(n)), { staticArgnums: 1 });
    const g = grad(f)({ w: x3() }, 3) as { w: Value };
    await expectClose(g.w, (await jnp.cos(x3()).mul(3).tolist()) as number[]);
  });
});

// ---- errors ---------------------------------------------------------------------------------------------

describe('errors', () => {
  it('jvp of a custom_vjp function', () => {
    expect(() => jvp((x: Value) => clipGradient(-0.5, 0.5, x), [one()], [one()])).toThrow(
      FIX.errors.jvp_of_custom_vjp.message,
    );
  });
  it('a custom_jvp function without a rule', () => {
    const nojvp = customJvp(function nojvp(x: Value) {
      return x;
    });
    expect(() => nojvp(one())).toThrow(FIX.errors.no_jvp.message);
  });
  it('a rule that returns no pair', () => {
    const badpair = customJvp(function badpair(x: Value) {
      return jnp.sin(x);
    });
    badpair.defjvp((p: Value[]) => jnp.sin(p[0]));
    const prefix = FIX.errors.bad_pair.message.split(', but got')[0];
    expect(() => grad(badpair)(one())).toThrow(prefix);
  });
  it('a bwd rule with the wrong number of cotangents', () => {
    const badbwd = customVjp(function badbwd(x: Value, y: Value) {
      return x.mul(y);
    });
    badbwd.defvjp(
      (x: Value, y: Value) => [x.mul(y), [x, y]],
      (_res: unknown, g: Value) => [g],
    );
    const prefix = FIX.errors.bad_bwd.message.split(', but got')[0];
    expect(() => grad(badbwd)(one(), one())).toThrow(prefix);
  });
});

// ---- printed jaxprs -----------------------------------------------------------------------------------

const MIRRORS: Record<string, [(...a: any[]) => unknown, () => Value[]]> = {
  custom_jvp_log1pexp: [log1pexp, () => [one()]],
  grad_custom_jvp_log1pexp: [grad(log1pexp), () => [one()]],
  jvp_custom_jvp_log1pexp: [(x: Value, t: Value) => jvp(log1pexp, [x], [t]), () => [one(), one()]],
  vmap_custom_jvp_log1pexp: [vmap(log1pexp), () => [v3()]],
  jit_custom_jvp_log1pexp: [jit(log1pexp), () => [one()]],
  custom_vjp_clip: [(x: Value) => clipGradient(-0.5, 0.5, x), () => [one()]],
  vmap_custom_vjp_clip: [vmap((x: Value) => clipGradient(-0.5, 0.5, x)), () => [v3()]],
  grad_custom_vjp_clip: [grad(clipF), () => [one()]],
  custom_jvp_closure: [closure, () => [CLOSED]],
  relu: [nn.relu, () => [one()]],
  grad_relu: [grad(nn.relu), () => [one()]],
  checkpoint: [checkpoint(sinSin), () => [one()]],
  grad_checkpoint: [grad(checkpoint(sinSin)), () => [one()]],
  grad_checkpoint_nothing: [grad(checkpoint(sinSin, { policy: cp.nothingSaveable })), () => [one()]],
  grad_checkpoint_everything: [grad(checkpoint(sinSin, { policy: cp.everythingSaveable })), () => [one()]],
  grad_checkpoint_dot: [grad(checkpoint(dotFn)), () => [W(), x3()]],
  checkpoint_no_batch_dims: [checkpoint(sinSin, { policy: cp.dotsWithNoBatchDimsSaveable }), () => [one()]],
  vmap_checkpoint: [vmap(checkpoint(sinSin)), () => [v3()]],
  jvp_checkpoint: [(x: Value, t: Value) => jvp(checkpoint(sinSin), [x], [t]), () => [one(), one()]],
  jit_checkpoint: [jit(checkpoint(sinSin)), () => [one()]],
  vmap_grad_checkpoint: [vmap(grad(checkpoint(sinSin))), () => [v3()]],
  grad_grad_checkpoint: [grad(grad(checkpoint(sinSin))), () => [one()]],
};

describe('jaxprs match JAX 0.10.2', () => {
  for (const [name, [f, args]] of Object.entries(MIRRORS)) {
    it(name, () => {
      expect(FIX.jaxprs[name]).toBeDefined();
      expect(String(makeJaxpr(f)(...args()))).toBe(FIX.jaxprs[name]);
    });
  }
  it('grad_checkpoint_dots_saveable: as JAX but without its reduce_precision on the saved dot', () => {
    const text = String(makeJaxpr(grad(checkpoint(dotFn, { policy: cp.dotsSaveable })))(W(), x3()));
    const strip = (t: string) =>
      t
        .split('\n')
        .filter((l) => !l.includes('reduce_precision'))
        .map((l) => l.replace(/\b(?!in\b)[a-z]{1,2}\b/g, 'v'))
        .join('\n');
    expect(strip(text)).toBe(strip(FIX.jaxprs.grad_checkpoint_dots_saveable));
  });
});
