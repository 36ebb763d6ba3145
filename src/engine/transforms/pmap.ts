/**
 * @file pmap (jax/_src/pmap.py): since JAX 0.8 a `jit` (named `_fun`) of a shard_map over a
 * one-axis mesh of the local devices, each argument split along its in_axis (squeezed inside),
 * each output stacked along its out_axis. The CPU devices are TJAX_CPU_DEVICES of them (one by
 * default, as XLA's --xla_force_host_platform_device_count); the mapped size must fit. Results
 * carry a NamedSharding (one block per device), which `devicePut` and `addressableShards` read.
 */

import type { Device } from '../backends/backend.js';
import { devices as allDevices } from '../backends/registry.js';
import { ArrayImpl } from '../core/array.js';
import { toValue } from '../core/coerce.js';
import { type TreeDef, treeFlatten, treeUnflatten } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import { bind1 } from '../core/trace.js';
import { broadcast_in_dim, squeeze } from '../primitives/structural.js';
import { Mesh, NamedSharding, P, type PartitionSpec, withSharding } from '../sharding.js';
import { type Jitted, jit, type Lowered } from './jit.js';
import { shardMapFlat } from './shard-map.js';

export type PmapAxes = number | null | readonly PmapAxes[] | { [k: string]: PmapAxes };

export interface PmapOptions {
  /** Names the mapped axis for collectives (default: an internal name). */
  axisName?: string;
  /** Which axis of each argument to map over (null: broadcast), a prefix of the arguments. */
  inAxes?: PmapAxes;
  /** Where the mapped axis goes in each output (a prefix of the outputs). */
  outAxes?: PmapAxes;
  /** Arguments passed as they are (not arrays), part of the cache key. */
  staticBroadcastedArgnums?: number | readonly number[];
  /** The devices to map over (default: the first devices of the default platform). */
  devices?: readonly Device[];
}

/** Per-leaf axes of a tree from a prefix (a number or null applies to a whole subtree). */
function flattenPrefix(tree: unknown, prefix: PmapAxes, what: string): (number | null)[] {
  if (prefix === null || typeof prefix === 'number') return treeFlatten(tree)[0].map(() => prefix);
  if (Array.isArray(prefix)) {
    if (!Array.isArray(tree) || tree.length !== prefix.length)
      throw new Error(`pmap ${what} specification must be a tree prefix of the corresponding value`);
    return tree.flatMap((t, i) => flattenPrefix(t, prefix[i], what));
  }
  const obj = tree as Record<string, unknown>;
  return Object.keys(obj)
    .sort()
    .flatMap((k) => flattenPrefix(obj[k], (prefix as Record<string, PmapAxes>)[k], what));
}

const specFor = (axis: number | null, name: string): PartitionSpec =>
  axis === null ? P() : P(...Array<null>(axis).fill(null), name);

function expandDims(v: Value, axis: number): Value {
  const shape = [...v.shape];
  shape.splice(axis, 0, 1);
  return bind1(broadcast_in_dim, [v], {
    shape,
    broadcast_dimensions: v.shape.map((_, i) => (i < axis ? i : i + 1)),
    sharding: null,
  });
}

interface Cached {
  jitted: Jitted<(...xs: Value[]) => Value[]>;
  mesh: Mesh;
  inSpecs: PartitionSpec[];
  outSpecs: PartitionSpec[] | null;
  outTree: TreeDef | null;
}

/** jax.pmap: map `f` over the leading (or in_axes) axis of its arguments, one block per device. */
export function pmap<F extends (...args: any[]) => any>(
  f: F,
  opts: PmapOptions = {},
): F & { lower: (...args: unknown[]) => Lowered } {
  const axisName = opts.axisName ?? '_internal_pmap_axis_name';
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  const sa = opts.staticBroadcastedArgnums;
  const statics = new Set(sa === undefined ? [] : typeof sa === 'number' ? [sa] : [...sa]);
  const cache = new Map<string, Cached>();

  const prepare = (args: unknown[]) => {
    for (const i of statics)
      if (i >= args.length)
        throw new Error(
          `pmapped function has static_broadcasted_argnums=(${[...statics].join(', ')}) but was called with only ${args.length} positional argument(s).`,
        );
    const dyn = args.filter((_, i) => !statics.has(i));
    const staticVals = args.filter((_, i) => statics.has(i));
    const [leaves0, inTree] = treeFlatten(dyn);
    const leaves = leaves0.map(toValue);
    const axes = Array.isArray(inAxes)
      ? flattenPrefix(dyn, inAxes, 'in_axes')
      : leaves.map(() => inAxes as number | null);
    const sizes = leaves.flatMap((l, i) => (axes[i] === null ? [] : [l.shape[axes[i]!]]));
    if (!sizes.length) throw new Error('pmap requires at least one argument with a mapped axis.');
    if (new Set(sizes).size > 1)
      throw new Error(`pmap got inconsistent sizes for array axes to be mapped: ${sizes.join(', ')}`);
    const size = sizes[0];
    const devs = opts.devices
      ? [...opts.devices]
      : allDevices(leaves.find((l) => l instanceof ArrayImpl)?.device.platform ?? 'cpu');
    if (size > devs.length)
      throw new Error(
        `compiling computation that requires ${size} logical devices, but only ${devs.length} XLA devices are available (num_replicas=${size}); on the CPU, TJAX_CPU_DEVICES=${size} makes ${size} devices`,
      );
    if (opts.devices && size !== devs.length)
      throw new Error(
        `Leading axis size of input to pmapped function must equal the number of local devices passed to pmap. Got axis_size=${size}, num_local_devices=${devs.length}.`,
      );
    const key = `${inTree}|${leaves.map((l, i) => `${l.aval.key()}@${axes[i]}`).join(',')}|${JSON.stringify(staticVals)}|${devs.slice(0, size).join()}`;
    let c = cache.get(key);
    if (!c) {
      const mesh = new Mesh(devs.slice(0, size), [axisName], [size]);
      const inSpecs = axes.map((a) => specFor(a, axisName));
      const entry: Cached = { mesh, inSpecs, outSpecs: null, outTree: null, jitted: null as never };
      const _fun = (...flat: Value[]): Value[] =>
        shardMapFlat(
          (...blocks) => {
            const squeezed = blocks.map((b, i) =>
              axes[i] === null ? b : bind1(squeeze, [b], { dimensions: [axes[i]] }),
            );
            const dynArgs = treeUnflatten(inTree, squeezed) as unknown[];
            let k = 0;
            const full = args.map((a, i) => (statics.has(i) ? a : dynArgs[k++]));
            const out = f(...full);
            const [outLeaves, outTree] = treeFlatten(out);
            entry.outTree = outTree;
            const oAxes = flattenPrefix(out, outAxes, 'out_axes');
            entry.outSpecs = oAxes.map((a) => specFor(a, axisName));
            return outLeaves.map((o, i) =>
              oAxes[i] === null ? toValue(o) : expandDims(toValue(o), oAxes[i]!),
            );
          },
          mesh,
          inSpecs,
          () => entry.outSpecs!,
          flat,
        );
      Object.defineProperty(_fun, 'name', { value: '_fun' });
      entry.jitted = jit(_fun);
      c = entry;
      cache.set(key, c);
    }
    return { c, leaves };
  };

  const wrapped = ((...args: unknown[]) => {
    const { c, leaves } = prepare(args);
    const outs = c.jitted(...leaves) as Value[];
    const placed = outs.map((o, i) =>
      o instanceof ArrayImpl ? withSharding(o, new NamedSharding(c.mesh, c.outSpecs![i])) : o,
    );
    return treeUnflatten(c.outTree!, placed);
  }) as F & { lower: (...args: unknown[]) => Lowered };
  wrapped.lower = (...args: unknown[]) => {
    const { c, leaves } = prepare(args);
    const lowered = c.jitted.lower(...leaves);
    return lowered.withShardings({ mesh: c.mesh, inSpecs: c.inSpecs, outSpecs: c.outSpecs! }, c.outTree);
  };
  Object.defineProperty(wrapped, 'name', { value: f.name });
  return wrapped;
}
