/**
 * @file The CPU backend's large buffers in one shared WebAssembly memory (the heap), so that the
 * WebAssembly SIMD kernels read and write them where they are instead of copying tiles in and
 * out: a kernel that runs through memory once (a sum, a max, a copy) would otherwise move every
 * byte three times.
 *
 * The memory is shared (its buffer is a SharedArrayBuffer), so worker threads use the same buffers
 * and the same kernels' instances import it; it grows as buffers are allocated (up to WebAssembly's
 * 4 GiB) and never shrinks. Buffers are views of it, handed out first-fit from a free list of
 * 64-byte-aligned regions, and a region returns to the list when its view is garbage collected
 * (FinalizationRegistry): the view is the only handle on the region, so code must not keep views
 * made from `.buffer` beyond the life of the view it came from. Regions come back only after a
 * garbage collection and the task it ends (FinalizationRegistry), and the memory never returns to
 * the system, so the heap stops growing at a cap (TJAX_CPU_HEAP_MB, 1 GiB by default). Each
 * thread also owns a scratch region for the kernels' tiles and small inputs (`scratch`). Where the
 * heap cannot serve (the cap reached, or TJAX_CPU_HEAP=0), buffers are plain SharedArrayBuffers
 * and the kernels copy them by tiles.
 */

import { type DType, type TypedArray, typedArrayFor } from '../../core/dtype.js';

/** The part of WebAssembly.Memory used here (the project's TypeScript libs have no WebAssembly). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
};

const PAGE = 65536;
/** WebAssembly's 32-bit address space: the memory's declared maximum. */
export const HEAP_MAX_PAGES = 65536;
const ALIGN = 64;
/** Bytes of each thread's scratch region. */
export const SCRATCH_BYTES = 2 << 20;
/**
 * The heap does not grow past this (TJAX_CPU_HEAP_MB): its regions come back only after a garbage
 * collection, which a synchronous loop never lets run, and its memory is never returned to the
 * system. Past it, buffers are plain SharedArrayBuffers until regions come back.
 */
const CAP_BYTES = Math.max(64, Number(process.env.TJAX_CPU_HEAP_MB ?? 1024)) * 2 ** 20;

/** TJAX_CPU_HEAP=0: large buffers on plain SharedArrayBuffers (the SIMD kernels copy). */
export const cpuHeap = { enabled: process.env.TJAX_CPU_HEAP !== '0', cap: CAP_BYTES };

let memory: WasmMemory | null = null;
/** The end of the highest region handed out. */
let top = 0;
/** Free regions below `top`, by offset: [offset, bytes]. */
const free: [number, number][] = [];
/** The SharedArrayBuffers the memory has shown (a new one after each growth). */
const buffers = new WeakSet<object>();
const registry = new FinalizationRegistry<[number, number]>(([at, n]) => release(at, n));
/** The region of each view handed out, for heapFree. */
const regions = new WeakMap<TypedArray, [number, number]>();

/** Statistics for tests: bytes in use and regions handed out. */
export const heapStats = { inUse: 0, allocations: 0 };

/** The end of the highest region in use (the memory above it is free). */
export function heapTop(): number {
  return top;
}

export function heapMemory(): WasmMemory {
  memory ??= new WebAssembly.Memory({ initial: 16, maximum: HEAP_MAX_PAGES, shared: true });
  return memory;
}

/**
 * This thread's memory (workers are given the main thread's: adopt). `arena`: [start, end), a
 * region the main thread reserved for this thread to hand out (the executor's temporaries and
 * scratch regions); without one this thread allocates nothing itself (pool workers).
 */
export function adoptHeap(m: WasmMemory, arena?: readonly [number, number]): void {
  memory = m;
  if (arena) {
    bounds = arena;
    top = arena[0];
  }
}

/** A thread's arena within the main thread's heap (adoptHeap), or null: the whole memory. */
let bounds: readonly [number, number] | null = null;

/**
 * Reserves `bytes` of the heap for good, as another thread's arena (adoptHeap): its offsets, or
 * null when the heap cannot hold it.
 */
export function heapArena(bytes: number): [number, number] | null {
  if (!cpuHeap.enabled) return null;
  const n = Math.ceil(bytes / ALIGN) * ALIGN;
  const at = reserve(n);
  if (at === null) return null;
  heapStats.inUse += n;
  return [at, at + n];
}

function reserve(bytes: number): number | null {
  for (let i = 0; i < free.length; i++) {
    const [at, n] = free[i];
    if (n < bytes) continue;
    if (n === bytes) free.splice(i, 1);
    else free[i] = [at + bytes, n - bytes];
    return at;
  }
  const m = heapMemory();
  const at = top;
  const end = at + bytes;
  // An arena's thread never grows the memory (the main thread owns it).
  if (bounds) {
    if (end > bounds[1]) return null;
    top = end;
    return at;
  }
  const have = m.buffer.byteLength;
  if (end > cpuHeap.cap) return null;
  if (end > have) {
    // Grow by at least an eighth, so that a run of allocations does not grow page by page.
    const need = Math.ceil((end - have) / PAGE);
    const pages = Math.min(Math.max(need, Math.ceil(have / PAGE / 8)), HEAP_MAX_PAGES - have / PAGE);
    if (pages < need) return null;
    try {
      m.grow(pages);
    } catch {
      return null;
    }
  }
  top = end;
  return at;
}

function release(at: number, bytes: number): void {
  heapStats.inUse -= bytes;
  let i = 0;
  while (i < free.length && free[i][0] < at) i++;
  free.splice(i, 0, [at, bytes]);
  // Coalesce with the neighbours, and give the last region back to `top`.
  if (i + 1 < free.length && free[i][0] + free[i][1] === free[i + 1][0]) {
    free[i][1] += free[i + 1][1];
    free.splice(i + 1, 1);
  }
  if (i > 0 && free[i - 1][0] + free[i - 1][1] === free[i][0]) {
    free[i - 1][1] += free[i][1];
    free.splice(i, 1);
    i--;
  }
  if (free[i][0] + free[i][1] === top) {
    top = free[i][0];
    free.splice(i, 1);
  }
}

/**
 * A view of `size` elements of `dtype` in the heap (zeroed when `zero`), or null when the heap
 * cannot hold it.
 */
export function heapAlloc(dtype: DType, size: number, zero: boolean): TypedArray | null {
  return heapAllocLike(typedArrayFor(dtype, 0), size, zero);
}

/** A copy of `b` in the heap, or null. */
export function heapCopy(b: TypedArray): TypedArray | null {
  const h = heapAllocLike(b, b.length, false);
  (h as Float64Array | null)?.set(b as Float64Array);
  return h;
}

function heapAllocLike(proto: TypedArray, size: number, zero: boolean): TypedArray | null {
  if (!cpuHeap.enabled) return null;
  const bytes = Math.ceil((size * proto.BYTES_PER_ELEMENT) / ALIGN) * ALIGN;
  const at = reserve(bytes);
  if (at === null) return null;
  const sab = heapMemory().buffer;
  buffers.add(sab);
  const Ctor = proto.constructor as new (b: ArrayBufferLike, at: number, n: number) => TypedArray;
  const a = new Ctor(sab, at, size);
  // (Memory fresh from growing is zero; a region used before is not.)
  // (In 8-byte words: regions are 64-byte aligned and sized, and V8 fills a shared buffer element
  // by element, so a byte view took 10x as long: 4.7 ms for 4 MiB.)
  if (zero) new Float64Array(sab, at, bytes / 8).fill(0);
  registry.register(a, [at, bytes], a);
  regions.set(a, [at, bytes]);
  // V8 does not count views of the heap as memory it should collect for; a buffer of the same
  // size, dropped at once, makes it count them. Uninitialized (malloc, never touched): a zeroed
  // `new ArrayBuffer` is calloc, which clears memory that glibc hands out again, 0.95 ms for
  // 4 MiB, more than a third of some products' whole time.
  void Buffer.allocUnsafeSlow(bytes);
  heapStats.inUse += bytes;
  heapStats.allocations++;
  return a;
}

/**
 * Returns a view's region to the heap now, instead of after its garbage collection (Array.dispose
 * through the CPU backend, which calls it only when nothing else can read the view): a program's
 * next output then reuses memory already touched. Fresh memory costs a page fault per 4 KiB on
 * first touch, 1.5 ms for a 4 MiB output on a KVM guest, which is more than some products take.
 * False when the view is not a region of this thread's heap.
 */
export function heapFree(view: TypedArray): boolean {
  const r = regions.get(view);
  if (!r) return false;
  regions.delete(view);
  registry.unregister(view);
  release(r[0], r[1]);
  return true;
}

/**
 * A view of the heap made on this thread (a worker rebuilds the main thread's buffers this way:
 * views that come through postMessage are of another SharedArrayBuffer object).
 */
export function heapView(ctor: string, at: number, length: number): TypedArray {
  const sab = heapMemory().buffer;
  buffers.add(sab);
  const Ctor = (
    globalThis as unknown as Record<string, new (b: ArrayBufferLike, at: number, n: number) => TypedArray>
  )[ctor];
  return new Ctor(sab, at, length);
}

/** The byte offset of a buffer in the heap, or -1 when it is not a view of it. */
export function heapOffset(a: TypedArray): number {
  return buffers.has(a.buffer) ? a.byteOffset : -1;
}

/** A region of `SCRATCH_BYTES` for one thread's kernels (never released). */
export function scratchRegion(): number {
  const at = reserve(SCRATCH_BYTES);
  if (at === null) throw new Error('the CPU heap cannot hold a thread scratch region');
  heapStats.inUse += SCRATCH_BYTES;
  return at;
}
