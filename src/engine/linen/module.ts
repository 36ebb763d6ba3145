/**
 * @file linen's Module: flax.linen.Module (flax/linen/module.py, flax 0.12.8) as a TypeScript class.
 *
 * A module is a class whose constructor takes its hyperparameters (flax's dataclass fields become
 * the instance's own enumerable properties) and whose `call(x, kwargs?)` method is flax's
 * `@compact __call__`: it creates submodules and parameters lazily, from the shapes it sees.
 *
 * How flax's machinery maps here:
 * - Binding. A module built at top level is unbound. `init` / `apply` clone it onto a root Scope
 *   (scope.ts); a module constructed while another module's method runs (the top of `moduleStack`)
 *   attaches to it at construction, named by the caller (`{ name }`) or by class and counter
 *   (`Dense_0`, `Dense_1`, ... in construction order, the counter reset after each call), and pushes
 *   a child scope of that name. Modules held in fields (Sequential's `layers`) are adopted lazily, on
 *   the module's first method call, under the field's name (`layers_0`), cloned if they were unbound.
 * - Method wrapping. flax wraps every method of a Module subclass; here the base constructor puts
 *   a wrapper for each method of the subclass's prototype chain on the instance. The wrapper runs
 *   `setup()` once if the class has one, pushes the module on `moduleStack`, and, for the compact
 *   method (`call`, or the class's `static compactMethod`), allows submodule and parameter
 *   creation, then rewinds the scope's reservations and the auto-name counters.
 * - Arguments. `init(key, x, opts)` and `apply(variables, x, opts)` pass `x` and, as a second
 *   argument, the options that are not theirs (`rngs`, `mutable`, `method`): flax's keyword
 *   arguments. So `model.apply(vars, x, { train: true, rngs, mutable: ['batch_stats'] })` calls
 *   `call(x, { train: true })`. A module with several inputs takes them as one array `x`.
 */
import type { DType } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import type { KeyLike } from '../random/keys.js';
import { ValueError } from '../transforms/api.js';
import {
  AssignSubModuleError,
  CallCompactUnboundModuleError,
  InvalidRngError,
  NameInUseError,
} from './errors.js';
import {
  bindScope,
  type CollectionFilter,
  DenyList,
  isPlainObject,
  isValidRng,
  Scope,
  type Variable,
  type VariableArgs,
  type Variables,
} from './scope.js';

/** flax's `_ModuleInternalState`: what a module knows while one of its methods runs. */
interface ModuleState {
  inCompactMethod: boolean;
  inSetup: boolean;
  setupDone: boolean;
  isInitialized: boolean;
  autonameCursor: Map<string, number>;
  children: Map<string, string | Module>;
}

const states = new WeakMap<Module, ModuleState>();

function stateOf(m: Module): ModuleState {
  return states.get(m)!;
}

/** The modules whose methods are running, innermost last; `null` is top level (no parent). */
const moduleStack: (Module | null)[] = [null];

/** Constructor options every module takes (flax's `name` and `parent` fields). */
export interface ModuleOptions {
  /** The name in the parent's variables; by default `ClassName_<counter>`. */
  name?: string | null;
  /** Attach to this module or scope instead of the module whose method is running. */
  parent?: Module | Scope | null;
}

/** A parameter initializer as `param` calls it: `init(key, ...args)`. */
export type ParamInit<T = Value> = (key: KeyLike, ...args: any[]) => T;

/** What `init` / `initWithOutput` accept besides the call's keyword arguments. */
export interface InitOptions {
  /** Collections init may create (default: all but 'intermediates'). */
  mutable?: CollectionFilter;
  /** The method to run instead of `call`: its name, or a function of (module, x, kwargs). */
  method?: string | ((module: any, x: any, kwargs: any) => unknown);
  [kwarg: string]: unknown;
}

/** What `apply` accepts besides the call's keyword arguments. */
export interface ApplyOptions {
  /** A key (the 'params' stream) or named streams: `{ dropout: key }`. */
  rngs?: KeyLike | Record<string, KeyLike> | null;
  /** Collections the call may update; when given, apply returns `[output, updated collections]`. */
  mutable?: CollectionFilter;
  method?: string | ((module: any, x: any, kwargs: any) => unknown);
  [kwarg: string]: unknown;
}

type MethodFn = (...args: any[]) => unknown;

const methodNamesCache = new WeakMap<object, string[]>();

/** The methods flax would wrap: every method of the class's prototypes below Module's. */
function methodNames(proto: object): string[] {
  let names = methodNamesCache.get(proto);
  if (names) return names;
  const seen = new Set<string>();
  for (let p = proto; p && p !== Module.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k === 'constructor' || k === 'setup') continue;
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (d && typeof d.value === 'function') seen.add(k);
    }
  }
  names = [...seen];
  methodNamesCache.set(proto, names);
  return names;
}

function typeNameOf(m: Module): string {
  const ctor = m.constructor as { typeName?: string; name: string };
  // Built-in layers name themselves: a bundler may rename classes, and `Dense_0` must not change.
  return Object.hasOwn(ctor, 'typeName') && ctor.typeName ? ctor.typeName : ctor.name;
}

/** Calls `fn` as a method of `m`, as flax's `_call_wrapped_method` does. */
function runMethod(m: Module, name: string, fn: MethodFn, args: unknown[]): unknown {
  const st = stateOf(m);
  const compact = name === ((m.constructor as { compactMethod?: string }).compactMethod ?? 'call');
  m._trySetup();
  let recurrent = false;
  if (compact) {
    if (m.scope === null) throw new CallCompactUnboundModuleError();
    recurrent = st.inCompactMethod;
    st.inCompactMethod = true;
  }
  moduleStack.push(m);
  try {
    return fn.apply(m, args);
  } finally {
    moduleStack.pop();
    if (compact) {
      m.scope = m.scope!.rewound();
      if (!recurrent) {
        st.inCompactMethod = false;
        st.inSetup = false;
        st.autonameCursor = new Map();
      }
    }
  }
}

/** The internals of a new or cloned module: state, name, parent, scope and method wrappers. */
function initInternals(m: Module, name: string | null, parent: Module | Scope | null): void {
  const hidden = (k: string, value: unknown) =>
    Object.defineProperty(m, k, { value, writable: true, enumerable: false, configurable: true });
  states.set(m, {
    inCompactMethod: false,
    inSetup: false,
    setupDone: false,
    isInitialized: false,
    autonameCursor: new Map(),
    children: new Map(),
  });
  hidden('name', name);
  hidden('parent', parent);
  hidden('scope', null);
  for (const k of methodNames(Object.getPrototypeOf(m))) {
    const fn = (m as unknown as Record<string, MethodFn>)[k];
    hidden(k, (...args: unknown[]) => runMethod(m, k, fn, args));
  }
}

/** flax's `__post_init__`: attach to the parent (naming and pushing a scope) if there is one. */
function attach(m: Module): void {
  const parent = m.parent;
  if (parent === null) return;
  if (parent instanceof Module) {
    const pst = stateOf(parent);
    // Created in setup() without a name: named after the attribute it is assigned to.
    if (pst.inSetup && m.name === null) return;
    if (!parent._initializationAllowed) throw new AssignSubModuleError(typeNameOf(m));
    if (m.name === null) {
      const prefix = typeNameOf(m);
      const cursor = pst.autonameCursor.get(prefix) ?? 0;
      m.name = `${prefix}_${cursor}`;
      pst.autonameCursor.set(prefix, cursor + 1);
    }
    if (parent._nameTaken(m.name)) throw new NameInUseError('submodule', m.name, typeNameOf(parent));
    pst.children.set(m.name, m);
    m.scope = parent.scope!.push(m.name);
  } else {
    m.scope = parent;
  }
  stateOf(m).isInitialized = true;
}

/**
 * flax's `_register_submodules`: modules found in the value of attribute `attr` (directly, or in
 * arrays and plain objects) become children named `attr` plus their path (`layers_0`). Unbound ones
 * are cloned first, once per binding, so a module shared by reference stays shared.
 */
function adoptSubmodules(m: Module, attr: string, value: unknown): unknown {
  const queue: Module[] = [];
  const adopted = m.scope!.binding.adopted as Map<Module, Module>;
  const visit = (suffix: string, v: unknown): unknown => {
    if (v instanceof Module) {
      let sub = v;
      if (sub.parent === null) {
        const cached = adopted.get(sub);
        if (cached) sub = cached;
        else {
          const c = sub.clone({ name: null });
          adopted.set(sub, c);
          sub = c;
        }
      }
      if (sub.name === null) {
        sub.parent = m;
        sub.name = `${attr}${suffix}`;
        queue.push(sub);
      }
      return sub;
    }
    if (Array.isArray(v)) {
      const out = v.map((x, i) => visit(`${suffix}_${i}`, x));
      return out.some((x, i) => x !== v[i]) ? out : v;
    }
    if (isPlainObject(v)) {
      const entries = Object.keys(v)
        .sort()
        .map((k) => [k, visit(`${suffix}_${k}`, v[k])] as const);
      return entries.some(([k, x]) => x !== v[k]) ? Object.fromEntries(entries) : v;
    }
    return v;
  };
  const out = visit('', value);
  for (const sub of queue) attach(sub);
  return out;
}

/**
 * flax.linen.Module. Subclass it and write `call(x, kwargs?)`; create parameters with
 * `this.param`, state with `this.variable`, keys with `this.makeRng`, and submodules with `new`.
 */
export abstract class Module {
  /** The name under the parent (null until attached). */
  declare name: string | null;
  declare parent: Module | Scope | null;
  /** The scope this module reads and writes variables through, while bound. */
  declare scope: Scope | null;

  /** The class name used for auto names (`Dense_0`); set by classes a bundler might rename. */
  static typeName?: string;
  /** Which method is flax's `@compact` one: it may create submodules and parameters. */
  static compactMethod = 'call';

  constructor(opts: ModuleOptions = {}) {
    initInternals(this, opts.name ?? null, opts.parent === undefined ? moduleStack.at(-1)! : opts.parent);
    attach(this);
  }

  /** The module's computation: flax's compact `__call__`. */
  abstract call(x?: any, kwargs?: any): any;

  /** flax's `setup`: runs once, lazily, before the first method call of a bound module. */
  setup(): void {}

  /** @internal flax's `_try_setup`: adopt field modules, run setup, name what setup assigned. */
  _trySetup(): void {
    const st = stateOf(this);
    if (!this.scope || st.inSetup || st.setupDone) return;
    st.inSetup = true;
    moduleStack.push(this);
    try {
      this._registerFields();
      this.setup();
      this._registerFields();
    } finally {
      moduleStack.pop();
      st.inSetup = false;
      st.setupDone = true;
    }
  }

  private _registerFields(): void {
    for (const k of Object.keys(this)) {
      const self = this as unknown as Record<string, unknown>;
      self[k] = adoptSubmodules(this, k, self[k]);
    }
  }

  /** @internal */
  get _initializationAllowed(): boolean {
    const st = stateOf(this);
    return !st.isInitialized || st.inSetup || st.inCompactMethod;
  }

  /** @internal */
  _nameTaken(name: string, collection: string | null = null): boolean {
    return this.scope!.nameReserved(name, collection);
  }

  /** A copy with the same fields, unbound (or attached to `parent`). */
  clone(opts: { name?: string | null; parent?: Module | Scope | null } = {}): this {
    const c = Object.create(Object.getPrototypeOf(this)) as this;
    for (const k of Object.keys(this))
      (c as Record<string, unknown>)[k] = (this as Record<string, unknown>)[k];
    initInternals(c, opts.name !== undefined ? opts.name : this.name, opts.parent ?? null);
    attach(c);
    return c;
  }

  /** The names from the root to this module (flax's `path`). */
  get path(): readonly string[] {
    if (!this.scope) throw new ValueError("Can't access module paths on unbound modules.");
    return this.scope.path;
  }

  /**
   * Declares the parameter `name` (collection 'params'): `init(makeRng('params'), ...initArgs)`
   * creates it during init, later calls read it.
   */
  param<T = Value>(name: string, init: ParamInit<T>, ...initArgs: unknown[]): T {
    if (!this._initializationAllowed) {
      throw new ValueError(
        'Parameters must be initialized in `setup()` or in a method wrapped in `@compact`',
      );
    }
    if (this._nameTaken(name, 'params')) throw new NameInUseError('param', name, typeNameOf(this));
    const v = this.scope!.param(name, init, ...initArgs);
    stateOf(this).children.set(name, 'params');
    return v;
  }

  /** Declares the variable `col/name`, initialized by `init(...args)` when missing. */
  variable<T = Value>(...[col, name, init = null, ...args]: VariableArgs<T>): Variable<T> {
    if (!this._initializationAllowed) {
      throw new ValueError('Variables must be initialized in `setup()` or in a method wrapped in `@compact`');
    }
    if (this._nameTaken(name, col)) throw new NameInUseError('variable', name, typeNameOf(this));
    const v = this.scope!.variable<T>(col, name, init, ...args);
    stateOf(this).children.set(name, col);
    return v;
  }

  /** A new key from the named stream ('params' if the stream was not given). */
  makeRng(name = 'params'): KeyLike {
    if (!this.scope) throw new ValueError("Can't use RNGs on unbound modules");
    return this.scope.makeRng(name);
  }

  hasRng(name: string): boolean {
    if (!this.scope) throw new ValueError("Can't query for RNGs on unbound modules");
    return this.scope.hasRng(name);
  }

  hasVariable(collection: string, name: string): boolean {
    if (!this.scope) throw new ValueError("Can't access variables on unbound modules");
    return this.scope.hasVariable(collection, name);
  }

  getVariable<T = Value>(collection: string, name: string, dflt?: T): T {
    if (!this.scope) throw new ValueError("Can't access variables on unbound modules");
    return this.scope.getVariable(collection, name, dflt) as T;
  }

  putVariable(collection: string, name: string, value: unknown): void {
    if (!this.scope) throw new ValueError("Can't access variables on unbound modules");
    this.scope.putVariable(collection, name, value);
  }

  isMutableCollection(collection: string): boolean {
    if (!this.scope) throw new ValueError("Can't check mutability on unbound modules");
    return this.scope.isMutableCollection(collection);
  }

  /** True while running under `init`. */
  isInitializing(): boolean {
    if (!this.scope) throw new ValueError("Can't check if running under init() on unbound modules");
    return this.scope.flags.initializing === true;
  }

  /**
   * flax's `sow`: appends `value` to the list `collection/name` if the collection is mutable;
   * returns whether it did.
   */
  sow(collection: string, name: string, value: unknown): boolean {
    if (!this.scope) throw new ValueError("Can't store variables on unbound modules");
    if (!this.scope.isMutableCollection(collection)) return false;
    const v = this.scope.variable<unknown[]>(collection, name, () => []);
    v.value = [...v.value, value];
    return true;
  }

  /**
   * flax's `init_with_output`: runs `call(x, kwargs)` on a fresh root scope and returns the output
   * and the variables it created. `rngs` is a key (the 'params' stream) or named streams.
   */
  initWithOutput(
    rngs: KeyLike | Record<string, KeyLike>,
    x?: unknown,
    opts: InitOptions = {},
  ): [any, Variables] {
    const { mutable = new DenyList('intermediates'), method, ...kwargs } = opts;
    const streams = this._rngStreams(rngs, 'init');
    const root = new Scope({}, streams, null, mutable, null, [], { initializing: true });
    try {
      const y = invoke(this.clone({ parent: root }), method, x, kwargs);
      return [y, root.mutableVariables()];
    } finally {
      root.invalidate();
    }
  }

  /** flax's `init`: the variables `call(x, kwargs)` creates (`{ params: {...}, batch_stats: ... }`). */
  init(rngs: KeyLike | Record<string, KeyLike>, x?: unknown, opts: InitOptions = {}): Variables {
    return this.initWithOutput(rngs, x, opts)[1];
  }

  /**
   * flax's `apply`: runs `call(x, kwargs)` with `variables` bound. With `mutable`, returns
   * `[output, updated collections]`; otherwise the output, and writing a variable is an error.
   */
  apply(variables: Variables, x?: unknown, opts?: ApplyOptions & { mutable?: false }): any;
  apply(
    variables: Variables,
    x: unknown,
    opts: ApplyOptions & { mutable: CollectionFilter },
  ): [any, Variables];
  apply(variables: Variables, x?: unknown, opts?: ApplyOptions): any;
  apply(variables: Variables, x?: unknown, opts: ApplyOptions = {}): any {
    const { rngs = null, mutable = false, method, ...kwargs } = opts;
    const streams = rngs === null ? null : this._rngStreams(rngs, 'apply');
    const root = bindScope(variables, streams, mutable);
    try {
      const y = invoke(this.clone({ parent: root }), method, x, kwargs);
      return mutable !== false ? [y, root.mutableVariables()] : y;
    } finally {
      root.invalidate();
    }
  }

  /** flax's `bind`: a clone bound to `variables`, for interactive use outside init/apply. */
  bind(
    variables: Variables,
    opts: { rngs?: KeyLike | Record<string, KeyLike> | null; mutable?: CollectionFilter } = {},
  ): this {
    const streams = opts.rngs == null ? null : this._rngStreams(opts.rngs, 'apply');
    return this.clone({ parent: bindScope(variables, streams, opts.mutable ?? false) });
  }

  private _rngStreams(rngs: unknown, what: 'init' | 'apply'): Record<string, KeyLike> {
    if (!isPlainObject(rngs)) {
      if (!isValidRng(rngs)) {
        throw new InvalidRngError(
          `RNGs should be of shape (2,) or PRNGKey in Module ${typeNameOf(this)}, but rngs are: ${String(rngs)}`,
        );
      }
      return { params: rngs as KeyLike };
    }
    for (const v of Object.values(rngs)) {
      if (!isValidRng(v)) {
        throw new ValueError(
          what === 'init'
            ? 'First argument passed to an init function should be a ``jax.PRNGKey`` or a dictionary mapping strings to ``jax.PRNGKey``.'
            : 'The ``rngs`` argument passed to an apply function should be a ``jax.PRNGKey`` or a dictionary mapping strings to ``jax.PRNGKey``.',
        );
      }
    }
    return rngs as Record<string, KeyLike>;
  }
}

function invoke(
  m: Module,
  method: InitOptions['method'],
  x: unknown,
  kwargs: Record<string, unknown>,
): unknown {
  if (method === undefined) return m.call(x, kwargs);
  if (typeof method === 'function') return method(m, x, kwargs);
  const fn = (m as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') {
    throw new TypeError(`'${typeNameOf(m)}.${method}' must be a callable, got ${typeof fn}.`);
  }
  return fn(x, kwargs);
}

/**
 * flax's `merge_param`: a setting given either to the constructor or at call time, not both and
 * not neither (BatchNorm's `useRunningAverage`, Dropout's `deterministic`).
 */
export function mergeParam<T>(name: string, a: T | null | undefined, b: T | null | undefined): T {
  const aSet = a !== null && a !== undefined;
  const bSet = b !== null && b !== undefined;
  if (!aSet && !bSet)
    throw new ValueError(`Parameter "${name}" must be passed to the constructor or at call time.`);
  if (aSet && bSet) {
    throw new ValueError(
      `Parameter "${name}" was passed to the constructor and at call time. Should be passed just once.`,
    );
  }
  return (aSet ? a : b) as T;
}

/** A dtype option of a layer: a DType, its name, or null (inferred). */
export type DTypeOption = DType | string | null;

/**
 * Sets a module's fields from its options, an absent (or null) option taking the field's default:
 * what flax's dataclass field declarations (`use_bias: bool = True`) do. The class declares the
 * fields (`declare readonly useBias: boolean`) and lists the defaults once, in flax's order.
 */
export function setFields<D extends object>(
  m: Module,
  opts: { [P in keyof D]?: unknown },
  defaults: D,
): void {
  const fields = m as unknown as Record<string, unknown>;
  const given = opts as Record<string, unknown>;
  for (const [k, d] of Object.entries(defaults)) fields[k] = given[k] ?? d;
}
