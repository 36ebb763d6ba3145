/**
 * @file The WGSL `conv` library kernel: float32 1-d and 2-d conv_general_dilated as an implicit
 * GEMM (primitives/conv-lower.ts emits it for backends that list `conv` in their optionalLibs).
 *
 * Operands come channels-last: lhs (N, H, W, C), rhs (KH, KW, Cg, O), result (N', OH, OW, O); 1-d
 * convolutions arrive with H = KH = OH = 1. Like the matmul kernel (lib.ts), one invocation
 * computes a 4x4 block: 4 consecutive output pixels times 4 consecutive output features of one
 * group, in vec4 accumulators, because on llvmpipe that register-blocked shape is what runs fast
 * (DESIGN.md's platform facts). For each window position the invocation works out, per pixel,
 * the input element it reads (stride, padding, lhs and rhs dilation; groups as XLA defines them)
 * and whether it is real or padding, then runs over the input features of the group: as vec4
 * loads of 4 features when C and Cg are multiples of 4, else one at a time. Padding reads as
 * zero and is multiplied like any element (0 * inf is NaN, as in XLA). Products and sums are
 * float32: results agree with the CPU to float32 rounding, not bit for bit.
 */

import type { BufferInfo, LibKernel } from '../../compile/kir.js';
import { groupsFor, libShader, type RenderedLib, tileId, WG } from './wgsl.js';
import { checkDtype } from './wgsl-dtype.js';
import { Helpers } from './wgsl-helpers.js';

interface ConvLibParams {
  N: number;
  H: number;
  W: number;
  C: number;
  KH: number;
  KW: number;
  Cg: number;
  O: number;
  outN: number;
  OH: number;
  OW: number;
  fgc: number;
  bgc: number;
  strides: [number, number];
  padLo: [number, number];
  lhsDil: [number, number];
  rhsDil: [number, number];
}

const LANES = [0, 1, 2, 3];
const COMP = ['x', 'y', 'z', 'w'];

function conv(k: LibKernel, infos: BufferInfo[], name: string): RenderedLib {
  const p = k.params as unknown as ConvLibParams;
  const [a, b] = k.ins;
  const [c] = k.outs;
  checkDtype(infos[c].dtype);
  if (infos[c].dtype.name !== 'float32')
    throw new Error(`webgpu conv: unsupported dtype ${infos[c].dtype.name}`);
  const { H, W, C, KH, KW, Cg, O, outN, OH, OW, fgc, bgc } = p;
  const [sh, sw] = p.strides;
  const [ph, pw] = p.padLo;
  const [dh, dw] = p.lhsDil;
  const [rh, rw] = p.rhsDil;
  const groups = fgc * bgc;
  const Og = O / groups;
  const M = outN * OH * OW;
  const MB = Math.ceil(M / 4);
  const NB = Math.ceil(Og / 4);
  const total = MB * groups * NB;
  const wgroups = groupsFor(total, WG);
  const vecX = C % 4 === 0 && Cg % 4 === 0;
  const vecW = O % 4 === 0 && Og % 4 === 0;
  const decl = [
    `@group(0) @binding(0) var<storage, read> X: array<${vecX ? 'vec4<f32>' : 'f32'}>;`,
    `@group(0) @binding(1) var<storage, read> Wt: array<${vecW ? 'vec4<f32>' : 'f32'}>;`,
    `@group(0) @binding(2) var<storage, read_write> Y: array<${vecW ? 'vec4<f32>' : 'f32'}>;`,
  ];
  const Hd = (H - 1) * dh + 1;
  const Wd = (W - 1) * dw + 1;
  const body = [
    ...tileId(wgroups, total, NB, 'gr', groups, 'bi'),
    'let mb = bi * 4i;',
    'let og0 = bj * 4i;',
    `let ob = gr * ${Og}i + og0;`,
    `let cb = ${fgc > 1 ? `gr * ${Cg}i` : '0i'};`,
    // Per pixel: its image's base offset and the input position of window position (0, 0).
    ...LANES.flatMap((q) => [
      `let m${q} = min(mb + ${q}i, ${M - 1}i);`,
      `let n${q} = m${q} / ${OH * OW}i;`,
      `let r${q} = m${q} % ${OH * OW}i;`,
      `let img${q} = (${bgc > 1 ? `gr * ${outN}i + ` : ''}n${q}) * ${H * W * C}i + cb;`,
      `let h${q} = (r${q} / ${OW}i) * ${sh}i - ${ph}i;`,
      `let w${q} = (r${q} % ${OW}i) * ${sw}i - ${pw}i;`,
    ]),
    ...LANES.map((q) => `var c${q} = vec4<f32>(0.0f);`),
    `for (var kh: i32 = 0i; kh < ${KH}i; kh++) {`,
    `  for (var kw: i32 = 0i; kw < ${KW}i; kw++) {`,
  ];
  const inner: string[] = [];
  for (const q of LANES) {
    inner.push(`let ih${q} = h${q} + kh * ${rh}i;`, `let iw${q} = w${q} + kw * ${rw}i;`);
    const conds = [`ih${q} >= 0i`, `ih${q} < ${Hd}i`, `iw${q} >= 0i`, `iw${q} < ${Wd}i`];
    if (dh > 1) conds.push(`ih${q} % ${dh}i == 0i`);
    if (dw > 1) conds.push(`iw${q} % ${dw}i == 0i`);
    inner.push(
      `let ok${q} = ${conds.join(' && ')};`,
      `let a${q} = select(0i, img${q} + ((ih${q} / ${dh}i) * ${W}i + iw${q} / ${dw}i) * ${C}i, ok${q});`,
    );
  }
  inner.push(`let wr = (kh * ${KW}i + kw) * ${Cg * O}i + ob;`);
  // The 4 output features of input feature `ci` (an i32 expression).
  const loadW = (ci: string) =>
    vecW
      ? `Wt[(wr + (${ci}) * ${O}i) / 4i]`
      : `vec4<f32>(${LANES.map((j) => `Wt[wr + (${ci}) * ${O}i + min(${j}i, ${Og - 1}i - og0)]`).join(', ')})`;
  if (vecX) {
    inner.push(
      `for (var cq: i32 = 0i; cq < ${Cg / 4}i; cq++) {`,
      ...LANES.map((j) => `  let b${j} = ${loadW(`cq * 4i + ${j}i`)};`),
      ...LANES.map((q) => `  let x${q} = select(vec4<f32>(0.0f), X[a${q} / 4i + cq], ok${q});`),
      ...LANES.map((q) => `  c${q} += ${LANES.map((j) => `x${q}.${COMP[j]} * b${j}`).join(' + ')};`),
      '}',
    );
  } else {
    inner.push(
      `for (var ci: i32 = 0i; ci < ${Cg}i; ci++) {`,
      `  let bv = ${loadW('ci')};`,
      ...LANES.map((q) => `  c${q} += select(0.0f, X[a${q} + ci], ok${q}) * bv;`),
      '}',
    );
  }
  body.push(...inner.map((l) => `    ${l}`), '  }', '}');
  for (const q of LANES) {
    const row = `mb + ${q}i`;
    if (vecW) body.push(`if (${row} < ${M}i) { Y[((${row}) * ${O}i + ob) / 4i] = c${q}; }`);
    else {
      body.push(
        `if (${row} < ${M}i) {`,
        ...LANES.map(
          (j) => `  if (og0 + ${j}i < ${Og}i) { Y[(${row}) * ${O}i + ob + ${j}i] = c${q}.${COMP[j]}; }`,
        ),
        '}',
      );
    }
  }
  return {
    passes: [{ name, code: libShader(decl, new Helpers(), body), bindings: [a, b, c], groups: wgroups }],
    scratch: {},
  };
}

export const wgslConvKernels: Record<
  string,
  (k: LibKernel, infos: BufferInfo[], name: string) => RenderedLib
> = {
  conv,
};
