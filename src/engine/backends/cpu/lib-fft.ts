/**
 * @file The CPU's `fft` library kernel (primitives/fft.ts): XLA's FFT op (types FFT, IFFT, RFFT,
 * IRFFT over the last `lengths.length` dimensions, the inverse ones normalized by 1/n per axis),
 * computed in float64 and rounded once into the output's dtype.
 *
 * One-dimensional transforms along each axis in turn: a power-of-two length runs Stockham's
 * radix-2 autosort algorithm (no bit reversal: each pass reads one buffer and writes the other in
 * order; Stockham 1966, in the decimation-in-frequency form of Takahashi's OTFFT), any other
 * length Bluestein's chirp-z algorithm (Bluestein 1970): the DFT becomes a convolution with the
 * chirp e^{iπk²/n}, done with power-of-two transforms of length M >= 2n - 1. Chirp angles use
 * k² mod 2n in exact integer arithmetic, and every angle is reduced to an octant exactly before its
 * sine and cosine are taken (so quarter turns give exact 0 and ±1), as the WGSL kernel does. Twiddles and
 * chirps are cached per length. A real input transforms as a complex one with zero imaginary
 * parts, keeping the first n/2 + 1 outputs; IRFFT rebuilds the Hermitian spectrum
 * (X[n - k] = conj X[k]), so the imaginary parts of the zero and Nyquist bins are ignored, as in
 * NumPy and XLA.
 */
import { type FftParams, FftType } from '../../compile/fft-params.js';
import type { TypedArray } from '../../core/dtype.js';
import { lineGeometry } from '../../core/shape.js';
import { registerLibKernel } from './lib.js';

const { FFT, IFFT, RFFT } = FftType;

interface Plan {
  n: number;
  /** Power of two: cos/sin of -2πp/n for p < n/2. */
  cos?: Float64Array;
  sin?: Float64Array;
  /** Bluestein: the chirp e^{-iπk²/n} and the M-point transform of its conjugate, padded. */
  m?: number;
  wRe?: Float64Array;
  wIm?: Float64Array;
  bRe?: Float64Array;
  bIm?: Float64Array;
  sub?: Plan;
}

const plans = new Map<number, Plan>();

/**
 * (cos, sin) of 2πq/len for integer 0 <= q < len, by exact reduction to an octant: the eighths of
 * the circle (0, ±1, ±√½) come out exactly, and the angle evaluated is at most π/4.
 */
export function cis(q: number, len: number): [number, number] {
  const q8 = 8 * q;
  const oct = Math.floor(q8 / len);
  const r = q8 - oct * len;
  const x = ((oct & 1 ? len - r : r) / len) * (Math.PI / 4);
  const s = Math.sin(x);
  const c = Math.cos(x);
  switch (oct) {
    case 0:
      return [c, s];
    case 1:
      return [s, c];
    case 2:
      return [-s, c];
    case 3:
      return [-c, s];
    case 4:
      return [-c, -s];
    case 5:
      return [-s, -c];
    case 6:
      return [s, -c];
    default:
      return [c, -s];
  }
}

function isPow2(n: number): boolean {
  return (n & (n - 1)) === 0;
}

function planFor(n: number): Plan {
  let p = plans.get(n);
  if (p) return p;
  if (isPow2(n)) {
    const half = n >> 1;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      const [c, si] = cis(k, n);
      cos[k] = c;
      sin[k] = -si;
    }
    p = { n, cos, sin };
  } else {
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    const wRe = new Float64Array(n);
    const wIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n exactly (k < 2^26 keeps k² below 2^53), so the angle is reduced before rounding.
      const [c, si] = cis((k * k) % (2 * n), 2 * n);
      wRe[k] = c;
      wIm[k] = -si;
    }
    const bRe = new Float64Array(m);
    const bIm = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      bRe[k] = wRe[k];
      bIm[k] = -wIm[k];
      if (k > 0) {
        bRe[m - k] = wRe[k];
        bIm[m - k] = -wIm[k];
      }
    }
    const sub = planFor(m);
    stockham(sub, bRe, bIm, new Float64Array(m), new Float64Array(m));
    p = { n, m, wRe, wIm, bRe, bIm, sub };
  }
  plans.set(n, p);
  return p;
}

/** Forward power-of-two DFT of (re, im) in place, with scratch (tr, ti) of the same length. */
function stockham(p: Plan, re: Float64Array, im: Float64Array, tr: Float64Array, ti: Float64Array): void {
  const n = p.n;
  let xr = re;
  let xi = im;
  let yr = tr;
  let yi = ti;
  // Pass over sub-transforms of length len with s interleaved lines: a, b -> a + b, (a - b) w^p.
  for (let len = n, s = 1; len > 1; len >>= 1, s <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let q = 0; q < half; q++) {
      const wr = p.cos![q * step];
      const wi = p.sin![q * step];
      for (let t = 0; t < s; t++) {
        const ia = t + s * q;
        const ib = ia + s * half;
        const ar = xr[ia];
        const ai = xi[ia];
        const br = xr[ib];
        const bi = xi[ib];
        const o = t + s * 2 * q;
        yr[o] = ar + br;
        yi[o] = ai + bi;
        const dr = ar - br;
        const di = ai - bi;
        yr[o + s] = dr * wr - di * wi;
        yi[o + s] = dr * wi + di * wr;
      }
    }
    [xr, yr] = [yr, xr];
    [xi, yi] = [yi, xi];
  }
  if (xr !== re) {
    re.set(xr);
    im.set(xi);
  }
}

/** Scratch per length, reused across lines. */
const scratch = new Map<number, Float64Array[]>();
function buffers(n: number, count: number): Float64Array[] {
  let s = scratch.get(n);
  if (!s || s.length < count) {
    s = Array.from({ length: count }, () => new Float64Array(n));
    scratch.set(n, s);
  }
  return s;
}

/** Forward DFT of one line (any length) in place. */
function forward(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n <= 1) return;
  const p = planFor(n);
  if (!p.m) {
    const [tr, ti] = buffers(n, 2);
    stockham(p, re, im, tr, ti);
    return;
  }
  const m = p.m;
  const [ar, ai, tr, ti] = buffers(m, 4);
  ar.fill(0);
  ai.fill(0);
  const { wRe, wIm, bRe, bIm } = p as Required<Plan>;
  for (let k = 0; k < n; k++) {
    ar[k] = re[k] * wRe[k] - im[k] * wIm[k];
    ai[k] = re[k] * wIm[k] + im[k] * wRe[k];
  }
  stockham(p.sub!, ar, ai, tr, ti);
  // Multiply by the chirp's transform and invert through conjugation: IDFT(z) = conj(DFT(conj z)) / m.
  for (let k = 0; k < m; k++) {
    const r = ar[k] * bRe[k] - ai[k] * bIm[k];
    const i = ar[k] * bIm[k] + ai[k] * bRe[k];
    ar[k] = r;
    ai[k] = -i;
  }
  stockham(p.sub!, ar, ai, tr, ti);
  for (let k = 0; k < n; k++) {
    const cr = ar[k] / m;
    const ci = -ai[k] / m;
    re[k] = cr * wRe[k] - ci * wIm[k];
    im[k] = cr * wIm[k] + ci * wRe[k];
  }
}

/** DFT of one line in place; the inverse is normalized by 1/n (XLA's IFFT). */
export function dft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  if (!inverse) {
    forward(re, im);
    return;
  }
  const n = re.length;
  for (let k = 0; k < n; k++) im[k] = -im[k];
  forward(re, im);
  for (let k = 0; k < n; k++) {
    re[k] /= n;
    im[k] = -im[k] / n;
  }
}

/** Visit every line along `axis` of a row-major shape: (start offset, stride) in elements. */
function eachLine(shape: readonly number[], axis: number, f: (base: number, stride: number) => void): void {
  const { outer, n, inner } = lineGeometry(shape, axis);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) f(o * n * inner + i, inner);
}

/** Transform a complex float64 work array (separate parts) along `axis`. */
function transformAxis(
  wr: Float64Array,
  wi: Float64Array,
  shape: readonly number[],
  axis: number,
  inverse: boolean,
): void {
  const n = shape[axis];
  const lr = new Float64Array(n);
  const li = new Float64Array(n);
  eachLine(shape, axis, (base, stride) => {
    for (let k = 0; k < n; k++) {
      lr[k] = wr[base + k * stride];
      li[k] = wi[base + k * stride];
    }
    dft(lr, li, inverse);
    for (let k = 0; k < n; k++) {
      wr[base + k * stride] = lr[k];
      wi[base + k * stride] = li[k];
    }
  });
}

export function runFft(x: TypedArray, out: TypedArray, p: FftParams): void {
  const { fftType, lengths, inShape, outShape } = p;
  const rank = inShape.length;
  const first = rank - lengths.length;
  const size = outShape.reduce((a, b) => a * b, 1);
  if (fftType === FFT || fftType === IFFT) {
    const wr = new Float64Array(size);
    const wi = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      wr[i] = x[2 * i] as number;
      wi[i] = x[2 * i + 1] as number;
    }
    for (let d = first; d < rank; d++) transformAxis(wr, wi, outShape, d, fftType === IFFT);
    for (let i = 0; i < size; i++) {
      out[2 * i] = wr[i];
      out[2 * i + 1] = wi[i];
    }
    return;
  }
  const last = rank - 1;
  const n = lengths[lengths.length - 1];
  const lr = new Float64Array(n);
  const li = new Float64Array(n);
  if (fftType === RFFT) {
    // The last axis from real data, keeping bins 0..n/2; then the other axes as complex.
    const wr = new Float64Array(size);
    const wi = new Float64Array(size);
    const m = outShape[last];
    const lines = size / m;
    for (let l = 0; l < lines; l++) {
      for (let k = 0; k < n; k++) {
        lr[k] = x[l * n + k] as number;
        li[k] = 0;
      }
      dft(lr, li, false);
      for (let k = 0; k < m; k++) {
        wr[l * m + k] = lr[k];
        wi[l * m + k] = li[k];
      }
    }
    for (let d = first; d < last; d++) transformAxis(wr, wi, outShape, d, false);
    for (let i = 0; i < size; i++) {
      out[2 * i] = wr[i];
      out[2 * i + 1] = wi[i];
    }
    return;
  }
  // IRFFT: the leading axes as complex inverses, then the last from its Hermitian half.
  const inSize = inShape.reduce((a, b) => a * b, 1);
  const wr = new Float64Array(inSize);
  const wi = new Float64Array(inSize);
  for (let i = 0; i < inSize; i++) {
    wr[i] = x[2 * i] as number;
    wi[i] = x[2 * i + 1] as number;
  }
  for (let d = first; d < last; d++) transformAxis(wr, wi, inShape, d, true);
  const m = inShape[last];
  const lines = inSize / Math.max(m, 1);
  for (let l = 0; l < lines; l++) {
    for (let k = 0; k < n; k++) {
      const j = k <= n / 2 ? k : n - k;
      const has = j < m;
      lr[k] = has ? wr[l * m + j] : 0;
      li[k] = has ? (k <= n / 2 ? wi[l * m + j] : -wi[l * m + j]) : 0;
    }
    dft(lr, li, true);
    for (let k = 0; k < n; k++) out[l * n + k] = lr[k];
  }
}

registerLibKernel('fft', ([x], [out], params) => runFft(x, out, params as unknown as FftParams));
