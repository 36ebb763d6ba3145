/**
 * @file The evaluator: walks an expression's AST and calls the engine. Nothing reaches JS eval,
 * the file system or the network: names resolve to the builtins of scope.ts or to inputs, and
 * attributes resolve only on namespaces, arrays (their documented methods) and dtypes.
 *
 * Python semantics kept where they matter for JAX: int and float literals stay apart (an int
 * literal is a weak int, `2.0` a weak float, even when integral), `/` on ints is true division,
 * keyword arguments become NumPy's options object (snake_case names camel-cased), `a < b < c`
 * chains, `lambda` makes a function the transformations can take.
 */
import * as engine from '../engine/index.js';
import { callPython, signatureOf } from '../engine/signature/index.js';
import type { Call, Expr, IndexItem, Keyword } from './ast.js';
import { ExprError, suggestName } from './errors.js';
import { exactInt } from './lexer.js';
import { builtins, Namespace } from './scope.js';

const jnp = engine.numpy;

/** A Python float literal whose value is integral (2.0): it must stay a float. */
export class PyFloat {
  constructor(readonly value: number) {}
}

type V = unknown;

function isArrayValue(x: unknown): x is engine.Value {
  return x instanceof engine.Array || x instanceof engine.Tracer;
}

/** Engine-facing form of a value: PyFloat becomes a weak float scalar. */
function toEngine(x: V): V {
  if (x instanceof PyFloat) return weakFloat(x.value);
  if (Array.isArray(x)) return x.map(toEngine);
  return x;
}

/**
 * An operand of an arithmetic operator: as toEngine, and an int beyond int32 goes to the engine as a
 * bigint (a Python int), so that it raises JAX's OverflowError rather than becoming a float or
 * wrapping around.
 */
function operand(x: V): V {
  if (typeof x === 'number' && Number.isInteger(x) && (x > 2147483647 || x < -2147483648)) return BigInt(x);
  return toEngine(x);
}

function weakFloat(v: number): engine.Value {
  // A 0-d weak float: what a Python float literal is in JAX.
  return engine.lax.convertElementType(jnp.asarray(v), engine.config.enableX64 ? 'float64' : 'float32', true);
}

function num(x: V): number | null {
  if (typeof x === 'number') return x;
  if (x instanceof PyFloat) return x.value;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'bigint') return intToFloat(x);
  return null;
}

/** Python's float(int): exact below 2 ** 1024, an OverflowError above, never a silent inf. */
function intToFloat(v: bigint): number {
  const f = Number(v);
  if (!Number.isFinite(f)) throw new engine.OverflowError('int too large to convert to float');
  return f;
}

function isPyFloat(x: V): boolean {
  return x instanceof PyFloat || (typeof x === 'number' && !Number.isInteger(x));
}

function isPyInt(x: V): x is number | bigint {
  return typeof x === 'bigint' || (typeof x === 'number' && Number.isInteger(x));
}

function pyNumber(v: number, float: boolean): V {
  return float && Number.isInteger(v) ? new PyFloat(v) : v;
}

/** Ints of more bits than this are refused (Python has no limit, but `2**10**9` would never end). */
const MAX_INT_BITS = 1_000_000;

function bitLength(v: bigint): number {
  return (v < 0n ? -v : v).toString(2).length;
}

/** Python int arithmetic, exact (bigints past 2 ** 53); undefined for ops that are not int -> int. */
function intBinary(op: string, a: bigint, b: bigint): V | undefined {
  switch (op) {
    case '+':
      return exactInt(a + b);
    case '-':
      return exactInt(a - b);
    case '*':
      return exactInt(a * b);
    case '//':
    case '%': {
      if (b === 0n)
        throw new Error(op === '//' ? 'integer division or modulo by zero' : 'integer modulo by zero');
      // Python floors; BigInt division truncates toward zero.
      let q = a / b;
      if (a % b !== 0n && a < 0n !== b < 0n) q -= 1n;
      return exactInt(op === '//' ? q : a - q * b);
    }
    case '**': {
      if (b < 0n) return undefined;
      if (a !== 0n && a !== 1n && a !== -1n && Number(b) * (bitLength(a) - 1) > MAX_INT_BITS)
        throw new engine.OverflowError(`integer result of ${a}**${b} has more than ${MAX_INT_BITS} bits`);
      return exactInt(a ** b);
    }
  }
  return compareScalars(op, a, b);
}

/** A comparison of two Python ints or two floats; undefined for any other operator. */
function compareScalars<T extends number | bigint>(op: string, a: T, b: T): boolean | undefined {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
  return undefined;
}

/** Python's binary operators by the jnp function each calls. */
const BINARY: Record<string, string> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'true_divide',
  '//': 'floor_divide',
  '%': 'remainder',
  '**': 'power',
  '@': 'matmul',
  '&': 'bitwise_and',
  '|': 'bitwise_or',
  '^': 'bitwise_xor',
  '<<': 'left_shift',
  '>>': 'right_shift',
  '<': 'less',
  '<=': 'less_equal',
  '>': 'greater',
  '>=': 'greater_equal',
  '==': 'equal',
  '!=': 'not_equal',
};

function call(ns: object, name: string, args: V[]): V {
  const f = (ns as Record<string, unknown>)[name];
  if (typeof f !== 'function') throw new Error(`${name} is not available`);
  return f(...args);
}

/** Python arithmetic on plain numbers (int/float kept apart), so `2*3` stays a static int. */
function complexNeg(z: engine.Complex): engine.Complex {
  return new engine.Complex(-z.re, -z.im);
}

/** A Python number as a complex (null for anything else). */
function asComplex(x: V): engine.Complex | null {
  if (x instanceof engine.Complex) return x;
  const n = typeof x === 'boolean' ? null : num(x);
  return n === null ? null : new engine.Complex(n, 0);
}

/** Python complex arithmetic on scalars (`1 + 2j` is a constant, as in Python); undefined otherwise. */
function complexBinary(op: string, a: V, b: V): V | undefined {
  const x = asComplex(a);
  const y = asComplex(b);
  if (!x || !y) return undefined;
  switch (op) {
    case '+':
      return new engine.Complex(x.re + y.re, x.im + y.im);
    case '-':
      return new engine.Complex(x.re - y.re, x.im - y.im);
    case '*':
      return new engine.Complex(x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re);
    case '/': {
      const d = y.re * y.re + y.im * y.im;
      if (d === 0) throw new Error('complex division by zero');
      return new engine.Complex((x.re * y.re + x.im * y.im) / d, (x.im * y.re - x.re * y.im) / d);
    }
    case '==':
      return x.re === y.re && x.im === y.im;
    case '!=':
      return x.re !== y.re || x.im !== y.im;
  }
  return undefined;
}

function scalarBinary(op: string, a: V, b: V): V | undefined {
  if (a instanceof engine.Complex || b instanceof engine.Complex) return complexBinary(op, a, b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return undefined;
  if (isPyInt(a) && isPyInt(b)) {
    const r = intBinary(op, BigInt(a), BigInt(b));
    if (r !== undefined) return r;
  }
  const x = num(a);
  const y = num(b);
  if (x === null || y === null) return undefined;
  const float = isPyFloat(a) || isPyFloat(b);
  switch (op) {
    case '+':
      return pyNumber(x + y, float);
    case '-':
      return pyNumber(x - y, float);
    case '*':
      return pyNumber(x * y, float);
    case '/':
      if (y === 0) throw new Error('division by zero');
      return pyNumber(x / y, true);
    case '//':
      if (y === 0) throw new Error('integer division or modulo by zero');
      return pyNumber(Math.floor(x / y), float);
    case '%': {
      if (y === 0) throw new Error('integer modulo by zero');
      const r = x % y;
      return pyNumber(r !== 0 && r < 0 !== y < 0 ? r + y : r, float);
    }
    case '**':
      return pyNumber(x ** y, float || y < 0);
  }
  return compareScalars(op, x, y);
}

/** Keyword names as the engine spells them: NumPy's snake_case options become camelCase. */
function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * A call with Python's positional and keyword arguments. A namespace function binds them against
 * its JAX signature (engine/signature: Python's TypeErrors, JAX's parameter names and order); any
 * other function (a lambda, a jitted function, a method) gets the keywords as a trailing options
 * object, camelCased, as the library takes them.
 */
function applyCall(fn: (...a: any[]) => any, args: V[], kwargs: [string, V][]): V {
  const pos = args.map(toEngine);
  const kw = kwargs.map(([k, v]) => [k, toEngine(v)] as [string, V]);
  if (signatureOf(fn)) return callPython(fn, pos, kw);
  if (kw.length === 0) return fn(...pos);
  const opts: Record<string, V> = {};
  for (const [k, v] of kw)
    Object.defineProperty(opts, camel(k), { value: v, enumerable: true, writable: true, configurable: true });
  return fn(...pos, opts);
}

const ARRAY_ATTRS = new Set([
  'T',
  'mT',
  'shape',
  'dtype',
  'ndim',
  'size',
  'at',
  'weakType',
  'weak_type',
  'real',
  'imag',
]);
/**
 * Reads of an array's values: asynchronous in the library (they return Promises for a module
 * program to await), which an expression cannot wait for; its result is printed in full anyway.
 */
const ASYNC_READS = new Set(['data', 'tolist', 'item', 'blockUntilReady', 'block_until_ready']);
const METHOD_NAMES = new Set(
  Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(jnp.zeros(1)))).filter(
    (n) =>
      n !== 'constructor' &&
      !n.startsWith('_') &&
      !['toPrimitive', 'valueOf', 'toJSON', 'dataSync'].includes(n) &&
      !ASYNC_READS.has(n),
  ),
);
const UPDATE_METHODS = new Set(['get', 'set', 'add', 'subtract', 'multiply', 'mul', 'divide', 'min', 'max']);

export class Evaluator {
  private readonly globals = builtins();
  constructor(
    private readonly source: string,
    private readonly inputs: ReadonlyMap<string, unknown>,
  ) {}

  evaluate(e: Expr): V {
    return this.eval(e, new Map());
  }

  private fail(node: { start: number; end: number }, msg: string): never {
    throw new ExprError(msg, this.source, node.start, node.end);
  }

  /** Run `f`; an engine error becomes an ExprError pointing at `node` (innermost wins). */
  private at<T>(node: { start: number; end: number }, f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof ExprError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      const wrapped = new ExprError(msg, this.source, node.start, node.end);
      (wrapped as { cause?: unknown }).cause = err;
      throw wrapped;
    }
  }

  private lookup(node: Expr & { kind: 'Name' }, locals: Map<string, V>): V {
    const id = node.id;
    if (locals.has(id)) return locals.get(id);
    if (this.inputs.has(id)) return this.inputs.get(id);
    if (this.globals.has(id)) return this.globals.get(id);
    const known = [...locals.keys(), ...this.inputs.keys(), ...this.globals.keys()];
    const hint = suggestName(id, known);
    return this.fail(node, `unknown name '${id}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }

  private eval(e: Expr, locals: Map<string, V>): V {
    switch (e.kind) {
      case 'Num':
        if (e.imag) return new engine.Complex(0, Number(e.value));
        return e.isInt ? e.value : pyNumber(Number(e.value), true);
      case 'Str':
        return e.value;
      case 'Bool':
        return e.value;
      case 'None':
        return null;
      case 'Name':
        return this.lookup(e, locals);
      case 'List':
      case 'Tuple':
        return e.elts.map((x) => this.eval(x, locals));
      case 'Unary': {
        const v = this.eval(e.operand, locals);
        if (v instanceof engine.Complex && e.op !== '~') return e.op === '-' ? complexNeg(v) : v;
        if (typeof v === 'bigint') {
          if (e.op === '-') return exactInt(-v);
          if (e.op === '+') return v;
          if (e.op === '~') return exactInt(~v);
        }
        const n = num(v);
        if (n !== null && typeof v !== 'boolean') {
          if (e.op === '-') return pyNumber(-n, isPyFloat(v));
          if (e.op === '+') return v;
          if (e.op === '~' && !isPyFloat(v)) return exactInt(~BigInt(n));
        }
        return this.at(e, () =>
          e.op === '-'
            ? jnp.negative(operand(v))
            : e.op === '+'
              ? jnp.positive(operand(v))
              : jnp.invert(operand(v)),
        );
      }
      case 'Binary': {
        const a = this.eval(e.left, locals);
        const b = this.eval(e.right, locals);
        const s = scalarBinary(e.op, a, b);
        if (s !== undefined) return s;
        return this.at(e, () => call(jnp, BINARY[e.op], [operand(a), operand(b)]));
      }
      case 'Compare': {
        let left = this.eval(e.operands[0], locals);
        let result: V = true;
        for (let i = 0; i < e.ops.length; i++) {
          const right = this.eval(e.operands[i + 1], locals);
          const op = e.ops[i];
          const r =
            scalarBinary(op, left, right) ??
            this.at(e, () => call(jnp, BINARY[op], [operand(left), operand(right)]));
          result = i === 0 ? r : this.at(e, () => jnp.logical_and(toEngine(result), toEngine(r)));
          left = right;
        }
        return result;
      }
      case 'BoolOp': {
        let v = this.eval(e.values[0], locals);
        for (let i = 1; i < e.values.length; i++) {
          const t = this.truth(e.values[i - 1], v);
          if (e.op === 'and' ? !t : t) return v;
          v = this.eval(e.values[i], locals);
        }
        return v;
      }
      case 'Not':
        return !this.truth(e.operand, this.eval(e.operand, locals));
      case 'IfExp':
        return this.truth(e.test, this.eval(e.test, locals))
          ? this.eval(e.body, locals)
          : this.eval(e.orelse, locals);
      case 'Call':
        return this.evalCall(e, locals);
      case 'Attribute':
        return this.attribute(e, this.eval(e.value, locals), e.attr);
      case 'Index': {
        const target = this.eval(e.value, locals);
        const items = e.items.map((it) => this.indexItem(it, locals));
        if (Array.isArray(target)) {
          if (items.length !== 1 || typeof items[0] !== 'number')
            this.fail(e, 'tuples and lists can only be indexed by an integer');
          const i = items[0] as number;
          const v = target[i < 0 ? target.length + i : i];
          if (v === undefined)
            this.fail(e, `index ${i} is out of range for a sequence of length ${target.length}`);
          return v;
        }
        if (isDict(target)) {
          // A pytree dict (an input read from a JSON object or NPZ): index it by key, as Python.
          if (items.length !== 1 || typeof items[0] !== 'string')
            this.fail(e, 'dicts can only be indexed by a string key');
          const k = items[0] as string;
          if (!Object.hasOwn(target, k))
            this.fail(e, `key '${k}' not found (keys: ${Object.keys(target).join(', ') || 'none'})`);
          return target[k];
        }
        if (
          target &&
          typeof target === 'object' &&
          'set' in target &&
          typeof (target as { set: unknown }).set === 'function' &&
          !isArrayValue(target)
        ) {
          return this.fail(e, 'cannot index this value');
        }
        if (typeof target === 'function') {
          // `x.at[i]`: the `at` helper is a function-proxy taking the index.
          return this.at(e, () => (target as (i: unknown) => unknown)(items.length === 1 ? items[0] : items));
        }
        if (!isArrayValue(target)) return this.fail(e, 'only arrays, lists and tuples can be indexed');
        return this.at(e, () => target.index(items.length === 1 ? items[0] : items));
      }
      case 'Lambda': {
        const params = e.params;
        const body = e.body;
        const fn = (...args: unknown[]) => {
          if (args.length !== params.length) {
            throw new TypeError(
              `<lambda>() takes ${params.length} positional argument${params.length === 1 ? '' : 's'} but ${args.length} were given`,
            );
          }
          const inner = new Map(locals);
          for (const [i, p] of params.entries()) inner.set(p, args[i]);
          return toEngine(this.eval(body, inner));
        };
        // Python's name for it, which jit prints (`jit[name=<lambda>]`, `@jit__lambda`).
        Object.defineProperty(fn, 'name', { value: '<lambda>' });
        return fn;
      }
    }
  }

  private indexItem(it: IndexItem, locals: Map<string, V>): V {
    if (it.kind === 'Slice') {
      const part = (x: Expr | undefined) => {
        if (!x) return null;
        const v = this.eval(x, locals);
        return v instanceof PyFloat ? this.fail(x, 'slice indices must be integers or None') : v;
      };
      return this.at(it, () => call(jnp, 'sl', [part(it.lower), part(it.upper), part(it.step)]));
    }
    if (it.kind === 'Ellipsis') return (jnp as Record<string, unknown>).Ellipsis ?? '...';
    // A list literal is an integer (or boolean) index array, as in NumPy; a tuple is a tuple.
    if (it.kind === 'List') return this.at(it, () => jnp.asarray(toEngine(this.eval(it, locals))));
    return toEngine(this.eval(it, locals));
  }

  private truth(node: Expr, v: V): boolean {
    if (typeof v === 'boolean' || typeof v === 'number') return Boolean(v);
    if (v instanceof PyFloat) return v.value !== 0;
    if (v === null || v === undefined) return false;
    if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
    if (isArrayValue(v)) {
      return this.at(node, () => {
        if (v.size !== 1) {
          throw new Error(
            'The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()',
          );
        }
        return Boolean(Number(v));
      });
    }
    return true;
  }

  private attribute(node: Expr, target: V, attr: string): V {
    if (attr.startsWith('_')) return this.fail(node, `attribute '${attr}' is not accessible`);
    if (target instanceof Namespace) {
      if (!target.has(attr)) {
        const hint = suggestName(attr, target.members.keys());
        return this.fail(
          node,
          `module '${target.name}' has no attribute '${attr}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
        );
      }
      return target.get(attr);
    }
    if (isArrayValue(target)) {
      if (attr === 'weak_type') return target.weakType;
      if (ASYNC_READS.has(attr))
        return this.fail(
          node,
          `x.${attr}() reads an array's values asynchronously (in a module program, await it); an expression cannot wait for it, and its result is printed in full: return the array itself`,
        );
      if (ARRAY_ATTRS.has(attr))
        return this.at(node, () => (target as unknown as Record<string, unknown>)[attr]);
      if (METHOD_NAMES.has(attr)) {
        const m = (target as unknown as Record<string, (...a: unknown[]) => unknown>)[attr];
        return Object.defineProperty((...args: unknown[]) => m.apply(target, args), 'name', { value: attr });
      }
      const hint = suggestName(attr, [...ARRAY_ATTRS, ...METHOD_NAMES]);
      return this.fail(
        node,
        `'Array' object has no attribute '${attr}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
      );
    }
    // A Python complex's parts.
    if (target instanceof engine.Complex && (attr === 'real' || attr === 'imag'))
      return pyNumber(attr === 'real' ? target.re : target.im, true);
    if (target instanceof engine.DType) {
      if (attr === 'name') return target.name;
      if (attr === 'itemsize') return target.itemsize;
    }
    if (
      target &&
      typeof target === 'object' &&
      target.constructor?.name === 'IndexUpdateRef' &&
      UPDATE_METHODS.has(attr)
    ) {
      const m = (target as Record<string, (...a: unknown[]) => unknown>)[attr];
      return Object.defineProperty((...args: unknown[]) => m.apply(target, args), 'name', { value: attr });
    }
    return this.fail(node, `this value has no attribute '${attr}'`);
  }

  private evalCall(e: Call, locals: Map<string, V>): V {
    const fn = this.eval(e.func, locals);
    const fname = e.func.kind === 'Name' ? e.func.id : e.func.kind === 'Attribute' ? e.func.attr : '<expr>';
    if (typeof fn !== 'function') return this.fail(e.func, `'${fname}' is not callable`);
    const args = e.args.map((a) => this.eval(a, locals));
    const kwargs = e.kwargs.map((k: Keyword) => [k.name, this.eval(k.value, locals)] as [string, V]);
    return this.at(e, () => applyCall(fn as (...a: any[]) => any, args, kwargs));
  }
}

/** Evaluate a parsed expression with the given inputs (arrays or tracers by name). */
export function evaluateExpression(source: string, ast: Expr, inputs: ReadonlyMap<string, unknown>): unknown {
  return operand(new Evaluator(source, inputs).evaluate(ast));
}

/** Names an expression reads from its inputs: its free names that are not builtins. */
export function inputNames(free: Iterable<string>): string[] {
  const b = builtins();
  return [...free].filter((n) => !b.has(n));
}

function isDict(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
