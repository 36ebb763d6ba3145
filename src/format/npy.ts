/**
 * @file Reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0).
 *
 * Reading accepts every numeric and bool descr NumPy writes, in either byte order and in C or Fortran
 * order, and returns C-ordered little-endian data. When the data can be used as it lies in the input
 * (native byte order, C order, aligned) the result is a view that shares memory with `bytes`; otherwise
 * the data is copied exactly once, with byte swapping and the Fortran-to-C transpose done in that copy.
 * Like np.load, bytes after the array data are ignored.
 *
 * Writing produces exactly the bytes numpy.save writes for the same array (version 1.0 unless the
 * header does not fit, the header padded with spaces to a multiple of 64 bytes, including NumPy's
 * spare space after the shape for in-place growth).
 */

import {
  allocData,
  checkHostArray,
  type DTypeName,
  FormatError,
  HOST_LITTLE_ENDIAN,
  type HostArray,
  type HostData,
  itemSize,
  partSize,
  shapeRepr,
  viewData,
} from './host-array.js';
import { PySyntaxError, type PyValue, parsePyLiteral, pyRepr } from './py-literal.js';
import { clip } from './quote.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ARRAY_ALIGN = 64;
// NumPy leaves room after the shape so a writer can grow the first axis without moving the data.
const GROWTH_AXIS_MAX_DIGITS = 21;

const DESCR_CODES: Record<string, DTypeName> = {
  b1: 'bool',
  '?': 'bool',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  c8: 'complex64',
  c16: 'complex128',
};

const WRITE_CODES: Record<DTypeName, string> = {
  bool: '|b1',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
  complex64: '<c8',
  complex128: '<c16',
};

/** True when the bytes start with the NPY magic string. */
export function hasNpyMagic(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  return MAGIC.every((b, i) => bytes[i] === b);
}

/** A name for a dtype we cannot read, so the message says what the file holds. */
function describeUnsupported(kind: string, size: number, rest: string): string {
  const bits = size * 8;
  switch (kind) {
    case 'c':
      return `complex${bits}`;
    case 'f':
      return size > 8 ? 'long double' : `float${bits}`;
    case 'i':
      return `int${bits}`;
    case 'u':
      return `uint${bits}`;
    case 'O':
      return 'object';
    case 'U':
    case 'w':
      return 'unicode string';
    case 'S':
    case 'a':
      return 'byte string';
    case 'V':
      return 'void';
    case 'M':
      return `datetime64${rest}`;
    case 'm':
      return `timedelta64${rest}`;
    default:
      return 'unknown type';
  }
}

interface Descr {
  dtype: DTypeName;
  /** Whether multi-byte elements are stored big-endian in the file. */
  bigEndian: boolean;
}

function parseDescr(descr: PyValue, source: string): Descr {
  if (descr.kind === 'list') {
    throw new FormatError(
      `${source}: unsupported dtype ${clip(pyRepr(descr))} (structured arrays are not supported)`,
    );
  }
  if (descr.kind === 'tuple') {
    throw new FormatError(
      `${source}: unsupported dtype ${clip(pyRepr(descr))} (sub-array dtypes are not supported)`,
    );
  }
  if (descr.kind !== 'str') {
    throw new FormatError(
      `${source}: malformed header: descr is not a dtype descriptor: ${clip(pyRepr(descr))}`,
    );
  }
  const m = /^([<>=|]?)([A-Za-z?])(\d*)(.*)$/s.exec(descr.value);
  if (!m) throw new FormatError(`${source}: unsupported dtype ${clip(pyRepr(descr))}`);
  const [, order, kind, size, rest] = m as unknown as [string, string, string, string, string];
  const code = kind === '?' && size === '' ? '?' : kind + size;
  const dtype = rest === '' ? DESCR_CODES[code] : undefined;
  if (dtype === undefined) {
    const what = describeUnsupported(kind, Number(size || '0'), rest);
    throw new FormatError(`${source}: unsupported dtype ${clip(pyRepr(descr))} (${what})`);
  }
  const bigEndian =
    order === '>' || ((order === '=' || order === '|' || order === '') && !HOST_LITTLE_ENDIAN);
  return { dtype, bigEndian };
}

function decodeLatin1(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return s;
}

interface Header {
  descr: Descr;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, version: number, source: string): Header {
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text, { allowLongSuffix: version <= 2 });
  } catch (e) {
    if (e instanceof PySyntaxError) throw new FormatError(`${source}: malformed header: ${e.message}`);
    throw e;
  }
  if (dict.kind !== 'dict') {
    throw new FormatError(`${source}: malformed header: not a dictionary: ${clip(pyRepr(dict))}`);
  }
  const fields = new Map<string, PyValue>();
  const keys: string[] = [];
  for (const [k, v] of dict.entries) {
    if (k.kind !== 'str') {
      throw new FormatError(`${source}: malformed header: key ${clip(pyRepr(k))} is not a string`);
    }
    if (!fields.has(k.value)) keys.push(k.value);
    fields.set(k.value, v);
  }
  const expected = ['descr', 'fortran_order', 'shape'];
  if (keys.length !== 3 || !expected.every((k) => fields.has(k))) {
    const found = [...keys].sort().map((k) => `'${k}'`);
    throw new FormatError(
      `${source}: malformed header: expected keys 'descr', 'fortran_order', 'shape', found ${clip(found.join(', ')) || 'none'}`,
    );
  }
  const shapeV = fields.get('shape')!;
  const shape: number[] = [];
  const badShape = () =>
    new FormatError(
      `${source}: malformed header: shape is not a tuple of non-negative integers: ${clip(pyRepr(shapeV))}`,
    );
  if (shapeV.kind !== 'tuple') throw badShape();
  for (const d of shapeV.items) {
    if (d.kind !== 'int' || d.value < 0n || d.value > BigInt(Number.MAX_SAFE_INTEGER)) throw badShape();
    shape.push(Number(d.value));
  }
  const fo = fields.get('fortran_order')!;
  if (fo.kind !== 'bool') {
    throw new FormatError(
      `${source}: malformed header: fortran_order is not True or False: ${clip(pyRepr(fo))}`,
    );
  }
  return { descr: parseDescr(fields.get('descr')!, source), fortranOrder: fo.value, shape };
}

/** Copies count elements, reversing the bytes of each when swap is set. */
function copySwapped(src: Uint8Array, dst: Uint8Array, count: number, size: number): void {
  let p = 0;
  for (let i = 0; i < count; i++, p += size) {
    for (let b = 0; b < size; b++) dst[p + b] = src[p + size - 1 - b]!;
  }
}

/**
 * Copies Fortran-ordered elements into C order: walks the output in C order with an odometer and keeps
 * the matching Fortran element offset up to date incrementally.
 */
function copyFortranToC(
  src: Uint8Array,
  dst: Uint8Array,
  shape: number[],
  size: number,
  swap: boolean,
): void {
  const n = shape.length;
  const stride: number[] = [];
  let acc = 1;
  for (let k = 0; k < n; k++) {
    stride.push(acc);
    acc *= shape[k]!;
  }
  const total = acc;
  const idx = new Array<number>(n).fill(0);
  let s = 0;
  for (let o = 0; o < total; o++) {
    const sp = s * size;
    const dp = o * size;
    if (swap) for (let b = 0; b < size; b++) dst[dp + b] = src[sp + size - 1 - b]!;
    else for (let b = 0; b < size; b++) dst[dp + b] = src[sp + b]!;
    for (let k = n - 1; k >= 0; k--) {
      idx[k]!++;
      s += stride[k]!;
      if (idx[k]! < shape[k]!) break;
      s -= stride[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
}

/** Bool bytes other than 0 and 1 are legal in NPY (NumPy reads any non-zero as True); make them 0/1. */
function normalizeBool(data: Uint8Array, mayCopy: boolean): Uint8Array {
  if (data.every((v) => v <= 1)) return data;
  const out = mayCopy ? new Uint8Array(data.length) : data;
  for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
  return out;
}

/**
 * Parses an NPY file. `source` names the file in error messages. The result may be a view into `bytes`
 * (see the file comment), so callers must not modify `bytes` while they use it.
 */
export function readNpy(bytes: Uint8Array, source: string): HostArray {
  if (bytes.length === 0) throw new FormatError(`${source}: not an NPY file (the file is empty)`);
  if (!hasNpyMagic(bytes)) throw new FormatError(`${source}: not an NPY file (bad magic)`);
  if (bytes.length < 8) throw new FormatError(`${source}: truncated: file ends inside the NPY preamble`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (minor !== 0 || major < 1 || major > 3) {
    throw new FormatError(
      `${source}: unsupported NPY format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`,
    );
  }
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes)
    throw new FormatError(`${source}: truncated: file ends inside the NPY preamble`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const headerStart = 8 + lenBytes;
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) {
    throw new FormatError(
      `${source}: truncated: header says ${headerLen} bytes of header, file has ${bytes.length - headerStart}`,
    );
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      throw new FormatError(`${source}: malformed header: not valid UTF-8`);
    }
  } else {
    text = decodeLatin1(headerBytes);
  }
  const { descr, fortranOrder, shape } = parseHeader(text, major, source);
  const { dtype } = descr;
  const size = itemSize(dtype);
  // Byte order applies to each stored number: a complex element is two of them.
  const part = partSize(dtype);

  let count = 1n;
  for (const d of shape) count *= BigInt(d);
  const needed = count * BigInt(size);
  const available = bytes.length - dataStart;
  if (needed > BigInt(available)) {
    throw new FormatError(`${source}: truncated: header says ${needed} bytes of data, file has ${available}`);
  }
  const n = Number(count);
  const nbytes = n * size;
  const swap = part > 1 && descr.bigEndian === HOST_LITTLE_ENDIAN;
  // Fortran order only differs from C order when more than one axis is longer than 1.
  const transpose = fortranOrder && shape.filter((d) => d > 1).length > 1;
  const absOffset = bytes.byteOffset + dataStart;

  let data: HostData;
  if (!swap && !transpose && absOffset % part === 0) {
    data = viewData(dtype, bytes.buffer, absOffset, n);
  } else {
    const src = bytes.subarray(dataStart, dataStart + nbytes);
    const out = allocData(dtype, n);
    const dst = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    if (transpose) {
      // Whole elements move; a complex element's two parts are then swapped each on its own.
      copyFortranToC(src, dst, shape, size, swap && part === size);
      if (swap && part !== size) copySwapped(dst.slice(), dst, nbytes / part, part);
    } else if (swap) copySwapped(src, dst, nbytes / part, part);
    else dst.set(src);
    data = out;
  }
  if (dtype === 'bool') data = normalizeBool(data as Uint8Array, data.buffer === bytes.buffer);
  return { dtype, shape, data };
}

function encodeAscii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The NPY header block (magic through the final newline) numpy.save writes for this dtype and shape. */
export function npyHeader(dtype: DTypeName, shape: readonly number[]): Uint8Array {
  let dict = `{'descr': '${WRITE_CODES[dtype]}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // Version 1.0 stores the header length in 2 bytes; NumPy moves to 2.0 only when that is too small.
  for (const [major, lenBytes] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const hlen = dict.length + 1;
    const padlen = ARRAY_ALIGN - ((8 + lenBytes + hlen) % ARRAY_ALIGN);
    const total = hlen + padlen;
    if (lenBytes === 2 && total > 0xffff) continue;
    const out = new Uint8Array(8 + lenBytes + total);
    out.set(MAGIC);
    out[6] = major;
    out[7] = 0;
    const dv = new DataView(out.buffer);
    if (lenBytes === 2) dv.setUint16(8, total, true);
    else dv.setUint32(8, total, true);
    out.set(encodeAscii(dict), 8 + lenBytes);
    out.fill(0x20, 8 + lenBytes + dict.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new FormatError(`writeNpy: header for shape ${shapeRepr(shape)} is too long`);
}

/** Little-endian bytes of the data, as NPY stores them. */
export function littleEndianBytes(a: HostArray): Uint8Array {
  const size = partSize(a.dtype);
  const raw = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  if (a.dtype === 'bool') return raw.map((v) => (v ? 1 : 0));
  if (size === 1 || HOST_LITTLE_ENDIAN) return raw;
  const out = new Uint8Array(raw.length);
  copySwapped(raw, out, a.data.length, size);
  return out;
}

/** The bytes numpy.save writes for this array. */
export function writeNpy(a: HostArray): Uint8Array {
  checkHostArray(a, 'writeNpy');
  const header = npyHeader(a.dtype, a.shape);
  const data = littleEndianBytes(a);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}
