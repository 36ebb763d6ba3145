/**
 * @file Export rules of the linalg primitives as JAX 0.10.2 lowers them for the CPU
 * (jax/_src/lax/linalg.py): each is a `stablehlo.custom_call` of jaxlib's LAPACK FFI kernels
 * (`lapack_spotrf_ffi`, `lapack_dtrsm_ffi`, `lapack_ssyevd_ffi`, `lapack_sgesdd_ffi`,
 * `lapack_sgeqrf_ffi` + `lapack_sorgqr_ffi`, `lapack_sgetrf_ffi`) with the attributes
 * _linalg_ffi_lowering writes (column-major matrix layouts, batch dims, Shardy's sharding rule),
 * followed by JAX's epilogues: results whose LAPACK `info` is not OK become NaN
 * (_replace_not_ok_with_nan), QR's R is masked to its upper triangle, LU's pivots become 0-based
 * and its permutation comes from the pivots by a rolled loop (lu-permutation.ts). LAPACK has
 * kernels for float32/float64 only: triangular_solve on other floats is `stablehlo.triangular_solve`
 * as JAX falls back to; the others raise as JAX does.
 */

import { Complex } from '../../core/complex.js';
import { config } from '../../core/config.js';
import { complexOf, type DType, int32, int64 } from '../../core/dtype.js';
import type { Params } from '../../core/primitive.js';
import type { ClosedJaxpr } from '../../ir/jaxpr.js';
import { denseScalar } from '../attrs.js';
import {
  broadcastInDim,
  compare,
  complexHlo,
  constant,
  elementwise,
  functionalType,
  generic,
  iota,
  pad,
  scalarConst,
  select,
  slice,
  ty,
} from '../hlo.js';
import { jaxprSubcomp, registerExportRule } from '../lower.js';
import { type Builder, Op, type TensorType, type Value } from '../mlir.js';
import { arrayConstant } from '../module.js';

/** Set by lu-permutation.ts (loaded by engine/index.ts once the namespaces are). */
export const linalgHooks: {
  luPermutation: ((pivotShape: readonly number[], m: number) => ClosedJaxpr) | null;
} = { luPermutation: null };

/** LAPACK's type prefix: s, d, c, z (float32/64, complex64/128); null where LAPACK has no kernel. */
function lapackPrefix(d: DType): string | null {
  return { float32: 's', float64: 'd', complex64: 'c', complex128: 'z' }[d.name as string] ?? null;
}

function lapackName(prim: string, kernel: string, d: DType): string {
  const p = lapackPrefix(d);
  if (!p) throw new Error(`NotImplementedError: ${prim}: Unsupported dtype ${d.name}.`);
  return `lapack_${p}${kernel}_ffi`;
}

/** `dense<[0, 1]> : tensor<2xindex>`: minor-to-major, column-major for the matrices. */
function layout(rank: number, nBatch: number): string {
  const dims =
    rank - nBatch === 2
      ? [nBatch, nBatch + 1, ...Array.from({ length: nBatch }, (_, i) => nBatch - 1 - i)]
      : Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const type = `tensor<${rank}xindex>`;
  if (rank === 0) return `dense<> : ${type}`;
  if (rank === 1) return `dense<${dims[0]}> : ${type}`;
  return `dense<[${dims.join(', ')}]> : ${type}`;
}

/** Shardy's factor names: i, j, ..., z, then z_1, z_2, ... */
function factorName(k: number): string {
  const letters = 'ijklmnopqrstuvwxyz';
  return k < letters.length ? letters[k] : `z_${k - letters.length + 1}`;
}

/** `#sdy.op_sharding_rule<([i, j])->([k, l], []) {i=3, ...}, custom>`: batch dims share factors. */
function shardingRule(ins: readonly TensorType[], outs: readonly TensorType[], nBatch: number): string {
  const sizes: number[] = [];
  const batch: string[] = [];
  const fresh = (n: number): string => {
    sizes.push(n);
    return factorName(sizes.length - 1);
  };
  const dimsOf = (t: TensorType): string =>
    `[${t.shape
      .map((n, d) => {
        if (d >= nBatch) return fresh(n);
        batch[d] ??= fresh(n);
        return batch[d];
      })
      .join(', ')}]`;
  const i = ins.map(dimsOf).join(', ');
  const o = outs.map(dimsOf).join(', ');
  const f = sizes.map((n, k) => `${factorName(k)}=${n}`).join(', ');
  return `#sdy.op_sharding_rule<(${i})->(${o}) {${f}}, custom>`;
}

interface FfiSpec {
  target: string;
  /** The `mhlo.backend_config` dictionary's entries, sorted by name. */
  config: Record<string, number>;
  /** operand index -> result index (operand_output_aliases). */
  aliases: Record<number, number>;
  nBatch: number;
}

/** mlir.custom_call with api_version 4 as _linalg_ffi_lowering emits it. */
function ffiCall(b: Builder, operands: Value[], results: TensorType[], s: FfiSpec): Value[] {
  const single = results.length === 1;
  const cfg = Object.keys(s.config)
    .sort()
    .map((k) => `${k} = ${s.config[k]} : ui8`)
    .join(', ');
  const aliases = Object.entries(s.aliases)
    .map(
      ([o, r]) =>
        `#stablehlo.output_operand_alias<output_tuple_indices = [${single ? '' : r}], operand_index = ${o}, operand_tuple_indices = []>`,
    )
    .join(', ');
  const lay = (ts: readonly TensorType[]) =>
    `[${ts.map((t) => layout(t.shape.length, s.nBatch)).join(', ')}]`;
  const types = operands.map((v) => v.type);
  const attrs = [
    'backend_config = ""',
    `mhlo.backend_config = {${cfg}}`,
    `mhlo.frontend_attributes = {num_batch_dims = "${s.nBatch}"}`,
    `operand_layouts = ${lay(types)}`,
    ...(aliases ? [`output_operand_aliases = [${aliases}]`] : []),
    `result_layouts = ${lay(results)}`,
    `sdy.sharding_rule = ${shardingRule(types, results, s.nBatch)}`,
  ].join(', ');
  const op = new Op(
    'stablehlo.custom_call',
    operands,
    results,
    (p) =>
      `stablehlo.custom_call @${s.target}(${p.vs(operands)}) {${attrs}} : ${functionalType(types, results)}`,
  );
  return b.add(op).results;
}

/** mlir.full_like_aval: a constant broadcast to the shape (even to its own). */
function fullLike(b: Builder, v: number | Complex, dtype: DType, shape: readonly number[]): Value {
  return broadcastInDim(b, constant(b, denseScalar(v, dtype), ty([], dtype)), shape, []);
}

/** _replace_not_ok_with_nan: where `ok` (batch-shaped) is false, the matrix or vector is NaN. */
function nanUnlessOk(b: Builder, batch: readonly number[], ok: Value, x: Value): Value {
  const selShape = [...batch, ...x.shape.slice(batch.length).map(() => 1)];
  const which = broadcastInDim(
    b,
    ok,
    selShape,
    batch.map((_, i) => i),
  );
  // _nan_like_hlo: a complex NaN has both parts NaN.
  const nan = fullLike(
    b,
    x.dtype.isComplex ? new Complex(Number.NaN, Number.NaN) : Number.NaN,
    x.dtype,
    x.shape,
  );
  const same = selShape.every((n, i) => n === x.shape[i]);
  const w = same
    ? which
    : broadcastInDim(
        b,
        which,
        x.shape,
        x.shape.map((_, i) => i),
      );
  return select(b, w, x, nan);
}

/** info == 0 (EQ) or info >= 0 (GE, LU's: a singular U is a result, not a failure). */
function infoOk(b: Builder, info: Value, dir: 'EQ' | 'GE'): Value {
  return compare(b, dir, info, fullLike(b, 0, int32, info.shape), 'SIGNED');
}

const CH = (c: string) => c.charCodeAt(0);
const batchOf = (v: Value) => v.shape.slice(0, -2);

registerExportRule('cholesky', (ctx, [a]) => {
  const b = ctx.b;
  const batch = batchOf(a);
  const [res, info] = ffiCall(b, [a], [a.type, ty(batch, int32)], {
    target: lapackName('cholesky', 'potrf', a.dtype),
    config: { uplo: CH('L') },
    aliases: { 0: 0 },
    nBatch: batch.length,
  });
  return [nanUnlessOk(b, batch, infoOk(b, info, 'EQ'), res)];
});

registerExportRule('triangular_solve', (ctx, [a, x], p) => {
  const b = ctx.b;
  const batch = batchOf(a);
  if (p.conjugate_a && !p.transpose_a)
    throw new Error(
      'StableHLO export: triangular_solve with conjugate_a and not transpose_a (complex) is not supported',
    );
  if (!lapackPrefix(a.dtype)) return [triangularSolveHlo(b, a, x, p)];
  const [out] = ffiCall(b, [a, x], [x.type], {
    target: lapackName('triangular_solve', 'trsm', a.dtype),
    config: {
      diag: CH(p.unit_diagonal ? 'U' : 'N'),
      side: CH(p.left_side ? 'L' : 'R'),
      trans_x: CH(p.transpose_a ? (p.conjugate_a ? 'C' : 'T') : 'N'),
      uplo: CH(p.lower ? 'L' : 'U'),
    },
    aliases: { 1: 0 },
    nBatch: batch.length,
  });
  return [out];
});

/** The HLO op JAX falls back to for dtypes without a LAPACK kernel. */
function triangularSolveHlo(b: Builder, a: Value, x: Value, p: Params): Value {
  const trans = p.transpose_a ? (p.conjugate_a ? 'ADJOINT' : 'TRANSPOSE') : 'NO_TRANSPOSE';
  const props = `left_side = ${Boolean(p.left_side)}, lower = ${Boolean(p.lower)}, transpose_a = #stablehlo<transpose ${trans}>, unit_diagonal = ${Boolean(p.unit_diagonal)}`;
  return generic(b, 'stablehlo.triangular_solve', [a, x], [x.type], props).results[0];
}

registerExportRule('eigh', (ctx, [a], p) => {
  const b = ctx.b;
  const batch = batchOf(a);
  const n = a.shape[a.shape.length - 1];
  const [v, w, info] = ffiCall(b, [a], [a.type, ty([...batch, n], a.dtype), ty(batch, int32)], {
    target: lapackName('eigh', 'syevd', a.dtype),
    config: { mode: CH('V'), uplo: CH(p.lower ? 'L' : 'U') },
    aliases: { 0: 0 },
    nBatch: batch.length,
  });
  const ok = infoOk(b, info, 'EQ');
  return [nanUnlessOk(b, batch, ok, v), nanUnlessOk(b, batch, ok, w)];
});

/**
 * _eig_cpu_lowering: geev gives the eigenvalues (a real operand's as real and imaginary parts,
 * joined by stablehlo.complex), both eigenvector sets and info; outputs that were not asked for
 * are dropped.
 */
registerExportRule('eig', (ctx, [a], p) => {
  const b = ctx.b;
  const batch = batchOf(a);
  const n = a.shape[a.shape.length - 1];
  const real = !a.dtype.isComplex;
  const cd = complexOf(a.dtype);
  const wType = ty([...batch, n], a.dtype);
  const vType = ty(a.shape, cd);
  const left = Boolean(p.compute_left_eigenvectors);
  const right = Boolean(p.compute_right_eigenvectors);
  const outs = ffiCall(b, [a], [...(real ? [wType] : []), wType, vType, vType, ty(batch, int32)], {
    target: lapackName('eig', 'geev', a.dtype),
    config: { compute_left: CH(left ? 'V' : 'N'), compute_right: CH(right ? 'V' : 'N') },
    aliases: {},
    nBatch: batch.length,
  });
  const [vl, vr, info] = outs.slice(-3);
  const w = real ? complexHlo(b, outs[0], outs[1]) : outs[0];
  const ok = infoOk(b, info, 'EQ');
  return [w, ...(left ? [vl] : []), ...(right ? [vr] : [])].map((x) => nanUnlessOk(b, batch, ok, x));
});

registerExportRule('svd', (ctx, [a], p) => {
  const b = ctx.b;
  const batch = batchOf(a);
  const [m, n] = a.shape.slice(-2);
  const k = Math.min(m, n);
  const full = Boolean(p.full_matrices);
  const uv = Boolean(p.compute_uv);
  if (p.algorithm != null && String(p.algorithm) !== 'SvdAlgorithm.DEFAULT')
    throw new Error(`StableHLO export: svd with algorithm=${String(p.algorithm)} is not supported`);
  const outs = ffiCall(
    b,
    [a],
    [
      a.type,
      ty([...batch, k], a.dtype),
      ty([...batch, m, full ? m : k], a.dtype),
      ty([...batch, full ? n : k, n], a.dtype),
      ty(batch, int32),
    ],
    {
      target: lapackName('svd', 'gesdd', a.dtype),
      config: { mode: CH(uv ? (full ? 'A' : 'S') : 'N') },
      aliases: { 0: 0 },
      nBatch: batch.length,
    },
  );
  const ok = infoOk(b, outs[4], 'EQ');
  const s = nanUnlessOk(b, batch, ok, outs[1]);
  if (!uv) return [s];
  const u = nanUnlessOk(b, batch, ok, outs[2]);
  const vt = nanUnlessOk(b, batch, ok, outs[3]);
  return [s, u, vt];
});

/** The default integer dtype (lax_internal._tri's iotas). */
const defaultInt = (): DType => (config.enableX64 ? int64 : int32);

/** _triu(r): lax_internal._tri(bool, (N, M), -1) selects zeros below the diagonal. */
function triu(b: Builder, r: Value, nBatch: number): Value {
  const [nr, mc] = r.shape.slice(-2);
  const it = defaultInt();
  const i0 = iota(b, [nr, mc], it, 0);
  const off = broadcastInDim(b, scalarConst(b, -1, it), [nr, mc], []);
  const i1 = elementwise(b, 'stablehlo.add', [i0, off]);
  const j = iota(b, [nr, mc], it, 1);
  let mask = compare(b, 'GE', i1, j);
  if (nBatch) mask = broadcastInDim(b, mask, r.shape, [nBatch, nBatch + 1]);
  const zeros = broadcastInDim(b, scalarConst(b, 0, r.dtype), r.shape, []);
  return select(b, mask, zeros, r);
}

registerExportRule('qr', (ctx, [a], p) => {
  const b = ctx.b;
  if (p.pivoting) throw new Error('StableHLO export: qr with pivoting=True is not supported');
  const batch = batchOf(a);
  const nb = batch.length;
  const [m, n] = a.shape.slice(-2);
  const k = Math.min(m, n);
  const spec = (target: string, aliases: Record<number, number>): FfiSpec => ({
    target,
    config: {},
    aliases,
    nBatch: nb,
  });
  const geqrf = lapackName('qr', 'geqrf', a.dtype);
  const orgqr = lapackName('qr', 'orgqr', a.dtype);
  let [r, taus] = ffiCall(b, [a], [a.type, ty([...batch, k], a.dtype)], spec(geqrf, { 0: 0 }));
  const householder = (x: Value) => ffiCall(b, [x, taus], [x.type], spec(orgqr, { 0: 0 }))[0];
  const zeros = batch.map(() => 0);
  let q: Value;
  if (m < n) {
    q = householder(slice(b, r, [...zeros, 0, 0], [...batch, m, m], null));
  } else if (p.full_matrices) {
    const padded = pad(
      b,
      r,
      scalarConst(b, 0, a.dtype),
      [...zeros, 0, 0],
      [...zeros, 0, m - n],
      [...zeros, 0, 0],
    );
    q = householder(padded);
  } else {
    q = householder(r);
    if (m !== n) r = slice(b, r, [...zeros, 0, 0], [...batch, n, n], null);
  }
  return [q, triu(b, r, nb)];
});

registerExportRule('lu', (ctx, [a]) => {
  const b = ctx.b;
  const batch = batchOf(a);
  const [m, n] = a.shape.slice(-2);
  const k = Math.min(m, n);
  const [lu, pivots1, info] = ffiCall(b, [a], [a.type, ty([...batch, k], int32), ty(batch, int32)], {
    target: lapackName('lu', 'getrf', a.dtype),
    config: {},
    aliases: { 0: 0 },
    nBatch: batch.length,
  });
  const pivots = elementwise(b, 'stablehlo.subtract', [pivots1, fullLike(b, 1, int32, pivots1.shape)]);
  const out = nanUnlessOk(b, batch, infoOk(b, info, 'GE'), lu);
  if (!linalgHooks.luPermutation) throw new Error('lu export: the engine is not loaded');
  const cj = linalgHooks.luPermutation(pivots.shape, m);
  const consts = cj.consts.map((c) => arrayConstant(b, c));
  const [perm] = jaxprSubcomp(ctx.mod, b, cj.jaxpr, consts, [pivots]);
  return [out, pivots, perm];
});
