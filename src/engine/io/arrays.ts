/**
 * @file `io.save(path, tree)` and `io.load(path)`: arrays and pytrees of them in NumPy's files. A
 * `.npy` file holds one array; a `.npz` file holds a tree, one member per leaf named by its path
 * (`params/Dense_0/kernel`, see paths.ts), as `numpy.savez(path, **flatten_dict(tree, sep='/'))`
 * writes it, so trees move between JAX and tjax programs. Files are written atomically (a failed
 * write leaves the old file). The codecs live in src/format and load when a file is touched.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isValue } from '../core/coerce.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import { hostToValue, valueToHost } from './host.js';
import { flattenPaths, unflattenPaths } from './paths.js';

function kindOf(path: string): 'npy' | 'npz' {
  const e = extname(path).toLowerCase();
  if (e === '.npy' || e === '.npz') return e.slice(1) as 'npy' | 'npz';
  throw new Error(`io: cannot tell the format of '${path}': use a .npy (one array) or .npz (a tree) file`);
}

const asValue = (leaf: unknown): Value => (isValue(leaf) ? leaf : (jnp.asarray(leaf as never) as Value));

/** The bytes of `tree` in NPY (a single array) or NPZ (a tree, by paths) form. */
export async function encode(tree: unknown, format: 'npy' | 'npz'): Promise<Uint8Array> {
  if (format === 'npy') {
    if (!isValue(tree)) throw new Error('io.save: a .npy file holds one array; save a tree to a .npz file');
    const { writeNpy } = await import('../../format/npy.js');
    return writeNpy((await valueToHost(tree)) as never);
  }
  const { writeNpz } = await import('../../format/npz.js');
  const members = new Map<string, unknown>();
  for (const [path, leaf] of flattenPaths(isValue(tree) ? { arr_0: tree } : tree))
    members.set(path, await valueToHost(asValue(leaf)));
  return writeNpz(members as never);
}

/** A tree (or one array) from NPY or NPZ bytes; 64-bit data narrows unless x64 is on. */
export async function decode(bytes: Uint8Array, format: 'npy' | 'npz', source: string): Promise<unknown> {
  if (format === 'npy') {
    const { readNpy } = await import('../../format/npy.js');
    return hostToValue(readNpy(bytes, source)).value;
  }
  const { readNpz } = await import('../../format/npz.js');
  const flat: [string, unknown][] = [];
  for (const [path, h] of readNpz(bytes, source)) flat.push([path, hostToValue(h).value]);
  return unflattenPaths(flat);
}

/** Writes an array (`.npy`) or a tree of arrays (`.npz`, members named by path), atomically. */
export async function save(path: string, tree: unknown): Promise<void> {
  const bytes = await encode(tree, kindOf(path));
  const { writeFileAtomic } = await import('../../format/atomic.js');
  await writeFileAtomic(path, bytes);
}

/** Reads what `save` wrote (or NumPy's np.save / np.savez): an array, or a tree of arrays. */
export async function load(path: string): Promise<unknown> {
  const b = await readFile(path);
  return decode(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), kindOf(path), path);
}
