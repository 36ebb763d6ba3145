/**
 * @file Binding the public namespaces: every function of `numpy`, `lax`, `nn`, `random`, `scipy`,
 * `linen`, `tree` and the top-level transformations that has a JAX signature
 * (signatures.ts) is wrapped once, when the namespace is built, by the generic binder
 * (binder.ts). The engine's own modules call the raw functions; users, the array methods and the
 * expression language get the bound ones. A call in the JS form that needs no rewriting (`jnp.sin(x)`,
 * `jnp.sum(x)`) takes a fast path: a length check, then the raw function.
 */
import { RAW_FUNCTION } from '../core/raw-function.js';
import { parseEntry, type Signature } from './binder.js';
import { SIGNATURES } from './signatures.js';

type Fn = (...args: any[]) => any;

interface Bound {
  raw: Fn;
  signature: () => Signature;
}

const bound = new WeakMap<Fn, Bound>();
const unsigned = new Set<string>();

/** Wrap one function by its tjax path (`numpy.sum`); a function without a signature is returned as is. */
export function bindFunction<F extends Fn>(path: string, raw: F, self?: unknown): F {
  const entry = SIGNATURES[path];
  if (!entry) {
    unsigned.add(path);
    return raw;
  }
  let sig: Signature | undefined;
  const signature = () => {
    if (!sig) sig = parseEntry(entry);
    return sig;
  };
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const s = sig ?? signature();
    const that = self ?? this;
    return raw.apply(that, s.direct(args) ?? s.bindJs(args));
  };
  Object.defineProperty(wrapper, 'name', { value: raw.name });
  Object.defineProperty(wrapper, RAW_FUNCTION, { value: raw });
  bound.set(wrapper, { raw, signature });
  return wrapper as unknown as F;
}

/** The binder of a bound function (the expression language binds Python calls through it). */
export function signatureOf(f: unknown): Signature | undefined {
  return typeof f === 'function' ? bound.get(f as Fn)?.signature() : undefined;
}

/** Call a bound function in Python's form: positional arguments and (snake_case) keywords. */
export function callPython(
  f: Fn,
  pos: readonly unknown[],
  kw: readonly [string, unknown][],
  self?: unknown,
): unknown {
  const b = bound.get(f);
  if (!b) throw new Error('callPython needs a bound function');
  return b.raw.apply(self, b.signature().bind(pos, kw, true));
}

/** Paths of namespace functions that have no JAX signature (tjax's own, or not yet generated). */
export function unsignedFunctions(): string[] {
  return [...unsigned].sort();
}

function isNamespaceLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own enumerable members, and the methods of a class instance (a distribution such as `norm`). */
function members(obj: object): [string, unknown][] {
  const out = new Map<string, unknown>(Object.entries(obj));
  const proto = Object.getPrototypeOf(obj);
  if (proto && proto !== Object.prototype) {
    for (const k of Object.getOwnPropertyNames(proto)) {
      const v = (obj as Record<string, unknown>)[k];
      if (k !== 'constructor' && typeof v === 'function' && !out.has(k)) out.set(k, v);
    }
  }
  return [...out];
}

const hasPrefix = (path: string) => Object.keys(SIGNATURES).some((k) => k.startsWith(`${path}.`));

/** Record the functions of a namespace with no JAX counterpart (scipy.divergences) as unsigned. */
function recordUnsigned(path: string, ns: object, depth: number): void {
  for (const [k, v] of Object.entries(ns)) {
    if (typeof v === 'function' && !/^[A-Z]/.test(k)) unsigned.add(`${path}.${k}`);
    else if (depth < 3 && isNamespaceLike(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v)))
      recordUnsigned(`${path}.${k}`, v, depth + 1);
  }
}

/**
 * A copy of a namespace with its functions bound, sub-namespaces (numpy.linalg, scipy.stats.norm)
 * bound in turn; other members (dtypes, constants, classes) are shared. A class instance keeps its
 * prototype, so its other members still work.
 */
export function bindNamespace<T extends object>(path: string, ns: T): T {
  const proto = Object.getPrototypeOf(ns);
  const isInstance = proto !== null && proto !== Object.prototype;
  const out: Record<string, unknown> = isInstance ? Object.create(ns) : {};
  for (const [k, v] of members(ns)) {
    const p = `${path}.${k}`;
    if (typeof v === 'function' && !/^[A-Z]/.test(k.replace(/^PRNGKey$/, 'p')))
      out[k] = bindFunction(p, v as Fn, ns);
    else if (isNamespaceLike(v) && hasPrefix(p)) out[k] = bindNamespace(p, v);
    else {
      if (isNamespaceLike(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v)))
        recordUnsigned(p, v, 1);
      out[k] = v;
    }
  }
  return out as T;
}
