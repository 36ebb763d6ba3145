/**
 * @file The argument binder (src/engine/signature/) in the library's form: every namespace function
 * is bound against its JAX 0.10.2 signature (fixtures/signatures.json), so a typo'd option, an extra
 * argument or a missing one raises Python's TypeError with JAX's names, positional arguments go where
 * Python puts them, and a call in the JS form runs as before. Messages are CPython 3.11's
 * (`initialize_locals` in ceval.c), checked against JAX for the same calls in
 * fixtures/calls.json (test/expr/calls.test.ts). Also: the generated tables are current, and the
 * functions with no JAX signature are listed, so the gaps stay visible.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/engine/index.js';
import {
  ConcretizationTypeError,
  grad,
  jit,
  numpy as jnp,
  lax,
  linen,
  makeJaxpr,
  nn,
  random,
  scipy,
  vjp,
} from '../../src/engine/index.js';
import { unsignedFunctions } from '../../src/engine/signature/index.js';

const x = jnp.array([1, 2, 3], { dtype: 'float32' });
const m = jnp.array(
  [
    [0, 1, 2],
    [3, 4, 5],
  ],
  { dtype: 'float32' },
);
const any = (f: unknown) => f as (...a: unknown[]) => Value;
const list = (v: unknown) => (v as { tolist(): Promise<unknown> }).tolist();

describe('Python errors, JAX names', () => {
  it('an unknown option is a TypeError naming it, with the likely one (library spelling)', () => {
    expect(() => any(jnp.sum)(x, { axs: 0 })).toThrow(
      new TypeError("sum() got an unexpected keyword argument 'axs'. Did you mean 'axis'?"),
    );
    expect(() => any(jnp.mean)(x, { keepDims: true })).toThrow(
      "mean() got an unexpected keyword argument 'keepDims'. Did you mean 'keepdims'?",
    );
    expect(() => any(jnp.argsort)(x, { desending: true })).toThrow("Did you mean 'descending'?");
    expect(() => any(jnp.sum)(x, { blah: 1 })).toThrow(/^sum\(\) got an unexpected keyword argument 'blah'$/);
  });

  it('too many, missing, positional-only by keyword, given twice', () => {
    expect(() => any(jnp.sin)(x, x, x)).toThrow(
      new TypeError('sin() takes 1 positional argument but 3 were given'),
    );
    expect(() => any(jnp.add)(x, x, x)).toThrow('add() takes 2 positional arguments but 3 were given');
    expect(() => any(jnp.linspace)()).toThrow(
      "linspace() missing 2 required positional arguments: 'start' and 'stop'",
    );
    expect(() => any(jnp.isclose)()).toThrow(
      "isclose() missing 2 required positional arguments: 'a' and 'b'",
    );
    expect(() => any(random.split)(random.key(0), 2, 3)).toThrow(
      'split() takes from 1 to 2 positional arguments but 3 were given',
    );
    expect(() => any(jnp.sum)(x, 0, { axis: 0 })).toThrow("sum() got multiple values for argument 'axis'");
    expect(() => any(jnp.clip)({ arr: x })).toThrow(
      "clip() got some positional-only arguments passed as keyword arguments: 'arr'",
    );
    // Keyword-only arguments given along with too many positional ones: CPython's longer wording.
    expect(() => any(jnp.argsort)(x, -1, 5, { stable: true })).toThrow(
      'argsort() takes from 1 to 2 positional arguments but 3 positional arguments (and 1 keyword-only argument) were given',
    );
  });

  it('the transformations check their options too', () => {
    expect(() => any(jit)((v: Value) => v, { staticArgnum: 0 })).toThrow(
      "jit() got an unexpected keyword argument 'staticArgnum'. Did you mean 'staticArgnums'?",
    );
    expect(() => any(grad)((v: Value) => v, { argnum: 1 })).toThrow(
      "grad() got an unexpected keyword argument 'argnum'. Did you mean 'argnums'?",
    );
    expect(() => any(makeJaxpr)((v: Value) => v, { staticArgnum: 0 })).toThrow('make_jaxpr()');
  });

  it('array methods bind as the functions do', () => {
    expect(() => (x.sum as any)({ axs: 0 })).toThrow("sum() got an unexpected keyword argument 'axs'");
    expect(() => (x.argmax as any)({ axis: 0, keepdim: true })).toThrow(
      "argmax() got an unexpected keyword argument 'keepdim'",
    );
  });

  it('a JAX argument tjax does not implement raises NotImplementedError, unless at its default', async () => {
    expect(await list(jnp.sum(x, { promoteIntegers: true } as never))).toBe(6);
    let err: unknown;
    try {
      jnp.sum(x, { promoteIntegers: false } as never);
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).toBe('NotImplementedError');
    expect((err as Error).message).toBe("The 'promote_integers' argument to jnp.sum is not supported.");
    expect(() => any(jnp.round)(x, 1, x)).toThrow("The 'out' argument to jnp.round is not supported.");
    expect(await list(any(jnp.round)(x, 0, null))).toEqual([1, 2, 3]);
  });

  it('values are checked by JAX annotation and by name', () => {
    expect(() => any(jnp.round)(x, 'a')).toThrow("'str' object cannot be interpreted as an integer");
    expect(() => any(jnp.zeros)('3')).toThrow(
      "Shapes must be 1D sequences of concrete values of integer type, got ('3',).",
    );
    expect(() => any(jnp.sort)(x, { kind: 'quicksort' })).toThrow(
      "'kind' argument to sort is not supported. Use stable=True or stable=False to specify sort stability.",
    );
    expect(() => any(nn.gelu)(x, 'yes')).toThrow(
      "gelu() argument 'approximate' must be True or False, got 'yes'",
    );
    expect(() => any(jnp.zeros)(3, { dtype: 'float33' })).toThrow("data type 'float33' not understood");
    expect(() => any(jnp.dot)(x, x, { precision: 'best' })).toThrow(/^Precision argument must be one of:\n/);
    expect(() => any(jnp.zeros)(3, { device: 'tpu' })).toThrow(/Unknown backend: 'tpu'/);
    expect(() => any(jnp.sin)('a')).toThrow(
      "sin requires ndarray or scalar arguments, got <class 'str'> at position 0.",
    );
    expect(() => any(lax.sin)([1, 2])).toThrow(
      "Error interpreting argument to sin as a JAX value. The problematic value is of type <class 'tuple'> and was passed to sin at position 0.",
    );
    expect(() => any(jnp.concatenate)(2.5)).toThrow('Value after * must be an iterable, not float');
  });

  it('a concrete integer array is a number where a number is wanted; a traced one is not', async () => {
    expect(await list(jnp.sum(m, { axis: jnp.array(0) as never }))).toEqual([3, 5, 7]);
    expect(await list(jnp.zeros(jnp.array([2]) as never))).toEqual([0, 0]);
    expect(() => jit((a: Value) => jnp.sum(m, { axis: a as never }))(0)).toThrow(ConcretizationTypeError);
  });
});

describe('calls in the JS form, and Python’s ways', () => {
  it('extra positional arguments go where Python puts them', async () => {
    expect(await list(any(jnp.sum)(m, 0))).toEqual([3, 5, 7]);
    expect(await list(any(jnp.sum)(m, 1, null, null, true))).toEqual([[3], [12]]);
    expect(await list(any(lax.cumsum)(m, 1))).toEqual([
      [0, 1, 3],
      [3, 7, 12],
    ]);
    expect(await list(any(jnp.diagonal)(jnp.eye(3), 1))).toEqual([0, 0]);
  });

  it('keywords may name positional parameters, in camelCase or as JAX spells them', async () => {
    expect(await list(any(jnp.linspace)(0, 1, { num: 3 }))).toEqual([0, 0.5, 1]);
    expect(await list(any(jnp.linspace)(0, 1, { num: 3, endpoint: false }))).toHaveLength(3);
    expect(await list(any(random.normal)(random.key(0), [2], { dtype: 'float16' }))).toHaveLength(2);
    expect((any(jnp.zeros)(2, { dtype: 'int32' }) as Value).dtype.name).toBe('int32');
  });

  it('a dict of data is not an options object where JAX takes a pytree', async () => {
    const out = lax.foriLoop(0, 2, (_i: Value, c: { a: Value }) => ({ a: c.a.add(1) }), { a: x });
    expect(await list(out.a)).toEqual([3, 4, 5]);
    const [carry] = lax.scan((c: Value, v: Value) => [c.add(v), c], jnp.zeros([]), x);
    expect(await list(carry)).toBe(6);
    const [, ys] = lax.scan((c: Value, v: { a: Value }) => [c, v.a], jnp.zeros([]), { a: x });
    expect(await list(ys)).toEqual([1, 2, 3]);
  });

  it("tjax's own positional parameters and rest forms with options", async () => {
    expect(lax.convertElementType(1, 'float32', true).weakType).toBe(true);
    expect(await list(jnp.linalg.tensordot(m, m.T, 1))).toEqual([
      [5, 14],
      [14, 50],
    ]);
    expect(() => any(jnp.linalg.tensordot)(m, m.T, 1, 2)).toThrow('tensordot()');
    expect(await list(jnp.einsum('i,i', x, x, { precision: 'highest' } as never))).toBe(14);
    expect(() => jnp.einsum('i,i', x, x, { precison: 'highest' } as never)).toThrow(
      "einsum() got an unexpected keyword argument 'precison'",
    );
    const [, , aux] = vjp((v: Value) => [v.mul(2), v], x, { hasAux: true } as never) as unknown[];
    expect(await list(aux)).toEqual([1, 2, 3]);
    expect(Number(await list(scipy.stats.norm.logpdf(1, { scale: 2 })))).toBeCloseTo(-1.7370857, 6);
    const [nz] = jnp.where(jnp.array([0, 1, 1]), null, null, { size: 3, fillValue: -1 });
    expect(await list(nz)).toEqual([1, 2, -1]);
  });

  it('a bound function is recognised as the one it wraps (reduce_window with lax.add)', () => {
    const y = jnp.ones([1, 4, 1]);
    const text = String(
      makeJaxpr((v: Value) => lax.reduceWindow(v, 0, lax.add, [1, 2, 1], [1, 1, 1], 'VALID'))(y),
    );
    expect(text).toContain('reduce_window_sum');
    expect(String(makeJaxpr((v: Value) => linen.pool(v, 0, lax.add, [2], [1], 'VALID'))(y))).toContain(
      'reduce_window_sum',
    );
  });
});

describe('JAX names', () => {
  it('the library has the JAX names of functions it has under other names', async () => {
    const g = grad((v: Value) => jnp.sum(lax.stopGradient(v).mul(v)));
    expect(await list(g(x))).toEqual([1, 2, 3]);
    expect(await list(jnp.acos(jnp.array([1], { dtype: 'float32' })))).toEqual([0]);
    expect(await list(jnp.pow(x, 2))).toEqual([1, 4, 9]);
    expect(await list(jnp.bitwise_invert(jnp.array([0], { dtype: 'int32' })))).toEqual([-1]);
    expect(await list(nn.hardSwish(jnp.array([3], { dtype: 'float32' })))).toEqual([3]);
    expect(await list(nn.identity(x))).toEqual([1, 2, 3]);
    expect(await list(lax.batchMatmul(m.reshape(1, 2, 3), m.T.reshape(1, 3, 2)))).toEqual([
      [
        [5, 14],
        [14, 50],
      ],
    ]);
    expect(() => lax.batchMatmul(x, x)).toThrow('Arguments to batch_matmul must be at least 2D, got 1, 1');
  });
});

describe('the generated tables', () => {
  it('are what scripts/make-signatures.mjs makes from the fixture and the declarations', async () => {
    const { generateAll } = await import('../../scripts/make-signatures.mjs');
    for (const [path, text] of generateAll() as [string, string][])
      expect(
        readFileSync(path, 'utf8') === text,
        `${path} is stale: run node scripts/make-signatures.mjs`,
      ).toBe(true);
  }, 120_000);

  it('list the namespace functions with no JAX signature (tjax-only, or not in JAX 0.10.2)', () => {
    // A function added later with a JAX name shows up here until the tables are regenerated.
    expect(unsignedFunctions()).toEqual([
      'lax.canonicalizePrecision',
      'lax.convTransposePadding',
      'lax.linalg.batchMatmul',
      'lax.linalg.eyeMatrix',
      'lax.linalg.mT',
      'lax.linalg.symmetrize',
      'lax.linalg.tril',
      'lax.linalg.triu',
      'linen.addBias',
      'linen.canonicalizeDtype',
      'linen.canonicalizePadding',
      'linen.defaultEmbedInit',
      'linen.defaultKernelInit',
      'linen.flattenDict',
      'linen.initializers.computeFans',
      'linen.loadVariables',
      'linen.promoteDtype',
      'linen.saveVariables',
      'linen.unflattenDict',
      'linen.variablesFromNpz',
      'linen.variablesToNpz',
      'nn.initializers.computeFans',
      'numpy.atGet',
      'numpy.atUpdate',
      'numpy.dtype',
      'numpy.finfo',
      'numpy.float_',
      'numpy.getitem',
      'numpy.iinfo',
      'numpy.productType',
      'numpy.row_stack',
      'numpy.rsqrt',
      'numpy.sl',
      'numpy.stackHook.stack',
      'numpy.tileToSize',
      'random.isKeyArray',
      'scipy.divergences.klNormal',
      'scipy.divergences.kl_div',
      'scipy.divergences.kl_normal',
      'scipy.divergences.rel_entr',
      'scipy.divergences.slicedWassersteinDistance',
      'scipy.divergences.sliced_wasserstein_distance',
      'scipy.divergences.wassersteinDistance',
      'scipy.divergences.wasserstein_distance',
      'scipy.special.prep',
      'scipy.special.xMinusLog1p',
      'scipy.stats.gaussian_kde',
      'scipy.stats.mode',
      'scipy.stats.rankdata',
      'scipy.stats.sem',
      'scipy.stats.wassersteinDistance',
      'scipy.stats.wasserstein_distance',
      'tree.registerPytreeNode',
    ]);
  });
});
