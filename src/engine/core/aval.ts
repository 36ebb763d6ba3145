/**
 * @file Abstract values: what tracing knows about an array (shape, dtype, weak type), as
 * JAX's ShapedArray.
 */
import type { DType } from './dtype.js';
import { type Shape, sizeOf } from './shape.js';

export class ShapedArray {
  readonly shape: readonly number[];
  constructor(
    shape: Shape,
    readonly dtype: DType,
    readonly weakType = false,
  ) {
    this.shape = Object.freeze([...shape]);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  /** `f32[3,4]` as jaxprs print it. */
  strShort(): string {
    return `${this.dtype.short}[${this.shape.join(',')}]`;
  }
  /** A key that identifies this aval for caches (weak type included: it changes promotion). */
  key(): string {
    return `${this.dtype.short}${this.weakType ? '~' : ''}[${this.shape.join(',')}]`;
  }
  equals(o: ShapedArray): boolean {
    return this.key() === o.key();
  }
  /** The same dtype and weak type with another shape (what reductions and transposes produce). */
  withShape(shape: Shape): ShapedArray {
    return new ShapedArray(shape, this.dtype, this.weakType);
  }
  withWeak(weakType: boolean): ShapedArray {
    return weakType === this.weakType ? this : new ShapedArray(this.shape, this.dtype, weakType);
  }
  toString(): string {
    return `ShapedArray(${this.dtype.name}[${this.shape.join(',')}]${this.weakType ? ', weak_type=True' : ''})`;
  }
}
