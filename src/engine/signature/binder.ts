/**
 * @file The argument binder: binds a call of a namespace function against the function's JAX
 * signature, as Python binds a call (CPython's `initialize_locals`), and rewrites it into the
 * function's JavaScript form. One mechanism for every function: an unknown keyword, an extra
 * positional argument, a missing required one, a positional-only argument given by keyword or an
 * argument given twice raise Python's TypeError with Python's wording and JAX's parameter names;
 * a JAX argument tjax does not implement raises NotImplementedError unless it has its default
 * value; values are checked by option name (values.ts).
 *
 * The JavaScript form (scripts/make-signatures.mjs reads it from the TypeScript declarations): the
 * first `k` of JAX's positional parameters are positional, the rest (and JAX's keyword-only ones)
 * are keys of a trailing options object, in camelCase (`jnp.sum(x, { axis: 0 })`); `k = -1` is a
 * rest parameter that takes JAX's positional parameters in order. The library's callers write that
 * form, plus what Python allows (`jnp.sum(x, 0)` is `axis=0`); the expression language calls with
 * Python's positional and keyword arguments (`callPython`).
 */
import { NotImplementedError } from '../core/errors.js';
import { ArrayMethods } from '../core/methods.js';
import { suggestName } from '../core/suggest.js';
import type { SignatureEntry } from './signatures.js';
import { checkFor } from './values.js';

type Kind = 'po' | 'pk' | 'var' | 'ko' | 'vkw';

/** A default that cannot be written as a literal (a sentinel, a dtype object, ...). */
const OPAQUE = Symbol('opaque default');
/** The slot of an argument that was not given. */
const MISSING = Symbol('missing');

interface Param {
  name: string;
  /** The value check of JAX's annotation (`ArrayLike`, `int | None`, `Axis`, ...; values.ts), if any. */
  type: string | null;
  camel: string;
  kind: Kind;
  required: boolean;
  default: unknown;
  /** Position among the positional parameters (po and pk), else -1. */
  pos: number;
  /** Position among all parameters. */
  index: number;
  /** The value check (values.ts), resolved once. */
  check: ((v: unknown) => unknown) | null;
  /** Where the JS form takes it: a positional slot (>= 0) beyond JAX's, else -1. */
  slot: number;
  /** Its key in the JS options object, or null when the JS form does not take it by name. */
  key: string | null;
}

/**
 * JAX parameters that take pytrees of data (a dict is data there, not an options object), and so
 * never read as options when a plain object lands on them.
 */
const TREE_PARAMS = new Set([
  'init_val',
  'init',
  'xs',
  'elems',
  'operands',
  'operand',
  'tree',
  'rest',
  'primals',
  'tangents',
  'leaves',
  'args',
]);

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** A Python default literal from the generated signature text (`None`, `True`, `0.5`, `'low'`, `(1, 2)`). */
function parseDefault(text: string): unknown {
  const t = text.trim();
  if (t === 'None') return null;
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (t === '...') return OPAQUE;
  if (/^-?(\d+\.?\d*(e-?\d+)?|inf)$/i.test(t)) return Number(t);
  if (t.startsWith("'")) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  if (t.startsWith('(')) {
    const inner = t.slice(1, -1).trim();
    return inner === ''
      ? []
      : inner
          .split(',')
          .filter((s) => s.trim() !== '')
          .map(parseDefault);
  }
  return OPAQUE;
}

/** Whether a given value is the parameter's default (so leaving it out of the JS call changes nothing). */
function isDefault(p: Param, v: unknown): boolean {
  if (p.required || p.default === OPAQUE) return false;
  if (v === undefined) return true;
  if (p.default === null) return v === null;
  if (Array.isArray(p.default))
    return (
      Array.isArray(v) &&
      v.length === p.default.length &&
      v.every((x, i) => x === (p.default as unknown[])[i])
    );
  return v === p.default;
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || x instanceof ArrayMethods) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Python's "'a', 'b' and 'c'" list of names. */
function nameList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length === 1) return q[0];
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** The namespace prefix JAX's own messages use (`jnp.sum`, `lax.fori_loop`). */
function shortQualname(jaxPath: string): string {
  return jaxPath.replace(/^jax\.numpy\./, 'jnp.').replace(/^jax\.lax\./, 'lax.');
}

export class Signature {
  readonly params: Param[] = [];
  readonly positional: Param[] = [];
  readonly byName = new Map<string, Param>();
  readonly varParam: Param | null = null;
  readonly varKw: Param | null = null;
  /** Required positional parameters, and the most positional arguments accepted. */
  readonly nRequired: number;
  readonly maxPositional: number;
  /** Options the JS form's options object implements: a set, `null` for none, `'*'` for unknown names. */
  readonly implemented: ReadonlySet<string> | null | '*';
  readonly qualname: string;
  private readonly extraSlots: ReadonlyMap<string, number>;
  /** The positional parameters whose values values.ts checks, by position (else null). */
  private readonly positionChecks: (Param | null)[];

  constructor(
    readonly jaxPath: string,
    readonly name: string,
    text: string,
    /** JS positional parameters; -1 for a rest parameter. */
    readonly k: number,
    impl: string | null,
    /** Names of the JS positional parameters beyond JAX's positional ones. */
    extra?: string,
  ) {
    this.qualname = shortQualname(jaxPath);
    this.implemented = impl === null ? null : impl === '*' ? '*' : new Set(impl.split(' ').filter(Boolean));
    let kind: Kind = 'pk';
    const parts = text === '' ? [] : text.split(/, (?=(?:[^()']|'[^']*'|\([^)]*\))*$)/);
    // Parameters before a `/` are positional-only.
    const slash = parts.indexOf('/');
    parts.forEach((part, i) => {
      if (part === '/') return;
      if (part === '*') {
        kind = 'ko';
        return;
      }
      let k: Kind = slash > i ? 'po' : kind;
      let name = part;
      let def: unknown = MISSING;
      let type: string | null = null;
      // `name: Type = default`: the generated text carries the annotations values.ts checks.
      const ann = /^(\w+): ([^=]+?)(?: = (.*))?$/.exec(part);
      if (ann) {
        name = ann[1];
        // lax takes arrays and scalars, not lists (JAX raises for a tuple there).
        type = jaxPath.startsWith('jax.lax.') ? ann[2].replace(/^ArrayLike/, 'LaxArray') : ann[2];
        if (ann[3] !== undefined) def = parseDefault(ann[3]);
      }
      if (part.startsWith('**')) {
        k = 'vkw';
        name = part.slice(2);
      } else if (part.startsWith('*')) {
        k = 'var';
        name = part.slice(1);
        kind = 'ko';
      } else if (!ann) {
        const eq = part.indexOf('=');
        if (eq >= 0) {
          name = part.slice(0, eq);
          def = parseDefault(part.slice(eq + 1));
        }
      }
      const isPos = k === 'po' || k === 'pk';
      const p: Param = {
        name,
        type,
        camel: camel(name),
        kind: k,
        required: def === MISSING && (isPos || k === 'ko'),
        default: def === MISSING ? undefined : def,
        pos: isPos ? this.positional.length : -1,
        index: this.params.length,
        check: null,
        slot: -1,
        key: null,
      };
      this.params.push(p);
      if (isPos) this.positional.push(p);
      if (k === 'var') (this as { varParam: Param | null }).varParam = p;
      else if (k === 'vkw') (this as { varKw: Param | null }).varKw = p;
      else {
        this.byName.set(name, p);
        if (!this.byName.has(p.camel)) this.byName.set(p.camel, p);
      }
    });
    // The JS option names tjax spells its own way (`UPLO`, `return_sign`) resolve too.
    if (this.implemented instanceof Set)
      for (const n of this.implemented) {
        const p = this.params.find((q) => q.camel.toLowerCase() === n.toLowerCase().replace(/_/g, ''));
        if (p && !this.byName.has(n)) this.byName.set(n, p);
      }
    this.nRequired = this.positional.filter((p) => p.required).length;
    // JS positional parameters beyond JAX's are tjax's (`convertElementType(x, dtype, weakType)`),
    // or take a JAX keyword of their name (`linalg.tensordot(a, b, axes)`).
    this.extraSlots = new Map(
      (extra ?? '')
        .split(' ')
        .filter(Boolean)
        .map((n, i) => [n, this.positional.length + i]),
    );
    this.maxPositional = this.varParam ? Number.POSITIVE_INFINITY : Math.max(this.positional.length, k);
    for (const p of this.params) {
      p.check = checkFor(this.name, p.name, p.type, p.default, p.pos >= 0 ? p.pos : p.index);
      p.slot = this.extraSlots.get(p.camel) ?? -1;
      p.key = this.optionKey(p);
    }
    this.positionChecks = this.positional.map((p) => (p.check ? p : null));
  }

  /** A trailing plain object that is an options object rather than a pytree of data. */
  private isOptions(o: Record<string, unknown>, index: number): boolean {
    if (this.k >= 0 && index >= this.k) return true;
    if (this.k < 0 && this.implemented !== null) return true;
    if (this.k >= 0) {
      const at = this.positional[index];
      if (index < this.nRequired || (at && TREE_PARAMS.has(at.name))) return false;
    }
    const keys = Object.keys(o);
    return keys.length > 0 && keys.every((key) => this.byName.has(key));
  }

  /**
   * The fast path: a call already in the JS form (no options object to read, nothing to move) is
   * checked where values are checked and returned as it is (or with converted values); null sends
   * it down the full binding.
   */
  direct(args: unknown[]): unknown[] | null {
    const n = args.length;
    if (this.k < 0 || n > this.k + 1 || n - 1 > this.maxPositional || n < this.nRequired) return null;
    if (n === this.k + 1 && !isPlainObject(args[n - 1])) return null;
    for (let i = 0; i < this.nRequired; i++) if (args[i] === undefined) return null;
    const last = args[n - 1];
    // An options object in its JS place, whose keys are all JS option names of this function: it
    // passes as it is when its values check out unchanged (`jnp.sum(x, { axis: 0 })`).
    let options = false;
    if (n > this.nRequired && isPlainObject(last)) {
      if (n - 1 !== this.k || this.varKw || this.implemented === null) return null;
      for (const key in last) {
        if (!Object.hasOwn(last, key)) continue;
        const p = this.byName.get(key);
        const v = last[key];
        if (!p || p.key !== key || (p.pos >= 0 && p.pos < this.k)) return null;
        if (p.check && v !== undefined && p.check(v) !== v) return null;
      }
      options = true;
    }
    for (let i = 0; i < n - (options ? 1 : 0); i++) {
      const p = this.positionChecks[i];
      if (p && args[i] !== undefined) args[i] = p.check!(args[i]);
    }
    return args;
  }

  /** Bind a call in the library's form (positional arguments, maybe a trailing options object). */
  bindJs(args: readonly unknown[]): unknown[] {
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) n--;
    const kw: [string, unknown][] = [];
    const last = args[n - 1];
    if (n > 0 && isPlainObject(last) && this.isOptions(last, n - 1)) {
      for (const key in last)
        if (Object.hasOwn(last, key) && last[key] !== undefined) kw.push([key, last[key]]);
      n--;
    }
    return this.bind(n === args.length ? args : args.slice(0, n), kw, false);
  }

  /**
   * Bind a call in Python's form (the expression language's, with `python`: keyword names are
   * suggested as Python spells them) and return the arguments of the JS call.
   */
  bind(pos: readonly unknown[], kw: readonly [string, unknown][], python = true): unknown[] {
    const vals: unknown[] = new Array(this.params.length).fill(MISSING);
    const varArgs: unknown[] = [];
    const extraKw: [string, unknown][] = [];
    for (let i = 0; i < pos.length; i++) {
      const v = pos[i];
      if (i < this.positional.length) {
        if (v !== undefined) vals[this.positional[i].index] = v;
      } else varArgs.push(v);
    }
    // tjax's own positional parameters pass through (they have no JAX name to bind).
    const tjaxOwn = this.varParam ? [] : varArgs.splice(0);
    // Keywords first, then the count of positional arguments, then what is missing: CPython's order.
    const posOnly: string[] = [];
    for (const [key, v] of kw) {
      const p = this.byName.get(key);
      if (!p || (p.kind === 'po' && this.varKw)) {
        if (this.varKw) {
          extraKw.push([camel(key), v]);
          continue;
        }
        const names = this.params.filter((q) => q.kind !== 'po' && q.kind !== 'var' && q.kind !== 'vkw');
        const hint = suggestName(
          key,
          names.map((q) => (python ? q.name : q.camel)),
        );
        throw new TypeError(
          `${this.name}() got an unexpected keyword argument '${key}'${hint ? `. Did you mean '${hint}'?` : ''}`,
        );
      }
      if (p.kind === 'po') {
        posOnly.push(p.name);
        continue;
      }
      const j = p.index;
      if (vals[j] !== MISSING)
        throw new TypeError(`${this.name}() got multiple values for argument '${p.name}'`);
      vals[j] = v;
    }
    if (posOnly.length)
      throw new TypeError(
        `${this.name}() got some positional-only arguments passed as keyword arguments: '${posOnly.join(', ')}'`,
      );
    if (pos.length > this.maxPositional) this.tooMany(pos.length, vals);
    for (const p of this.params) if (p.required && vals[p.index] === MISSING) this.missing(vals);
    for (const p of this.params) {
      const v = vals[p.index];
      if (v !== MISSING && p.check) vals[p.index] = p.check(v);
    }
    return this.toJs(vals, varArgs, extraKw, tjaxOwn);
  }

  /** Python's error for what is missing: the positional parameters first, then keyword-only ones. */
  private missing(vals: unknown[]): never {
    for (const kind of ['positional', 'keyword-only'] as const) {
      const missing = this.params.filter(
        (p) =>
          p.required && vals[p.index] === MISSING && (kind === 'positional' ? p.pos >= 0 : p.kind === 'ko'),
      );
      if (missing.length)
        throw new TypeError(
          `${this.name}() missing ${missing.length} required ${kind} argument${missing.length > 1 ? 's' : ''}: ${nameList(missing.map((p) => p.name))}`,
        );
    }
    throw new Error('unreachable');
  }

  private tooMany(given: number, vals: unknown[]): never {
    const npos = this.positional.length;
    const withDefault = this.positional.filter((p) => !p.required).length;
    const kwonly = this.params.filter((p, j) => p.kind === 'ko' && vals[j] !== MISSING).length;
    const sig = withDefault ? `from ${npos - withDefault} to ${npos}` : `${npos}`;
    const plural = withDefault || npos !== 1 ? 's' : '';
    const kwSig = kwonly
      ? ` positional argument${given !== 1 ? 's' : ''} (and ${kwonly} keyword-only argument${kwonly !== 1 ? 's' : ''})`
      : '';
    throw new TypeError(
      `${this.name}() takes ${sig} positional argument${plural} but ${given}${kwSig} ${given === 1 && !kwonly ? 'was' : 'were'} given`,
    );
  }

  /** The JS call: positional slots, then the options object of what the JS form takes by name. */
  private toJs(vals: unknown[], varArgs: unknown[], extraKw: [string, unknown][], own: unknown[]): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < own.length; i++) out[this.positional.length + i] = own[i];
    const opts: Record<string, unknown> = {};
    let nOpts = 0;
    const k = this.k < 0 ? this.positional.length : this.k;
    let lastPos = -1;
    for (const p of this.params) {
      const v = vals[p.index];
      if (v === MISSING) continue;
      // A rest form with an options object takes a keyword that leaves a gap by name.
      const gap = this.k < 0 && this.implemented !== null && p.pos > lastPos + 1;
      if (p.pos >= 0 && p.pos < k && !gap) {
        out[p.pos] = v;
        if (p.pos > lastPos) lastPos = p.pos;
      } else if (p.slot >= 0) out[p.slot] = v;
      else if (p.key !== null) {
        // The keys are JAX's parameter names (camelCased), never `__proto__`.
        opts[p.key] = v;
        nOpts++;
      } else if (!isDefault(p, v))
        throw new NotImplementedError(`The '${p.name}' argument to ${this.qualname} is not supported.`);
    }
    for (const [key, v] of extraKw) {
      // **kwargs keys are the user's: define them, so that `__proto__` stays a key.
      Object.defineProperty(opts, key, { value: v, enumerable: true, writable: true, configurable: true });
      nOpts++;
    }
    // A gap before the last positional argument is undefined (the JS default), or for a rest form,
    // which reads positions, JAX's default.
    for (let i = 0; i < out.length; i++) {
      if (i in out) continue;
      const d = this.positional[i]?.default;
      out[i] = this.k >= 0 || d === OPAQUE ? undefined : d;
    }
    if (varArgs.length) out.push(...varArgs);
    if (nOpts) {
      if (this.k >= 0) while (out.length < this.k) out.push(undefined);
      out.push(opts);
    }
    return out;
  }

  /** How the JS options object spells a parameter, or null when the JS form does not take it. */
  private optionKey(p: Param): string | null {
    const impl = this.implemented;
    if (impl === null) return null;
    if (impl === '*') return p.camel;
    if (impl.has(p.camel)) return p.camel;
    if (impl.has(p.name)) return p.name;
    for (const n of impl) if (n.toLowerCase() === p.camel.toLowerCase()) return n;
    return null;
  }
}

/** Parse a generated entry (lazily: only functions that are called pay for it). */
export function parseEntry(entry: SignatureEntry): Signature {
  const [jaxPath, name, text, k, impl, extra] = entry;
  return new Signature(jaxPath, name, text, k, impl, extra);
}
