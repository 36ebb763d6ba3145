/**
 * @file `--arg name=SOURCE`: where inputs come from. A SOURCE is a path (.csv[:col,...],
 * .npy, .npz[:key], .json), `-` for stdin (format sniffed), an inline JSON literal, or (where only
 * shapes matter) an abstract shape such as `f32[8,3]`. Files become engine arrays; 64-bit data is
 * narrowed with a warning unless --x64.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import * as engine from '../engine/index.js';
import { convertHost } from '../engine/io/host.js';
import { FormatError, type HostArray } from '../format/host-array.js';
import { isHostArray, type JsonTree, parseJsonValue } from '../format/json.js';
import { readNpy } from '../format/npy.js';
import { parsePyLiteral, pyLiteralToJson } from '../format/py-literal.js';
import { clip } from '../format/quote.js';
import { sniffFormat } from '../format/sniff.js';
import { UsageError } from './errors.js';

export interface SourceOptions {
  /** Accept abstract shapes (`f32[8,3]`), for jit-inspect. */
  allowAbstract?: boolean;
  delimiter?: string;
  /** CSV: read empty cells as NaN instead of failing. */
  emptyAsNaN?: boolean;
  /** Read the standard input (injectable for tests). */
  readStdin?: () => Buffer;
  warn?: (msg: string) => void;
}

export interface NamedArg {
  name: string;
  spec: string;
}

/** Split `name=SOURCE` (or, for --set, `name=VALUE`). */
export function parseArgFlag(flag: string, what = '--arg', value = 'SOURCE'): NamedArg {
  const i = flag.indexOf('=');
  if (i <= 0) throw new UsageError(`${what} expects name=${value}, got '${clip(flag)}'`);
  const name = flag.slice(0, i);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new UsageError(`${what} name '${clip(name)}' is not a valid identifier`);
  return { name, spec: flag.slice(i + 1) };
}

const SHORT_DTYPES: Record<string, string> = {
  f16: 'float16',
  f32: 'float32',
  f64: 'float64',
  i8: 'int8',
  i16: 'int16',
  i32: 'int32',
  i64: 'int64',
  u8: 'uint8',
  u16: 'uint16',
  u32: 'uint32',
  u64: 'uint64',
  c64: 'complex64',
  c128: 'complex128',
  bool: 'bool',
};

const ABSTRACT = /^([a-z]+\d*)\[([\d,\s]*)\]$/;

export function parseAbstract(spec: string): engine.ShapedArray | null {
  const m = ABSTRACT.exec(spec.trim());
  if (!m) return null;
  const dt = SHORT_DTYPES[m[1]] ?? m[1];
  let dtype: engine.DType;
  try {
    dtype = engine.dtypes.canonicalize(engine.dtypes.toDType(dt));
  } catch {
    throw new UsageError(`unknown dtype '${m[1]}' in abstract shape '${spec}' (use f32, i32, bool, ...)`);
  }
  const shape = m[2].trim() === '' ? [] : m[2].split(',').map((s) => Number(s.trim()));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new UsageError(`bad shape in '${spec}'`);
  return new engine.ShapedArray(shape, dtype);
}

const NARROW: Record<string, engine.DType> = {
  int64: engine.dtypes.int32,
  uint64: engine.dtypes.uint32,
  float64: engine.dtypes.float32,
  complex128: engine.dtypes.complex64,
};

/** A format HostArray as an engine array, narrowing 64-bit data when x64 is off. */
export function hostToEngine(h: HostArray, source: string, warn: ((m: string) => void) | null): engine.Array {
  let dtype = engine.dtypes.toDType(h.dtype);
  let data = h.data as engine.dtypes.TypedArray;
  if (!engine.config.enableX64 && NARROW[h.dtype]) {
    const to = NARROW[h.dtype];
    warn?.(
      `warning: ${source}: ${h.dtype} data narrowed to ${to.name} (x64 is off; pass --x64 to keep 64-bit)`,
    );
    const out = convertHost(data, to);
    data = out;
    dtype = to;
  }
  return engine.fromHostData(data, h.shape, dtype);
}

/** JSON and CSV numbers have no declared width: narrowing them is silent, as jnp.asarray's is. */
function treeToEngine(t: JsonTree, source: string, warn: null): unknown {
  if (isHostArray(t)) return hostToEngine(t, source, warn);
  if (Array.isArray(t)) return t.map((x) => treeToEngine(x, source, warn));
  if (t === null || typeof t === 'string') return t;
  // Keys are the user's: a null-prototype object keeps `__proto__` or `constructor` an ordinary key.
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(t)) out[k] = treeToEngine(v, source, warn);
  return out;
}

/**
 * Read a file; a large one straight into a SharedArrayBuffer, so an NPY payload parsed in place
 * is already where the CPU backend's worker threads can read it (the file is copied once, by the
 * read, and never again).
 */
function readFileShared(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`${path}: ${describeFsError(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UsageError(`${path}: is a directory, not a data file`);
    // A FIFO, a device or a socket has no size to trust: read it up to the input limit.
    if (!st.isFile()) return readCapped(fd, path);
    const size = st.size;
    if (size < 1 << 20) return readFileSync(fd);
    const shared = new Uint8Array(new SharedArrayBuffer(size));
    let off = 0;
    while (off < size) {
      const n = readSync(fd, shared, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return Buffer.from(shared.buffer, 0, off);
  } finally {
    closeSync(fd);
  }
}

/** The most bytes a stream (stdin, a FIFO, a device) may deliver: TJAX_MAX_INPUT_BYTES, default 1 GiB. */
export function maxStreamBytes(): number {
  const env = process.env.TJAX_MAX_INPUT_BYTES;
  const n = env === undefined ? Number.NaN : Number(env);
  return Number.isSafeInteger(n) && n > 0 ? n : 1 << 30;
}

/**
 * Read a stream to its end, failing once it passes the limit: `/dev/zero` or an endless pipe must
 * not grow memory without bound.
 */
export function readCapped(fd: number, source: string): Buffer {
  const limit = maxStreamBytes();
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue; // a non-blocking stdin with nothing yet
      if (code === 'EOF') break;
      throw new UsageError(`${source}: ${describeFsError(e)}`);
    }
    if (n === 0) break;
    total += n;
    if (total > limit) {
      throw new FormatError(
        `${source}: more than ${limit} bytes of input (the limit for streams and devices; set TJAX_MAX_INPUT_BYTES to raise it)`,
      );
    }
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory, not a data file',
    ENOTDIR: 'a part of the path is not a directory',
    ELOOP: 'too many levels of symbolic links',
  };
  return (code && known[code]) ?? (e instanceof Error ? e.message : String(e));
}

// CSV (csv-parse) and NPZ (fflate) readers load only when used: they cost start-up time.
async function readBytes(
  source: string,
  bytes: Buffer,
  format: string,
  selector: string | null,
  opts: SourceOptions,
  warn: (m: string) => void,
): Promise<unknown> {
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case 'npy':
      return hostToEngine(readNpy(u8, source), source, warn);
    case 'npz': {
      const { npzGet, readNpz } = await import('../format/npz.js');
      const all = readNpz(u8, source);
      if (selector) return hostToEngine(npzGet(all, selector, source), source, warn);
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, v] of all) out[k] = hostToEngine(v, `${source}:${k}`, warn);
      return out;
    }
    case 'json':
      return treeToEngine(parseJsonValue(bytes.toString('utf8'), source), source, null);
    default: {
      const { readCsv } = await import('../format/csv.js');
      const columns = selector ? selector.split(',').map((s) => s.trim()) : undefined;
      const { array } = readCsv(bytes.toString('utf8'), source, {
        delimiter: opts.delimiter,
        columns,
        emptyAsNaN: opts.emptyAsNaN,
      });
      return hostToEngine(array, source, null);
    }
  }
}

const EXT_FORMAT: Record<string, string> = {
  '.npy': 'npy',
  '.npz': 'npz',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
};

/** Load one SOURCE into an engine array, a pytree of them, or an abstract ShapedArray. */
export async function loadSource(spec: string, opts: SourceOptions = {}): Promise<unknown> {
  return (await loadSourceTyped(spec, opts)).value;
}

/**
 * A loaded SOURCE, and whether its format declares dtypes (NPY, NPZ) or not (JSON, CSV, inline
 * literals: text whose `1` may just as well mean 1.0). `tjax grad` promotes integers of untyped
 * sources to floats, and keeps JAX's error for an integer NPY array.
 */
export interface TypedSource {
  value: unknown;
  typed: boolean;
}

export async function loadSourceTyped(spec: string, opts: SourceOptions = {}): Promise<TypedSource> {
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
  if (spec === '-') {
    const bytes = (opts.readStdin ?? (() => readCapped(0, '<stdin>')))();
    const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (u8.length === 0) throw new FormatError('<stdin>: no data');
    const format = sniffFormat(u8);
    return { value: await readBytes('<stdin>', bytes, format, null, opts, warn), typed: isTyped(format) };
  }
  if (opts.allowAbstract) {
    const abs = parseAbstract(spec);
    if (abs) return { value: abs, typed: true };
  }
  // path, or path:selector (npz key / csv columns)
  let path = spec;
  let selector: string | null = null;
  if (!existsSync(path)) {
    const m = /^(.*\.(?:npz|csv|tsv|txt)):(.+)$/.exec(spec);
    if (m && existsSync(m[1])) {
      path = m[1];
      selector = m[2];
    }
  }
  if (existsSync(path)) {
    const bytes = readFileShared(path);
    const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const format = EXT_FORMAT[extname(path).toLowerCase()] ?? sniffFormat(u8);
    return { value: await readBytes(path, bytes, format, selector, opts, warn), typed: isTyped(format) };
  }
  // An inline JSON literal: '[1,2,3]', 2.5, true, {"a": [1]}; or the same written as a Python
  // literal: '[[1., 2], (3, 4)]', True, {'a': [1]}.
  let json = spec;
  try {
    JSON.parse(spec.replace(/\bNaN\b|-?\bInfinity\b/g, '0'));
  } catch {
    try {
      json = pyLiteralToJson(parsePyLiteral(spec));
    } catch {
      const looksLikePath = /[/\\]|\.(npy|npz|csv|json|tsv|txt)(:|$)/.test(spec);
      if (looksLikePath) throw new UsageError(`${clip(spec)}: no such file`);
      throw new UsageError(
        `'${clip(spec)}' is neither a file nor a JSON or Python literal${opts.allowAbstract ? ' nor an abstract shape like f32[8,3]' : ''}`,
      );
    }
  }
  return { value: treeToEngine(parseJsonValue(json, '<inline>'), '<inline>', null), typed: false };
}

const isTyped = (format: string) => format === 'npy' || format === 'npz';
