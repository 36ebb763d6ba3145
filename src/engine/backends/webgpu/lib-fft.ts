/**
 * @file The WGSL `fft` library kernel, the WebGPU counterpart of backends/cpu/lib-fft.ts with the
 * same params and the same algorithms, in float32: complex values are pairs of f32 (interleaved,
 * as every complex buffer is; compile/complex.ts).
 *
 * Each transformed axis is one job of passes over all its lines at once:
 * - gather: every line into a contiguous scratch region (real input, conjugation for an inverse,
 *   IRFFT's Hermitian extension and Bluestein's chirp multiplication happen here);
 * - Stockham radix-2 stages, one dispatch each with its (length, stride, source, destination) in
 *   a uniform, ping-ponging between the two halves of one scratch buffer (one pipeline for all
 *   stages; dispatches in a pass see each other's writes);
 * - for a length that is not a power of two, Bluestein: the chirp filter's transform (computed on
 *   the device by the same stages), a pointwise product, and a second transform;
 * - scatter: the lines into the destination (RFFT keeps bins 0..n/2, IRFFT the real parts, an
 *   inverse conjugates and scales by 1/n).
 * Twiddles and chirps are computed in the shader without the builtin sin/cos (WGSL only promises
 * 2^-11 absolute accuracy for them): the angle 2πq/len is reduced to an octant in exact integer
 * arithmetic and evaluated by Taylor polynomials on [0, π/4] (errors below 1e-9 before rounding);
 * the chirp's k² mod 2n is a shift-and-add modular product, exact in u32.
 */

import { type FftParams, FftType } from '../../compile/fft-params.js';
import type { BufferInfo, LibKernel } from '../../compile/kir.js';
import { flatId, groupsFor, type LibPass, nextPow2, type RenderedLib, WG } from './wgsl.js';
import { checkDtype } from './wgsl-dtype.js';

const TRIG = `
fn fft_sin(x: f32) -> f32 {
  let x2 = x * x;
  return x * (1.0 + x2 * (-0.16666666666666666 + x2 * (0.008333333333333333 + x2 * (-0.0001984126984126984 + x2 * 2.7557319223985893e-6))));
}
fn fft_cos(x: f32) -> f32 {
  let x2 = x * x;
  return 1.0 + x2 * (-0.5 + x2 * (0.041666666666666664 + x2 * (-0.001388888888888889 + x2 * (2.48015873015873e-5 - x2 * 2.755731922398589e-7))));
}
// (cos, sin) of 2 pi q / len, 0 <= q < len.
fn fft_cis(q: u32, len: u32) -> vec2<f32> {
  let q8 = q * 8u;
  let oct = q8 / len;
  let r = q8 % len;
  var x: f32;
  if ((oct & 1u) == 1u) { x = f32(len - r) / f32(len) * 0.7853981633974483; }
  else { x = f32(r) / f32(len) * 0.7853981633974483; }
  let s = fft_sin(x);
  let c = fft_cos(x);
  switch (oct) {
    case 0u: { return vec2<f32>(c, s); }
    case 1u: { return vec2<f32>(s, c); }
    case 2u: { return vec2<f32>(-s, c); }
    case 3u: { return vec2<f32>(-c, s); }
    case 4u: { return vec2<f32>(-c, -s); }
    case 5u: { return vec2<f32>(-s, -c); }
    case 6u: { return vec2<f32>(s, -c); }
    default: { return vec2<f32>(c, -s); }
  }
}
fn fft_mul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
// a * b mod m without overflow (m < 2^31): shift and add.
fn fft_mulmod(a: u32, b: u32, m: u32) -> u32 {
  var r = 0u;
  var x = a % m;
  var y = b;
  loop {
    if (y == 0u) { break; }
    if ((y & 1u) == 1u) { r = (r + x) % m; }
    x = (x * 2u) % m;
    y = y >> 1u;
  }
  return r;
}
// Bluestein's chirp e^{-i pi k^2 / n}.
fn fft_chirp(k: u32, n: u32) -> vec2<f32> {
  let c = fft_cis(fft_mulmod(k, k, 2u * n), 2u * n);
  return vec2<f32>(c.x, -c.y);
}`;

const ENTRY = '@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>';

type Ref = number | string;

/** One pass: `threads` invocations; `body` sees `g` (u32 index) and the named bindings. */
function pass(
  name: string,
  threads: number,
  binds: { ref: Ref; name: string; write: boolean }[],
  body: string[],
  uniforms?: Uint32Array[],
): LibPass {
  const groups = groupsFor(threads, WG);
  const decl = binds.map(
    (b, i) =>
      `@group(0) @binding(${i}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.name}: array<f32>;`,
  );
  if (uniforms) decl.push(`@group(0) @binding(${binds.length}) var<uniform> step: vec4<u32>;`);
  const code = [
    ...decl,
    TRIG,
    `@compute @workgroup_size(${WG})`,
    `fn main(${ENTRY}) {`,
    `  ${flatId(groups, WG)}`,
    `  if (gid >= ${threads}i) { return; }`,
    '  let g = u32(gid);',
    ...body.map((l) => `  ${l}`),
    '}',
  ].join('\n');
  const bindings: Ref[] = binds.map((b) => b.ref);
  if (uniforms) bindings.push('step');
  return { name, code, bindings, groups, ...(uniforms ? { uniforms } : {}) };
}

/** An axis of a row-major shape as (lines, length, inner stride): element k of line l is at
 * (l / inner) * len * inner + l % inner + k * inner. */
function axisGeometry(shape: readonly number[], axis: number) {
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  const len = shape[axis];
  const size = shape.reduce((a, b) => a * b, 1);
  return { inner, len, lines: len === 0 ? 0 : size / len };
}

const addr = (line: string, k: string, len: number, inner: number) =>
  `(${line} / ${inner}u) * ${len * inner}u + ${line} % ${inner}u + ${k} * ${inner}u`;

interface Job {
  src: Ref;
  srcShape: number[];
  srcReal: boolean;
  dst: Ref;
  dstShape: number[];
  dstReal: boolean;
  axis: number;
  /** Transform length (IRFFT's last axis: the output length). */
  n: number;
  inverse: boolean;
  /** Rebuild the full spectrum from bins 0..m-1 (IRFFT's last axis). */
  hermitian: boolean;
}

/** The Stockham stages of an M-point forward transform of `lines` lines in buffer `buf`. */
function stages(
  name: string,
  buf: string,
  lines: number,
  m: number,
  region: number,
): { p: LibPass | null; region: number } {
  if (m <= 1) return { p: null, region };
  const size = lines * m;
  const uniforms: Uint32Array[] = [];
  let r = region;
  for (let len = m, s = 1; len > 1; len /= 2, s *= 2) {
    uniforms.push(new Uint32Array([len, s, r * size, (1 - r) * size]));
    r = 1 - r;
  }
  const half = m / 2;
  const body = [
    `let line = g / ${half}u;`,
    `let t = g % ${half}u;`,
    'let len = step.x;',
    'let s = step.y;',
    'let q = t / s;',
    'let tt = t % s;',
    `let base = line * ${m}u;`,
    'let ia = step.z + base + tt + s * q;',
    'let ib = ia + s * (len / 2u);',
    'let o = step.w + base + tt + 2u * s * q;',
    `let a = vec2<f32>(${buf}[2u * ia], ${buf}[2u * ia + 1u]);`,
    `let b = vec2<f32>(${buf}[2u * ib], ${buf}[2u * ib + 1u]);`,
    'let c = fft_cis(q, len);',
    'let d = fft_mul(a - b, vec2<f32>(c.x, -c.y));',
    `${buf}[2u * o] = a.x + b.x;`,
    `${buf}[2u * o + 1u] = a.y + b.y;`,
    `${buf}[2u * (o + s)] = d.x;`,
    `${buf}[2u * (o + s) + 1u] = d.y;`,
  ];
  return { p: pass(name, lines * half, [{ ref: buf, name: buf, write: true }], body, uniforms), region: r };
}

/** The passes of one axis job; `tag` keeps names and scratch buffers apart between jobs. */
function axisPasses(job: Job, name: string, tag: string, scratch: Record<string, number>): LibPass[] {
  const { n } = job;
  const src = axisGeometry(job.srcShape, job.axis);
  const dst = axisGeometry(job.dstShape, job.axis);
  const lines = dst.lines;
  if (lines === 0 || n === 0) return [];
  const pow2 = (n & (n - 1)) === 0;
  const m = pow2 ? n : nextPow2(2 * n - 1);
  const ab = `ab${tag}`;
  scratch[ab] = 4 * 2 * 2 * lines * m;
  const passes: LibPass[] = [];
  const srcBind = { ref: job.src, name: 'src', write: false };
  const abBind = { ref: ab, name: ab, write: true };

  // gather -> region 0
  const read = (pos: string) =>
    job.srcReal ? `vec2<f32>(src[${pos}], 0.0)` : `vec2<f32>(src[2u * (${pos})], src[2u * (${pos}) + 1u])`;
  const gather = [`let line = g / ${m}u;`, `let k = g % ${m}u;`, 'var v = vec2<f32>(0.0, 0.0);'];
  if (job.hermitian) {
    // Bins past n/2 are conjugates of their mirror images; missing bins are zero.
    gather.push(
      `if (k < ${n}u) {`,
      `  let j = select(${n}u - k, k, 2u * k <= ${n}u);`,
      `  if (j < ${src.len}u) {`,
      `    v = ${read(addr('line', 'j', src.len, src.inner))};`,
      `    if (2u * k > ${n}u) { v.y = -v.y; }`,
      '  }',
      '}',
    );
  } else
    gather.push(`if (k < ${Math.min(n, src.len)}u) { v = ${read(addr('line', 'k', src.len, src.inner))}; }`);
  if (job.inverse) gather.push('v.y = -v.y;');
  if (!pow2)
    gather.push(`if (k < ${n}u) { v = fft_mul(v, fft_chirp(k, ${n}u)); } else { v = vec2<f32>(0.0, 0.0); }`);
  gather.push(`${ab}[2u * g] = v.x;`, `${ab}[2u * g + 1u] = v.y;`);
  passes.push(pass(`${name}_gather${tag}`, lines * m, [srcBind, abBind], gather));

  let region = 0;
  const st = stages(`${name}_stages${tag}`, ab, lines, m, region);
  if (st.p) passes.push(st.p);
  region = st.region;

  if (!pow2) {
    // The chirp filter b_k = conj(w_k) (and b_{m-k} = b_k), transformed once, on one line.
    const bf = `bf${tag}`;
    scratch[bf] = 4 * 2 * 2 * m;
    passes.push(
      pass(
        `${name}_filter${tag}`,
        m,
        [{ ref: bf, name: bf, write: true }],
        [
          'var v = vec2<f32>(0.0, 0.0);',
          `if (g < ${n}u) { v = fft_chirp(g, ${n}u); }`,
          `else if (g > ${m - n}u) { v = fft_chirp(${m}u - g, ${n}u); }`,
          `${bf}[2u * g] = v.x;`,
          `${bf}[2u * g + 1u] = -v.y;`,
        ],
      ),
    );
    const fs = stages(`${name}_fstages${tag}`, bf, 1, m, 0);
    if (fs.p) passes.push(fs.p);
    // Pointwise product, conjugated: the next forward transform then acts as an inverse.
    const off = region * lines * m;
    passes.push(
      pass(
        `${name}_mul${tag}`,
        lines * m,
        [abBind, { ref: bf, name: bf, write: false }],
        [
          `let f = ${fs.region * m}u + g % ${m}u;`,
          `let a = vec2<f32>(${ab}[2u * (${off}u + g)], ${ab}[2u * (${off}u + g) + 1u]);`,
          `let p = fft_mul(a, vec2<f32>(${bf}[2u * f], ${bf}[2u * f + 1u]));`,
          `${ab}[2u * (${off}u + g)] = p.x;`,
          `${ab}[2u * (${off}u + g) + 1u] = -p.y;`,
        ],
      ),
    );
    const st2 = stages(`${name}_stages2${tag}`, ab, lines, m, region);
    if (st2.p) passes.push(st2.p);
    region = st2.region;
  }

  // scatter from `region`
  const off = region * lines * m;
  const scatter = [
    `let line = g / ${dst.len}u;`,
    `let k = g % ${dst.len}u;`,
    `let at = ${off}u + line * ${m}u + k;`,
    `var v = vec2<f32>(${ab}[2u * at], ${ab}[2u * at + 1u]);`,
  ];
  if (!pow2) scatter.push(`v = fft_mul(vec2<f32>(v.x, -v.y) / ${m}.0, fft_chirp(k, ${n}u));`);
  if (job.inverse) scatter.push(`v = vec2<f32>(v.x, -v.y) / ${n}.0;`);
  const pos = addr('line', 'k', dst.len, dst.inner);
  scatter.push(
    ...(job.dstReal
      ? [`dst[${pos}] = v.x;`]
      : [`dst[2u * (${pos})] = v.x;`, `dst[2u * (${pos}) + 1u] = v.y;`]),
  );
  passes.push(
    pass(
      `${name}_scatter${tag}`,
      lines * dst.len,
      [abBind, { ref: job.dst, name: 'dst', write: true }],
      scatter,
    ),
  );
  return passes;
}

function fft(k: LibKernel, infos: BufferInfo[], name: string): RenderedLib {
  for (const b of [...k.ins, ...k.outs]) checkDtype(infos[b].dtype);
  const p = k.params as unknown as FftParams;
  const [x] = k.ins;
  const [out] = k.outs;
  const { fftType, lengths, inShape, outShape } = p;
  const rank = inShape.length;
  const first = rank - lengths.length;
  const last = rank - 1;
  const jobs: Job[] = [];
  const scratch: Record<string, number> = {};
  const complexJob = (src: Ref, dst: Ref, shape: number[], axis: number, inverse: boolean): Job => ({
    src,
    srcShape: shape,
    srcReal: false,
    dst,
    dstShape: shape,
    dstReal: false,
    axis,
    n: shape[axis],
    inverse,
    hermitian: false,
  });
  if (fftType === FftType.FFT || fftType === FftType.IFFT) {
    for (let d = first; d < rank; d++)
      jobs.push(complexJob(d === first ? x : out, out, outShape, d, fftType === FftType.IFFT));
  } else if (fftType === FftType.RFFT) {
    jobs.push({
      src: x,
      srcShape: inShape,
      srcReal: true,
      dst: out,
      dstShape: outShape,
      dstReal: false,
      axis: last,
      n: lengths[lengths.length - 1],
      inverse: false,
      hermitian: false,
    });
    for (let d = first; d < last; d++) jobs.push(complexJob(out, out, outShape, d, false));
  } else {
    // IRFFT: the leading axes into a complex copy of the operand, then the last axis to reals.
    let src: Ref = x;
    if (first < last) {
      scratch.irfft = 4 * 2 * inShape.reduce((a, b) => a * b, 1);
      for (let d = first; d < last; d++)
        jobs.push(complexJob(d === first ? x : 'irfft', 'irfft', inShape, d, true));
      src = 'irfft';
    }
    jobs.push({
      src,
      srcShape: inShape,
      srcReal: false,
      dst: out,
      dstShape: outShape,
      dstReal: true,
      axis: last,
      n: lengths[lengths.length - 1],
      inverse: true,
      hermitian: true,
    });
  }
  const passes = jobs.flatMap((job, i) => axisPasses(job, name, String(i), scratch));
  return { passes, scratch };
}

export const wgslFftKernels = { fft };
