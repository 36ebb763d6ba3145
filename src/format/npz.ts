/**
 * @file Reading and writing NumPy .npz archives (zip files of .npy members, as np.savez and
 * np.savez_compressed write them).
 *
 * The zip container is read here directly (end-of-central-directory record, Zip64 records, central
 * directory, local headers) rather than through fflate's unzip, so that stored members can be handed to
 * readNpy without a copy, CRCs are checked as Python's zipfile checks them, and damage is reported
 * precisely. fflate does the inflating and the writing. Members whose names do not end in `.npy` are not
 * arrays and are skipped; the others are keyed by their name without the `.npy` suffix, like np.load.
 */

import { inflateSync, type Zippable, zipSync } from 'fflate';
import { FormatError, type HostArray } from './host-array.js';
import { readNpy, writeNpy } from './npy.js';
import { clip } from './quote.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Member {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

class ZipReader {
  private readonly dv: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private corrupt(detail: string): never {
    throw new FormatError(`${this.source}: corrupt zip archive: ${detail}`);
  }

  private u16(p: number): number {
    if (p + 2 > this.bytes.length) this.corrupt('unexpected end of file');
    return this.dv.getUint16(p, true);
  }

  private u32(p: number): number {
    if (p + 4 > this.bytes.length) this.corrupt('unexpected end of file');
    return this.dv.getUint32(p, true);
  }

  private u64(p: number): number {
    if (p + 8 > this.bytes.length) this.corrupt('unexpected end of file');
    const v = this.dv.getBigUint64(p, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.corrupt('size or offset out of range');
    return Number(v);
  }

  private findEocd(): number {
    // The record is 22 bytes plus a comment of at most 65535 bytes, so it lies near the end.
    const min = Math.max(0, this.bytes.length - 22 - 0xffff);
    for (let p = this.bytes.length - 22; p >= min; p--) {
      if (
        this.dv.getUint32(p, true) === SIG_EOCD &&
        p + 22 + this.dv.getUint16(p + 20, true) <= this.bytes.length
      ) {
        return p;
      }
    }
    throw new FormatError(`${this.source}: not an NPZ file (no zip directory found; is it truncated?)`);
  }

  members(): Member[] {
    const eocd = this.findEocd();
    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || this.u32(loc) !== SIG_ZIP64_LOCATOR) this.corrupt('missing Zip64 locator');
      const rec = this.u64(loc + 8);
      if (this.u32(rec) !== SIG_ZIP64_EOCD) this.corrupt('bad Zip64 end record');
      count = this.u64(rec + 32);
      cdSize = this.u64(rec + 40);
      cdOffset = this.u64(rec + 48);
    }
    if (cdOffset + cdSize > this.bytes.length) this.corrupt('central directory lies outside the file');
    const out: Member[] = [];
    let p = cdOffset;
    const decoder = new TextDecoder('utf-8');
    for (let i = 0; i < count; i++) {
      if (this.u32(p) !== SIG_CENTRAL) this.corrupt(`bad central directory entry ${i}`);
      const flags = this.u16(p + 8);
      const method = this.u16(p + 10);
      const crc = this.u32(p + 16);
      let compressedSize = this.u32(p + 20);
      let size = this.u32(p + 24);
      const nameLen = this.u16(p + 28);
      const extraLen = this.u16(p + 30);
      const commentLen = this.u16(p + 32);
      let localOffset = this.u32(p + 42);
      if (p + 46 + nameLen + extraLen > this.bytes.length) this.corrupt('unexpected end of file');
      const name = decoder.decode(this.bytes.subarray(p + 46, p + 46 + nameLen));
      // Zip64 sizes live in extra field 0x0001, holding only the fields that overflowed, in this order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = this.u16(e);
        const len = this.u16(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = this.u64(q);
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = this.u64(q);
            q += 8;
          }
          if (localOffset === 0xffffffff) localOffset = this.u64(q);
        }
        e += 4 + len;
      }
      out.push({ name, method, flags, crc, compressedSize, size, localOffset });
      p = extraEnd + commentLen;
    }
    return out;
  }

  contents(m: Member): Uint8Array {
    const p = m.localOffset;
    if (this.u32(p) !== SIG_LOCAL) this.corrupt(`bad local header for '${clip(m.name)}'`);
    const start = p + 30 + this.u16(p + 26) + this.u16(p + 28);
    const end = start + m.compressedSize;
    if (end > this.bytes.length) this.corrupt(`member '${clip(m.name)}' extends past the end of the file`);
    if (m.flags & 1) throw new FormatError(`${this.source}: member '${clip(m.name)}' is encrypted`);
    const raw = this.bytes.subarray(start, end);
    let data: Uint8Array;
    if (m.method === 0) {
      data = raw;
    } else if (m.method === 8) {
      try {
        data = inflateSync(raw, { out: new Uint8Array(m.size) });
      } catch (err) {
        this.corrupt(`member '${clip(m.name)}' does not inflate (${(err as Error).message})`);
      }
    } else {
      throw new FormatError(
        `${this.source}: member '${clip(m.name)}' uses zip compression method ${m.method}; only stored and deflate are supported`,
      );
    }
    if (data.length !== m.size) this.corrupt(`member '${clip(m.name)}' has the wrong size`);
    if (crc32(data) !== m.crc) this.corrupt(`member '${clip(m.name)}' fails its CRC check`);
    return data;
  }
}

/**
 * Parses an NPZ archive into arrays keyed by member name without `.npy`. Arrays from stored (uncompressed)
 * members may be views into `bytes`.
 */
export function readNpz(bytes: Uint8Array, source: string): Map<string, HostArray> {
  const zip = new ZipReader(bytes, source);
  const out = new Map<string, HostArray>();
  for (const m of zip.members()) {
    if (!m.name.endsWith('.npy')) continue;
    out.set(m.name.slice(0, -4), readNpy(zip.contents(m), `${source}/${m.name}`));
  }
  return out;
}

/** The array called name, or an error listing the names the archive has. */
export function npzGet(entries: Map<string, HostArray>, name: string, source: string): HostArray {
  const a = entries.get(name);
  if (a) return a;
  const names = [...entries.keys()];
  throw new FormatError(
    `${source}: no array named '${clip(name)}' (has: ${names.length ? clip(names.join(', ')) : 'none'})`,
  );
}

// The DOS timestamp zipfile writes for np.savez members; fixed so output is reproducible.
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);

/** An NPZ archive that np.load reads back; deflated like np.savez_compressed when compress is set. */
export function writeNpz(
  entries: Map<string, HostArray> | Record<string, HostArray>,
  opts: { compress?: boolean } = {},
): Uint8Array {
  const list = entries instanceof Map ? [...entries] : Object.entries(entries);
  const files: Zippable = {};
  for (const [name, a] of list) {
    if (name === '') throw new FormatError('writeNpz: array names must not be empty');
    files[`${name}.npy`] = [writeNpy(a), { level: opts.compress ? 6 : 0, mtime: ZIP_EPOCH }];
  }
  return zipSync(files);
}
