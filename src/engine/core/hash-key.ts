/**
 * @file Cache keys as JAX hashes its cache entries. A cache keyed by a printed form (`String(f)`,
 * `JSON.stringify`, a function's name) returns stale results when two different values print
 * alike: two lambdas with the same name, two jaxprs, two pytree node classes of one name. Here a
 * value is keyed as Python would hash it:
 * - scalars (numbers, strings, booleans, bigints, null, undefined) and JS arrays of hashable values
 *   (JAX's tuples) by value, each tagged with its type, so `1`, `'1'`, `1n` and `true` differ;
 * - functions and class instances by identity (an id from a WeakMap, never a name or a printed
 *   form), unless the class declares a value form (`toJSON`, as DType, Device and the dimension
 *   numbers do: they are value types, as their Python counterparts are NamedTuples);
 * - mutable containers (plain objects, Maps, Sets, typed arrays) and arrays of values are
 *   unhashable for static arguments (`staticKey`), as dicts, lists and arrays are in Python:
 *   JAX's `Non-hashable static arguments are not supported` ValueError. Primitive params
 *   (`paramKey`) are data the engine builds, so plain objects there are keyed by value.
 */
import { ValueError } from './errors.js';
import { ArrayMethods } from './methods.js';

const ids = new WeakMap<object, number>();
const symbolIds = new Map<symbol, number>();
let nextId = 0;

/** A process-unique id for an object or function, stable for its lifetime. */
export function identityId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

function symbolId(s: symbol): number {
  let id = symbolIds.get(s);
  if (id === undefined) {
    id = nextId++;
    symbolIds.set(s, id);
  }
  return id;
}

/** Thrown inside key building; `staticKey` turns it into JAX's ValueError. */
class Unhashable extends TypeError {
  constructor(readonly typeName: string) {
    super(`unhashable type: '${typeName}'`);
  }
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Python's name for the type of an unhashable JS value. */
function unhashableName(x: object): string | null {
  if (x instanceof ArrayMethods) return x.constructor.name === 'ArrayImpl' ? 'ArrayImpl' : x.constructor.name;
  if (isPlainObject(x) || x instanceof Map) return 'dict';
  if (x instanceof Set) return 'set';
  if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer) return x.constructor.name;
  return null;
}

function build(v: unknown, params: boolean, depth: number): string {
  switch (typeof v) {
    case 'undefined':
      return 'u';
    case 'boolean':
      return v ? 'T' : 'F';
    case 'number':
      return Object.is(v, -0) ? 'd-0' : `d${v}`;
    case 'bigint':
      return `i${v}`;
    case 'string':
      return `s${v.length}:${v}`;
    case 'symbol':
      return `y${symbolId(v)}`;
    case 'function':
      return `f${identityId(v)}`;
  }
  if (v === null) return 'n';
  const o = v as object;
  if (depth > 64) return `o${identityId(o)}`;
  if (Array.isArray(o)) {
    let s = '(';
    for (let i = 0; i < o.length; i++) s += `${build(o[i], params, depth + 1)},`;
    return `${s})`;
  }
  if (params && isPlainObject(o)) {
    let s = '{';
    for (const k of Object.keys(o).sort())
      s += `${k.length}:${k}=${build((o as Record<string, unknown>)[k], params, depth + 1)},`;
    return `${s}}`;
  }
  if (params && o instanceof ArrayMethods) return `o${identityId(o)}`;
  const bad = unhashableName(o);
  if (bad !== null) throw new Unhashable(bad);
  const toJSON = (o as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return `j${o.constructor?.name}:${JSON.stringify(toJSON.call(o))}`;
  return `o${identityId(o)}`;
}

/** A short description of a value for an error message. */
function describe(v: unknown): string {
  try {
    const s =
      typeof v === 'object' && v !== null && !(v instanceof ArrayMethods) ? JSON.stringify(v) : String(v);
    return s.length > 200 ? `${s.slice(0, 200)}...` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'tuple';
  if (typeof v === 'object') return isPlainObject(v) ? 'dict' : (v.constructor?.name ?? 'object');
  return typeof v;
}

/**
 * The key of a static argument (jit's staticArgnums/staticArgnames, and every cache keyed by a
 * user's value): raises JAX's ValueError for a value that cannot be hashed.
 */
export function staticKey(v: unknown): string {
  try {
    return build(v, false, 0);
  } catch (err) {
    if (!(err instanceof Unhashable)) throw err;
    throw new ValueError(
      `Non-hashable static arguments are not supported. An error occurred while trying to hash an object of type ${typeOf(v)}, ${describe(v)}. The error was: TypeError: ${err.message}`,
    );
  }
}

/** The key of a primitive's params: plain data by value, jaxprs, functions and arrays by identity. */
export function paramKey(v: unknown): string {
  return build(v, true, 0);
}
