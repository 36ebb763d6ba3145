/**
 * @file checkGrads (finite differences against forward and reverse mode, orders 1 and 2, as
 * jax.test_util.check_grads) across the numpy, nn and lax namespaces: the functions users call,
 * not just the primitives underneath them. Points are chosen away from kinks and poles.
 */
import { describe, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { numpy as jnp, lax, nn } from '../../../src/engine/index.js';
import { checkGrads } from '../../../src/engine/test-util.js';

const f32 = (v: unknown) => jnp.array(v, { dtype: 'float32' });
const A = [
  [0.3, -1.2, 0.8],
  [1.1, 0.4, -0.6],
];
const V = [0.3, -1.2, 0.8, 1.7];
const P = [0.3, 1.2, 0.8, 1.7];
const U = [0.3, -0.4, 0.6, 0.15];

type Case = [string, (...xs: Value[]) => unknown, unknown[], number?];

const CASES: Case[] = [
  // ufuncs
  ['add/subtract/multiply', (x, y) => jnp.multiply(jnp.subtract(jnp.add(x, y), 0.5), y), [V, P]],
  ['true_divide', (x, y) => jnp.true_divide(x, y), [V, P]],
  ['power (float exponent)', (x, y) => jnp.power(x, y), [P, V]],
  ['power (int exponent)', (x) => jnp.power(x, 3), [V]],
  [
    'square, sqrt, cbrt, reciprocal',
    (x) => jnp.add(jnp.square(x), jnp.add(jnp.sqrt(x), jnp.add(jnp.cbrt(x), jnp.reciprocal(x)))),
    [P],
  ],
  ['exp, exp2, expm1', (x) => jnp.add(jnp.exp(x), jnp.add(jnp.exp2(x), jnp.expm1(x))), [V]],
  [
    'log, log2, log10, log1p',
    (x) => jnp.add(jnp.log(x), jnp.add(jnp.log2(x), jnp.add(jnp.log10(x), jnp.log1p(x)))),
    [P],
  ],
  ['trig', (x) => jnp.add(jnp.sin(x), jnp.add(jnp.cos(x), jnp.tan(x))), [U]],
  ['inverse trig', (x) => jnp.add(jnp.arcsin(x), jnp.add(jnp.arccos(x), jnp.arctan(x))), [U]],
  ['hyperbolic', (x) => jnp.add(jnp.sinh(x), jnp.add(jnp.cosh(x), jnp.tanh(x))), [V]],
  ['inverse hyperbolic', (x) => jnp.add(jnp.arcsinh(x), jnp.arctanh(x)), [U]],
  ['arccosh', (x) => jnp.arccosh(jnp.add(x, 1.5)), [P]],
  // JAX's hypot orders |x| and |y| with maximum/minimum, whose balanced derivative at a tie
  // gives JAX's (wrong) second derivative there: the points avoid |x| == |y|.
  ['arctan2, hypot', (x, y) => jnp.add(jnp.arctan2(x, y), jnp.hypot(x, y)), [V, [0.5, 1.1, 0.6, 1.4]]],
  ['logaddexp (with a tie)', (x, y) => jnp.logaddexp(x, y), [V, P]],
  ['maximum/minimum (no ties)', (x, y) => jnp.add(jnp.maximum(x, y), jnp.minimum(x, y)), [V, P]],
  ['abs, sign-free', (x) => jnp.abs(x), [V]],
  ['where', (x, y) => jnp.where(jnp.greater(x, 0), x, y), [V, P]],
  ['clip', (x) => jnp.clip(x, -1, 1), [V]],
  ['deg2rad', (x) => jnp.deg2rad(x), [V]],
  // reductions
  ['sum/mean axis', (x) => jnp.add(jnp.sum(x, { axis: 0 }), jnp.mean(x, { axis: 0 })), [A]],
  ['prod', (x) => jnp.prod(x, { axis: 1 }), [A]],
  ['max/min', (x) => jnp.add(jnp.max(x, { axis: 1 }), jnp.min(x, { axis: 1 })), [A]],
  ['var/std', (x) => jnp.add(jnp.var(x, { axis: 1 }), jnp.std(x, { axis: 1, ddof: 1 })), [A]],
  ['cumsum/cumprod', (x) => jnp.add(jnp.cumsum(x), jnp.cumprod(x)), [V]],
  // shapes
  ['reshape/transpose/ravel', (x) => jnp.multiply(jnp.ravel(jnp.transpose(x)), jnp.reshape(x, [6])), [A]],
  ['concatenate', (x, y) => jnp.concatenate([x, jnp.multiply(x, y), y]), [V, P]],
  ['stack', (x, y) => jnp.stack([x, jnp.multiply(x, y)], { axis: 1 }), [V, P]],
  [
    'flip/roll/tile/repeat',
    (x) => jnp.add(jnp.flip(x), jnp.roll(x, 1)).sum().add(jnp.tile(x, 2).sum()).add(jnp.repeat(x, 2).sum()),
    [V],
  ],
  ['pad/diff', (x) => jnp.add(jnp.pad(x, [[1, 2]]).sum(), jnp.diff(x).sum()), [V]],
  [
    'expand_dims/squeeze/broadcast_to',
    (x) => jnp.squeeze(jnp.broadcast_to(jnp.expand_dims(x, 0), [3, 4]).sum({ axis: 0, keepdims: true })),
    [V],
  ],
  ['triu/tril', (x) => jnp.add(jnp.triu(x), jnp.tril(x, -1)), [A]],
  // indexing
  [
    'getitem (slices, ints, arrays)',
    (x) => jnp.add(x.index([0, jnp.sl(1, null)]).sum(), x.index(jnp.array([1, 0])).sum()),
    [A],
  ],
  ['at[].add / at[].set', (x, y) => x.at[1].add(y.index(0)).at[2].set(y.index(1)), [V, P]],
  ['take / take_along_axis', (x) => jnp.take(x, jnp.array([2, 0, 2])), [V]],
  ['sort/argsort gather', (x) => jnp.sort(x).mul(jnp.arange(4).astype('float32')), [V]],
  // linear algebra
  [
    'matmul',
    (x, y) => jnp.matmul(x, y),
    [
      A,
      [
        [0.5, -1],
        [1.5, 0.25],
        [-0.7, 2],
      ],
    ],
  ],
  ['dot/vdot/outer', (x, y) => jnp.add(jnp.dot(x, y), jnp.vdot(x, y)).add(jnp.outer(x, y).sum()), [V, P]],
  ['einsum', (x, y) => jnp.einsum('ij,kj->ik', x, y), [A, A]],
  [
    'tensordot',
    (x, y) => jnp.tensordot(x, y, 1),
    [
      A,
      [
        [0.5, -1],
        [1.5, 0.25],
        [-0.7, 2],
      ],
    ],
  ],
  [
    'trace/diagonal',
    (x) => jnp.add(jnp.trace(x), jnp.diagonal(x).sum()),
    [
      [
        [1, 2],
        [3, 4.5],
      ],
    ],
  ],
  ['linalg.norm', (x) => jnp.linalg.norm(x), [V]],
  // nn
  ['nn.softmax/log_softmax', (x) => jnp.add(nn.softmax(x), nn.logSoftmax(x)), [A]],
  ['nn.logsumexp', (x) => nn.logsumexp(x, { axis: 1 }), [A]],
  [
    'nn activations',
    (x) => jnp.add(nn.gelu(x), jnp.add(nn.silu(x), jnp.add(nn.softplus(x), nn.elu(x)))),
    [V],
  ],
  ['nn.relu (away from 0)', (x) => nn.relu(x), [V]],
  ['nn.standardize', (x) => nn.standardize(x), [A]],
  // lax
  ['lax.dynamicSlice', (x) => lax.dynamicSlice(x, [1], [2]), [V]],
  ['lax.pad', (x) => lax.pad(x, 0, [[1, 1, 1]]), [V]],
  ['lax.reduceMax', (x) => lax.reduceMax(x, [1]), [A]],
  ['lax.cumsum reverse', (x) => lax.cumsum(x, { reverse: true }), [V]],
];

describe('checkGrads across the namespaces', () => {
  for (const [name, f, args, order] of CASES) {
    it(name, async () => {
      await checkGrads(f, args.map(f32), { order: order ?? 2, modes: ['fwd', 'rev'] });
    });
  }
});
