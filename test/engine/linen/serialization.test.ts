/**
 * @file Variables to and from NPZ by flattened paths: a checkpoint flax wrote
 * (fixtures/linen/mlp_flax.npz: `numpy.savez(path, **flatten_dict(variables, sep='/'))` in
 * fixtures/make_linen.py) loads into tjax and gives flax's outputs; tjax's own files round-trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { numpy as jnp, linen, random, type Value } from '../../../src/engine/index.js';
import { expectArray, fx, input, MLP } from './fixture.js';

const ckptPath = fileURLToPath(new URL('../../../fixtures/linen/mlp_flax.npz', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tjax-linen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('linen.loadVariables / saveVariables', () => {
  it("a flax checkpoint saved with numpy.savez loads and gives flax's outputs", async () => {
    const v = await linen.loadVariables(ckptPath);
    expect(Object.keys(v).sort()).toEqual(['batch_stats', 'params']);
    expect(Object.keys(v.params).sort()).toEqual([
      'BatchNorm_0',
      'BatchNorm_1',
      'Dense_0',
      'Dense_1',
      'Dense_2',
    ]);
    const y = new MLP([6, 5, 3]).apply(v, input(fx.mlp.ckpt_x), { train: false });
    await expectArray(y, fx.mlp.ckpt_eval_y, 1e-5);
  });

  it('save then load gives back the same tree, dtypes and values', async () => {
    const v = new MLP([6, 5, 3]).init(random.key(0), jnp.ones([2, 4]), { train: false });
    const withInt = { ...v, counters: { step: jnp.array(7, { dtype: 'int32' }) } };
    const path = join(dir, 'vars.npz');
    await linen.saveVariables(path, withInt);
    const back = await linen.loadVariables(path);
    const a = linen.flattenDict(withInt);
    const b = linen.flattenDict(back);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, x] of a) {
      const y = b.get(k) as Value;
      expect(y.dtype.name, k).toBe((x as Value).dtype.name);
      expect(await y.tolist(), k).toEqual(await (x as Value).tolist());
    }
  });

  it('flattenDict / unflattenDict by path', () => {
    const tree = { params: { Dense_0: { kernel: 1, bias: 2 } }, batch_stats: { m: 3 } };
    const flat = linen.flattenDict(tree);
    expect([...flat.keys()]).toEqual(['params/Dense_0/kernel', 'params/Dense_0/bias', 'batch_stats/m']);
    expect(linen.unflattenDict(flat)).toEqual(tree);
    expect([...linen.flattenDict(tree, { sep: '.' }).keys()][0]).toBe('params.Dense_0.kernel');
  });
});
