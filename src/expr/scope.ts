/**
 * @file The names an expression can use: the numpy namespace (as `sin`, and as `jnp.sin`), `lax`
 * (its convolutions also at top level), the transformations, flax's pooling functions, and dtype
 * names, each function also under JAX's Python name (`zeros_like`, `lax.fori_loop`,
 * `lax.stop_gradient`, `nn.log_softmax`). Free names that are not here bind to `--arg` inputs.
 * Only these objects, arrays and their documented methods are reachable from an expression.
 */
import * as engine from '../engine/index.js';
import { signatureOf } from '../engine/signature/index.js';

/** A namespace value in scope: attribute access reads only its own listed members. */
export class Namespace {
  constructor(
    readonly name: string,
    readonly members: ReadonlyMap<string, unknown>,
  ) {}
  get(attr: string): unknown {
    return this.members.get(attr);
  }
  has(attr: string): boolean {
    return this.members.has(attr);
  }
}

/** Own enumerable members, plus the methods of a class instance (a distribution like `norm`). */
function membersOf(mod: Record<string, unknown>): [string, unknown][] {
  const out = new Map<string, unknown>(Object.entries(mod));
  const proto = Object.getPrototypeOf(mod);
  if (proto && proto !== Object.prototype && proto !== null) {
    for (const k of Object.getOwnPropertyNames(proto)) {
      const v = (mod as Record<string, unknown>)[k];
      if (k !== 'constructor' && typeof v === 'function' && !out.has(k))
        out.set(k, (v as (...a: unknown[]) => unknown).bind(mod));
    }
  }
  return [...out];
}

/**
 * A namespace's members under their own names, and each function also under JAX's Python name
 * (from its signature: `zerosLike` is `zeros_like`, `foriLoop` `fori_loop`, `var_` `var`) or,
 * for tjax's own functions, its snake_case spelling.
 */
function fromModule(name: string, mod: Record<string, unknown>): Namespace {
  const m = new Map<string, unknown>();
  const aliases: [string, unknown][] = [];
  for (const [k, v] of membersOf(mod)) {
    if (k.startsWith('_')) continue;
    const plain = v instanceof engine.DType || v instanceof engine.numpy.AbstractDType;
    if (v && typeof v === 'object' && !plain && !Array.isArray(v)) {
      m.set(k, fromModule(`${name}.${k}`, v as Record<string, unknown>));
      continue;
    }
    m.set(k, v);
    if (typeof v !== 'function') continue;
    const jaxName = signatureOf(v)?.jaxPath.split('.').pop();
    aliases.push([jaxName ?? snakeCase(k), v]);
  }
  for (const [k, v] of aliases) if (!m.has(k)) m.set(k, v);
  return new Namespace(name, m);
}

function snakeCase(k: string): string {
  return k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Python's complex(real=0, imag=0) of numbers: a complex scalar (weakly typed, as Python's is). */
function pyComplex(re: unknown = 0, im: unknown = 0): engine.Complex {
  const part = (x: unknown): engine.Complex => {
    if (x instanceof engine.Complex) return x;
    if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint')
      return new engine.Complex(Number(x));
    // Float literals reach functions as weak 0-d arrays.
    if (x instanceof engine.Array && x.size === 1) {
      const d = x.dataSync();
      return new engine.Complex(Number(d[0]), x.dtype.isComplex ? Number(d[1]) : 0);
    }
    throw new TypeError('complex() argument must be a string or a number');
  };
  const a = part(re);
  const b = part(im);
  return new engine.Complex(a.re - b.im, a.im + b.re);
}

let cached: Map<string, unknown> | null = null;

/** The global names of the expression language. */
export function builtins(): Map<string, unknown> {
  if (cached) return cached;
  const jnp = fromModule('jnp', engine.numpy as unknown as Record<string, unknown>);
  const lax = fromModule('lax', engine.lax as unknown as Record<string, unknown>);
  const m = new Map<string, unknown>();
  for (const [k, v] of jnp.members) m.set(k, v);
  m.set('jnp', jnp);
  m.set('np', jnp);
  m.set('numpy', jnp);
  m.set('lax', lax);
  // jax.lax's convolutions, by their JAX names, at top level too.
  for (const k of ['conv_general_dilated', 'conv', 'conv_transpose', 'conv_with_general_padding'])
    m.set(k, lax.get(k));
  m.set('nn', fromModule('nn', engine.nn as unknown as Record<string, unknown>));
  // jax.random, and `key(0)` at top level.
  const random = fromModule('random', engine.random as unknown as Record<string, unknown>);
  m.set('random', random);
  m.set('key', engine.random.key);
  m.set('PRNGKey', engine.random.PRNGKey);
  // scipy, and its special functions, distributions and distances by short name.
  const scipy = fromModule('scipy', engine.scipy as unknown as Record<string, unknown>);
  m.set('scipy', scipy);
  for (const group of ['special', 'stats', 'divergences', 'signal']) {
    const ns = scipy.get(group);
    if (!(ns instanceof Namespace)) continue;
    for (const [k, v] of ns.members) if (!m.has(k)) m.set(k, v);
  }
  // flax.linen's pooling and the transformations, under JAX's Python names.
  for (const k of ['maxPool', 'avgPool', 'minPool'] as const) m.set(snakeCase(k), engine.linen[k]);
  const transforms =
    'jit grad valueAndGrad vmap pmap jvp jacfwd jacrev jacobian hessian stopGradient checkpoint remat';
  for (const k of transforms.split(' ')) m.set(snakeCase(k), (engine as Record<string, unknown>)[k]);
  // Python builtins that make sense on arrays.
  for (const k of ['abs', 'min', 'max', 'round'] as const) m.set(k, engine.numpy[k]);
  m.set('complex', pyComplex);
  m.set('pi', Math.PI);
  m.set('e', Math.E);
  m.set('inf', Number.POSITIVE_INFINITY);
  m.set('nan', Number.NaN);
  m.set('newaxis', null);
  cached = m;
  return m;
}
