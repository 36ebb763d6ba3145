/**
 * @file A small WebAssembly binary writer: one module with one exported function and an
 * imported memory, which is all the CPU backend's SIMD kernels (simd.ts) need. Instructions are
 * appended to a byte array through named helpers; the opcodes are those of the WebAssembly 2.0
 * binary format (the `0xfd` prefix for the 128-bit SIMD instructions).
 */

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** Plain (one-byte) opcodes used here. */
export const OP = {
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br_if: 0x0d,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  i32x4Splat: 0x11,
  i32x4ExtractLane: 0x1b,
  i32x4ReplaceLane: 0x1c,
  i32x4Eq: 0x37,
  i32x4Ne: 0x38,
  i32x4LtS: 0x39,
  i32x4LtU: 0x3a,
  i32x4GtS: 0x3b,
  i32x4GtU: 0x3c,
  i32x4LeS: 0x3d,
  i32x4LeU: 0x3e,
  i32x4GeS: 0x3f,
  i32x4GeU: 0x40,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  f32x4Ge: 0x46,
  f64x2Eq: 0x47,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  not: 0x4d,
  and: 0x4e,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  anyTrue: 0x53,
  v128Load32Lane: 0x56,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Ceil: 0x67,
  f32x4Floor: 0x68,
  f32x4Nearest: 0x6a,
  i32x4Abs: 0xa0,
  i32x4Neg: 0xa1,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i32x4Mul: 0xb5,
  i32x4MinS: 0xb6,
  i32x4MinU: 0xb7,
  i32x4MaxS: 0xb8,
  i32x4MaxU: 0xb9,
  i64x2ShrS: 0xcc,
  i64x2Add: 0xce,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  i32x4TruncSatF32x4S: 0xf8,
  i32x4TruncSatF32x4U: 0xf9,
  f32x4ConvertI32x4S: 0xfa,
  f32x4ConvertI32x4U: 0xfb,
} as const;

export function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** i8x16.shuffle bytes taking lanes (0-7 over both operands) of `esz` bytes each. */
export function lanesOf(esz: number, lanes: readonly number[]): number[] {
  return lanes.flatMap((l) => Array.from({ length: esz }, (_, b) => l * esz + b));
}

/**
 * The first half of a 4 x 4 transpose of 32-bit lanes in locals `v` (row r in v[r]): t[0] and
 * t[1] the low and high halves of rows 0 and 1 interleaved, t[2] and t[3] those of rows 2 and 3.
 * Shuffling 64-bit halves of those (t[0] with t[2], t[1] with t[3]) gives the columns.
 */
export function interleave32(f: FuncWriter, v: readonly number[], t: readonly number[]): void {
  for (let r = 0; r < 4; r++) {
    f.get(v[r & 2])
      .get(v[(r & 2) + 1])
      .shuffle(lanesOf(4, r & 1 ? [2, 6, 3, 7] : [0, 4, 1, 5]))
      .set(t[r]);
  }
}

/** A function body under construction: locals and instruction bytes. */
export class FuncWriter {
  readonly code: number[] = [];
  private readonly locals: number[] = [];
  /** Code run first: the constants' locals. */
  private readonly pre: number[] = [];
  private readonly consts = new Map<string, number>();
  constructor(private readonly nParams: number) {}

  /** A new local of type `t`; returns its index. */
  local(t: number): number {
    this.locals.push(t);
    return this.nParams + this.locals.length - 1;
  }

  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  /** An opcode byte and its unsigned LEB128 immediate. */
  private withU(op: number, v: number): this {
    this.code.push(op);
    uleb(this.code, v);
    return this;
  }

  simd(op: number): this {
    return this.withU(0xfd, op);
  }

  get(i: number): this {
    return this.withU(OP.localGet, i);
  }

  set(i: number): this {
    return this.withU(OP.localSet, i);
  }

  tee(i: number): this {
    return this.withU(OP.localTee, i);
  }

  i32(v: number): this {
    this.code.push(OP.i32Const);
    sleb(this.code, v);
    return this;
  }

  /** A memory access with a static byte offset (alignment hint: 4 bytes). */
  mem(op: number, offset: number, simd = false): this {
    if (simd) this.simd(op);
    else this.code.push(op);
    uleb(this.code, 2);
    uleb(this.code, offset);
    return this;
  }

  /**
   * A 128-bit constant, pushed from a local set once at the top of the function: V8 builds a
   * v128.const from immediates each time it runs, three or four instructions inside a loop.
   */
  v128(bytes: Uint8Array): this {
    const k = bytes.join(',');
    let l = this.consts.get(k);
    if (l === undefined) {
      l = this.local(V128);
      this.consts.set(k, l);
      this.pre.push(0xfd);
      uleb(this.pre, SIMD.const);
      this.pre.push(...bytes, OP.localSet);
      uleb(this.pre, l);
    }
    return this.get(l);
  }

  i32x4(a: number, b = a, c = a, d = a): this {
    return this.v128(new Uint8Array(new Int32Array([a, b, c, d]).buffer));
  }

  f32x4(a: number, b = a, c = a, d = a): this {
    return this.v128(new Uint8Array(new Float32Array([a, b, c, d]).buffer));
  }

  f64x2(a: number, b = a): this {
    return this.v128(new Uint8Array(new Float64Array([a, b]).buffer));
  }

  i64x2(a: bigint, b = a): this {
    return this.v128(new Uint8Array(new BigInt64Array([a, b]).buffer));
  }

  /** i8x16.shuffle with 16 lane indices (0-15: the first operand's bytes, 16-31: the second's). */
  shuffle(lanes: readonly number[]): this {
    this.simd(SIMD.shuffle);
    this.code.push(...lanes);
    return this;
  }

  /** The function body: local declarations, code, `end`. */
  body(): number[] {
    const out: number[] = [];
    const groups: [number, number][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(out, groups.length);
    for (const [n, t] of groups) {
      uleb(out, n);
      out.push(t);
    }
    out.push(...this.pre, ...this.code, OP.end);
    return out;
  }
}

export function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  out.push(...content);
}

export function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (const c of s) out.push(c.charCodeAt(0));
}

/**
 * A module exporting function `k` (the given parameters, no results) that imports its memory as
 * `env.m`: the CPU heap (heap.ts), a shared memory of up to HEAP_MAX_PAGES pages that all the
 * kernels of all threads use, each in its own scratch region and the buffers where they are.
 */
export function moduleBytes(params: readonly number[], f: FuncWriter, maxPages: number): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const type: number[] = [1, 0x60];
  uleb(type, params.length);
  type.push(...params, 0);
  section(out, 1, type);
  const imports: number[] = [1];
  name(imports, 'env');
  name(imports, 'm');
  // Memory, limits with a maximum, shared; at least one page.
  imports.push(0x02, 0x03);
  uleb(imports, 1);
  uleb(imports, maxPages);
  section(out, 2, imports);
  section(out, 3, [1, 0]);
  const exports: number[] = [1];
  name(exports, 'k');
  exports.push(0x00, 0);
  section(out, 7, exports);
  const body = f.body();
  const code: number[] = [1];
  uleb(code, body.length);
  code.push(...body);
  section(out, 10, code);
  return Uint8Array.from(out);
}
