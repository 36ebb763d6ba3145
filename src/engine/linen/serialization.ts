/**
 * @file Variables to and from NPZ files keyed by flattened paths (`params/Dense_0/kernel`), the
 * layout `numpy.savez(path, **flax.traverse_util.flatten_dict(variables, sep='/'))` writes, so
 * checkpoints move between flax and tjax.
 *
 * The files themselves are the io namespace's (src/engine/io), which this names in flax's terms.
 */
import { decode, encode, load, save } from '../io/arrays.js';
import { flattenPaths, unflattenPaths } from '../io/paths.js';
import type { Variables } from './scope.js';

/**
 * flax.traverse_util.flatten_dict with a separator: nested plain objects to one level, keys joined
 * by `sep` (lists flatten by index).
 */
export function flattenDict(tree: unknown, opts: { sep?: string } = {}): Map<string, unknown> {
  return flattenPaths(tree, opts.sep ?? '/');
}

/** flax.traverse_util.unflatten_dict: `{'a/b': x}` back to `{a: {b: x}}`. */
export function unflattenDict(
  flat: Map<string, unknown> | Record<string, unknown>,
  opts: { sep?: string } = {},
): any {
  return unflattenPaths(flat instanceof Map ? flat : Object.entries(flat), opts.sep ?? '/');
}

/** The NPZ bytes of `variables`, one member per leaf, named by its path. */
export async function variablesToNpz(variables: Variables): Promise<Uint8Array> {
  return encode(variables, 'npz');
}

/** Variables from NPZ bytes whose member names are paths; 64-bit data narrows unless x64 is on. */
export async function variablesFromNpz(bytes: Uint8Array, source = '<npz>'): Promise<Variables> {
  return (await decode(bytes, 'npz', source)) as Variables;
}

/** Writes `variables` to an NPZ file at `path` (atomically: a temporary file, then a rename). */
export async function saveVariables(path: string, variables: Variables): Promise<void> {
  await save(path, variables);
}

/** Reads variables from an NPZ file keyed by paths, such as one flax's variables were saved to. */
export async function loadVariables(path: string): Promise<Variables> {
  return (await load(path)) as Variables;
}
