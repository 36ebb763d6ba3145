/**
 * @file The CPU's `eig` library kernel (primitives/linalg-eig.ts): eigenvalues and left/right
 * eigenvectors of general real or complex square matrices, batched over leading dimensions,
 * computed in complex float64 and rounded once into the outputs.
 *
 * The algorithm is the textbook one LAPACK's zgeev follows, without balancing: Householder
 * reduction to upper Hessenberg form (A = Q H Q^H), then the complex Schur form by single-shift
 * QR iterations with Wilkinson shifts and Givens rotations (H = Z T Z^H, deflating negligible
 * subdiagonal entries from the bottom; an exceptional shift every tenth iteration without
 * deflation; Golub & Van Loan, Matrix Computations, 4th ed., 7.4-7.5). The eigenvalues are T's
 * diagonal; eigenvectors come from back substitution in T (right: (T - λI) x = 0; left:
 * (T - λI)^H y = 0) mapped by Z, then scaled as LAPACK scales them: unit 2-norm, the largest
 * component real and positive. A real matrix runs through the same complex iteration, so its
 * complex eigenvalues come in conjugate pairs to rounding, not exactly, and the order along the
 * diagonal may differ from LAPACK's real Schur form. No convergence after 30n iterations leaves
 * NaNs, as JAX does when LAPACK reports failure.
 */
import type { TypedArray } from '../../core/dtype.js';
import { registerLibKernel } from './lib.js';

export interface EigParams {
  batch: number;
  n: number;
  left: boolean;
  right: boolean;
  /** The operand is real (float) data, else interleaved complex. */
  realInput: boolean;
}

const EPS = 2 ** -52;

/** A complex n x n matrix in two row-major float64 arrays. */
class CMat {
  readonly re: Float64Array;
  readonly im: Float64Array;
  constructor(readonly n: number) {
    this.re = new Float64Array(n * n);
    this.im = new Float64Array(n * n);
  }
  static identity(n: number): CMat {
    const m = new CMat(n);
    for (let i = 0; i < n; i++) m.re[i * n + i] = 1;
    return m;
  }
  abs(i: number, j: number): number {
    return Math.hypot(this.re[i * this.n + j], this.im[i * this.n + j]);
  }
}

/** Householder reduction to upper Hessenberg form; returns Q (A = Q H Q^H), H overwrites a. */
function hessenberg(a: CMat): CMat {
  const n = a.n;
  const q = CMat.identity(n);
  const vr = new Float64Array(n);
  const vi = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm = Math.hypot(norm, a.abs(i, k));
    if (norm === 0) continue;
    // v = x - alpha e1 with alpha = -e^{i arg x0} |x|, so no cancellation in v0.
    const x0r = a.re[(k + 1) * n + k];
    const x0i = a.im[(k + 1) * n + k];
    const x0 = Math.hypot(x0r, x0i);
    const pr = x0 === 0 ? 1 : x0r / x0;
    const pi = x0 === 0 ? 0 : x0i / x0;
    vr.fill(0);
    vi.fill(0);
    for (let i = k + 1; i < n; i++) {
      vr[i] = a.re[i * n + k];
      vi[i] = a.im[i * n + k];
    }
    vr[k + 1] += pr * norm;
    vi[k + 1] += pi * norm;
    let vn = 0;
    for (let i = k + 1; i < n; i++) vn += vr[i] * vr[i] + vi[i] * vi[i];
    if (vn === 0) continue;
    const scale = 2 / vn;
    // A <- (I - s v v^H) A: rows k+1.. for every column.
    for (let j = 0; j < n; j++) {
      let dr = 0;
      let di = 0;
      for (let i = k + 1; i < n; i++) {
        // conj(v_i) a_ij
        dr += vr[i] * a.re[i * n + j] + vi[i] * a.im[i * n + j];
        di += vr[i] * a.im[i * n + j] - vi[i] * a.re[i * n + j];
      }
      dr *= scale;
      di *= scale;
      for (let i = k + 1; i < n; i++) {
        a.re[i * n + j] -= vr[i] * dr - vi[i] * di;
        a.im[i * n + j] -= vr[i] * di + vi[i] * dr;
      }
    }
    // A <- A (I - s v v^H) and Q <- Q (I - s v v^H): columns k+1.. of every row.
    for (const m of [a, q]) {
      for (let i = 0; i < n; i++) {
        let dr = 0;
        let di = 0;
        for (let j = k + 1; j < n; j++) {
          dr += m.re[i * n + j] * vr[j] - m.im[i * n + j] * vi[j];
          di += m.re[i * n + j] * vi[j] + m.im[i * n + j] * vr[j];
        }
        dr *= scale;
        di *= scale;
        for (let j = k + 1; j < n; j++) {
          // (a v) conj(v_j)
          m.re[i * n + j] -= dr * vr[j] + di * vi[j];
          m.im[i * n + j] -= di * vr[j] - dr * vi[j];
        }
      }
    }
    for (let i = k + 2; i < n; i++) {
      a.re[i * n + k] = 0;
      a.im[i * n + k] = 0;
    }
  }
  return q;
}

/** sqrt of a complex number (principal branch). */
function csqrt(re: number, im: number): [number, number] {
  const m = Math.hypot(re, im);
  if (m === 0) return [0, 0];
  const t = Math.sqrt((m + Math.abs(re)) / 2);
  if (re >= 0) return [t, im / (2 * t)];
  return [Math.abs(im) / (2 * t), im < 0 ? -t : t];
}

/** Complex Schur form of Hessenberg h in place (h becomes T), accumulating rotations into z. */
function schur(h: CMat, z: CMat): boolean {
  const n = h.n;
  const { re, im } = h;
  let ihi = n - 1;
  let iter = 0;
  const maxIter = 30 * Math.max(n, 1);
  let total = 0;
  const cs = new Float64Array(n);
  const sr = new Float64Array(n);
  const si = new Float64Array(n);
  while (ihi > 0) {
    let l = ihi;
    for (; l > 0; l--) {
      let tst = h.abs(l - 1, l - 1) + h.abs(l, l);
      if (tst === 0) {
        for (let i = 0; i <= ihi; i++) tst += h.abs(i, l);
      }
      if (h.abs(l, l - 1) <= EPS * tst) {
        re[l * n + l - 1] = 0;
        im[l * n + l - 1] = 0;
        break;
      }
    }
    if (l === ihi) {
      ihi--;
      iter = 0;
      continue;
    }
    if (++total > maxIter) return false;
    iter++;
    // Wilkinson shift: the eigenvalue of the trailing 2x2 block closer to its last entry.
    const a = ihi - 1;
    const ar = re[a * n + a];
    const ai = im[a * n + a];
    const br = re[a * n + ihi];
    const bi = im[a * n + ihi];
    const cr = re[ihi * n + a];
    const ci = im[ihi * n + a];
    const dr = re[ihi * n + ihi];
    const di = im[ihi * n + ihi];
    let mr: number;
    let mi: number;
    if (iter % 10 === 0) {
      // Exceptional shift, to break a cycle.
      mr = dr + Math.abs(cr) + Math.abs(re[a * n + a - 1] ?? 0);
      mi = di;
    } else {
      const hr = (ar - dr) / 2;
      const hi = (ai - di) / 2;
      // sqrt(h^2 + b c)
      const [qr, qi] = csqrt(hr * hr - hi * hi + (br * cr - bi * ci), 2 * hr * hi + (br * ci + bi * cr));
      // Roots d + h ± q; take the one nearer d: sign chosen so |h ± q| is smaller.
      const p1r = hr + qr;
      const p1i = hi + qi;
      const p2r = hr - qr;
      const p2i = hi - qi;
      if (Math.hypot(p1r, p1i) < Math.hypot(p2r, p2i)) {
        mr = dr + p1r;
        mi = di + p1i;
      } else {
        mr = dr + p2r;
        mi = di + p2i;
      }
    }
    for (let k = l; k <= ihi; k++) {
      re[k * n + k] -= mr;
      im[k * n + k] -= mi;
    }
    // H - mu I = Q R by Givens rotations U_k = [[c, s], [-conj s, c]] on rows k, k+1.
    for (let k = l; k < ihi; k++) {
      const xr = re[k * n + k];
      const xi = im[k * n + k];
      const yr = re[(k + 1) * n + k];
      const yi = im[(k + 1) * n + k];
      const ax = Math.hypot(xr, xi);
      const r = Math.hypot(ax, Math.hypot(yr, yi));
      let c: number;
      let s0: number;
      let s1: number;
      if (r === 0) {
        c = 1;
        s0 = 0;
        s1 = 0;
      } else if (ax === 0) {
        c = 0;
        s0 = yr / r;
        s1 = -yi / r;
      } else {
        c = ax / r;
        // s = (x / |x|) conj(y) / r
        const pr = xr / ax;
        const pi = xi / ax;
        s0 = (pr * yr + pi * yi) / r;
        s1 = (pi * yr - pr * yi) / r;
      }
      cs[k] = c;
      sr[k] = s0;
      si[k] = s1;
      for (let j = k; j < n; j++) {
        const ur = re[k * n + j];
        const ui = im[k * n + j];
        const vr = re[(k + 1) * n + j];
        const vi = im[(k + 1) * n + j];
        re[k * n + j] = c * ur + (s0 * vr - s1 * vi);
        im[k * n + j] = c * ui + (s0 * vi + s1 * vr);
        // -conj(s) u + c v
        re[(k + 1) * n + j] = -(s0 * ur + s1 * ui) + c * vr;
        im[(k + 1) * n + j] = -(s0 * ui - s1 * ur) + c * vi;
      }
    }
    // R Q = R U_l^H ... : columns k, k+1 with [x, y] -> [c x + conj(s) y, -s x + c y].
    for (let k = l; k < ihi; k++) {
      const c = cs[k];
      const s0 = sr[k];
      const s1 = si[k];
      const rotate = (m: CMat, rows: number) => {
        for (let i = 0; i < rows; i++) {
          const xr = m.re[i * n + k];
          const xi = m.im[i * n + k];
          const yr = m.re[i * n + k + 1];
          const yi = m.im[i * n + k + 1];
          m.re[i * n + k] = c * xr + (s0 * yr + s1 * yi);
          m.im[i * n + k] = c * xi + (s0 * yi - s1 * yr);
          m.re[i * n + k + 1] = -(s0 * xr - s1 * xi) + c * yr;
          m.im[i * n + k + 1] = -(s0 * xi + s1 * xr) + c * yi;
        }
      };
      rotate(h, Math.min(k + 2, ihi) + 1);
      rotate(z, n);
    }
    for (let k = l; k <= ihi; k++) {
      re[k * n + k] += mr;
      im[k * n + k] += mi;
    }
  }
  return true;
}

/** Scale a vector to unit 2-norm with its largest component real and positive (LAPACK's). */
function normalize(xr: Float64Array, xi: Float64Array): void {
  let norm = 0;
  let big = 0;
  let at = 0;
  for (let i = 0; i < xr.length; i++) {
    const m = Math.hypot(xr[i], xi[i]);
    norm = Math.hypot(norm, m);
    if (m > big) {
      big = m;
      at = i;
    }
  }
  if (norm === 0) return;
  // Multiply by conj(x_at) / (|x_at| norm).
  const pr = xr[at] / (big * norm);
  const pi = -xi[at] / (big * norm);
  for (let i = 0; i < xr.length; i++) {
    const r = xr[i] * pr - xi[i] * pi;
    const im = xr[i] * pi + xi[i] * pr;
    xr[i] = r;
    xi[i] = im;
  }
}

/** Eigenvectors of upper-triangular t mapped by z: right (t - λ_k) x = 0, or left (t - λ_k)^H y = 0. */
function eigenvectors(t: CMat, z: CMat, left: boolean): CMat {
  const n = t.n;
  const out = new CMat(n);
  let tnorm = 0;
  for (let i = 0; i < n * n; i++) tnorm = Math.max(tnorm, Math.hypot(t.re[i], t.im[i]));
  const small = Math.max(EPS * tnorm, Number.MIN_VALUE * n);
  const xr = new Float64Array(n);
  const xi = new Float64Array(n);
  const vr = new Float64Array(n);
  const vi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const lr = t.re[k * n + k];
    const li = t.im[k * n + k];
    xr.fill(0);
    xi.fill(0);
    xr[k] = 1;
    // Solve for the other components; a tiny pivot is replaced by `small` (LAPACK's ztrevc).
    const solve = (j: number, sr: number, si: number) => {
      let dr = t.re[j * n + j] - lr;
      let di = t.im[j * n + j] - li;
      if (left) di = -di;
      if (Math.hypot(dr, di) < small) {
        dr = small;
        di = 0;
      }
      const den = dr * dr + di * di;
      xr[j] = -(sr * dr + si * di) / den;
      xi[j] = -(si * dr - sr * di) / den;
    };
    if (!left) {
      for (let j = k - 1; j >= 0; j--) {
        let sr = 0;
        let si = 0;
        for (let m = j + 1; m <= k; m++) {
          sr += t.re[j * n + m] * xr[m] - t.im[j * n + m] * xi[m];
          si += t.re[j * n + m] * xi[m] + t.im[j * n + m] * xr[m];
        }
        solve(j, sr, si);
      }
    } else {
      for (let j = k + 1; j < n; j++) {
        let sr = 0;
        let si = 0;
        for (let m = k; m < j; m++) {
          // conj(t_mj) y_m
          sr += t.re[m * n + j] * xr[m] + t.im[m * n + j] * xi[m];
          si += t.re[m * n + j] * xi[m] - t.im[m * n + j] * xr[m];
        }
        solve(j, sr, si);
      }
    }
    vr.fill(0);
    vi.fill(0);
    for (let i = 0; i < n; i++) {
      for (let m = 0; m < n; m++) {
        vr[i] += z.re[i * n + m] * xr[m] - z.im[i * n + m] * xi[m];
        vi[i] += z.re[i * n + m] * xi[m] + z.im[i * n + m] * xr[m];
      }
    }
    normalize(vr, vi);
    for (let i = 0; i < n; i++) {
      out.re[i * n + k] = vr[i];
      out.im[i * n + k] = vi[i];
    }
  }
  return out;
}

/** Eigen-decompose one matrix; null when the iteration did not converge. */
export function eigOne(a: CMat, wantLeft: boolean, wantRight: boolean) {
  const z = hessenberg(a);
  if (!schur(a, z)) return null;
  const n = a.n;
  const w = Array.from({ length: n }, (_, k) => [a.re[k * n + k], a.im[k * n + k]] as const);
  return {
    w,
    vl: wantLeft ? eigenvectors(a, z, true) : null,
    vr: wantRight ? eigenvectors(a, z, false) : null,
  };
}

function runEig(ins: TypedArray[], outs: TypedArray[], p: EigParams): void {
  const [x] = ins;
  const [w, ...vecs] = outs;
  const vl = p.left ? vecs.shift()! : null;
  const vr = p.right ? vecs.shift()! : null;
  const n = p.n;
  for (let b = 0; b < p.batch; b++) {
    const a = new CMat(n);
    const off = b * n * n;
    for (let i = 0; i < n * n; i++) {
      if (p.realInput) a.re[i] = x[off + i] as number;
      else {
        a.re[i] = x[2 * (off + i)] as number;
        a.im[i] = x[2 * (off + i) + 1] as number;
      }
    }
    const r = eigOne(a, p.left, p.right);
    for (let k = 0; k < n; k++) {
      w[2 * (b * n + k)] = r ? r.w[k][0] : Number.NaN;
      w[2 * (b * n + k) + 1] = r ? r.w[k][1] : Number.NaN;
    }
    for (const [out, m] of [
      [vl, r?.vl],
      [vr, r?.vr],
    ] as const) {
      if (!out) continue;
      for (let i = 0; i < n * n; i++) {
        out[2 * (off + i)] = m ? m.re[i] : Number.NaN;
        out[2 * (off + i) + 1] = m ? m.im[i] : Number.NaN;
      }
    }
  }
}

registerLibKernel('eig', (ins, outs, params) => runEig(ins, outs, params as unknown as EigParams));

export { CMat };
