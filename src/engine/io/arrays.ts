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
import { flattenPaths, isPlain, setOwn, unflattenPaths } from './paths.js';

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

/** Options of `load`. */
export interface LoadOptions {
  /**
   * A tree whose structure the loaded one takes (as flax's `from_state_dict(target, state)`):
   * each of its leaves is replaced by the member at the same path, which must have the leaf's
   * shape and dtype. An NPZ file cannot tell a list from an object, nor keep an empty node (an
   * optimizer's EmptyState), so a checkpoint is loaded into a freshly initialized state this way.
   */
  like?: unknown;
}

/** Reads what `save` wrote (or NumPy's np.save / np.savez): an array, or a tree of arrays. */
export async function load(path: string, opts: LoadOptions = {}): Promise<unknown> {
  const b = await readFile(path);
  const tree = await decode(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), kindOf(path), path);
  return opts.like === undefined ? tree : restoreLike(opts.like, tree, path);
}

/** `loaded` in the structure of `like`, leaf by leaf by path (see LoadOptions.like). */
function restoreLike(like: unknown, loaded: unknown, source: string): unknown {
  const flat = isValue(loaded) ? new Map([['arr_0', loaded]]) : flattenPaths(loaded);
  const used = new Set<string>();
  const shapeText = (s: readonly number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
  const leafAt = (template: unknown, key: string): unknown => {
    const got = flat.get(key);
    if (got === undefined)
      throw new Error(`io.load: '${source}' has no member '${key}', which the target tree has`);
    used.add(key);
    if (isValue(template) && isValue(got)) {
      const a = template.aval;
      const b = got.aval;
      if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
        throw new Error(
          `io.load: member '${key}' of '${source}' has shape ${shapeText(b.shape)}, the target ${shapeText(a.shape)}`,
        );
      if (a.dtype.name !== b.dtype.name) return jnp.asarray(got, { dtype: a.dtype.name } as never);
    }
    return got;
  };
  const walk = (t: unknown, prefix: string): unknown => {
    const at = (k: string | number) => (prefix ? `${prefix}/${k}` : String(k));
    if (Array.isArray(t)) return t.map((x, i) => walk(x, at(i)));
    if (isPlain(t)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(t)) setOwn(out, k, walk(t[k], at(k)));
      return out;
    }
    return leafAt(t, isValue(loaded) ? 'arr_0' : prefix);
  };
  const out = walk(like, '');
  const extra = [...flat.keys()].filter((k) => !used.has(k));
  if (extra.length)
    throw new Error(
      `io.load: '${source}' has members the target tree lacks: ${extra.slice(0, 5).join(', ')}`,
    );
  return out;
}
