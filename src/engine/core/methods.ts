/**
 * @file The array methods shared by concrete Arrays and Tracers (`x.add(y)`, `x.sum({axis: 0})`,
 * `x.at[i].set(v)`), so module programs read naturally without operator overloading.
 *
 * The implementations live in the numpy namespace, which sits above core; it installs them here
 * at load time (`installArrayOps`) so that core never imports the namespaces.
 */
import type { ShapedArray } from './aval.js';
import type { Complex, HostScalar } from './complex.js';
import type { DType, DTypeLike, TypedArray } from './dtype.js';
import { ConcretizationTypeError } from './errors.js';
import type { Value } from './trace.js';

type Operand = Value | number | boolean | bigint | Complex | readonly unknown[];
type Axis = number | readonly number[] | null;
export interface ReduceOptions {
  axis?: Axis;
  keepdims?: boolean;
  dtype?: DTypeLike;
  where?: Operand;
}

/** Filled by numpy/ at load time; typed loosely because core cannot import it. */
export const arrayOps: Record<string, (...args: any[]) => any> = {};

export function installArrayOps(ops: Record<string, (...args: any[]) => any>): void {
  Object.assign(arrayOps, ops);
}

function op(name: string): (...args: any[]) => any {
  const f = arrayOps[name];
  if (!f) throw new Error(`array method ${name} is not available (numpy namespace not loaded)`);
  return f;
}

/** The `x.at[idx]` helper, as JAX's `_IndexUpdateHelper`. */
export class IndexUpdateRef {
  constructor(
    readonly array: Value,
    readonly index: unknown,
  ) {}
  get(opts?: { mode?: string; fillValue?: number }): Value {
    return op('atGet')(this.array, this.index, opts);
  }
  set(v: Operand, opts?: { mode?: string }): Value {
    return op('atUpdate')(this.array, this.index, v, 'set', opts);
  }
  add(v: Operand, opts?: { mode?: string }): Value {
    return op('atUpdate')(this.array, this.index, v, 'add', opts);
  }
  subtract(v: Operand, opts?: { mode?: string }): Value {
    return op('atUpdate')(this.array, this.index, op('negative')(v), 'add', opts);
  }
  multiply(v: Operand, opts?: { mode?: string }): Value {
    return op('atUpdate')(this.array, this.index, v, 'mul', opts);
  }
  mul(v: Operand, opts?: { mode?: string }): Value {
    return this.multiply(v, opts);
  }
  divide(v: Operand, opts?: { mode?: string }): Value {
    return op('atUpdate')(this.array, this.index, op('reciprocal')(v), 'mul', opts);
  }
  min(v: Operand, opts?: { mode?: string }): Value {
    return op('atUpdate')(this.array, this.index, v, 'min', opts);
  }
  max(v: Operand, opts?: { mode?: string }): Value {
    return op('atUpdate')(this.array, this.index, v, 'max', opts);
  }
}

export abstract class ArrayMethods {
  abstract get aval(): ShapedArray;

  get shape(): number[] {
    return [...this.aval.shape];
  }
  get dtype(): DType {
    return this.aval.dtype;
  }
  get weakType(): boolean {
    return this.aval.weakType;
  }
  get ndim(): number {
    return this.aval.shape.length;
  }
  get size(): number {
    return this.aval.size;
  }

  /**
   * Iteration along axis 0, as over a JAX array (`for (const row of x)`, `const [a, b] = x`),
   * under tracing too: a tracer's leading dimension is static.
   */
  *[Symbol.iterator](): Iterator<Value> {
    if (this.ndim === 0) throw new TypeError('iteration over a 0-d array');
    const n = this.shape[0];
    for (let i = 0; i < n; i++) yield op('getitem')(this, i);
  }

  // Reading values needs a concrete array: a tracer has none (the Array class overrides these).
  // These throw at once rather than return a rejected promise, so a read inside jit fails there
  // instead of as an unhandled rejection later.
  /** A copy of the elements in C order, once computed. */
  data(): Promise<TypedArray> {
    throw this.notConcrete('await x.data()');
  }
  /** Synchronous read, where the device allows it. */
  dataSync(): TypedArray {
    throw this.notConcrete('x.dataSync()');
  }
  /** Nested JS arrays of the elements. */
  tolist(): Promise<any> {
    throw this.notConcrete('await x.tolist()');
  }
  /** The single element of a size-1 array. */
  item(): Promise<HostScalar> {
    throw this.notConcrete('await x.item()');
  }
  /** Resolves when the computation producing this array is done. */
  blockUntilReady(): Promise<this> {
    throw this.notConcrete('x.blockUntilReady()');
  }
  /** JS's explicit conversion (`x.valueOf()`), as coercion: the scalar of a concrete size-1 array. */
  valueOf(): any {
    return this.toPrimitive('number');
  }
  /** `JSON.stringify(x)`: the nested elements of a concrete array (read synchronously). */
  toJSON(): unknown {
    throw this.notConcrete('JSON.stringify(x)');
  }
  private notConcrete(what: string): Error {
    return new ConcretizationTypeError(`traced array with shape ${this.aval.strShort()} (read with ${what})`);
  }

  /** JS coercion (`x > 0`, `Number(x)`, template strings) needs a concrete value. */
  [Symbol.toPrimitive](hint: string): number | string | bigint | boolean {
    return this.toPrimitive(hint);
  }
  protected toPrimitive(hint: string): number | string | bigint | boolean {
    const a = this.aval;
    const type = `${a.dtype.name}[${a.shape.join(',')}]`;
    // String(tracer) and template strings describe the tracer, as str(tracer) does in JAX.
    if (hint === 'string') return `JitTracer(${a.weakType ? '~' : ''}${type})`;
    throw new ConcretizationTypeError(
      `traced array with shape ${type}`,
      'The problem arose with a JS comparison (x > 0), an arithmetic operator or Number(x), which coerce the ' +
        'array to a JS number; under jit or makeJaxpr its value is not known yet.',
    );
  }

  // arithmetic
  add(y: Operand): Value {
    return op('add')(this, y);
  }
  sub(y: Operand): Value {
    return op('subtract')(this, y);
  }
  mul(y: Operand): Value {
    return op('multiply')(this, y);
  }
  div(y: Operand): Value {
    return op('divide')(this, y);
  }
  floordiv(y: Operand): Value {
    return op('floor_divide')(this, y);
  }
  mod(y: Operand): Value {
    return op('remainder')(this, y);
  }
  pow(y: Operand): Value {
    return op('power')(this, y);
  }
  matmul(y: Operand): Value {
    return op('matmul')(this, y);
  }
  dot(y: Operand): Value {
    return op('dot')(this, y);
  }
  neg(): Value {
    return op('negative')(this);
  }
  abs(): Value {
    return op('abs')(this);
  }
  sqrt(): Value {
    return op('sqrt')(this);
  }
  exp(): Value {
    return op('exp')(this);
  }
  log(): Value {
    return op('log')(this);
  }
  sin(): Value {
    return op('sin')(this);
  }
  cos(): Value {
    return op('cos')(this);
  }
  tanh(): Value {
    return op('tanh')(this);
  }
  // comparisons and logic
  gt(y: Operand): Value {
    return op('greater')(this, y);
  }
  ge(y: Operand): Value {
    return op('greater_equal')(this, y);
  }
  lt(y: Operand): Value {
    return op('less')(this, y);
  }
  le(y: Operand): Value {
    return op('less_equal')(this, y);
  }
  eq(y: Operand): Value {
    return op('equal')(this, y);
  }
  ne(y: Operand): Value {
    return op('not_equal')(this, y);
  }
  and(y: Operand): Value {
    return op('bitwise_and')(this, y);
  }
  or(y: Operand): Value {
    return op('bitwise_or')(this, y);
  }
  xor(y: Operand): Value {
    return op('bitwise_xor')(this, y);
  }
  not(): Value {
    return op('bitwise_not')(this);
  }
  // reductions
  sum(opts?: ReduceOptions): Value {
    return op('sum')(this, opts);
  }
  prod(opts?: ReduceOptions): Value {
    return op('prod')(this, opts);
  }
  mean(opts?: ReduceOptions): Value {
    return op('mean')(this, opts);
  }
  var(opts?: ReduceOptions & { ddof?: number }): Value {
    return op('var')(this, opts);
  }
  std(opts?: ReduceOptions & { ddof?: number }): Value {
    return op('std')(this, opts);
  }
  max(opts?: ReduceOptions): Value {
    return op('max')(this, opts);
  }
  min(opts?: ReduceOptions): Value {
    return op('min')(this, opts);
  }
  all(opts?: ReduceOptions): Value {
    return op('all')(this, opts);
  }
  any(opts?: ReduceOptions): Value {
    return op('any')(this, opts);
  }
  argmax(opts?: { axis?: number | null; keepdims?: boolean }): Value {
    return op('argmax')(this, opts);
  }
  argmin(opts?: { axis?: number | null; keepdims?: boolean }): Value {
    return op('argmin')(this, opts);
  }
  cumsum(opts?: { axis?: number | null; dtype?: DTypeLike }): Value {
    return op('cumsum')(this, opts);
  }
  cumprod(opts?: { axis?: number | null; dtype?: DTypeLike }): Value {
    return op('cumprod')(this, opts);
  }
  // shapes
  reshape(...shape: (number | readonly number[])[]): Value {
    const s = shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape;
    return op('reshape')(this, s);
  }
  transpose(axes?: readonly number[]): Value {
    return op('transpose')(this, axes);
  }
  get T(): Value {
    return op('transpose')(this);
  }
  get mT(): Value {
    return op('matrix_transpose')(this);
  }
  /** The real and imaginary parts (a real array's imaginary part is zeros), as jax.Array's. */
  get real(): Value {
    return op('real')(this);
  }
  get imag(): Value {
    return op('imag')(this);
  }
  conj(): Value {
    return op('conjugate')(this);
  }
  conjugate(): Value {
    return op('conjugate')(this);
  }
  swapaxes(a: number, b: number): Value {
    return op('swapaxes')(this, a, b);
  }
  squeeze(axis?: number | readonly number[]): Value {
    return op('squeeze')(this, axis);
  }
  ravel(): Value {
    return op('ravel')(this);
  }
  flatten(): Value {
    return op('ravel')(this);
  }
  astype(dtype: DTypeLike): Value {
    return op('astype')(this, dtype);
  }
  clip(min?: Operand | null, max?: Operand | null): Value {
    return op('clip')(this, min, max);
  }
  round(decimals = 0): Value {
    return op('round')(this, decimals);
  }
  take(indices: Operand, opts?: { axis?: number }): Value {
    return op('take')(this, indices, opts);
  }
  /** NumPy indexing: `x.index(0)`, `x.index([null, sl(1, 3)])` (the expression language's `x[...]`). */
  index(idx: unknown): Value {
    return op('getitem')(this, idx);
  }
  get at(): { [key: number]: IndexUpdateRef; get(idx: unknown): IndexUpdateRef } & ((
    idx: unknown,
  ) => IndexUpdateRef) {
    const self = this as unknown as Value;
    const f = (idx: unknown) => new IndexUpdateRef(self, idx);
    return new Proxy(f, {
      get(target, prop) {
        if (prop === 'get') return f;
        if (typeof prop === 'string' && /^-?\d+$/.test(prop)) return new IndexUpdateRef(self, Number(prop));
        return Reflect.get(target, prop);
      },
    }) as any;
  }
}
