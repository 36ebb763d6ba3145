/**
 * @file flax's Scope (flax/core/scope.py, flax 0.12.8): the cursor a bound module reads and writes
 * its variables through, names its children with, and draws its random keys from.
 *
 * Variables are plain nested objects by collection (`{params: {Dense_0: {kernel, bias}}}`); a scope
 * holds, per collection, a reference to its own sub-object of the root's tree, created on first
 * write when the collection is mutable. Names of children and variables are reserved per scope, so
 * a module cannot create two things under one name.
 *
 * Random keys follow flax's LazyRng: a scope's stream is the user's key plus a suffix of static data
 * (the module path, then a per-scope counter), folded in only when a key is drawn, as one
 * `random.foldIn` of the first four bytes (big-endian) of the SHA-1 of the suffix's encoding (names
 * as UTF-8, counters as minimal big-endian bytes; flax's `flax_fix_rng_separator` is off by default
 * and tjax follows the default). That is what makes `init` give flax's parameters for the same key.
 */
import { createHash } from 'node:crypto';
import { isValue } from '../core/coerce.js';
import { treeLeaves } from '../core/pytree.js';
import { shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { foldIn, isKeyArray, type KeyLike, key as makeKey } from '../random/keys.js';
import { evalShape, ValueError } from '../transforms/api.js';
import {
  ApplyScopeInvalidVariablesStructureError,
  ApplyScopeInvalidVariablesTypeError,
  InvalidFilterError,
  InvalidRngError,
  ModifyScopeVariableError,
  ScopeCollectionNotFound,
  ScopeParamNotFoundError,
  ScopeParamShapeError,
  ScopeVariableNotFoundError,
} from './errors.js';

/** A collection of variables: names to arrays, or to sub-collections of child modules. */
export type Collection = { [name: string]: unknown };
/** A variables pytree: collection names (`params`, `batch_stats`, ...) to collections. */
export type Variables = { [collection: string]: Collection };

/** Every collection but those listed (flax.core.DenyList). */
export class DenyList {
  constructor(readonly deny: CollectionFilter) {}
}

/** Which collections are mutable: all (`true`), none (`false`), one name, a list, or a DenyList. */
export type CollectionFilter = boolean | string | readonly string[] | DenyList;

export function inFilter(filter: CollectionFilter, col: string): boolean {
  if (typeof filter === 'string') return filter === col;
  if (typeof filter === 'boolean') return filter;
  if (Array.isArray(filter)) return filter.includes(col);
  if (filter instanceof DenyList) return !inFilter(filter.deny, col);
  throw new InvalidFilterError(filter);
}

// ---- random streams ---------------------------------------------------------------------------------

export type RngFoldable = string | number;

/** Big-endian bytes of a non-negative integer, as Python's `x.to_bytes((x.bit_length() + 7) // 8)`. */
function intBytes(x: number): Buffer {
  if (!Number.isInteger(x) || x < 0) throw new ValueError(`Expected int or string, got: ${x}`);
  const bytes: number[] = [];
  for (let v = BigInt(x); v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.from(bytes);
}

/** flax's `_fold_in_static`: one fold_in of the SHA-1 of the static data. */
export function foldInStatic(rng: KeyLike, data: readonly RngFoldable[]): KeyLike {
  if (!data.length) return rng;
  const h = createHash('sha1');
  for (const x of data) h.update(typeof x === 'string' ? Buffer.from(x, 'utf8') : intBytes(x));
  return foldIn(rng, h.digest().readUInt32BE(0));
}

/** A key with a suffix of static data still to fold in (flax.core.scope.LazyRng). */
export class LazyRng {
  constructor(
    readonly rng: KeyLike,
    readonly suffix: readonly RngFoldable[] = [],
  ) {}
  asJaxRng(): KeyLike {
    return foldInStatic(this.rng, this.suffix);
  }
  static create(rng: LazyRng | KeyLike, ...suffix: RngFoldable[]): LazyRng {
    return rng instanceof LazyRng
      ? new LazyRng(rng.rng, [...rng.suffix, ...suffix])
      : new LazyRng(rng, suffix);
  }
}

/** A single PRNG key: a typed key of shape () or raw uint32[2] key data. */
export function isValidRng(x: unknown): boolean {
  if (x instanceof LazyRng) return true;
  if (isKeyArray(x)) return (x as KeyLike).ndim === 0;
  return isValue(x) && x.dtype.name === 'uint32' && x.ndim === 1 && x.shape[0] === 2;
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** Per-scope rng counters, shared by rewound copies; children's counters live beside them. */
interface RngCounters {
  counts: Record<string, number>;
  children: Map<string, RngCounters>;
}

function newCounters(streams: Iterable<string>): RngCounters {
  const counts: Record<string, number> = {};
  for (const s of streams) counts[s] = 0;
  return { counts, children: new Map() };
}

// ---- variables -------------------------------------------------------------------------------------

/**
 * The arguments of `variable` (Scope's and Module's): the collection, the name, and what creates the
 * variable when it is missing (flax's `init_fn`), called with the arguments after it.
 */
export type VariableArgs<T> = [
  col: string,
  name: string,
  init?: ((...args: any[]) => T) | null,
  ...args: unknown[],
];

/** A variable of a bound scope: reads and writes go through the scope (flax.core.scope.Variable). */
export class Variable<T = Value> {
  constructor(
    readonly scope: Scope,
    readonly collection: string,
    readonly name: string,
  ) {}
  get value(): T {
    return this.scope.getVariable(this.collection, this.name) as T;
  }
  set value(v: T) {
    this.scope.putVariable(this.collection, this.name, v);
  }
  isMutable(): boolean {
    return this.scope.isMutableCollection(this.collection);
  }
}

/** flax's `_put_variable`: writing a mapping onto an existing sub-collection merges into it. */
function putInto(target: Collection, key: string, val: unknown): void {
  const cur = target[key];
  if (isPlainObject(cur) && isPlainObject(val)) {
    for (const [k, v] of Object.entries(val)) putInto(cur, k, v);
  } else target[key] = val;
}

/** A copy of the nested objects of a collection (the leaves are shared), as flax's unfreeze. */
function copyTree(x: unknown): unknown {
  if (!isPlainObject(x)) return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, copyTree(v)]));
}

/** Initializer output shapes, cached per (initializer, arguments): apply checks them every call. */
const initShapes = new WeakMap<object, Map<string, string[]>>();

function argsKey(args: readonly unknown[]): string | null {
  const parts: string[] = [];
  for (const a of args) {
    if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean' || a == null) {
      parts.push(JSON.stringify(a ?? null));
    } else if (Array.isArray(a) && a.every((d) => typeof d === 'number')) parts.push(`[${a.join(',')}]`);
    else if (a && typeof a === 'object' && 'name' in a && 'itemsize' in a)
      parts.push(`dtype:${String(a.name)}`);
    else return null;
  }
  return parts.join('|');
}

function leafShapes(x: unknown): string[] {
  return treeLeaves(x).map((l) =>
    shapeTuple(isValue(l) ? l.shape : ((l as { shape?: number[] }).shape ?? [])),
  );
}

function initShapesOf(init: (...a: any[]) => unknown, args: readonly unknown[]): string[] {
  const k = argsKey(args);
  let byArgs = initShapes.get(init);
  const hit = k === null ? undefined : byArgs?.get(k);
  if (hit) return hit;
  const shapes = leafShapes(evalShape(() => init(makeKey(0), ...args)));
  if (k !== null) {
    if (!byArgs) initShapes.set(init, (byArgs = new Map()));
    byArgs.set(k, shapes);
  }
  return shapes;
}

// ---- the scope -------------------------------------------------------------------------------------

export interface ScopeFlags {
  /** Set by init: modules may skip work that only matters once variables exist. */
  initializing?: boolean;
}

export class Scope {
  /** This scope's view of each collection: a reference into the root's tree. */
  private readonly vars: Variables;
  readonly rngs: Record<string, LazyRng>;
  rngCounters: RngCounters;
  readonly reservations = new Map<string, Set<string | null>>();
  /** State of one init/apply/bind, shared by every scope under its root (see module.ts). */
  binding: { adopted: Map<object, object> };
  private invalid = false;

  constructor(
    variables: Variables,
    rngs: Record<string, LazyRng | KeyLike> | null,
    readonly name: string | null = null,
    readonly mutable: CollectionFilter = false,
    readonly parent: Scope | null = null,
    readonly path: readonly string[] = [],
    readonly flags: ScopeFlags = {},
  ) {
    this.vars = variables;
    this.rngs = Object.fromEntries(Object.entries(rngs ?? {}).map(([k, v]) => [k, LazyRng.create(v)]));
    this.rngCounters = newCounters(Object.keys(this.rngs));
    this.binding = parent ? parent.binding : { adopted: new Map() };
  }

  get root(): Scope {
    return this.parent ? this.parent.root : this;
  }

  /** `/Dense_0/BatchNorm_1`, as flax's error messages show a scope. */
  get pathText(): string {
    return `/${this.path.join('/')}`;
  }

  invalidate(): void {
    this.invalid = true;
  }

  private checkValid(): void {
    if (this.invalid) throw new ValueError(`The scope "${this.name}" is no longer valid.`);
  }

  /** A copy with no reservations that shares the variables and the rng counters. */
  rewound(): Scope {
    this.checkValid();
    const s = new Scope(this.vars, this.rngs, this.name, this.mutable, this.parent, this.path, this.flags);
    s.rngCounters = this.rngCounters;
    s.binding = this.binding;
    return s;
  }

  nameReserved(name: string, col: string | null = null): boolean {
    const r = this.reservations.get(name);
    if (!r) return false;
    return r.has(null) || col === null || r.has(col);
  }

  reserve(name: string, col: string | null = null): void {
    if (typeof name !== 'string') {
      throw new TypeError(`The type of scope "{name}" should be string but it is ${typeof name}`);
    }
    if (this.nameReserved(name, col)) throw new ValueError(`Duplicate use of scope name: "${name}"`);
    let r = this.reservations.get(name);
    if (!r) this.reservations.set(name, (r = new Set()));
    r.add(col);
  }

  /** The first `${prefix}${i}` not yet reserved. */
  defaultName(prefix: string): string {
    for (let i = 0; ; i++) {
      const name = `${prefix}${i}`;
      if (!this.reservations.has(name)) return name;
    }
  }

  /** A child scope: its rng streams get the child's name in their suffix. */
  push(name: string | null = null, prefix = '', reuse = false): Scope {
    this.checkValid();
    const n = name ?? this.defaultName(prefix);
    if (!reuse || !this.reservations.has(n)) this.reserve(n);
    const rngs = Object.fromEntries(Object.entries(this.rngs).map(([k, r]) => [k, LazyRng.create(r, n)]));
    const child = new Scope({}, rngs, n, this.mutable, this, [...this.path, n], this.flags);
    let counters = this.rngCounters.children.get(n);
    if (!counters) this.rngCounters.children.set(n, (counters = newCounters(Object.keys(rngs))));
    child.rngCounters = counters;
    return child;
  }

  isMutableCollection(col: string): boolean {
    return inFilter(this.mutable, col);
  }

  isCollectionEmpty(col: string): boolean {
    const root = this.root.vars;
    return !(col in root) || Object.keys(root[col]).length === 0;
  }

  /** The collection as a writable object, created in the root's tree (and on the way) if missing. */
  private mutableCollection(col: string): Collection {
    if (!(col in this.vars)) {
      if (!this.parent) this.vars[col] = {};
      else {
        const parentCol = this.parent.mutableCollection(col);
        if (!(this.name! in parentCol)) parentCol[this.name!] = {};
        this.vars[col] = parentCol[this.name!] as Collection;
      }
    }
    return this.vars[col];
  }

  private collection(col: string): Collection {
    if (!(col in this.vars)) {
      if (!this.parent) return {};
      const parentCol = this.parent.collection(col);
      if (!(this.name! in parentCol)) return {};
      this.vars[col] = parentCol[this.name!] as Collection;
    }
    return this.vars[col];
  }

  hasRng(name: string): boolean {
    return name in this.rngs;
  }

  /** A new key from stream `name` (falling back to 'params', as flax does). */
  makeRng(name = 'params'): KeyLike {
    if (!this.hasRng(name)) {
      if (this.hasRng('params')) name = 'params';
      else throw new InvalidRngError(`${this.name ?? 'None'} needs PRNG for "${name}"`);
    }
    this.checkValid();
    const n = ++this.rngCounters.counts[name];
    return LazyRng.create(this.rngs[name], n).asJaxRng();
  }

  getVariable(col: string, name: string, dflt: unknown = undefined): unknown {
    const c = this.collection(col);
    return name in c ? c[name] : dflt;
  }

  hasVariable(col: string, name: string): boolean {
    return name in this.collection(col);
  }

  putVariable(col: string, name: string, value: unknown): void {
    this.checkValid();
    if (!this.isMutableCollection(col)) throw new ModifyScopeVariableError(col, name, this.pathText);
    putInto(this.mutableCollection(col), name, value);
  }

  /** The variable `col/name`, initialized by `init(...args)` if missing and `col` is mutable. */
  variable<T = Value>(...[col, name, init = null, ...args]: VariableArgs<T>): Variable<T> {
    this.reserve(name, col);
    if (!this.hasVariable(col, name)) {
      if (!this.isMutableCollection(col) || init === null) {
        if (this.isCollectionEmpty(col)) throw new ScopeCollectionNotFound(col, name, this.pathText);
        throw new ScopeVariableNotFoundError(name, col, this.pathText);
      }
      this.putVariable(col, name, init(...args));
    }
    return new Variable<T>(this, col, name);
  }

  /**
   * The parameter `name`: created by `init(makeRng('params'), ...args)` the first time, else read,
   * checking that its shape is what the initializer would make (flax's ScopeParamShapeError).
   */
  param<T = Value>(name: string, init: (key: KeyLike, ...args: any[]) => T, ...args: unknown[]): T {
    this.reserve(name, 'params');
    if (this.hasVariable('params', name)) {
      const value = this.getVariable('params', name) as T;
      const want = initShapesOf(init, args);
      const have = leafShapes(value);
      for (let i = 0; i < Math.min(want.length, have.length); i++) {
        if (want[i] !== have[i]) throw new ScopeParamShapeError(name, this.pathText, have[i], want[i]);
      }
      return value;
    }
    if (!this.isMutableCollection('params')) {
      if (this.isCollectionEmpty('params')) throw new ScopeCollectionNotFound('params', name, this.pathText);
      throw new ScopeParamNotFoundError(name, this.pathText);
    }
    const value = init(this.makeRng('params'), ...args);
    this.putVariable('params', name, value);
    return value;
  }

  /** The collections that are mutable, as they are now. */
  mutableVariables(): Variables {
    const root = this.root.vars;
    return Object.fromEntries(Object.entries(root).filter(([k]) => inFilter(this.mutable, k)));
  }
}

/**
 * A root scope over `variables` for apply (flax's `bind`): mutable collections are copied so the
 * caller's tree is never written, and malformed variables or rngs get flax's errors.
 */
export function bindScope(
  variables: unknown,
  rngs: Record<string, KeyLike> | null,
  mutable: CollectionFilter,
  flags: ScopeFlags = {},
): Scope {
  if (!isPlainObject(variables)) throw new ApplyScopeInvalidVariablesTypeError();
  const own: Variables = {};
  for (const [col, c] of Object.entries(variables)) {
    if (!isPlainObject(c)) throw new ApplyScopeInvalidVariablesTypeError();
    own[col] = inFilter(mutable, col) ? (copyTree(c) as Collection) : c;
  }
  if (isPlainObject(variables.params) && 'params' in variables.params) {
    throw new ApplyScopeInvalidVariablesStructureError();
  }
  return new Scope(own, rngs, null, mutable, null, [], flags);
}
