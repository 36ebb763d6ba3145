/**
 * @file Complex NPY files: NumPy-written `<c8`, `<c16`, `>c8`, `>c16`, Fortran-ordered, 0-d and
 * special values read through src/format/npy.ts and io.load, written back byte for byte as
 * numpy.save writes them, and NPZ round trips through io.save/io.load.
 *
 * Files and values: fixtures/complex/npy/*.npy and npy.json, made by fixtures/make_complex.py with
 * numpy.save.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { complex, config, io, numpy as jnp } from '../../../src/engine/index.js';
import { readNpy, writeNpy } from '../../../src/format/npy.js';
import { expectClose, fixture, fixturePath, flat } from './helpers.js';

const { files } = fixture('npy.json');

describe('complex NPY', () => {
  for (const [name, f] of Object.entries<any>(files)) {
    it(`reads ${name} (${f.dtype})`, () => {
      const a = readNpy(new Uint8Array(readFileSync(fixturePath('npy', `${name}.npy`))), name);
      expect(a.dtype).toBe(f.dtype);
      expect(a.shape).toEqual(f.shape);
      const want = flat(f.value);
      expect(Array.from(a.data as Float32Array)).toEqual(
        want.map((v) => (f.dtype === 'complex64' ? Math.fround(v) : v)),
      );
    });
  }
  it('writes the bytes numpy.save writes (little-endian, C order)', () => {
    for (const name of ['c8_le', 'c16_le', 'c8_0d', 'c8_special']) {
      const bytes = new Uint8Array(readFileSync(fixturePath('npy', `${name}.npy`)));
      expect(Buffer.from(writeNpy(readNpy(bytes, name))).equals(Buffer.from(bytes))).toBe(true);
    }
  });
  it('io.load narrows complex128 to complex64 without x64, keeps it with x64', async () => {
    const path = fixturePath('npy', 'c16_be.npy');
    const x = (await io.load(path)) as any;
    await expectClose(x, { ...files.c16_be, dtype: 'complex64' });
    // withConfig is synchronous: set x64 around the awaited load.
    config.enableX64 = true;
    try {
      const y = (await io.load(path)) as any;
      expect(y.dtype.name).toBe('complex128');
      await expectClose(y, files.c16_be, { rtol: 0, atol: 0 });
    } finally {
      config.enableX64 = false;
    }
  });
  it('io.save / io.load round-trip complex trees through NPZ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-complex-'));
    const z = jnp.array([complex(1, 2), complex(-0.5, 0.25)]);
    await io.save(join(dir, 'z.npz'), { a: { z }, b: jnp.arange(3) });
    const back = (await io.load(join(dir, 'z.npz'))) as any;
    expect(await back.a.z.tolist()).toEqual(await z.tolist());
    await io.save(join(dir, 'z.npy'), z);
    const bytes = new Uint8Array(readFileSync(join(dir, 'z.npy')));
    expect(readNpy(bytes, 'z.npy').dtype).toBe('complex64');
  });
});
