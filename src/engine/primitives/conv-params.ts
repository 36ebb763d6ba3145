/**
 * @file The params of conv_general_dilated (primitives/conv.ts), below both the primitive and its
 * lowering (conv-lower.ts): lax.ConvDimensionNumbers, printed as JAX prints it, and the typed
 * params of one equation.
 */

import type { DType } from '../core/dtype.js';
import type { Params } from '../core/primitive.js';
import { pyStr } from '../ir/pyrepr.js';

/** lax.ConvDimensionNumbers: where batch, feature and spatial dimensions are in lhs, rhs, out. */
export class ConvDimensionNumbers {
  readonly lhs_spec: readonly number[];
  readonly rhs_spec: readonly number[];
  readonly out_spec: readonly number[];
  constructor(lhsSpec: readonly number[], rhsSpec: readonly number[], outSpec: readonly number[]) {
    this.lhs_spec = Object.freeze(lhsSpec.map(Number));
    this.rhs_spec = Object.freeze(rhsSpec.map(Number));
    this.out_spec = Object.freeze(outSpec.map(Number));
  }
  get lhsSpec(): readonly number[] {
    return this.lhs_spec;
  }
  get rhsSpec(): readonly number[] {
    return this.rhs_spec;
  }
  get outSpec(): readonly number[] {
    return this.out_spec;
  }
  /** The three specs, as the NamedTuple unpacks. */
  [Symbol.iterator](): Iterator<readonly number[]> {
    return [this.lhs_spec, this.rhs_spec, this.out_spec][Symbol.iterator]();
  }
  pyStr(): string {
    return `ConvDimensionNumbers(lhs_spec=${pyStr(this.lhs_spec)}, rhs_spec=${pyStr(this.rhs_spec)}, out_spec=${pyStr(this.out_spec)})`;
  }
  toString(): string {
    return this.pyStr();
  }
  toJSON(): Record<string, readonly number[]> {
    return { lhs_spec: this.lhs_spec, rhs_spec: this.rhs_spec, out_spec: this.out_spec };
  }
}

/** The params of one conv_general_dilated equation, typed. */
export interface ConvParams {
  window_strides: number[];
  padding: [number, number][];
  lhs_dilation: number[];
  rhs_dilation: number[];
  dimension_numbers: ConvDimensionNumbers;
  feature_group_count: number;
  batch_group_count: number;
  precision: unknown;
  preferred_element_type: DType | null;
  out_sharding: null;
}

export function convParams(p: Params): ConvParams {
  return p as unknown as ConvParams;
}
