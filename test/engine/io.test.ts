/**
 * @file The io namespace: pytrees to and from NPY/NPZ (round trips, NumPy-written files, flattened
 * path keys, prototype-named keys, x64 narrowing) and PNG pictures of arrays (read back with pngjs
 * and checked pixel by pixel).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { io, numpy as jnp, type Array as TArray, withConfig } from '../../src/engine/index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'tjax-io-'));
const values = async (x: unknown) => Array.from((await (x as TArray).data()) as ArrayLike<number>);

describe('io.save / io.load', () => {
  it('round-trips one array through .npy and a tree through .npz', async () => {
    const d = dir();
    const x = jnp.arange(6, null, null, { dtype: 'float32' }).reshape([2, 3]);
    await io.save(join(d, 'x.npy'), x);
    const back = (await io.load(join(d, 'x.npy'))) as TArray;
    expect([back.dtype.name, back.shape]).toEqual(['float32', [2, 3]]);
    expect(await values(back)).toEqual([0, 1, 2, 3, 4, 5]);

    const tree = {
      params: { Dense_0: { kernel: x, bias: jnp.zeros([3]) } },
      layers: [jnp.ones([2], { dtype: 'int32' })],
      step: 3,
    };
    await io.save(join(d, 't.npz'), tree);
    const t = (await io.load(join(d, 't.npz'))) as any;
    expect(Object.keys(t).sort()).toEqual(['layers', 'params', 'step']);
    expect(await values(t.params.Dense_0.kernel)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await values(t.layers['0'])).toEqual([1, 1]);
    expect(t.layers['0'].dtype.name).toBe('int32');
    expect(await values(t.step)).toEqual([3]);
  });

  it('loads into the structure of a target tree (like), as a checkpoint of an optimizer state', async () => {
    const d = dir();
    const params = { w: jnp.ones([2, 2]), b: jnp.zeros([2]) };
    const state = {
      params,
      opt: [{ count: jnp.asarray(2, { dtype: 'int32' }), mu: params }, []],
      step: jnp.asarray(5),
    };
    await io.save(join(d, 's.npz'), state);
    const plain = (await io.load(join(d, 's.npz'))) as any;
    expect(Array.isArray(plain.opt)).toBe(false); // an NPZ file keeps leaves, not lists or empty nodes
    const fresh = {
      params,
      opt: [{ count: jnp.asarray(0, { dtype: 'int32' }), mu: params }, []],
      step: jnp.asarray(0),
    };
    const back = (await io.load(join(d, 's.npz'), { like: fresh })) as any;
    expect(Array.isArray(back.opt) && back.opt.length === 2 && Array.isArray(back.opt[1])).toBe(true);
    expect(await values(back.opt[0].count)).toEqual([2]);
    expect(await values(back.step)).toEqual([5]);
    expect(await values(back.params.w)).toEqual([1, 1, 1, 1]);

    await expect(io.load(join(d, 's.npz'), { like: { ...fresh, extra: jnp.zeros([1]) } })).rejects.toThrow(
      "has no member 'extra'",
    );
    await expect(
      io.load(join(d, 's.npz'), { like: { ...fresh, params: { w: jnp.ones([3]), b: params.b } } }),
    ).rejects.toThrow("member 'params/w' of");
    await expect(io.load(join(d, 's.npz'), { like: { params, opt: fresh.opt } })).rejects.toThrow(
      'members the target tree lacks: step',
    );
  });

  it('keeps keys named like Object members', async () => {
    const d = dir();
    const tree = JSON.parse('{"__proto__": {"constructor": 1}, "toString": 2}');
    const mapped = { ...tree };
    Object.defineProperty(mapped, '__proto__', { value: { constructor: jnp.asarray(1) }, enumerable: true });
    mapped.toString = jnp.asarray(2);
    await io.save(join(d, 'p.npz'), mapped);
    const back = (await io.load(join(d, 'p.npz'))) as any;
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'toString']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(await values(Object.getOwnPropertyDescriptor(back, '__proto__')!.value.constructor)).toEqual([1]);
  });

  it('reads an NPZ file numpy.savez wrote (a flax checkpoint) by its paths', async () => {
    const v = (await io.load('fixtures/linen/mlp_flax.npz')) as any;
    expect(Object.keys(v.params).length).toBeGreaterThan(0);
    for (const leaf of Object.values(v.params.Dense_0 ?? {}))
      expect((leaf as TArray).dtype.name).toBe('float32');
  });

  it('narrows 64-bit data as astype does when x64 is off, and keeps it when on', async () => {
    const d = dir();
    const big = withConfig({ enableX64: true }, () => jnp.asarray([2n ** 63n - 1n, 5n], { dtype: 'int64' }));
    await withConfig({ enableX64: true }, () => io.save(join(d, 'i.npy'), big));
    const narrow = (await io.load(join(d, 'i.npy'))) as TArray;
    expect(narrow.dtype.name).toBe('int32');
    expect(await values(narrow)).toEqual([-1, 5]);
  });

  it('says which format it needs', async () => {
    await expect(io.save(join(dir(), 'x.txt'), jnp.ones([2]))).rejects.toThrow(
      /use a \.npy \(one array\) or \.npz/,
    );
    await expect(io.save(join(dir(), 'x.npy'), { a: jnp.ones([2]) })).rejects.toThrow(
      /a \.npy file holds one array/,
    );
  });
});

function readPng(path: string): PNG {
  return PNG.sync.read(readFileSync(path));
}
const pixel = (png: PNG, x: number, y: number) =>
  Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));

describe('io.savePng', () => {
  it('lays images out in a grid, scaled, clipped to the range', async () => {
    const p = join(dir(), 'g.png');
    // Two 2x2 images: a diagonal and its complement; 2 is clipped to white.
    const imgs = jnp.asarray([
      [
        [0, 1],
        [1, 0],
      ],
      [
        [2, 0],
        [0, 1],
      ],
    ]);
    await io.savePng(p, imgs, { grid: [1, 2], pad: 1, scale: 2 });
    const png = readPng(p);
    expect([png.width, png.height]).toEqual([1 + 2 * (4 + 1), 1 + 4 + 1]);
    expect(pixel(png, 1, 1)).toEqual([0, 0, 0]); // image 0, (0, 0)
    expect(pixel(png, 3, 1)).toEqual([255, 255, 255]); // image 0, (0, 1)
    expect(pixel(png, 6, 1)).toEqual([255, 255, 255]); // image 1, (0, 0) = 2 clipped
    expect(pixel(png, 0, 0)).toEqual([128, 128, 128]); // padding
  });

  it('takes RGB images and uint8 values', async () => {
    const p = join(dir(), 'c.png');
    await io.savePng(p, jnp.asarray([[[255, 0, 0]]], { dtype: 'uint8' }), { pad: 0 });
    expect(pixel(readPng(p), 0, 0)).toEqual([255, 0, 0]);
  });
});

describe('io.scatterPng', () => {
  it('draws points in red over target points in blue', async () => {
    const p = join(dir(), 's.png');
    const range: [[number, number], [number, number]] = [
      [-1, 1],
      [-1, 1],
    ];
    await io.scatterPng(p, jnp.asarray([[0.5, 0.5]]), {
      target: jnp.asarray([[-0.5, -0.5]]),
      size: 101,
      range,
      radius: 2,
    });
    const png = readPng(p);
    expect([png.width, png.height]).toEqual([101, 101]);
    const red = pixel(png, 75, 25);
    const blue = pixel(png, 25, 75);
    expect(red[0]! > 200 && red[2]! < 150).toBe(true);
    expect(blue[2]! > 200 && blue[0]! < 150).toBe(true);
    expect(pixel(png, 90, 10)).toEqual([255, 255, 255]);
  });

  it('wants [N, 2] points', async () => {
    await expect(io.scatterPng(join(dir(), 'x.png'), jnp.ones([3]))).rejects.toThrow(
      /must have shape \[N, 2\]/,
    );
  });
});
