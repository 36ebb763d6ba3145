/**
 * @file The concrete Array: an abstract value plus a buffer on a device. Reads are asynchronous
 * as in JAX (`await x.data()`); on the CPU the buffer is ready when the op returns, on GPU devices
 * it may still be computing. Buffers belong to Array objects: there is no manual reference
 * counting; `dispose()` frees early where a backend supports it.
 */
import type { Device } from '../backends/backend.js';
import { h2f } from '../backends/cpu/runtime.js';
import { ShapedArray } from './aval.js';
import { Complex, type HostScalar } from './complex.js';
import { type DType, realPart, type TypedArray, uint32 } from './dtype.js';
import { ArrayMethods } from './methods.js';
import type { ConcreteArray, Value } from './trace.js';

/** Pretty-printing hook, installed by numpy/repr.ts. */
export const reprHooks: {
  repr?: (x: ArrayImpl, data: TypedArray) => string;
  /** A typed key array's `Array((), dtype=key<fry>) overlaying: ...`, installed by random/key-array.ts. */
  keyRepr?: (x: ArrayImpl) => string;
} = {};

/** Cutting a sharded array into its shards, installed by sharding.ts. */
export const shardingHooks: { shards?: (x: ArrayImpl) => unknown[] } = {};

/**
 * How many arrays hold each device buffer (an op may hand its input buffer on as its output, a
 * transfer to the same device re-wraps it): dispose frees a buffer only when it drops the last
 * hold it knows of. Arrays dropped without dispose keep their hold, so their buffers are left to
 * garbage collection.
 */
const holds = new WeakMap<object, number>();

export class ArrayImpl extends ArrayMethods<Value> implements ConcreteArray {
  readonly isConcrete = true as const;
  private disposed = false;
  /** A host copy, kept when the array was made from host data (literals, constants). */
  hostCache: TypedArray | null = null;
  /** How the array is split over devices (a pmap's result: sharding.ts's NamedSharding), or null. */
  sharding: unknown = null;
  constructor(
    readonly aval: ShapedArray,
    private buf: unknown,
    readonly device: Device,
    /** Committed arrays were placed explicitly (devicePut with a device); ops follow them. */
    readonly committed = false,
  ) {
    super();
    if (typeof buf === 'object' && buf !== null) holds.set(buf, (holds.get(buf) ?? 0) + 1);
  }

  static fromHost(
    data: TypedArray,
    shape: readonly number[],
    dtype: DType,
    device: Device,
    weakType = false,
    committed = false,
  ): ArrayImpl {
    const buf = device.backend.fromHost(data, storageDType(dtype));
    const a = new ArrayImpl(new ShapedArray(shape, dtype, weakType), buf, device, committed);
    // A backend whose buffers are host arrays may have copied the data (the CPU puts large arrays
    // on a SharedArrayBuffer for its worker threads): keep one copy, not two.
    a.hostCache = ArrayBuffer.isView(buf) ? (buf as TypedArray) : data;
    return a;
  }

  /** The device buffer (for backends and the compile path). */
  get buffer(): unknown {
    if (this.disposed) throw new Error('Array has been deleted.');
    return this.buf;
  }

  /** A copy of the elements in C order, once the computation is done. */
  override async data(): Promise<TypedArray> {
    const d = await this.readHost();
    return d.slice() as TypedArray;
  }

  /** Wait for the value and keep the host copy, so that later synchronous reads (scalar
   * conversion, devicePut to another device) work on devices without synchronous reads. */
  private async readHost(): Promise<TypedArray> {
    const b = this.device.backend;
    const d = await b.toHost(this.buffer, storageDType(this.dtype), this.storageSize);
    if (!b.toHostSync && !this.hostCache) this.hostCache = d;
    return d;
  }

  /** Synchronous read, only where the device allows it (the CPU does). */
  override dataSync(): TypedArray {
    if (this.hostCache) return this.hostCache;
    const b = this.device.backend;
    if (!b.toHostSync) {
      throw new Error(
        `${this.device} arrays cannot be read synchronously: use await x.data() (after it, or after ` +
          'await x.blockUntilReady(), the value can also move to another device)',
      );
    }
    return b.toHostSync(this.buffer, storageDType(this.dtype), this.storageSize);
  }

  /** Elements of the host/device storage: two per complex element (see typedArrayFor). */
  get storageSize(): number {
    return this.size * this.dtype.lanes;
  }

  /** Nested JS arrays of numbers (booleans for bool, bigint for 64-bit ints). */
  override async tolist(): Promise<any> {
    return toNested(await this.data(), this.shape, this.dtype);
  }

  override async item(): Promise<HostScalar> {
    if (this.size !== 1) {
      throw new TypeError(
        `can only convert an array of size 1 to a scalar, got shape (${this.shape.join(', ')})`,
      );
    }
    return scalarOf(await this.data(), this.dtype);
  }

  /** Resolves to this array when its computation is done (JAX's block_until_ready). */
  override async blockUntilReady(): Promise<this> {
    await this.readHost();
    return this;
  }

  /** The devices holding the array (all of a sharded array's). */
  devices(): Device[] {
    const s = this.sharding as { mesh: { devices: readonly Device[] } } | null;
    return s ? [...s.mesh.devices] : [this.device];
  }

  /** jax.Array.addressable_shards: each device's block, as an array committed to that device. */
  get addressableShards(): unknown[] {
    return shardingHooks.shards!(this);
  }

  /**
   * Release the buffer now (also done by garbage collection), as jax.Array.delete: the array
   * cannot be read or used afterwards, nor can typed arrays that dataSync() returned for it.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const b = this.buf;
    this.buf = null;
    this.hostCache = null;
    if (typeof b !== 'object' || b === null) return;
    const n = (holds.get(b) ?? 1) - 1;
    if (n > 0) {
      holds.set(b, n);
      return;
    }
    holds.delete(b);
    this.device.backend.free?.(b);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  protected override toPrimitive(hint: string): number | string | bigint | boolean {
    if (hint === 'string') return this.toString();
    if (this.size !== 1) {
      throw new TypeError(
        `only size-1 arrays can be converted to JS scalars; got shape (${this.shape.join(', ')})`,
      );
    }
    const v = scalarOf(this.dataSync(), this.dtype);
    if (v instanceof Complex) throw new TypeError("can't convert complex to float");
    return typeof v === 'boolean' ? Number(v) : v;
  }

  /** `JSON.stringify(x)`: nested lists of the elements (64-bit integers beyond 2^53 as strings). */
  override toJSON(): unknown {
    const safe = (v: unknown) =>
      typeof v === 'bigint'
        ? v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(v)
          : String(v)
        : v;
    const walk = (v: unknown): unknown => (Array.isArray(v) ? v.map(walk) : safe(v));
    return walk(toNested(this.dataSync(), this.shape, this.dtype));
  }

  override toString(): string {
    if (this.dtype.isKey && reprHooks.keyRepr) return reprHooks.keyRepr(this);
    let data: TypedArray;
    try {
      data = this.dataSync();
    } catch {
      return `Array(<pending>, shape=(${this.shape.join(', ')}), dtype=${this.dtype.name})`;
    }
    if (reprHooks.repr) return reprHooks.repr(this, data);
    return `Array(${JSON.stringify(toNested(data, this.shape, this.dtype))}, dtype=${this.dtype.name})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export function scalarOf(data: TypedArray, dtype: DType, i = 0): HostScalar {
  if (dtype.isComplex) return new Complex(data[2 * i] as number, data[2 * i + 1] as number);
  const v = data[i];
  if (dtype.isBool) return v !== 0;
  if (dtype.name === 'float16') return h2f(v as number);
  return v;
}

/** The dtype a backend stores an array of `dtype` in (complex: its part dtype, two per element). */
export function storageDType(dtype: DType): DType {
  // A key's two words are uint32 (dtype.lanes says two per element).
  return dtype.isKey ? uint32 : realPart(dtype);
}

export function toNested(data: TypedArray, shape: readonly number[], dtype: DType): unknown {
  let i = 0;
  const build = (d: number): unknown => {
    if (d === shape.length) return scalarOf(data, dtype, i++);
    const out: unknown[] = [];
    for (let k = 0; k < shape[d]; k++) out.push(build(d + 1));
    return out;
  };
  return build(0);
}

export function isArray(x: unknown): x is ArrayImpl {
  return x instanceof ArrayImpl;
}

/** Whether the array's value can be read synchronously (a host copy, or a CPU-like device). */
export function hostReadable(x: ArrayImpl): boolean {
  return x.hostCache !== null || x.device.backend.toHostSync !== undefined;
}

/** The value of a 0-d (or size-1) array as a JS scalar, synchronously (host copy or CPU buffer). */
export function hostScalar(x: ArrayImpl): HostScalar {
  return scalarOf(x.dataSync(), x.dtype);
}
