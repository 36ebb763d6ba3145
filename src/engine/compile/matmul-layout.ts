/**
 * @file Layouts around the `matmul` library kernel (primitives/dot.ts): reading a lowered index
 * expression as strides, and a kernel-graph pass that lets a product write its result transposed
 * instead of copying it afterwards (for backends whose matmul takes output strides: the CPU's).
 *
 * Reverse mode makes such copies all the time: JAX's transpose rule of dot_general
 * (jax/_src/lax/lax.py, `_dot_general_transpose_rhs`) computes a weight's cotangent as a
 * dot_general followed by a `transpose` back to the weight's layout, which lowering leaves as a
 * map kernel copying the product (a 512x512 copy costs as much as a fifth of the product on the
 * native BLAS tier). The product can write its result in that layout itself (`out` strides). The
 * CPU's GEMM computes every tile of C in one orientation whatever C's strides (into scratch when
 * needed), so the result keeps the bits of the unfolded program, and eager and jit still agree.
 */
import type { SExpr } from './kir.js';
import { type KernelProgram, kernelInputs, type LibKernel, type MapKernel } from './kir.js';

/** `e` as `c + sum_d coef[d] * i_d` over the loop variables i0.., or null when it is not affine. */
export function affine(e: SExpr, rank: number): { c: number; coef: number[] } | null {
  switch (e.k) {
    case 'const':
      return typeof e.v === 'number' ? { c: e.v, coef: new Array(rank).fill(0) } : null;
    case 'var': {
      const d = /^i(\d+)$/.exec(e.name);
      if (!d || Number(d[1]) >= rank) return null;
      const coef = new Array(rank).fill(0);
      coef[Number(d[1])] = 1;
      return { c: 0, coef };
    }
    case 'bin': {
      const a = affine(e.a, rank);
      const b = affine(e.b, rank);
      if (!a || !b) return null;
      if (e.op === 'add' || e.op === 'sub') {
        const s = e.op === 'add' ? 1 : -1;
        return { c: a.c + s * b.c, coef: a.coef.map((x, i) => x + s * b.coef[i]) };
      }
      if (e.op !== 'mul') return null;
      const constA = a.coef.every((x) => x === 0);
      const constB = b.coef.every((x) => x === 0);
      if (!constA && !constB) return null;
      const [k, v] = constA ? [a.c, b] : [b.c, a];
      return { c: k * v.c, coef: v.coef.map((x) => k * x) };
    }
    default:
      return null;
  }
}

interface MatmulParams {
  batch: number;
  m: number;
  n: number;
  k: number;
  lhs: [number, number, number];
  rhs: [number, number, number];
}

/**
 * Does reading `coef` over `shape` walk a (batch, m, n) row-major buffer as (batch, n, m)? The
 * shape must split into leading dimensions of product `batch`, then `n`, then `m`; size-1
 * dimensions may have any coefficient.
 */
function readsTransposed(shape: number[], coef: number[], batch: number, m: number, n: number): boolean {
  const prod = (lo: number, hi: number) => shape.slice(lo, hi).reduce((a, b) => a * b, 1);
  for (let i = 0; i <= shape.length; i++) {
    if (prod(0, i) !== batch) continue;
    for (let j = i; j <= shape.length; j++) {
      if (prod(i, j) !== n || prod(j, shape.length) !== m) continue;
      // Expected coefficients: row-major within each group, scaled by the group's stride in C.
      const want: number[] = new Array(shape.length);
      const groups: [number, number, number][] = [
        [0, i, m * n],
        [i, j, 1],
        [j, shape.length, n],
      ];
      for (const [lo, hi, scale] of groups) {
        let s = scale;
        for (let d = hi - 1; d >= lo; d--) {
          want[d] = s;
          s *= shape[d];
        }
      }
      if (shape.every((size, d) => size === 1 || coef[d] === want[d])) return true;
    }
  }
  return false;
}

/**
 * For each map kernel that only copies a `matmul` kernel's result (read by nothing else, not a
 * program output) transposed, as (batch, n, m): the product writes there itself, through `out`
 * strides, and the copy goes. Returns whether anything changed (temporaries then need a new plan).
 */
export function foldMatmulTransposes(p: KernelProgram): boolean {
  const outputs = new Set(p.outputs);
  const readers = new Map<number, number>();
  for (const k of p.kernels)
    for (const b of new Set(kernelInputs(k))) readers.set(b, (readers.get(b) ?? 0) + 1);
  let changed = false;
  for (const copy of [...p.kernels]) {
    if (copy.kind !== 'map' || copy.expr.k !== 'load') continue;
    const src = copy.expr.buf;
    const at = p.kernels.findIndex((k) => k.kind === 'lib' && k.op === 'matmul' && k.outs[0] === src);
    if (at < 0 || outputs.has(src) || readers.get(src) !== 1) continue;
    const mm = p.kernels[at] as LibKernel;
    if (p.buffers[copy.out].dtype !== p.buffers[src].dtype || mm.params.out) continue;
    const q = mm.params as unknown as MatmulParams;
    const lin = affine(copy.expr.idx, copy.shape.length);
    if (lin?.c !== 0 || !readsTransposed(copy.shape, lin.coef, q.batch, q.m, q.n)) continue;
    p.kernels[at] = { ...mm, outs: [copy.out], params: { ...mm.params, out: [q.m * q.n, 1, q.m] } };
    p.kernels.splice(p.kernels.indexOf(copy as MapKernel), 1);
    changed = true;
  }
  return changed;
}
