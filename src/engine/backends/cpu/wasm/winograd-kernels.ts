/**
 * @file The WebAssembly functions of the Winograd convolution F(2x2, 3x3) (wasm/winograd.ts drives
 * them; Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016): the input
 * transform V = B^T d B of a 4x4 tile of the lhs, the output transform Y = A^T M A of a 4x4 tile of
 * the transformed products, and the zero-padded gather of a tile at the image's border. float32,
 * four features per vector (so features come in multiples of four).
 *
 * With B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] and A^T = [1 1 1 0; 0 1 -1 -1] a transform
 * is additions along each dimension of the tile in turn; each value is rounded once per addition,
 * in the fixed order written here.
 */

import { FuncWriter, I32, OP, SIMD, V128 } from './encode.js';
import { Emit } from './gemm-kernels.js';
import { type FuncDef, OP2, SIMD2 } from './module.js';

const VOID = 0x40;
const { f32x4Add: ADD, f32x4Sub: SUB } = SIMD;

/** A function of `params` i32 parameters and its loop emitter. */
function writer(params: number): [FuncWriter, Emit] {
  const f = new FuncWriter(params);
  return [f, new Emit(f)];
}

/** `n` new locals of type `t`. */
function locals(f: FuncWriter, n: number, t = V128): number[] {
  return Array.from({ length: n }, () => f.local(t));
}

/** Sixteen new locals holding xi * (param `stride`), xi = 0..15: the transformed tile's planes. */
function planes(f: FuncWriter, stride: number): number[] {
  const at = locals(f, 16, I32);
  for (let xi = 0; xi < 16; xi++) f.get(stride).i32(xi).op(OP2.i32Mul).set(at[xi]);
  return at;
}

/** Loads the four vectors at local `p` plus locals `offs[from..from+3]` into locals `into`. */
function load4(f: FuncWriter, p: number, offs: number[], from: number, into: number[]): void {
  for (let s = 0; s < 4; s++)
    f.get(p)
      .get(offs[from + s])
      .op(OP.i32Add)
      .mem(SIMD.load, 0, true)
      .set(into[s]);
}

/** `body` for local `i` = 0, 4, 8, ... below param `n` (n >= 4): one vector of features each. */
function byVectors(f: FuncWriter, e: Emit, i: number, n: number, body: () => void): void {
  f.i32(0).set(i);
  e.doWhileLt(i, 4, () => f.get(n), body);
}

/** Adds `by` bytes to each of the locals `ptrs`. */
function advance(f: FuncWriter, by: number, ...ptrs: number[]): void {
  for (const p of ptrs) f.get(p).i32(by).op(OP.i32Add).set(p);
}

/** Pushes local `a` op local `b` (op a SIMD opcode) and stores it in local `to`. */
function vop(f: FuncWriter, op: number, a: number, b: number, to: number): void {
  f.get(a).get(b).simd(op).set(to);
}

/**
 * `winoIn(src, rs, cs, C, dst, vs)`: the tile whose element (r, s, c) (r, s < 4, c < C) is at byte
 * `src + r*rs + s*cs + 4c`, transformed, as one row of the GEMM's packed A operand (gemm-kernels.ts
 * packFn's layout: a sliver of `mr` rows holds, for each k = c, its rows' values side by side):
 * V[xi = a*4 + b] for feature c at byte `dst + xi*vs + c*mr*4`.
 */
function winoInFn(mr: number): FuncWriter {
  // mr = 1: features side by side (a row-major [tile][feature] matrix), as plain vector stores.
  const [f, e] = writer(6);
  const [SRC, RS, CS, C, DST, VS] = [0, 1, 2, 3, 4, 5];
  const [c, p, q] = locals(f, 3, I32);
  const off = locals(f, 16, I32);
  const voff = planes(f, VS);
  const d = locals(f, 4);
  const w = locals(f, 16);
  const v = f.local(V128);
  const addr = f.local(I32);
  for (let r = 0; r < 4; r++) {
    for (let s = 0; s < 4; s++) {
      f.get(RS)
        .i32(r)
        .op(OP2.i32Mul)
        .get(CS)
        .i32(s)
        .op(OP2.i32Mul)
        .op(OP.i32Add)
        .set(off[r * 4 + s]);
    }
  }
  f.get(SRC).set(p);
  f.get(DST).set(q);
  byVectors(f, e, c, C, () => {
    // Along s, row by row: w[r][b].
    for (let r = 0; r < 4; r++) {
      load4(f, p, off, r * 4, d);
      vop(f, SUB, d[0], d[2], w[r * 4]);
      vop(f, ADD, d[1], d[2], w[r * 4 + 1]);
      vop(f, SUB, d[2], d[1], w[r * 4 + 2]);
      vop(f, SUB, d[1], d[3], w[r * 4 + 3]);
    }
    // Along r, column by column: V[a][b].
    // Four features: four values mr apart (v128.store32_lane).
    const store = (xi: number) => {
      f.get(q).get(voff[xi]).op(OP.i32Add).set(addr);
      if (mr === 1) {
        f.get(addr).get(v).mem(SIMD.store, 0, true);
        return;
      }
      for (let l = 0; l < 4; l++) {
        f.get(addr)
          .get(v)
          .mem(SIMD2.store32Lane, l * mr * 4, true)
          .op(l);
      }
    };
    for (let b = 0; b < 4; b++) {
      vop(f, SUB, w[b], w[8 + b], v);
      store(b);
      vop(f, ADD, w[4 + b], w[8 + b], v);
      store(4 + b);
      vop(f, SUB, w[8 + b], w[4 + b], v);
      store(8 + b);
      vop(f, SUB, w[4 + b], w[12 + b], v);
      store(12 + b);
    }
    advance(f, 16, p);
    advance(f, 16 * mr, q);
  });
  return f;
}

/**
 * `winoOut(m, ms, ld, O, T, TW, y, yrs) -> i32`: tiles t < T of the transformed products (M[xi]
 * for tile t and feature o at byte `m + xi*ms + t*ld + 4o`) transformed back into 2x2 outputs;
 * tile t is (t / TW, t % TW) of a grid whose outputs (row i, column j, feature o) go to byte
 * `y + i*yrs + (j*O + o)*4`. Returns 1 when an output is not finite (or some sum of four
 * overflowed), else 0.
 */
function winoOutFn(): FuncWriter {
  const [f, e] = writer(8);
  const [M, MS, LD, O, T, TW, Y, YRS] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [t, tx, o, mt, yt, p, q, o4] = locals(f, 8, I32);
  const moff = planes(f, MS);
  const mv = locals(f, 4);
  const u = locals(f, 8);
  const y = locals(f, 4);
  const acc = f.local(V128);
  f.get(O).i32(4).op(OP2.i32Mul).set(o4);
  f.f32x4(0).set(acc);
  f.get(M).set(mt);
  f.get(Y).set(yt);
  f.i32(0).set(tx);
  e.forLt(
    t,
    () => f.i32(0),
    1,
    () => f.get(T),
    () => {
      f.get(mt).set(p);
      f.get(yt).set(q);
      byVectors(f, e, o, O, () => {
        // Along b, row a by row: u[a][j].
        for (let a = 0; a < 4; a++) {
          load4(f, p, moff, a * 4, mv);
          f.get(mv[0])
            .get(mv[1])
            .simd(ADD)
            .get(mv[2])
            .simd(ADD)
            .set(u[a * 2]);
          f.get(mv[1])
            .get(mv[2])
            .simd(SUB)
            .get(mv[3])
            .simd(SUB)
            .set(u[a * 2 + 1]);
        }
        // Along a: y[i][j].
        for (let j = 0; j < 2; j++) {
          f.get(u[j])
            .get(u[2 + j])
            .simd(ADD)
            .get(u[4 + j])
            .simd(ADD)
            .set(y[j]);
          f.get(u[2 + j])
            .get(u[4 + j])
            .simd(SUB)
            .get(u[6 + j])
            .simd(SUB)
            .set(y[2 + j]);
        }
        const store = (addr: () => void, val: number) => {
          addr();
          f.get(val).mem(SIMD.store, 0, true);
        };
        store(() => f.get(q), y[0]);
        store(() => f.get(q).get(o4).op(OP.i32Add), y[1]);
        store(() => f.get(q).get(YRS).op(OP.i32Add), y[2]);
        store(() => f.get(q).get(YRS).op(OP.i32Add).get(o4).op(OP.i32Add), y[3]);
        // acc += (sum of the four) * 0: NaN from here on once one is not finite.
        f.get(acc)
          .get(y[0])
          .get(y[1])
          .simd(ADD)
          .get(y[2])
          .get(y[3])
          .simd(ADD)
          .simd(ADD)
          .f32x4(0)
          .simd(SIMD.f32x4Mul)
          .simd(ADD)
          .set(acc);
        advance(f, 16, p, q);
      });
      // Next tile: t*ld further in M; two columns of outputs right, or two rows down at the row's end.
      f.get(mt).get(LD).op(OP.i32Add).set(mt);
      f.get(tx).i32(1).op(OP.i32Add).tee(tx).get(TW).op(OP2.i32Eq);
      f.op(OP.if, VOID);
      f.i32(0).set(tx);
      f.get(Y).get(YRS).i32(2).op(OP2.i32Mul).op(OP.i32Add).tee(Y).set(yt);
      f.op(0x05); // else
      f.get(yt).get(o4).i32(2).op(OP2.i32Mul).op(OP.i32Add).set(yt);
      f.op(OP.end);
    },
  );
  f.get(acc).get(acc).simd(SIMD.f32x4Ne).simd(SIMD.anyTrue);
  return f;
}

/**
 * `winoPatch(img, sh, sw, H, W, iy0, ix0, C, dst)`: the 4x4 tile of image rows iy0.. and columns
 * ix0.. (element (iy, ix, c) at byte `img + iy*sh + ix*sw + 4c`), row-major at `dst` (rows 16C
 * bytes apart, columns 4C), zeros outside the image.
 */
function winoPatchFn(): FuncWriter {
  const f = new FuncWriter(9);
  const [IMG, SH, SW, H, W, IY0, IX0, C, DST] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [iy, ix, bytes, dst] = locals(f, 4, I32);
  f.get(C).i32(4).op(OP2.i32Mul).set(bytes);
  f.get(DST).set(dst);
  for (let r = 0; r < 4; r++) {
    f.get(IY0).i32(r).op(OP.i32Add).set(iy);
    for (let s = 0; s < 4; s++) {
      f.get(IX0).i32(s).op(OP.i32Add).set(ix);
      // Inside: 0 <= iy < H and 0 <= ix < W, as unsigned comparisons.
      f.get(iy).get(H).op(OP.i32LtU).get(ix).get(W).op(OP.i32LtU).op(OP.i32And);
      f.op(OP.if, VOID);
      f.get(dst)
        .get(IMG)
        .get(iy)
        .get(SH)
        .op(OP2.i32Mul)
        .op(OP.i32Add)
        .get(ix)
        .get(SW)
        .op(OP2.i32Mul)
        .op(OP.i32Add)
        .get(bytes)
        .op(...OP2.memoryCopy);
      f.op(0x05); // else
      f.get(dst)
        .i32(0)
        .get(bytes)
        .op(...OP2.memoryFill);
      f.op(OP.end);
      f.get(dst).get(bytes).op(OP.i32Add).set(dst);
    }
  }
  return f;
}

/**
 * `winoKernel(g, C, O, dst)`: the kernel transform U = G g G^T, G = [1 0 0; .5 .5 .5; .5 -.5 .5;
 * 0 0 1], of the dense 3x3 x C x O kernel at `g` (element (ky, kx, c, o) at float ((ky*3 + kx)*C
 * + c)*O + o), as U[xi][c][o] at float `dst` + (xi*C + c)*O + o; O a multiple of four.
 */
function winoKernelFn(): FuncWriter {
  const [f, e] = writer(4);
  const [G, C, O, DST] = [0, 1, 2, 3];
  const [i, n, p, q, plane] = locals(f, 5, I32);
  const g = locals(f, 9);
  const t = locals(f, 12);
  const v = f.local(V128);
  // Every (c, o) in turn: C*O/4 vectors, g's planes C*O*4 bytes apart.
  f.get(C).get(O).op(OP2.i32Mul).tee(n).i32(4).op(OP2.i32Mul).set(plane);
  f.get(G).set(p);
  f.get(DST).set(q);
  f.i32(0).set(i);
  const half = (combine: () => void, to: number) => {
    combine();
    f.f32x4(0.5).simd(SIMD.f32x4Mul).set(to);
  };
  e.doWhileLt(
    i,
    4,
    () => f.get(n),
    () => {
      for (let k = 0; k < 9; k++) {
        f.get(p);
        for (let r = 0; r < k; r++) f.get(plane).op(OP.i32Add);
        f.mem(SIMD.load, 0, true).set(g[k]);
      }
      // t = G g (rows a, columns j), then U[a][b] = (t G^T)[a][b].
      for (let jj = 0; jj < 3; jj++) {
        f.get(g[jj]).set(t[jj]);
        for (const [op, to] of [
          [ADD, t[3 + jj]],
          [SUB, t[6 + jj]],
        ])
          half(
            () =>
              f
                .get(g[jj])
                .get(g[3 + jj])
                .simd(op)
                .get(g[6 + jj])
                .simd(ADD),
            to,
          );
        f.get(g[6 + jj]).set(t[9 + jj]);
      }
      const store = (xi: number, val: number) => {
        f.get(q);
        for (let r = 0; r < xi; r++) f.get(plane).op(OP.i32Add);
        f.get(val).mem(SIMD.store, 0, true);
      };
      for (let a = 0; a < 4; a++) {
        const [t0, t1, t2] = [t[3 * a], t[3 * a + 1], t[3 * a + 2]];
        store(a * 4, t0);
        half(() => f.get(t0).get(t1).simd(ADD).get(t2).simd(ADD), v);
        store(a * 4 + 1, v);
        half(() => f.get(t0).get(t1).simd(SUB).get(t2).simd(ADD), v);
        store(a * 4 + 2, v);
        store(a * 4 + 3, t2);
      }
      advance(f, 16, p, q);
    },
  );
  return f;
}

/**
 * `winoDy(src, rs, cs, O, dst, vs)`: for the weight gradient, F(3x3, 2x2) (points 0, 1, -1, inf;
 * its B^T is F(2x2, 3x3)'s with the last row negated, which G' absorbs): the 2x2 tile h of the
 * output gradient (element (i, j, o) at byte `src + i*rs + j*cs + 4o`) as U = G' h G'^T,
 * G' = [1 0; .5 .5; .5 -.5; 0 -1], U[xi] at byte `dst + xi*vs + 4o`.
 */
function winoDyFn(): FuncWriter {
  const [f, e] = writer(6);
  const [SRC, RS, CS, O, DST, VS] = [0, 1, 2, 3, 4, 5];
  const [o, p, q] = locals(f, 3, I32);
  const voff = planes(f, VS);
  const h = locals(f, 4);
  const t = locals(f, 8);
  f.get(SRC).set(p);
  f.get(DST).set(q);
  // G' x for a pair (x0, x1): x0, (x0 + x1) * .5, (x0 - x1) * .5, -x1.
  const g = (x0: number, x1: number, out: (a: number, val: () => void) => void) => {
    out(0, () => f.get(x0));
    out(1, () => f.get(x0).get(x1).simd(ADD).f32x4(0.5).simd(SIMD.f32x4Mul));
    out(2, () => f.get(x0).get(x1).simd(SUB).f32x4(0.5).simd(SIMD.f32x4Mul));
    out(3, () => f.get(x1).simd(SIMD.f32x4Neg));
  };
  byVectors(f, e, o, O, () => {
    f.get(p).mem(SIMD.load, 0, true).set(h[0]);
    f.get(p).get(CS).op(OP.i32Add).mem(SIMD.load, 0, true).set(h[1]);
    f.get(p).get(RS).op(OP.i32Add).mem(SIMD.load, 0, true).set(h[2]);
    f.get(p).get(RS).op(OP.i32Add).get(CS).op(OP.i32Add).mem(SIMD.load, 0, true).set(h[3]);
    // Along i for each column j: t[a][j]; then along j: U[a][b].
    for (let jj = 0; jj < 2; jj++)
      g(h[jj], h[2 + jj], (a, val) => {
        val();
        f.set(t[a * 2 + jj]);
      });
    for (let a = 0; a < 4; a++)
      g(t[a * 2], t[a * 2 + 1], (b, val) => {
        f.get(q)
          .get(voff[a * 4 + b])
          .op(OP.i32Add);
        val();
        f.mem(SIMD.store, 0, true);
      });
    advance(f, 16, p, q);
  });
  return f;
}

/**
 * `winoOut3(m, ms, ld, C, O, y) -> i32`: the weight gradient's output transform, A^T M A with
 * A^T = [1 1 1 0; 0 1 -1 0; 0 1 1 1]: M[xi] for (c, o) at byte `m + xi*ms + c*ld + 4o`, the 3x3
 * result (ky, kx) for (c, o) at byte `y + ((ky*3 + kx)*C + c)*O*4 + 4o`. Returns 1 when a result is
 * not finite, else 0.
 */
function winoOut3Fn(): FuncWriter {
  const [f, e] = writer(6);
  const [M, MS, LD, C, O, Y] = [0, 1, 2, 3, 4, 5];
  const [c, o, p, q, plane] = locals(f, 5, I32);
  const moff = planes(f, MS);
  const mv = locals(f, 4);
  const u = locals(f, 12);
  const [acc, r] = locals(f, 2);
  f.get(C).get(O).op(OP2.i32Mul).i32(4).op(OP2.i32Mul).set(plane);
  f.f32x4(0).set(acc);
  // A^T x for four values: x0 + x1 + x2, x1 - x2, x1 + x2 + x3.
  const a3 = (x: number[], out: (k: number, val: () => void) => void) => {
    out(0, () => f.get(x[0]).get(x[1]).simd(ADD).get(x[2]).simd(ADD));
    out(1, () => f.get(x[1]).get(x[2]).simd(SUB));
    out(2, () => f.get(x[1]).get(x[2]).simd(ADD).get(x[3]).simd(ADD));
  };
  e.forLt(
    c,
    () => f.i32(0),
    1,
    () => f.get(C),
    () => {
      f.get(M).get(c).get(LD).op(OP2.i32Mul).op(OP.i32Add).set(p);
      f.get(Y).get(c).get(O).op(OP2.i32Mul).i32(4).op(OP2.i32Mul).op(OP.i32Add).set(q);
      byVectors(f, e, o, O, () => {
        for (let a = 0; a < 4; a++) {
          load4(f, p, moff, a * 4, mv);
          a3(mv, (k, val) => {
            val();
            f.set(u[a * 3 + k]);
          });
        }
        for (let kx = 0; kx < 3; kx++)
          a3(
            [0, 1, 2, 3].map((a) => u[a * 3 + kx]),
            (ky, val) => {
              val();
              f.set(r);
              f.get(q);
              for (let i = 0; i < ky * 3 + kx; i++) f.get(plane).op(OP.i32Add);
              f.get(r).mem(SIMD.store, 0, true);
              f.get(acc).get(r).f32x4(0).simd(SIMD.f32x4Mul).simd(ADD).set(acc);
            },
          );
        advance(f, 16, p, q);
      });
    },
  );
  f.get(acc).get(acc).simd(SIMD.f32x4Ne).simd(SIMD.anyTrue);
  return f;
}

/** `addInto(dst, src, bytes)`: dst[i] += src[i] over `bytes` (a multiple of 16) of float32s. */
function addIntoFn(): FuncWriter {
  const [f, e] = writer(3);
  const [DST, SRC, BYTES] = [0, 1, 2];
  const [i] = locals(f, 1, I32);
  f.i32(0).set(i);
  e.doWhileLt(
    i,
    16,
    () => f.get(BYTES),
    () => {
      f.get(DST).get(i).op(OP.i32Add);
      f.get(DST).get(i).op(OP.i32Add).mem(SIMD.load, 0, true);
      f.get(SRC).get(i).op(OP.i32Add).mem(SIMD.load, 0, true);
      f.simd(ADD).mem(SIMD.store, 0, true);
    },
  );
  return f;
}

/** The Winograd functions (float32), for the GEMM's float32 micro-kernel of `mr` rows. */
export function winogradFuncs(mr: number): FuncDef[] {
  const i32s = (n: number) => Array<number>(n).fill(I32);
  return [
    { name: 'winoIn32', params: i32s(6), results: [], body: winoInFn(mr) },
    { name: 'winoOut32', params: i32s(8), results: [I32], body: winoOutFn() },
    { name: 'winoPatch32', params: i32s(9), results: [], body: winoPatchFn() },
    { name: 'winoKernel32', params: i32s(4), results: [], body: winoKernelFn() },
    { name: 'winoInRows32', params: i32s(6), results: [], body: winoInFn(1) },
    { name: 'winoDy32', params: i32s(6), results: [], body: winoDyFn() },
    { name: 'winoOut3x32', params: i32s(6), results: [I32], body: winoOut3Fn() },
    { name: 'addInto32', params: i32s(3), results: [], body: addIntoFn() },
  ];
}
