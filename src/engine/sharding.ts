/**
 * @file Meshes, partition specs and named shardings, as jax.sharding has them: the placement of a
 * pmap's result (one shard per device along the mapped axis) and of `devicePut(x, sharding)`.
 * tjax's CPU devices (TJAX_CPU_DEVICES of them) share one memory, so a sharded array keeps its
 * data in one buffer and records which device holds which block; `addressableShards` hands each
 * block out as an array committed to its device, and `devicePut(x, device)` gathers it.
 */

import type { Device } from './backends/backend.js';
import { ArrayImpl, shardingHooks } from './core/array.js';
import { indexOffset, stridesOf } from './core/shape.js';
import { PyRaw } from './ir/pyrepr.js';

/** An entry of a partition spec: unpartitioned, one mesh axis, or several (major first). */
export type SpecEntry = string | readonly string[] | null;

/** jax.sharding.PartitionSpec: for each array dimension, the mesh axes it is split over. */
export class PartitionSpec {
  readonly entries: readonly SpecEntry[];
  constructor(...entries: SpecEntry[]) {
    this.entries = entries;
  }
  /** The mesh axes splitting dimension `d` (none past the spec's end). */
  axesOf(d: number): readonly string[] {
    const e = this.entries[d];
    if (e === null || e === undefined) return [];
    return typeof e === 'string' ? [e] : e;
  }
  /** Python's repr: `P('i',)`, `P(None, 'i')`, `P()`. */
  pyStr(): string {
    const one = (e: SpecEntry) =>
      e === null
        ? 'None'
        : typeof e === 'string'
          ? `'${e}'`
          : `(${e.map((n) => `'${n}'`).join(', ')}${e.length === 1 ? ',' : ''})`;
    const items = this.entries.map(one);
    return `P(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
  }
  toString(): string {
    return this.pyStr();
  }
}

/** `P('i')`, as jax.P. */
export function P(...entries: SpecEntry[]): PartitionSpec {
  return new PartitionSpec(...entries);
}

/** jax.sharding.Mesh: devices laid out along named axes (row-major). */
export class Mesh {
  readonly shape: Readonly<Record<string, number>>;
  constructor(
    readonly devices: readonly Device[],
    readonly axisNames: readonly string[],
    readonly axisSizes: readonly number[] = [devices.length],
  ) {
    if (axisSizes.reduce((a, n) => a * n, 1) !== devices.length)
      throw new Error(`Mesh axis sizes ${axisSizes.join('x')} do not match ${devices.length} devices`);
    this.shape = Object.fromEntries(axisNames.map((n, i) => [n, axisSizes[i]]));
  }
  get size(): number {
    return this.devices.length;
  }
  sizeOf(name: string): number {
    const i = this.axisNames.indexOf(name);
    if (i < 0) throw new Error(`axis ${name} is not in the mesh (${this.axisNames.join(', ')})`);
    return this.axisSizes[i];
  }
  /** Python's repr: `Mesh('i': 4, axis_types=(Auto,))`. */
  pyStr(): string {
    const axes = this.axisNames.map((n, i) => `'${n}': ${this.axisSizes[i]}`).join(', ');
    const types = this.axisNames.map(() => 'Auto').join(', ');
    return `Mesh(${axes}, axis_types=(${types}${this.axisNames.length === 1 ? ',' : ''}))`;
  }
  toString(): string {
    return this.pyStr();
  }
}

/** jax.sharding.NamedSharding: an array split over a mesh as a spec says. */
export class NamedSharding {
  constructor(
    readonly mesh: Mesh,
    readonly spec: PartitionSpec,
  ) {}
  toString(): string {
    return `NamedSharding(mesh=${this.mesh.pyStr()}, spec=${this.spec.pyStr()}, memory_kind=device)`;
  }
  /** The block of a global shape each device holds. */
  shardShape(shape: readonly number[]): number[] {
    return shape.map((n, d) => n / this.spec.axesOf(d).reduce((k, a) => k * this.mesh.sizeOf(a), 1));
  }
  /** Per device (mesh order), the start of its block in each dimension. */
  blockStarts(shape: readonly number[]): number[][] {
    const block = this.shardShape(shape);
    return this.mesh.devices.map((_, k) => {
      // The device's coordinate along each mesh axis (row-major device order).
      const coord: Record<string, number> = {};
      let rest = k;
      for (let i = this.mesh.axisNames.length - 1; i >= 0; i--) {
        coord[this.mesh.axisNames[i]] = rest % this.mesh.axisSizes[i];
        rest = Math.floor(rest / this.mesh.axisSizes[i]);
      }
      return shape.map((_, d) => {
        let idx = 0;
        for (const a of this.spec.axesOf(d)) idx = idx * this.mesh.sizeOf(a) + coord[a];
        return idx * block[d];
      });
    });
  }
  pyRaw(): PyRaw {
    return new PyRaw(this.toString());
  }
}

/** A shard of a sharded array: its device, where it sits, and its data (committed to the device). */
export interface Shard {
  device: Device;
  /** Start and end of the block in each dimension. */
  index: [number, number][];
  data: ArrayImpl;
}

shardingHooks.shards = (x: ArrayImpl): Shard[] => {
  const s = x.sharding as NamedSharding | null;
  if (!s) return [{ device: x.device, index: x.shape.map((n) => [0, n] as [number, number]), data: x }];
  const block = s.shardShape(x.shape);
  const data = x.dataSync();
  return s.blockStarts(x.shape).map((start, k) => {
    const dev = s.mesh.devices[k];
    const n = block.reduce((a, b) => a * b, 1);
    const out = new (data.constructor as new (n: number) => typeof data)(n);
    const strides = stridesOf(x.shape);
    for (let i = 0; i < n; i++) out[i] = data[indexOffset(i, block, (d, c) => (start[d] + c) * strides[d])];
    return {
      device: dev,
      index: start.map((b, d) => [b, b + block[d]] as [number, number]),
      data: ArrayImpl.fromHost(out, block, x.dtype, dev, x.aval.weakType, true),
    };
  });
};

/** Give an array a sharding (its data stays where it is: CPU devices share memory). */
export function withSharding(x: ArrayImpl, s: NamedSharding): ArrayImpl {
  const n = x.shape.length;
  for (let d = 0; d < n; d++) {
    const k = s.spec.axesOf(d).reduce((a, ax) => a * s.mesh.sizeOf(ax), 1);
    if (x.shape[d] % k !== 0)
      throw new Error(
        `Sharding ${s} implies that array axis ${d} is partitioned ${k} times, but the dimension size is ${x.shape[d]} (full shape: (${x.shape.join(', ')}${n === 1 ? ',' : ''}))`,
      );
  }
  const y = new ArrayImpl(x.aval, x.buffer, x.device, false);
  y.hostCache = x.hostCache;
  y.sharding = s;
  return y;
}
