/**
 * @file Kernels compiled once per distinct computation, not once per occurrence. A jitted
 * training step repeats the same kernels on other buffers (five critic updates of a WGAN-GP
 * unrolled in one program are five copies of each layer's kernels); each copy used to be a
 * function of its own, compiled, turned into WebAssembly and warmed up by V8 separately, and the
 * executor thread compiled every copy again from the program's description.
 *
 * A rendered kernel names its buffers `b<id>` and takes them in ascending id order
 * (codegen.ts `renderKernel`), so two kernels whose sources agree once each buffer is renamed by
 * its rank among the parameters are the same function of their arguments. The key is that source
 * with the parameters' dtypes and sizes (the SIMD form depends on them: small inputs are copied
 * whole) and a variant (the SIMD switch, the libm expanded); the first kernel's compiled function, and its runnable source, serve
 * every later one. `sharedFunction` is the same idea on a thread that compiles descriptions
 * (program.ts): equal sources, one function.
 */
import type { BufferInfo } from '../../compile/kir.js';
import type { KernelFn } from './threads.js';

/** What a kernel compiled to: the function, the source it runs (SIMD wrapper or JavaScript). */
export interface CompiledKernel {
  fn: KernelFn;
  source: string;
  simd: boolean;
  bytes: number;
}

/** Entries kept before the caches start over (programs keep their functions either way). */
const MAX_ENTRIES = 4096;

const byKey = new Map<string, CompiledKernel>();

/**
 * The key of a rendered kernel, or null when its source names a buffer that is not one of its
 * parameters (then it is compiled on its own).
 */
export function kernelKey(
  source: string,
  params: readonly number[],
  buffers: readonly BufferInfo[],
  variant: string,
): string | null {
  const rank = new Map(params.map((b, i) => [b, i]));
  let stray = false;
  const canonical = source.replace(/\bb(\d+)\b/g, (_, id: string) => {
    const r = rank.get(Number(id));
    if (r === undefined) stray = true;
    return `b${r}`;
  });
  if (stray) return null;
  const sig = params.map((b) => `${buffers[b].dtype.name}:${buffers[b].size}`).join(',');
  return `${variant}|${sig}|${canonical}`;
}

/** The compiled kernel under `key`, or `make()`'s, remembered (a null key is never shared). */
export function sharedKernel(key: string | null, make: () => CompiledKernel): CompiledKernel {
  if (key === null) return make();
  let c = byKey.get(key);
  if (!c) {
    if (byKey.size >= MAX_ENTRIES) byKey.clear();
    c = make();
    byKey.set(key, c);
  }
  return c;
}

const bySource = new Map<string, KernelFn>();

/** A kernel source compiled on this thread, once per distinct source. */
export function sharedFunction(source: string): KernelFn {
  let fn = bySource.get(source);
  if (!fn) {
    if (bySource.size >= MAX_ENTRIES) bySource.clear();
    // Generated from the kernel IR only: names are fixed, numbers are formatted literals.
    fn = new Function(`return ${source}`)() as KernelFn;
    bySource.set(source, fn);
  }
  return fn;
}
