/**
 * @file Automatic differentiation: jvp, linearize, vjp, grad, valueAndGrad, jacfwd, jacrev,
 * hessian, linearTranspose, stopGradient and evalShape. Analytic cases compare with JAX's numbers
 * (fixtures/transforms.json); each elementwise primitive is checked with checkGrads (orders 1-2,
 * forward and reverse) at points inside its domain; compositions with jit and vmap are checked
 * against the plain results.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import {
  evalShape,
  grad,
  hessian,
  jacfwd,
  jacobian,
  jacrev,
  jit,
  numpy as jnp,
  jvp,
  lax,
  linearize,
  linearTranspose,
  makeJaxpr,
  ShapedArray,
  stopGradient,
  valueAndGrad,
  vjp,
  vmap,
  Zero,
} from '../../../src/engine/index.js';
import { checkGrads } from '../../../src/engine/test-util.js';
import { expectClose, FIX } from './helpers.js';

const arr = (v: unknown) => jnp.array(v, { dtype: 'float32' });
const sc = (v: number) => jnp.array(v, { dtype: 'float32' });

function rosen(x: Value): Value {
  const n = x.shape[0];
  const a = lax.sliceInDim(x, 1, n);
  const b = lax.sliceInDim(x, 0, n - 1);
  return jnp.sum(a.sub(b.pow(2)).pow(2).mul(100).add(jnp.subtract(1, b).pow(2)));
}
function softmax(x: Value): Value {
  const e = jnp.exp(x.sub(jnp.max(x)));
  return e.div(jnp.sum(e));
}
function logsumexp(x: Value): Value {
  const m = jnp.max(x);
  return m.add(jnp.log(jnp.sum(jnp.exp(x.sub(m)))));
}

describe('analytic derivatives match JAX', () => {
  const rx = arr(FIX.inputs.rosen);
  const sx = arr(FIX.inputs.softmax);
  it('Rosenbrock gradient', async () => {
    await expectClose(grad(rosen)(rx), FIX.values.rosen_grad);
    await expectClose(jit(grad(rosen))(rx), FIX.values.rosen_grad);
  });
  it('Rosenbrock Hessian', async () => {
    await expectClose(hessian(rosen)(rx), FIX.values.rosen_hessian, 1e-3);
    await expectClose(jit(hessian(rosen))(rx), FIX.values.rosen_hessian, 1e-3);
    await expectClose(jacrev(jacrev(rosen))(rx), FIX.values.rosen_hessian, 1e-3);
  });
  it('softmax Jacobian (forward and reverse)', async () => {
    await expectClose(jacobian(softmax)(sx), FIX.values.softmax_jacobian);
    await expectClose(jacfwd(softmax)(sx), FIX.values.softmax_jacobian);
    await expectClose(jacrev(softmax)(sx), FIX.values.softmax_jacobian);
  });
  it('logsumexp Hessian', async () => {
    await expectClose(hessian(logsumexp)(sx), FIX.values.logsumexp_hessian, 1e-3);
  });
  it('jvp and linearize of sin', async () => {
    const x = arr([0.1, 0.5, 2]);
    const [p, t] = jvp((y: Value) => jnp.sin(y), [x], [arr([1, 2, 3])]);
    await expectClose(p, [Math.sin(0.1), Math.sin(0.5), Math.sin(2)]);
    await expectClose(t, [Math.cos(0.1), 2 * Math.cos(0.5), 3 * Math.cos(2)]);
    const [y, fl] = linearize((z: Value) => jnp.sin(z).mul(z), x);
    await expectClose(
      y,
      [0.1, 0.5, 2].map((v) => Math.sin(v) * v),
    );
    await expectClose(
      fl(arr([1, 1, 1])),
      [0.1, 0.5, 2].map((v) => Math.cos(v) * v + Math.sin(v)),
    );
  });
  it('valueAndGrad', async () => {
    const [v, g] = valueAndGrad((x: Value) => jnp.sum(x.mul(x)))(arr([1, 2, 3]));
    await expectClose(v, 14);
    await expectClose(g, [2, 4, 6]);
  });
});

type Case = [string, (...a: Value[]) => Value, number[][], number?];
const U = (f: (x: Value) => Value) => f;
const UNARY: Case[] = [
  ['neg', U(lax.neg), [[0.3, -1.2, 2]]],
  ['exp', U(lax.exp), [[0.3, -1.2, 1]]],
  ['exp2', U(lax.exp2), [[0.3, -1.2, 1]]],
  ['log', U(lax.log), [[0.5, 1.5, 2]]],
  ['log1p', U(lax.log1p), [[0.5, 1.5, 2]]],
  ['expm1', U(lax.expm1), [[0.3, -1.2, 1]]],
  ['sqrt', U(lax.sqrt), [[0.5, 1.5, 2]]],
  ['rsqrt', U(lax.rsqrt), [[0.5, 1.5, 2]]],
  ['cbrt', U(lax.cbrt), [[0.5, 1.5, 2.5]]],
  ['sin', U(lax.sin), [[0.3, -1.2, 2]]],
  ['cos', U(lax.cos), [[0.3, -1.2, 2]]],
  ['tan', U(lax.tan), [[-0.5, 0.1, 0.6]]],
  ['asin', U(lax.asin), [[-0.5, 0.1, 0.6]]],
  ['acos', U(lax.acos), [[-0.5, 0.1, 0.6]]],
  ['atan', U(lax.atan), [[-0.5, 0.1, 2]]],
  ['sinh', U(lax.sinh), [[-0.5, 0.1, 1.5]]],
  ['cosh', U(lax.cosh), [[-0.5, 0.1, 1.5]]],
  ['tanh', U(lax.tanh), [[-0.5, 0.1, 1.5]]],
  ['asinh', U(lax.asinh), [[-0.5, 0.1, 1.5]]],
  ['acosh', U(lax.acosh), [[1.5, 2, 3]]],
  ['atanh', U(lax.atanh), [[-0.5, 0.1, 0.6]]],
  ['logistic', U(lax.logistic), [[-0.5, 0.1, 1.5]]],
  ['erf', U(lax.erf), [[-0.5, 0.1, 1.5]]],
  ['erfc', U(lax.erfc), [[-0.5, 0.1, 1.5]]],
  ['erf_inv', U(lax.erfInv), [[-0.5, 0.1, 0.6]]],
  ['lgamma', U(lax.lgamma), [[0.5, 1.5, 3]], 1],
  ['square', U(lax.square), [[0.3, -1.2, 2]]],
  ['abs', U(lax.abs), [[0.3, -1.2, 2]]],
  ['integer_pow 3', (x) => lax.integerPow(x, 3), [[0.3, -1.2, 2]]],
  ['integer_pow -2', (x) => lax.integerPow(x, -2), [[0.5, -1.2, 2]]],
  [
    'add',
    lax.add,
    [
      [0.3, -1.2, 2],
      [1, 2, 3],
    ],
  ],
  [
    'sub',
    lax.sub,
    [
      [0.3, -1.2, 2],
      [1, 2, 3],
    ],
  ],
  [
    'mul',
    lax.mul,
    [
      [0.3, -1.2, 2],
      [1, 2, 3],
    ],
  ],
  [
    'div',
    lax.div,
    [
      [0.3, -1.2, 2],
      [1, 2, -3],
    ],
  ],
  [
    'rem',
    lax.rem,
    [
      [2.5, 3.7, -1.3],
      [1.1, 1.7, 0.9],
    ],
  ],
  [
    'pow',
    lax.pow,
    [
      [0.5, 1.2, 2],
      [1.5, -0.7, 2.2],
    ],
  ],
  [
    'max',
    lax.max,
    [
      [0.3, -1.2, 2],
      [1, -2, 1],
    ],
  ],
  [
    'min',
    lax.min,
    [
      [0.3, -1.2, 2],
      [1, -2, 1],
    ],
  ],
  [
    'atan2',
    lax.atan2,
    [
      [0.3, -1.2, 2],
      [1, 2, -3],
    ],
  ],
  [
    'select',
    (x, y) => lax.select(lax.gt(x, y), x, y),
    [
      [0.3, -1.2, 2],
      [1, -2, 1],
    ],
  ],
  ['clamp', (x) => lax.clamp(-1, x, 1), [[0.3, -1.2, 2]]],
  ['convert f32->f32 weak', (x) => lax.convertElementType(x, 'float32', true), [[0.3, -1.2, 2]]],
];

describe('checkGrads on every elementwise primitive', () => {
  for (const [name, f, args, order] of UNARY) {
    it(name, async () => {
      await checkGrads(f, args.map(arr), { order: order ?? 2, modes: ['fwd', 'rev'] });
    });
  }
  it('broadcasting operands (scalar and size-1 dims)', async () => {
    await checkGrads((x: Value, y: Value) => lax.mul(x, y), [arr([[1, 2, 3]]), sc(0.7)], { order: 2 });
    await checkGrads((x: Value, y: Value) => lax.add(x, y), [arr([[1], [2]]), arr([[1, 2, 3]])], {
      order: 1,
    });
  });
  it('checkGrads detects a wrong derivative', async () => {
    const bad = (x: Value) => lax.add(lax.sin(x), stopGradient(lax.mul(x, x)));
    await expect(checkGrads(bad, [arr([0.5, 1])], { order: 1, modes: ['fwd'] })).rejects.toThrow(/JVP/);
  });
});

describe('structural primitives and reductions under grad', () => {
  const x = arr([
    [0.5, -1, 2],
    [1.5, 0.3, -0.7],
  ]);
  const cases: [string, (x: Value) => Value][] = [
    ['broadcast_in_dim', (v) => lax.broadcastInDim(v, [4, 2, 3], [1, 2])],
    ['broadcast size-1', (v) => lax.broadcastInDim(lax.sliceInDim(v, 0, 1), [2, 3], [0, 1])],
    ['reshape', (v) => lax.reshape(v, [3, 2])],
    ['transpose', (v) => lax.transpose(v, [1, 0])],
    ['squeeze', (v) => lax.squeeze(lax.reshape(v, [1, 2, 3]), [0])],
    ['rev', (v) => lax.rev(v, [1])],
    ['slice', (v) => lax.slice(v, [0, 1], [2, 3])],
    ['strided slice', (v) => lax.slice(v, [0, 0], [2, 3], [1, 2])],
    [
      'pad',
      (v) =>
        lax.pad(v, 0.5, [
          [1, 0, 0],
          [1, 2, 1],
        ]),
    ],
    [
      'negative pad',
      (v) =>
        lax.pad(v, 0, [
          [0, -1, 0],
          [-1, 1, 0],
        ]),
    ],
    ['concatenate', (v) => lax.concatenate([v, lax.mul(v, v)], 1)],
    ['dynamic_slice', (v) => lax.dynamicSlice(v, [1, 1], [1, 2])],
    [
      'dynamic_update_slice',
      (v) => lax.dynamicUpdateSlice(v, lax.mul(lax.slice(v, [0, 0], [1, 2]), 3), [1, 1]),
    ],
    ['reduce_sum', (v) => lax.reduceSum(v, [1])],
    ['reduce_max', (v) => lax.reduceMax(v, [0])],
    ['reduce_min', (v) => lax.reduceMin(v, [1])],
    ['reduce_prod', (v) => lax.reduceProd(v, [0])],
  ];
  for (const [name, f] of cases) {
    it(name, async () => {
      await checkGrads(f, [x], { order: 2 });
    });
  }
  it('pad value gets the sum of the padding cotangent', async () => {
    const g = grad((v: Value) => jnp.sum(lax.pad(arr([1, 2]), v, [[2, 1, 1]])), {})(sc(3));
    await expectClose(g, 4);
  });
});

describe('compositions', () => {
  const f = (x: Value) => jnp.sin(x).mul(x);
  const df = (v: number) => Math.cos(v) * v + Math.sin(v);
  const d2f = (v: number) => -Math.sin(v) * v + 2 * Math.cos(v);
  const xs = [0.1, 0.5, 2];
  it('grad(grad(f)) and grad of grad of grad', async () => {
    await expectClose(grad(grad(f))(sc(0.5)), d2f(0.5));
    const d3 = (v: number) => -Math.cos(v) * v - 3 * Math.sin(v);
    await expectClose(grad(grad(grad(f)))(sc(0.5)), d3(0.5), 1e-3);
  });
  it('jacfwd(jacrev(f)) is the Hessian', async () => {
    const h = jacfwd(jacrev((x: Value) => jnp.sum(f(x))))(arr(xs));
    await expectClose(
      h,
      xs.map((a, i) => xs.map((_, j) => (i === j ? d2f(a) : 0))),
      1e-3,
    );
  });
  it('vmap(grad(f)) and jit(vmap(grad(f)))', async () => {
    await expectClose(vmap(grad(f))(arr(xs)), xs.map(df));
    const j = jit(vmap(grad(f)));
    await expectClose(j(arr(xs)), xs.map(df));
    // The unused primal `mul b a` is dropped by the compiler's dead-code elimination: one kernel.
    expect(j.lower(arr(xs)).compile().kernelCount).toBe(1);
  });
  it('grad of a function with jit inside, and jit(grad), grad(jit)', async () => {
    const inner = jit((y: Value) => jnp.sin(y).mul(y));
    await expectClose(grad((x: Value) => inner(x).mul(2))(sc(0.5)), 2 * df(0.5));
    await expectClose(grad(jit(f))(sc(0.5)), df(0.5));
    await expectClose(jit(grad(f))(sc(0.5)), df(0.5));
    await expectClose(grad(grad(jit(f)))(sc(0.5)), d2f(0.5));
    await expectClose(vmap(grad(jit(f)))(arr(xs)), xs.map(df));
  });
  it('jvp of jit, and of a closure over an outer tracer', async () => {
    const [, t] = jvp(jit(f), [arr(xs)], [arr([1, 1, 1])]);
    await expectClose(t, xs.map(df));
    const g = grad((a: Value) => grad((b: Value) => a.mul(b).mul(b))(sc(2)));
    await expectClose(g(sc(3)), 4);
  });
  it('grad of vmap', async () => {
    const g = grad((x: Value) => jnp.sum(vmap(f)(x)));
    await expectClose(g(arr(xs)), xs.map(df));
  });
  it('JS control flow on primal values works under grad', async () => {
    const absish = (x: Value) => (Number(x) > 0 ? x.mul(x) : x.neg());
    await expectClose(grad(absish)(sc(3)), 6);
    await expectClose(grad(absish)(sc(-3)), -1);
  });
});

describe('pytrees, argnums and hasAux', () => {
  it('dict and list arguments', async () => {
    const f = (p: { w: Value; b: Value }, x: Value) => jnp.sum(p.w.mul(x).add(p.b));
    const g = grad(f)({ w: arr([1, 2]), b: sc(0.5) }, arr([3, 4]));
    await expectClose(g.w, [3, 4]);
    await expectClose(g.b, 2);
    const gl = grad((l: Value[]) => l[0].mul(l[1]))([sc(2), sc(5)]);
    await expectClose(gl[0], 5);
    await expectClose(gl[1], 2);
  });
  it('argnums tuples and negative argnums', async () => {
    const f = (x: Value, y: Value, z: Value) => x.mul(y).mul(z);
    const [gx, gz] = grad(f, { argnums: [0, 2] })(sc(2), sc(3), sc(4));
    await expectClose(gx, 12);
    await expectClose(gz, 6);
    await expectClose(grad(f, { argnums: -1 })(sc(2), sc(3), sc(4)), 6);
  });
  it('hasAux', async () => {
    const f = (x: Value) => [x.mul(x), { sq: x.mul(x), s: jnp.sin(x) }];
    const [g, aux] = grad(f, { hasAux: true })(sc(3));
    await expectClose(g, 6);
    await expectClose(aux.sq, 9);
    const [[v, aux2], g2] = valueAndGrad(f, { hasAux: true })(sc(3));
    await expectClose(v, 9);
    await expectClose(aux2.s, Math.sin(3));
    await expectClose(g2, 6);
    const [out, pull, aux3] = vjp(f, sc(2), { hasAux: true });
    await expectClose(out, 4);
    await expectClose(aux3.sq, 4);
    await expectClose(pull(sc(1))[0], 4);
    const [jac, aux4] = jacrev(f, { hasAux: true })(arr([1, 2]));
    await expectClose(jac, [
      [2, 0],
      [0, 4],
    ]);
    await expectClose(aux4.sq, [1, 4]);
  });
  it('vjp with pytree outputs', async () => {
    const [out, pull] = vjp((x: Value, y: Value) => ({ a: x.mul(y), b: [x.add(y)] }), sc(2), sc(3));
    await expectClose(out.a, 6);
    const [cx, cy] = pull({ a: sc(1), b: [sc(10)] });
    await expectClose(cx, 13);
    await expectClose(cy, 12);
    expect(() => pull({ a: sc(1) })).toThrow(/Tree structure of cotangent input/);
  });
  it('jacobian of pytree inputs and outputs', async () => {
    const f = (p: { a: Value; b: Value }) => [p.a.mul(p.b), jnp.sum(p.a)];
    const j = jacfwd(f)({ a: arr([1, 2]), b: sc(3) });
    await expectClose(j[0].a, [
      [3, 0],
      [0, 3],
    ]);
    await expectClose(j[0].b, [1, 2]);
    await expectClose(j[1].a, [1, 1]);
    const jr = jacrev(f)({ a: arr([1, 2]), b: sc(3) });
    await expectClose(jr[0].a, [
      [3, 0],
      [0, 3],
    ]);
    await expectClose(jr[0].b, [1, 2]);
  });
});

describe('integers, float0 and errors', () => {
  it('grad with respect to an integer argument raises JAX TypeError', () => {
    expect(() => grad((x: Value) => x.mul(2))(3)).toThrow(FIX.errors.grad_int_input.message);
    expect(() => grad((x: Value) => x.mul(2))(jnp.array([1, 2]))).toThrow(TypeError);
  });
  it('non-scalar and integer outputs', () => {
    expect(() => grad((x: Value) => x.mul(2))(arr([1, 2, 3]))).toThrow(FIX.errors.grad_nonscalar.message);
    expect(() => grad((x: Value) => x.astype('int32'))(sc(1.5))).toThrow(FIX.errors.grad_int_output.message);
  });
  it('integer outputs of jvp carry float0 tangents; vjp gives float0 for integer inputs', async () => {
    const [p, t] = jvp((x: Value) => [x.astype('int32'), x.mul(2)], [sc(1.5)], [sc(1)]);
    expect(await p[0].item()).toBe(1);
    expect(t[0]).toBeInstanceOf(Zero);
    expect((t[0] as Zero).isFloat0).toBe(true);
    await expectClose(t[1], 2);
    const [, pull] = vjp((x: Value, n: Value) => x.mul(n.astype('float32')), sc(1.5), jnp.array(3));
    const [cx, cn] = pull(sc(1));
    await expectClose(cx, 3);
    expect((cn as Zero).isFloat0).toBe(true);
  });
  it('zero tangents are instantiated for float outputs that do not depend on the input', async () => {
    const [, t] = jvp((_x: Value) => arr([1, 2]), [sc(1)], [sc(1)]);
    await expectClose(t, [0, 0]);
    await expectClose(grad((x: Value) => jnp.sum(arr([1, 2])).add(x.mul(0)))(sc(1)), 0);
  });
  it('jvp argument checks', () => {
    expect(() => jvp((x: Value) => x, [sc(1)], [sc(1), sc(2)])).toThrow(/same tree structure/);
    expect(() => jvp((x: Value) => x, [arr([1, 2])], [arr([1, 2, 3])])).toThrow(
      /different primal and tangent shapes/,
    );
  });
  it('a missing transpose rule names the primitive', () => {
    expect(() => linearTranspose((x: Value) => lax.sin(x), sc(1))(sc(1))).toThrow(
      /Transpose rule .* for 'sin' not implemented/,
    );
  });
});

describe('stopGradient, evalShape, linearTranspose', () => {
  it('stopGradient blocks derivatives and stages stop_gradient', async () => {
    await expectClose(grad((x: Value) => x.mul(stopGradient(x)))(sc(3)), 3);
    expect(String(makeJaxpr((x: Value) => stopGradient(x))(sc(1)))).toContain('stop_gradient a');
    const tree = stopGradient({ a: sc(1), n: jnp.array(2) });
    expect(tree.n.dtype.name).toBe('int32');
  });
  it('evalShape', () => {
    const s = evalShape(
      (x: Value, y: Value) => ({ z: jnp.dot(x, y) }),
      new ShapedArray([2, 3], jnp.float32),
      arr([[1], [2], [3]]),
    );
    expect(s.z.shape).toEqual([2, 1]);
    expect(s.z.dtype.name).toBe('float32');
  });
  it('linearTranspose of a linear function', async () => {
    const f = (x: Value, y: Value) => x.mul(2).add(lax.reduceSum(y, [0]));
    const ft = linearTranspose(f, sc(1), arr([1, 2, 3]));
    const [cx, cy] = ft(sc(5));
    await expectClose(cx, 10);
    await expectClose(cy, [5, 5, 5]);
  });
});

describe('higher order through a nested jit', () => {
  it('hessian and jacfwd(grad) of a function with jit inside (unbatched jit outputs stay unbatched)', async () => {
    // f(x) = sum(2 x^3): the Hessian is diag(12 x).
    const f = (x: Value) => jnp.sum((jit((u: Value) => u.mul(u).mul(2))(x) as Value).mul(x));
    const x = arr([1, 2]);
    expect(await (hessian(f)(x) as Value).tolist()).toEqual([
      [12, 0],
      [0, 24],
    ]);
    expect(await (jacfwd(grad(f))(x) as Value).tolist()).toEqual([
      [12, 0],
      [0, 24],
    ]);
  });
});
