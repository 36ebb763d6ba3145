/**
 * @file The conv fixture (fixtures/make_conv.py, JAX 0.10.2) and the TS call of each of its cases,
 * shared by the CPU tests (conv.test.ts) and the WebGPU ones (webgpu/conv.test.ts).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Value } from '../../src/engine/index.js';
import { numpy as jnp, lax, scipy } from '../../src/engine/index.js';

export interface Enc {
  shape: number[];
  dtype: string;
  data: (number | boolean | string)[];
}
export interface ArgSpec {
  shape: number[];
  dtype: string;
  value: Enc;
}
export interface Case {
  name: string;
  fn: string;
  args: ArgSpec[];
  opts: Record<string, any>;
}
export interface ValueCase extends Case {
  expected: Enc;
  weak_type: boolean;
}
export interface GradCase extends Case {
  cotangent: Enc;
  vjp_lhs: Enc;
  vjp_rhs: Enc;
  tangents: [Enc, Enc];
  jvp: Enc;
}
export interface VmapCase {
  name: string;
  opts: Record<string, any>;
  in_axes: (number | null)[];
  args: ArgSpec[];
  expected: Enc;
}
export interface HigherCase {
  name: string;
  args: Enc[];
  expected: Enc;
}
export interface ErrorCase extends Case {
  type: string;
  message: string;
}
export interface JaxprCase {
  name: string;
  args: { shape: number[]; dtype: string }[];
  text: string;
}

export const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/conv.json', import.meta.url), 'utf8'),
) as {
  values: ValueCase[];
  grads: GradCase[];
  vmaps: VmapCase[];
  higher: HigherCase[];
  jaxprs: JaxprCase[];
  errors: ErrorCase[];
};

export const num = (v: number | boolean | string): number =>
  typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : Number(v);

export function fromEnc(e: Enc): Value {
  const flat = e.data.map(num);
  const v = jnp.array(e.dtype === 'bool' ? flat.map(Boolean) : flat, { dtype: e.dtype });
  return e.shape.length === 1 ? v : lax.reshape(v, e.shape);
}

/** The TS call of a fixture case: lax/jnp/scipy.signal with the options object. */
export function call(fn: string, o: Record<string, any>, xs: Value[]): Value {
  switch (fn) {
    case 'conv_general_dilated':
      return lax.convGeneralDilated(xs[0], xs[1], o.window_strides, o.padding, {
        lhsDilation: o.lhs_dilation,
        rhsDilation: o.rhs_dilation,
        dimensionNumbers: o.dimension_numbers,
        featureGroupCount: o.feature_group_count,
        batchGroupCount: o.batch_group_count,
        precision: o.precision,
        preferredElementType: o.preferred_element_type,
      });
    case 'conv':
      return lax.conv(xs[0], xs[1], o.window_strides, o.padding);
    case 'conv_with_general_padding':
      return lax.convWithGeneralPadding(
        xs[0],
        xs[1],
        o.window_strides,
        o.padding,
        o.lhs_dilation,
        o.rhs_dilation,
      );
    case 'conv_transpose':
      return lax.convTranspose(xs[0], xs[1], o.strides, o.padding, {
        rhsDilation: o.rhs_dilation,
        dimensionNumbers: o.dimension_numbers,
        transposeKernel: o.transpose_kernel,
        useConsistentPadding: o.use_consistent_padding,
      });
    case 'convolve':
      return jnp.convolve(xs[0], xs[1], o.mode, { preferredElementType: o.preferred_element_type });
    case 'correlate':
      return jnp.correlate(xs[0], xs[1], o.mode, { preferredElementType: o.preferred_element_type });
    case 'signal_convolve':
      return scipy.signal.convolve(xs[0], xs[1], o.mode, { method: o.method });
    case 'signal_correlate':
      return scipy.signal.correlate(xs[0], xs[1], o.mode, { method: o.method });
    case 'convolve2d':
      return scipy.signal.convolve2d(xs[0], xs[1], o.mode, { boundary: o.boundary, fillvalue: o.fillvalue });
    case 'correlate2d':
      return scipy.signal.correlate2d(xs[0], xs[1], o.mode, { boundary: o.boundary, fillvalue: o.fillvalue });
  }
  throw new Error(`unknown fn ${fn}`);
}

export async function expectClose(r: Value, e: Enc, weak?: boolean, rtol?: number): Promise<void> {
  expect(r.shape).toEqual(e.shape);
  expect(r.dtype.name).toBe(e.dtype);
  if (weak !== undefined) expect(r.weakType).toBe(weak);
  // float16 reads back as its bits: compare its float32 values.
  const got = Array.from(await (r.dtype.name === 'float16' ? jnp.astype(r, 'float32') : r).data(), Number);
  const want = e.data.map(num);
  const tol = rtol ?? (e.dtype === 'float16' ? 2e-3 : 1e-5);
  if (e.dtype.startsWith('float')) {
    got.forEach((g, i) => {
      expect(Math.abs(g - want[i]), `element ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(
        tol * Math.max(1, Math.abs(want[i])),
      );
    });
  } else expect(got).toEqual(want);
}
