/**
 * @file Variables to and from NPZ files keyed by flattened paths (`params/Dense_0/kernel`), the
 * layout `numpy.savez(path, **flax.traverse_util.flatten_dict(variables, sep='/'))` writes, so
 * checkpoints move between flax and tjax.
 *
 * This is the one engine file that uses src/format (its NPZ codec). format imports only engine
 * leaves (the CPU runtime's float16 helpers, the printers), never linen, so there is no cycle; the
 * codec (and fflate under it) is imported when a file is read or written, not at start-up.
 */
import { readFile } from 'node:fs/promises';
import { fromHostData, isValue } from '../core/coerce.js';
import { config } from '../core/config.js';
import { canonicalize, type TypedArray, toDType, typedArrayFor } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import { isPlainObject, type Variables } from './scope.js';

/**
 * flax.traverse_util.flatten_dict with a separator: nested plain objects to one level, keys joined
 * by `sep` (JS arrays and numbers become 0-d arrays are leaves).
 */
export function flattenDict(tree: unknown, opts: { sep?: string } = {}): Map<string, unknown> {
  const sep = opts.sep ?? '/';
  const out = new Map<string, unknown>();
  const walk = (x: unknown, prefix: string): void => {
    if (isPlainObject(x)) {
      for (const [k, v] of Object.entries(x)) walk(v, prefix ? `${prefix}${sep}${k}` : k);
    } else out.set(prefix, x);
  };
  walk(tree, '');
  return out;
}

/** flax.traverse_util.unflatten_dict: `{'a/b': x}` back to `{a: {b: x}}`. */
export function unflattenDict(
  flat: Map<string, unknown> | Record<string, unknown>,
  opts: { sep?: string } = {},
): any {
  const sep = opts.sep ?? '/';
  const out: Record<string, any> = {};
  const entries = flat instanceof Map ? [...flat] : Object.entries(flat);
  for (const [path, v] of entries) {
    const keys = path.split(sep);
    let node = out;
    for (const k of keys.slice(0, -1)) node = node[k] ??= {};
    node[keys[keys.length - 1]] = v;
  }
  return out;
}

/** The NPZ bytes of `variables`, one member per leaf, named by its path. */
export async function variablesToNpz(variables: Variables): Promise<Uint8Array> {
  const { writeNpz } = await import('../../format/npz.js');
  const members: Record<string, any> = {};
  for (const [path, leaf] of flattenDict(variables)) {
    const v = isValue(leaf) ? leaf : jnp.asarray(leaf);
    members[path] = { dtype: v.dtype.name, shape: [...v.shape], data: await v.data() };
  }
  return writeNpz(members);
}

/** Variables from NPZ bytes whose member names are paths; 64-bit data narrows unless x64 is on. */
export async function variablesFromNpz(bytes: Uint8Array, source = '<npz>'): Promise<Variables> {
  const { readNpz } = await import('../../format/npz.js');
  const flat = new Map<string, Value>();
  for (const [path, h] of readNpz(bytes, source)) {
    const declared = toDType(h.dtype);
    // As jnp.asarray does with x64 off: float64 -> float32, int64 -> int32, uint64 -> uint32.
    const dt = config.enableX64 ? declared : canonicalize(declared);
    let data = h.data as TypedArray;
    if (dt !== declared) {
      const narrowed = typedArrayFor(dt, data.length);
      for (let i = 0; i < data.length; i++) narrowed[i] = Number(data[i]);
      data = narrowed;
    }
    flat.set(path, fromHostData(data, h.shape, dt));
  }
  return unflattenDict(flat);
}

/** Writes `variables` to an NPZ file at `path` (atomically: a temporary file, then a rename). */
export async function saveVariables(path: string, variables: Variables): Promise<void> {
  const { writeFileAtomic } = await import('../../format/atomic.js');
  await writeFileAtomic(path, await variablesToNpz(variables));
}

/** Reads variables from an NPZ file keyed by paths, such as one flax's variables were saved to. */
export async function loadVariables(path: string): Promise<Variables> {
  const bytes = await readFile(path);
  return variablesFromNpz(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
