/**
 * @file Writing results: arrays to stdout as numpy.savetxt lays them out (0-2-D), JSON for
 * pytrees and higher ranks, or NPY/NPZ/CSV/JSON/text by --format; files by --out, written
 * atomically (temporary name + rename) so a failed run leaves nothing behind.
 */
import { extname } from 'node:path';
import * as engine from '../engine/index.js';
import type { HostArray } from '../format/host-array.js';
import { type JsonTree, toJson } from '../format/json.js';
import { writeNpy } from '../format/npy.js';
import { formatCsv, formatRepr, formatText } from '../format/text.js';
import { EXIT_SIGPIPE, UsageError } from './errors.js';

export type OutputFormat = 'csv' | 'json' | 'npy' | 'npz' | 'text';
export const OUTPUT_FORMATS: OutputFormat[] = ['csv', 'json', 'npy', 'npz', 'text'];

export async function toHost(x0: engine.Value): Promise<HostArray> {
  if (!(x0 instanceof engine.Array)) throw new Error('cannot write a traced value');
  // Typed PRNG keys are written as their uint32 words (random.keyData), shape (..., 2).
  const x = x0.dtype.isKey ? (engine.random.keyData(x0) as engine.Array) : x0;
  const data = await x.data();
  return { dtype: x.dtype.name, shape: x.shape, data } as HostArray;
}

/** Engine pytree -> format tree (HostArray leaves; numbers/bools as 0-d arrays). */
export async function toHostTree(t: unknown): Promise<JsonTree> {
  if (t instanceof engine.Array || t instanceof engine.Tracer) return toHost(t as engine.Value);
  if (typeof t === 'number' || typeof t === 'boolean' || typeof t === 'bigint')
    return toHost(engine.numpy.asarray(t) as engine.Value);
  if (t === null || t === undefined) return null;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return Promise.all(t.map(toHostTree));
  if (typeof t === 'object' && typeof (t as { then?: unknown }).then === 'function') {
    // x.tolist(), x.data(), x.item() return Promises; printed as they are they would be `{}`.
    throw new Error(
      "the program's result holds a Promise (from x.tolist(), x.data(), x.item() or x.blockUntilReady()?): return the array itself, or await the read in an async default export",
    );
  }
  if (typeof t === 'object') {
    const proto = Object.getPrototypeOf(t);
    if (proto !== Object.prototype && proto !== null) {
      // A Map, a Date, a class instance, a promise: printing it as {} would hide what came back.
      const kind = (proto as { constructor?: { name?: string } }).constructor?.name || 'object';
      throw new UsageError(
        `cannot write a ${kind} result: return arrays, numbers, strings, booleans, or plain objects and lists of them`,
      );
    }
    const out: Record<string, JsonTree> = Object.create(null);
    for (const k of Object.keys(t).sort()) out[k] = await toHostTree((t as Record<string, unknown>)[k]);
    return out;
  }
  throw new UsageError(
    `cannot write a ${typeof t} result: return arrays, numbers, strings, booleans, or plain objects and lists of them`,
  );
}

function isHost(t: JsonTree): t is HostArray {
  return (
    t !== null && typeof t === 'object' && !Array.isArray(t) && 'dtype' in t && 'data' in t && 'shape' in t
  );
}

/** Flatten a tree to NPZ entries keyed by path (`value`, `grad/w`, `0`, ...). */
function npzEntries(t: JsonTree, prefix = ''): [string, HostArray][] {
  if (isHost(t)) return [[prefix || 'arr_0', t]];
  if (Array.isArray(t)) return t.flatMap((x, i) => npzEntries(x, prefix ? `${prefix}/${i}` : String(i)));
  if (t && typeof t === 'object')
    return Object.entries(t).flatMap(([k, v]) => npzEntries(v, prefix ? `${prefix}/${k}` : k));
  throw new UsageError('only arrays can be written to NPZ');
}

export function formatFromPath(path: string): OutputFormat {
  const e = extname(path).toLowerCase();
  const m: Record<string, OutputFormat> = {
    '.npy': 'npy',
    '.npz': 'npz',
    '.csv': 'csv',
    '.json': 'json',
    '.txt': 'text',
  };
  const f = m[e];
  if (!f)
    throw new UsageError(
      `cannot tell the output format from '${path}': use .npy, .npz, .csv, .json or .txt, or pass --format`,
    );
  return f;
}

/** Bytes or text of a result in a format. */
export async function render(
  t: JsonTree,
  format: OutputFormat | 'auto',
  weak = false,
): Promise<Uint8Array | string> {
  if (format === 'auto') {
    format = isHost(t) && t.shape.length <= 2 ? 'text' : 'json';
    if (format === 'text') return formatText(t as HostArray);
  }
  switch (format) {
    case 'json':
      return `${toJson(t)}\n`;
    case 'csv':
      if (!isHost(t))
        throw new UsageError(
          'CSV output needs a single array of rank 0-2; use --format json or npz for pytrees',
        );
      return formatCsv(t);
    case 'text':
      if (!isHost(t)) return `${toJson(t)}\n`;
      return `${formatRepr(t, { weakType: weak })}\n`;
    case 'npy':
      if (!isHost(t)) throw new UsageError('NPY output needs a single array; use --format npz for pytrees');
      return writeNpy(t);
    case 'npz': {
      const { writeNpz } = await import('../format/npz.js');
      return writeNpz(Object.fromEntries(npzEntries(t)));
    }
  }
}

export interface WriteOptions {
  out?: string;
  format?: OutputFormat;
}

/** Write a result where the flags say: stdout (default) or a file, atomically. */
export async function writeResult(result: unknown, opts: WriteOptions): Promise<void> {
  const tree = await toHostTree(result);
  const weak = result instanceof engine.Array ? result.weakType : false;
  if (opts.out && opts.out !== '-') {
    const format = opts.format ?? formatFromPath(opts.out);
    // Loaded only for files (node:crypto and node:fs/promises cost start-up time).
    const { writeFileAtomic } = await import('../format/atomic.js');
    await writeFileAtomic(opts.out, await render(tree, format, weak));
    return;
  }
  await writeStdout(await render(tree, opts.format ?? 'auto', weak));
}

/**
 * Write to stdout and wait until it is taken. A reader that has gone away (`tjax run ... | head -1`)
 * is not an error: the command stops quietly with the status a process killed by SIGPIPE has
 * (128 + 13), as Unix tools do.
 */
export async function writeStdout(body: Uint8Array | string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(body, (err) => {
      if (err && (err as NodeJS.ErrnoException).code === 'EPIPE') {
        process.exitCode = EXIT_SIGPIPE;
        resolve();
      } else if (err) reject(err);
      else resolve();
    });
  });
}
