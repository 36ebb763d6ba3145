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

type Operand<V> = V | number | boolean | bigint | Complex | readonly unknown[];
type Axis = number | readonly number[] | null;
export interface ReduceOptions<V = unknown> {
  axis?: Axis;
  keepdims?: boolean;
  dtype?: DTypeLike;
  where?: Operand<V>;
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
export class IndexUpdateRef<V = unknown> {
  constructor(
    readonly array: V,
    readonly index: unknown,
  ) {}
  get(opts?: { mode?: string; fillValue?: number }): V {
    return op('atGet')(this.array, this.index, opts);
  }
  set(v: Operand<V>, opts?: { mode?: string }): V {
    return op('atUpdate')(this.array, this.index, v, 'set', opts);
  }
  add(v: Operand<V>, opts?: { mode?: string }): V {
    return op('atUpdate')(this.array, this.index, v, 'add', opts);
  }
  subtract(v: Operand<V>, opts?: { mode?: string }): V {
    return op('atUpdate')(this.array, this.index, op('negative')(v), 'add', opts);
  }
  multiply(v: Operand<V>, opts?: { mode?: string }): V {
    return op('atUpdate')(this.array, this.index, v, 'mul', opts);
  }
  mul(v: Operand<V>, opts?: { mode?: string }): V {
    return this.multiply(v, opts);
  }
  divide(v: Operand<V>, opts?: { mode?: string }): V {
    return op('atUpdate')(this.array, this.index, op('reciprocal')(v), 'mul', opts);
  }
  min(v: Operand<V>, opts?: { mode?: string }): V {
    return op('atUpdate')(this.array, this.index, v, 'min', opts);
  }
  max(v: Operand<V>, opts?: { mode?: string }): V {
    return op('atUpdate')(this.array, this.index, v, 'max', opts);
  }
}

/**
 * The methods that only call their numpy function on the array (and the operand), by method name,
 * as JAX's _array_methods table (jax/_src/numpy/array_methods.py): `x.add(y)` is add(x, y).
 */
const BINARY = {
  add: 'add',
  sub: 'subtract',
  mul: 'multiply',
  div: 'divide',
  floordiv: 'floor_divide',
  mod: 'remainder',
  pow: 'power',
  matmul: 'matmul',
  dot: 'dot',
  gt: 'greater',
  ge: 'greater_equal',
  lt: 'less',
  le: 'less_equal',
  eq: 'equal',
  ne: 'not_equal',
  and: 'bitwise_and',
  or: 'bitwise_or',
  xor: 'bitwise_xor',
} as const;
const UNARY = {
  neg: 'negative',
  abs: 'abs',
  sqrt: 'sqrt',
  exp: 'exp',
  log: 'log',
  sin: 'sin',
  cos: 'cos',
  tanh: 'tanh',
  not: 'bitwise_not',
  conj: 'conjugate',
  conjugate: 'conjugate',
  ravel: 'ravel',
  flatten: 'ravel',
} as const;
const REDUCTIONS = ['sum', 'prod', 'mean', 'max', 'min', 'all', 'any'] as const;

type TableMethods<V> = { [K in keyof typeof BINARY]: (y: Operand<V>) => V } & {
  [K in keyof typeof UNARY]: () => V;
} & { [K in (typeof REDUCTIONS)[number]]: (opts?: ReduceOptions<V>) => V };

/** The table's methods, declared by merging: installed on the prototype below the class. */
export interface ArrayMethods<V = unknown> extends TableMethods<V> {}

/**
 * `V` is the array type the methods return: core's `Value` (trace.ts), which the subclasses give
 * (Tracer, ArrayImpl), so that this file needs nothing from the trace stack that builds on it.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above holds the installed methods.
export abstract class ArrayMethods<V = unknown> {
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
  *[Symbol.iterator](): Iterator<V> {
    if (this.ndim === 0) throw new TypeError('iteration over a 0-d array');
    const n = this.shape[0];
    // A key array unstacks as JAX's does (unit-stride slices: random/keys.ts installs `keyItem`).
    const item = op(this.aval.dtype.isKey ? 'keyItem' : 'getitem');
    for (let i = 0; i < n; i++) yield item(this, i);
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

  // reductions (sum, mean, ... are installed from REDUCTIONS below)
  var(opts?: ReduceOptions<V> & { ddof?: number }): V {
    return op('var')(this, opts);
  }
  std(opts?: ReduceOptions<V> & { ddof?: number }): V {
    return op('std')(this, opts);
  }
  max(opts?: ReduceOptions<V>): V {
    return op('max')(this, opts);
  }
  min(opts?: ReduceOptions<V>): V {
    return op('min')(this, opts);
  }
  all(opts?: ReduceOptions<V>): V {
    return op('all')(this, opts);
  }
  any(opts?: ReduceOptions<V>): V {
    return op('any')(this, opts);
  }
  argmax(opts?: { axis?: number | null; keepdims?: boolean }): V {
    return op('argmax')(this, opts);
  }
  argmin(opts?: { axis?: number | null; keepdims?: boolean }): V {
    return op('argmin')(this, opts);
  }
  cumsum(opts?: { axis?: number | null; dtype?: DTypeLike }): V {
    return op('cumsum')(this, opts);
  }
  cumprod(opts?: { axis?: number | null; dtype?: DTypeLike }): V {
    return op('cumprod')(this, opts);
  }
  // shapes
  reshape(...shape: (number | readonly number[])[]): V {
    const s = shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape;
    return op('reshape')(this, s);
  }
  transpose(axes?: readonly number[]): V {
    return op('transpose')(this, axes);
  }
  get T(): V {
    return op('transpose')(this);
  }
  get mT(): V {
    return op('matrix_transpose')(this);
  }
  /** The real and imaginary parts (a real array's imaginary part is zeros), as jax.Array's. */
  get real(): V {
    return op('real')(this);
  }
  get imag(): V {
    return op('imag')(this);
  }
  swapaxes(a: number, b: number): V {
    return op('swapaxes')(this, a, b);
  }
  squeeze(axis?: number | readonly number[]): V {
    return op('squeeze')(this, axis);
  }
  astype(dtype: DTypeLike): V {
    return op('astype')(this, dtype);
  }
  clip(min?: Operand<V> | null, max?: Operand<V> | null): V {
    return op('clip')(this, min, max);
  }
  round(decimals = 0): V {
    return op('round')(this, decimals);
  }
  take(indices: Operand<V>, opts?: { axis?: number }): V {
    return op('take')(this, indices, opts);
  }
  /** NumPy indexing: `x.index(0)`, `x.index([null, sl(1, 3)])` (the expression language's `x[...]`). */
  index(idx: unknown): V {
    return op('getitem')(this, idx);
  }
  get at(): { [key: number]: IndexUpdateRef<V>; get(idx: unknown): IndexUpdateRef<V> } & ((
    idx: unknown,
  ) => IndexUpdateRef<V>) {
    const self = this as unknown as V;
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

/** Install the table's methods as a class declares methods: named, on the prototype, not enumerable. */
function install(name: string, method: (this: unknown, ...args: unknown[]) => unknown): void {
  Object.defineProperty(method, 'name', { value: name });
  Object.defineProperty(ArrayMethods.prototype, name, { value: method, writable: true, configurable: true });
}
for (const [m, f] of Object.entries(BINARY))
  install(m, function (y) {
    return op(f)(this, y);
  });
for (const [m, f] of Object.entries(UNARY))
  install(m, function () {
    return op(f)(this);
  });
for (const m of REDUCTIONS)
  install(m, function (opts) {
    return op(m)(this, opts);
  });
