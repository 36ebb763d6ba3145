/**
 * @file Transformation rules of dot_general, gather and the scatter family, the sorting family,
 * reduce_prod (with zeros), digamma / polygamma, and dynamic_slice / dynamic_update_slice with
 * batched indices: checkGrads (orders 1-2, forward and reverse) per primitive, vmap against a loop
 * for every batch axis (eager and jitted), and JAX's numbers for analytic cases
 * (fixtures/transforms2.json, written by fixtures/make_transforms2.py).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Array as Arr, Value } from '../../../src/engine/index.js';
import {
  grad,
  hessian,
  jacfwd,
  jacobian,
  jacrev,
  jit,
  numpy as jnp,
  jvp,
  lax,
  makeJaxpr,
  valueAndGrad,
  vmap,
} from '../../../src/engine/index.js';
import { checkGrads } from '../../../src/engine/test-util.js';
import { expectClose } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIX = JSON.parse(readFileSync(join(root, 'fixtures', 'transforms2.json'), 'utf8')) as {
  values: Record<string, unknown>;
  jaxprs: { name: string; text: string }[];
  inputs: Record<string, unknown>;
};
const jaxprOf = (name: string) => FIX.jaxprs.find((j) => j.name === name)!.text;

const arr = (v: unknown) => jnp.array(v, { dtype: 'float32' });
const ints = (v: unknown) => jnp.array(v, { dtype: 'int32' });
/** Distinct values in a shape (so sorts, extrema and scatters have no ties). */
function ramp(shape: number[], scale = 0.37, phase = 0): Value {
  const n = shape.reduce((a, b) => a * b, 1);
  return jnp.reshape(
    jnp.sin(jnp.add(jnp.multiply(jnp.arange(n, null, null, { dtype: 'float32' }), scale), phase)),
    shape,
  );
}

// ---- fixtures and inputs -----------------------------------------------------------------------

const IN = FIX.inputs;
const A = arr(IN.A);
const B = arr(IN.B);
const C = arr(IN.C);
const v5 = arr(IN.v5);
const u4 = arr(IN.u4);
const idx = ints([0, 2, 2, 4]);
const V = FIX.values;

const matmulChain = (a: Value) => jnp.dot(jnp.tanh(jnp.dot(a, B)), C);
const gatherIdx = (x: Value, i: Value) =>
  lax.gather(
    x,
    lax.expandDims(i, [1]),
    { offset_dims: [], collapsed_slice_dims: [0], start_index_map: [0] },
    [1],
  );
const scatterDn = { update_window_dims: [], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0] };
const sidx = lax.expandDims(idx, [1]);

describe('analytic derivatives match JAX', () => {
  it('jacrev(jacfwd) of a matmul chain, and its Jacobian', async () => {
    await expectClose(jacrev(jacfwd(matmulChain))(A), V.matmul_chain_jacrev_jacfwd, 1e-4);
    await expectClose(jit(jacrev(jacfwd(matmulChain)))(A), V.matmul_chain_jacrev_jacfwd, 1e-4);
    await expectClose(jacobian(matmulChain)(A), V.matmul_chain_jacobian);
    await expectClose(jacfwd(matmulChain)(A), V.matmul_chain_jacobian);
  });
  it('gather: grad and Hessian of a weighted sum of squares', async () => {
    const f = (x: Value) =>
      jnp.sum(
        gatherIdx(x, idx)
          .pow(2)
          .mul(jnp.arange(1, 5, null, { dtype: 'float32' })),
      );
    await expectClose(grad(f)(v5), V.take_sq_grad);
    await expectClose(hessian(f)(v5), V.take_sq_hessian);
    await expectClose(jit(hessian(f))(v5), V.take_sq_hessian);
  });
  it('sort, cumsum and top_k', async () => {
    const w5 = jnp.arange(1, 6, null, { dtype: 'float32' });
    await expectClose(grad((x: Value) => jnp.sum(lax.sort(x).mul(w5)))(v5), V.sort_w_grad);
    await expectClose(hessian((x: Value) => jnp.sum(lax.cumsum(x).pow(2)))(v5), V.cumsum_w_hessian);
    const topk = (x: Value) => jnp.sum(lax.topK(x, 3)[0].mul(arr([3, 2, 1])));
    await expectClose(grad(topk)(v5), V.topk_w_grad);
  });
  it('cumprod with zeros, cummax, reversed cummin', async () => {
    const p00 = arr(IN.p00);
    await expectClose(jacfwd((x: Value) => lax.cumprod(x))(p00), V.cumprod_jacobian);
    await expectClose(jacrev((x: Value) => lax.cumprod(x))(p00), V.cumprod_jacobian);
    await expectClose(hessian((x: Value) => jnp.sum(lax.cumprod(x)))(p00), V.cumprod_hessian_sum);
    await expectClose(jacfwd((x: Value) => lax.cummax(x))(v5), V.cummax_jacobian);
    await expectClose(jacrev((x: Value) => lax.cummin(x, { reverse: true }))(v5), V.cummin_rev_jacobian);
  });
  it('reduce_prod where the operand has zeros', async () => {
    const p0 = arr(IN.p0);
    const p00 = arr(IN.p00);
    const prod = (x: Value) => lax.reduceProd(x, [0]);
    await expectClose(grad(prod)(p0), V.prod_grad_one_zero);
    await expectClose(grad(prod)(p00), V.prod_grad_two_zeros);
    await expectClose(hessian(prod)(p0), V.prod_hessian_one_zero);
    await expectClose(jacfwd(jacfwd(prod))(p0), V.prod_hessian_one_zero);
  });
  it('digamma, lgamma second derivative and polygamma', async () => {
    const g3 = arr([0.5, 1.5, 3.0]);
    await expectClose(vmap(grad(lax.digamma))(g3), V.digamma_grad);
    await expectClose(vmap(grad(grad(lax.lgamma)))(g3), V.lgamma_hessian_diag);
    const pg = lax.polygamma(arr([1, 2, 3, 1, 2]), arr([0.5, 0.7, 1.5, -0.5, 3.2]));
    await expectClose(pg, V.polygamma_values);
    await expectClose(
      jit(lax.polygamma)(arr([1, 2, 3, 1, 2]), arr([0.5, 0.7, 1.5, -0.5, 3.2])),
      V.polygamma_values,
    );
    expect(pg.dtype.name).toBe('float32');
  });
  it('scatter, scatter-add, scatter-max and scatter-min Jacobians', async () => {
    const set = (x: Value, u: Value) => lax.scatter(x, sidx, u, scatterDn);
    const add = (x: Value, u: Value) => lax.scatterAdd(x, sidx, u, scatterDn);
    const max = (x: Value, u: Value) => lax.scatterMax(x, sidx, u, scatterDn);
    const min = (x: Value, u: Value) => lax.scatterMin(x, sidx, u, scatterDn);
    await expectClose(jacfwd(set, { argnums: 0 })(v5, u4), V.scatter_set_jac_x);
    await expectClose(jacfwd(set, { argnums: 1 })(v5, u4), V.scatter_set_jac_u);
    await expectClose(jacrev(set, { argnums: 1 })(v5, u4), V.scatter_set_jac_u);
    await expectClose(jacrev(add, { argnums: 1 })(v5, u4), V.scatter_add_jac_u);
    await expectClose(jacfwd(max, { argnums: 0 })(v5, u4), V.scatter_max_jac_x);
    await expectClose(jacfwd(max, { argnums: 1 })(v5, u4), V.scatter_max_jac_u);
    await expectClose(jacrev(max, { argnums: 1 })(v5, u4), V.scatter_max_jac_u);
    await expectClose(jacfwd(min, { argnums: 1 })(v5, u4), V.scatter_min_jac_u);
  });
  it('Rosenbrock gradient and Hessian, softmax Jacobian, logsumexp Hessian', async () => {
    const rx = arr(IN.rosen);
    const sx = arr(IN.softmax);
    const rosen = (x: Value) => {
      const n = x.shape[0];
      const a = lax.sliceInDim(x, 1, n);
      const b = lax.sliceInDim(x, 0, n - 1);
      return jnp.sum(a.sub(b.pow(2)).pow(2).mul(100).add(jnp.subtract(1, b).pow(2)));
    };
    const softmax = (x: Value) => {
      const e = jnp.exp(x.sub(jnp.max(x)));
      return e.div(jnp.sum(e));
    };
    const logsumexp = (x: Value) => {
      const m = jnp.max(x);
      return m.add(jnp.log(jnp.sum(jnp.exp(x.sub(m)))));
    };
    await expectClose(grad(rosen)(rx), V.rosen_grad);
    await expectClose(hessian(rosen)(rx), V.rosen_hessian, 1e-3);
    await expectClose(jacfwd(jacrev(rosen))(rx), V.rosen_hessian, 1e-3);
    await expectClose(jacobian(softmax)(sx), V.softmax_jacobian);
    await expectClose(jacfwd(softmax)(sx), V.softmax_jacobian);
    await expectClose(hessian(logsumexp)(sx), V.logsumexp_hessian, 1e-3);
  });
});

// ---- MLP per-example gradients -----------------------------------------------------------------

const mlpParams = (IN.mlp as unknown[]).map(arr);
function mlpLoss(params: Value[], x: Value, y: Value): Value {
  const [w1, b1, w2, b2] = params;
  const h = jnp.tanh(jnp.dot(x, w1).add(b1));
  const out = jnp.dot(h, w2).add(b2);
  return jnp.mean(out.sub(y).pow(2));
}

describe('per-example gradients of a small MLP', () => {
  const MX = arr(IN.MX);
  const MY = arr(IN.MY);
  const xs = lax.expandDims(MX, [1]);
  const ys = lax.expandDims(MY, [1]);
  const expected = V.mlp_per_example as unknown[];
  it('vmap(grad(loss)) matches JAX', async () => {
    const g = vmap(grad(mlpLoss), { inAxes: [null, 0, 0] })(mlpParams, xs, ys) as Value[];
    for (let k = 0; k < 4; k++) await expectClose(g[k], expected[k]);
  });
  it('jit(vmap(grad(loss))) matches, and each row is grad of that example', async () => {
    const g = jit(vmap(grad(mlpLoss), { inAxes: [null, 0, 0] }))(mlpParams, xs, ys) as Value[];
    for (let k = 0; k < 4; k++) await expectClose(g[k], expected[k]);
    const g2 = grad(mlpLoss)(mlpParams, lax.sliceInDim(xs, 2, 3), lax.sliceInDim(ys, 2, 3)) as Value[];
    await expectClose(g2[0], (expected[0] as unknown[])[2]);
  });
  it('valueAndGrad of the full-batch loss under jit', async () => {
    const [v, g] = jit(valueAndGrad(mlpLoss))(mlpParams, MX, MY) as [Value, Value[]];
    await expectClose(v, await (mlpLoss(mlpParams, MX, MY) as Arr).tolist());
    // The mean of per-example gradients is the full-batch gradient.
    const mean0 = jnp.mean(vmap(grad(mlpLoss), { inAxes: [null, 0, 0] })(mlpParams, xs, ys)[0], { axis: 0 });
    await expectClose(g[0], await (mean0 as Arr).tolist());
  });
});

// ---- checkGrads per primitive ------------------------------------------------------------------

type GCase = [string, (...a: Value[]) => Value, Value[], { order?: number; atol?: number; rtol?: number }?];
const x234 = ramp([2, 3, 4]);
const y423 = ramp([4, 2, 3], 0.29, 0.5);
const GRAD_CASES: GCase[] = [
  ['dot_general matmul', (a, b) => jnp.dot(a, b), [A, B]],
  [
    'dot_general contracting lhs 0 / rhs 1',
    (a, b) =>
      lax.dotGeneral(a, b, [
        [[0], [1]],
        [[], []],
      ]),
    [A, ramp([4, 2])],
  ],
  [
    'dot_general batched',
    (a, b) =>
      lax.dotGeneral(a, b, [
        [[2], [0]],
        [[0], [1]],
      ]),
    [x234, y423],
  ],
  [
    'dot_general two contracting dims',
    (a, b) =>
      lax.dotGeneral(a, b, [
        [
          [1, 2],
          [2, 0],
        ],
        [[0], [1]],
      ]),
    [x234, y423],
  ],
  [
    'dot_general outer product',
    (a, b) =>
      lax.dotGeneral(a, b, [
        [[], []],
        [[], []],
      ]),
    [v5, u4],
  ],
  ['gather (repeated indices)', (x) => gatherIdx(x, idx), [v5]],
  [
    'gather windows (CLIP)',
    (x) =>
      lax.gather(
        x,
        ints([[0], [2], [3]]),
        { offset_dims: [1], collapsed_slice_dims: [0], start_index_map: [0] },
        [1, 3],
        { mode: 'clip' },
      ),
    [ramp([4, 3])],
  ],
  [
    'gather FILL_OR_DROP out of bounds',
    (x) =>
      lax.gather(
        x,
        ints([[1], [7]]),
        { offset_dims: [], collapsed_slice_dims: [0], start_index_map: [0] },
        [1],
        {
          mode: 'fill',
          fillValue: 0.5,
        },
      ),
    [v5],
  ],
  ['scatter-add', (x, u) => lax.scatterAdd(x, sidx, u, scatterDn), [v5, u4]],
  ['scatter (repeated indices)', (x, u) => lax.scatter(x, sidx, u, scatterDn), [v5, u4]],
  [
    'scatter (unique indices)',
    (x, u) => lax.scatter(x, ints([[3], [0]]), u, scatterDn, { uniqueIndices: true }),
    [v5, arr([1.5, -2])],
  ],
  [
    'scatter-mul (unique indices)',
    (x, u) => lax.scatterMul(x, ints([[3], [0]]), u, scatterDn, { uniqueIndices: true }),
    [v5, arr([1.5, -2])],
  ],
  ['scatter-max', (x, u) => lax.scatterMax(x, sidx, u, scatterDn), [v5, u4]],
  ['scatter-min', (x, u) => lax.scatterMin(x, sidx, u, scatterDn), [v5, u4]],
  ['cumsum', (x) => lax.cumsum(x, { axis: 1 }), [x234]],
  ['cumsum reverse', (x) => lax.cumsum(x, { axis: 2, reverse: true }), [x234]],
  ['cumprod', (x) => lax.cumprod(x, { axis: 2 }), [x234]],
  ['cumprod reverse', (x) => lax.cumprod(x, { axis: 0, reverse: true }), [x234]],
  ['cummax', (x) => lax.cummax(x, { axis: 2 }), [x234]],
  ['cummin reverse', (x) => lax.cummin(x, { axis: 1, reverse: true }), [x234]],
  ['sort', (x) => lax.sort(x, { dimension: 1 }), [x234]],
  [
    'sort key/value',
    (k, v) => lax.sortKeyVal(k, v, { dimension: 2 })[1].mul(k),
    [x234, y423.reshape([2, 3, 4])],
  ],
  ['top_k', (x) => lax.topK(x, 2)[0], [x234]],
  ['top_k axis 0', (x) => lax.topK(x, 1, { axis: 0 })[0], [x234]],
  [
    'argmax (zero tangent) times x',
    (x) => x.mul(lax.convertElementType(lax.argmax(x, 1, 'int32'), 'float32').sum()),
    [x234],
  ],
  ['reduce_prod with a zero', (x) => lax.reduceProd(x, [0]), [arr([1.5, 0, -2, 3])]],
  ['reduce_prod two axes', (x) => lax.reduceProd(x, [0, 2]), [x234.mul(2)]],
  ['digamma', (x) => lax.digamma(x), [arr([0.5, 1.5, 3])]],
  ['polygamma(1, x)', (x) => lax.polygamma(arr([1, 1, 1]), x), [arr([0.5, 1.5, 3])], { rtol: 3e-2 }],
  ['lgamma (order 2)', (x) => lax.lgamma(x), [arr([0.5, 1.5, 3])]],
  ['dynamic_slice', (x) => lax.dynamicSlice(x, [1, 0], [2, 2]), [ramp([3, 4])]],
  ['dynamic_update_slice', (x, u) => lax.dynamicUpdateSlice(x, u, [1, 2]), [ramp([3, 4]), ramp([2, 2], 0.5)]],
];

describe('checkGrads (orders 1-2, forward and reverse)', () => {
  for (const [name, f, args, opts] of GRAD_CASES) {
    it(name, async () => {
      await checkGrads(f, args, { order: 2, modes: ['fwd', 'rev'], ...opts });
    });
  }
});

// ---- vmap against a loop ---------------------------------------------------------------------

interface BatchOpts {
  /** Float arguments: batch element i adds i * step (default 0.13). */
  step?: number;
  /** Integer arguments: batch element i is (x + i) % mod (default: the same x). */
  mod?: number;
}

/** x with a new batch dim of size n at `ax`, from n shifted copies (so elements differ). */
function batched(x: Value, n: number, ax: number, o: BatchOpts = {}): Value {
  const rows = Array.from({ length: n }, (_, i) => {
    if (x.dtype.isFloat) return x.add(i * (o.step ?? 0.13));
    return o.mod ? lax.rem(x.add(i), o.mod) : x;
  });
  return jnp.stack(rows, { axis: ax });
}

async function againstLoop(
  f: (...a: Value[]) => Value,
  args: Value[],
  axes: (number | null)[],
  n = 3,
): Promise<void> {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const a = args.map((x, k) => {
      const ax = axes[k];
      return ax === null ? x : lax.squeeze(lax.sliceInDim(x, i, i + 1, 1, ax), [ax]);
    });
    rows.push(f(...a));
  }
  const expected = await (jnp.stack(rows) as Arr).tolist();
  await expectClose(vmap(f, { inAxes: axes })(...args), expected, 1e-5);
  await expectClose(jit(vmap(f, { inAxes: axes }))(...args), expected, 1e-5);
}

type VCase = [string, (...a: Value[]) => Value, Value[], BatchOpts?];
const VMAP_CASES: VCase[] = [
  ['dot_general matmul', (a, b) => jnp.dot(a, b), [A, B]],
  [
    'dot_general batched',
    (a, b) =>
      lax.dotGeneral(a, b, [
        [[2], [0]],
        [[0], [1]],
      ]),
    [x234, y423],
  ],
  [
    'dot_general contracting lhs 0',
    (a, b) =>
      lax.dotGeneral(a, b, [
        [[0], [1]],
        [[], []],
      ]),
    [A, ramp([4, 2])],
  ],
  ['gather', (x, i) => gatherIdx(x, i), [v5, idx], { mod: 5 }],
  [
    'gather windows',
    (x, i) =>
      lax.gather(x, i, { offset_dims: [1], collapsed_slice_dims: [0], start_index_map: [0] }, [1, 3], {
        mode: 'clip',
      }),
    [ramp([4, 3]), ints([[0], [2], [3]])],
    { mod: 4 },
  ],
  [
    'scatter-add',
    (x, i, u) => lax.scatterAdd(x, lax.expandDims(i, [1]), u, scatterDn),
    [v5, idx, u4],
    { mod: 5 },
  ],
  [
    'scatter',
    (x, i, u) => lax.scatter(x, lax.expandDims(i, [1]), u, scatterDn),
    [v5, ints([0, 3, 1, 4]), u4],
    { mod: 5 },
  ],
  [
    'scatter-max',
    (x, i, u) => lax.scatterMax(x, lax.expandDims(i, [1]), u, scatterDn),
    [v5, idx, u4],
    { mod: 5 },
  ],
  ['cumsum', (x) => lax.cumsum(x, { axis: 1 }), [x234]],
  ['cumprod', (x) => lax.cumprod(x, { axis: 0, reverse: true }), [x234]],
  ['cummax', (x) => lax.cummax(x, { axis: 2 }), [x234]],
  ['argmax', (x) => lax.argmax(x, 1, 'int32'), [x234]],
  ['argmin', (x) => lax.argmin(x, 0, 'int32'), [x234]],
  ['sort', (x) => lax.sort(x, { dimension: 1 }), [x234]],
  ['sort key/value', (k, v) => lax.sortKeyVal(k, v, { dimension: 0 })[1], [x234, y423.reshape([2, 3, 4])]],
  ['top_k', (x) => lax.topK(x, 2)[0], [x234]],
  ['top_k indices', (x) => lax.topK(x, 2, { axis: 0 })[1], [x234]],
  ['polygamma', (m, x) => lax.polygamma(m, x), [arr([1, 2, 1]), arr([0.5, 1.5, 3])], { step: 1 }],
  [
    'dynamic_slice',
    (x, i, j) => lax.dynamicSlice(x, [i, j], [2, 2]),
    [ramp([4, 5]), ints(1), ints(2)],
    { mod: 4 },
  ],
  [
    'dynamic_update_slice',
    (x, u, i, j) => lax.dynamicUpdateSlice(x, u, [i, j]),
    [ramp([4, 5]), ramp([2, 3], 0.7), ints(1), ints(3)],
    { mod: 4 },
  ],
];

describe('vmap of each primitive matches a loop (every batch axis, eager and jit)', () => {
  for (const [name, f, args, bo] of VMAP_CASES) {
    // Each argument batched alone at each of its axes, then all batched at axis 0.
    args.forEach((a, k) => {
      for (let ax = 0; ax <= a.ndim; ax++) {
        it(`${name}: argument ${k} at axis ${ax}`, async () => {
          const bs = args.map((x, j) => (j === k ? batched(x, 3, ax, bo) : x));
          await againstLoop(
            f,
            bs,
            args.map((_, j) => (j === k ? ax : null)),
          );
        });
      }
    });
    if (args.length > 1) {
      it(`${name}: all arguments at axis 0`, async () => {
        const bs = args.map((x) => batched(x, 3, 0, bo));
        await againstLoop(
          f,
          bs,
          args.map(() => 0),
        );
      });
    }
  }
  it('dynamic_slice with batched indices is a gather, not a loop', () => {
    const f = vmap((x: Value, i: Value) => lax.dynamicSlice(x, [i], [2]), { inAxes: [null, 0] });
    const text = String(makeJaxpr(f)(v5, ints([0, 1, 3])));
    expect(text).toContain('gather[');
    expect(text).not.toContain('concatenate[dimension=0]');
    const g = vmap((x: Value, i: Value) => lax.dynamicUpdateSlice(x, arr([9, 9]), [i]), {
      inAxes: [null, 0],
    });
    expect(String(makeJaxpr(g)(v5, ints([0, 1, 4])))).toContain('scatter[');
  });
  it('vmap of dot_general stays one contraction', () => {
    const text = String(makeJaxpr(vmap((a: Value, b: Value) => jnp.dot(a, b)))(x234, ramp([2, 4, 5])));
    expect(text.match(/dot_general/g)?.length).toBe(1);
    expect(text).toContain('dimension_numbers=(([2], [1]), ([0], [0]))');
  });
});

// ---- printed programs --------------------------------------------------------------------------

describe('grad programs print as in JAX', () => {
  it('grad of sum(dot(a, b))', () => {
    const f = grad((a: Value, b: Value) => jnp.sum(jnp.dot(a, b)), { argnums: [0, 1] });
    expect(String(makeJaxpr(f)(A, B))).toBe(jaxprOf('grad_dot'));
  });
  it('grad of digamma', () => {
    expect(String(makeJaxpr(grad(lax.digamma))(arr(1)))).toBe(jaxprOf('grad_digamma'));
  });
  it('grad of sum(cumsum(x)) transposes to a reversed cumsum', () => {
    const f = grad((x: Value) => jnp.sum(jnp.cumsum(x)));
    expect(String(makeJaxpr(f)(v5))).toBe(jaxprOf('grad_cumsum'));
  });
  it('grad of sort gathers by the permutation and transposes to scatter-add', () => {
    const f = grad((x: Value) => jnp.sum(jnp.sort(x).mul(2)));
    expect(String(makeJaxpr(f)(v5))).toBe(jaxprOf('grad_sort'));
  });
  it('grad of x[idx] is a scatter-add into zeros', () => {
    const f = grad((x: Value) => jnp.sum(jnp.getitem(x, idx)));
    expect(String(makeJaxpr(f)(v5))).toBe(jaxprOf('grad_take'));
  });
});

describe('integer outputs, errors and dtypes', () => {
  it('top_k: tangents of the values are gathered, indices and argmax have float0 tangents', async () => {
    const t = jnp.arange(5, null, null, { dtype: 'float32' });
    const [[vals, ids], [tv, ti]] = jvp((x: Value) => lax.topK(x, 2), [v5], [t]) as [Value[], unknown[]];
    await expectClose(vals, [2.0, 0.7]);
    expect(await (ids as Arr).tolist()).toEqual([2, 3]);
    await expectClose(tv as Value, [2, 3]);
    expect(String(ti)).toContain('float0');
    const [, ta] = jvp((x: Value) => lax.argmax(x, 0, 'int32'), [v5], [t]);
    expect(String(ta)).toContain('float0');
  });
  it('scatter-mul in the updates needs unique indices (JAX text)', () => {
    const f = (u: Value) => lax.scatterMul(v5, sidx, u, scatterDn);
    expect(() => jvp(f, [u4], [u4])).toThrow(
      'scatter_mul gradients are only implemented if `unique_indices=True`',
    );
  });
  it('polygamma: float dtypes, weak types, NaN for non-integer order, poles as JAX', async () => {
    const y = lax.polygamma(arr([1, 0.5, 2, 1]), arr([2, 2, 0, -2]));
    expect(y.dtype.name).toBe('float32');
    expect(y.weakType).toBe(false);
    const got = (await (y as Arr).tolist()) as number[];
    expect(got[0]).toBeCloseTo(0.644934, 5);
    expect(Number.isNaN(got[1])).toBe(true);
    expect(Number.isNaN(got[2])).toBe(true);
    expect(got[3]).toBe(Number.POSITIVE_INFINITY);
    expect(() => lax.polygamma(ints([1]), ints([2]))).toThrow(
      'polygamma does not accept dtype int32 at position 0. Accepted dtypes at position 0 are subtypes of floating.',
    );
  });
});
