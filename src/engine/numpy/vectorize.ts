/**
 * @file jnp.vectorize, as JAX 0.10.2 writes it (jax/_src/numpy/vectorize.py): a function of
 * scalars (or, with a gufunc `signature` like "(n,m),(m)->(n)", of core arrays) is applied over
 * the broadcast loop dimensions of its arguments by nesting vmap, one per loop dimension, from the
 * last; a size-1 loop dimension is squeezed and passed unbatched, and loop dimensions no argument
 * has are added back with expand_dims. `excluded` positions are passed through unvectorized.
 */
import { broadcastShapes } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { vmap } from '../transforms/api.js';
import { ValueError } from './errors.js';
import { expand_dims, squeeze } from './shapes.js';
import { asValue } from './util.js';

type Fn = (...args: any[]) => any;
type CoreDims = string[];

const SIGNATURE =
  /^\((?:\w+(?:,\w+)*)?\)(?:,\((?:\w+(?:,\w+)*)?\))*->\((?:\w+(?:,\w+)*)?\)(?:,\((?:\w+(?:,\w+)*)?\))*$/;

const pyTuple = (xs: readonly unknown[]) =>
  `(${xs.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ')}${xs.length === 1 ? ',' : ''})`;

function parseSignature(signature: string): [CoreDims[], CoreDims[]] {
  if (!SIGNATURE.test(signature)) throw new ValueError(`not a valid gufunc signature: ${signature}`);
  const [ins, outs] = signature
    .split('->')
    .map((list) => [...list.matchAll(/\(([^)]*)\)/g)].map((m) => (m[1] ? m[1].split(',') : [])));
  return [ins, outs];
}

function updateDimSizes(
  sizes: Map<string, number>,
  shape: readonly number[],
  core: CoreDims,
  context: string,
  isInput: boolean,
): void {
  const n = core.length;
  if (isInput && shape.length < n) {
    throw new ValueError(
      `input with shape ${pyTuple(shape)} does not have enough dimensions for all core dimensions ${pyTuple(core)} ${context}`,
    );
  }
  if (!isInput && shape.length !== n) {
    throw new ValueError(
      `output shape ${pyTuple(shape)} does not match core dimensions ${pyTuple(core)} ${context}`,
    );
  }
  const coreShape = n ? shape.slice(shape.length - n) : [];
  core.forEach((dim, i) => {
    const size = coreShape[i];
    const known = sizes.get(dim);
    if (known === undefined) sizes.set(dim, size);
    else if (size !== known) {
      throw new ValueError(`inconsistent size for core dimension '${dim}': ${size} vs ${known} ${context}`);
    }
  });
}

export interface VectorizeOptions {
  /** Argument positions passed to the function as they are, not vectorized. */
  excluded?: readonly number[];
  /** A generalized-ufunc signature such as "(n),(n)->()". */
  signature?: string | null;
}

/** jnp.vectorize(pyfunc, {excluded, signature}): `pyfunc` applied elementwise via vmap. */
export function vectorize<F extends Fn>(pyfunc: F, opts: VectorizeOptions = {}): (...args: unknown[]) => any {
  const excluded = [...(opts.excluded ?? [])];
  if (excluded.some((e) => !Number.isInteger(e))) {
    throw new TypeError(
      `jax.numpy.vectorize can only exclude integer or string arguments, but excluded=${pyTuple(excluded)}`,
    );
  }
  if (excluded.some((e) => e < 0))
    throw new ValueError(`excluded=${pyTuple(excluded)} contains negative numbers`);
  const signature = opts.signature ?? null;
  const wrapped = (...all: unknown[]) => {
    const context = `on vectorized function with excluded=${excluded.length ? `{${excluded.join(', ')}}` : 'frozenset()'} and signature=${signature === null ? 'None' : `'${signature}'`}`;
    // Excluded and None arguments are closed over; the rest are vectorized.
    const fixed = new Map<number, unknown>();
    all.forEach((a, i) => {
      if (excluded.includes(i)) fixed.set(i, a);
    });
    let dynamic = all.filter((_, i) => !excluded.includes(i));
    let inCore: CoreDims[];
    let outCore: CoreDims[] | null;
    if (signature !== null) [inCore, outCore] = parseSignature(signature);
    else {
      inCore = dynamic.map(() => []);
      outCore = null;
    }
    const noneAt = dynamic.map((a, i) => (a === null || a === undefined ? i : -1)).filter((i) => i >= 0);
    if (noneAt.some((i) => inCore[i]?.length)) {
      throw new ValueError(
        `Cannot pass None at locations {${noneAt.join(', ')}} with signature='${signature}'`,
      );
    }
    const dynPositions = all.map((_, i) => i).filter((i) => !excluded.includes(i));
    const call = (...xs: unknown[]) => {
      const args = [...all];
      let k = 0;
      dynPositions.forEach((p, j) => {
        args[p] = noneAt.includes(j) ? all[p] : xs[k++];
      });
      return pyfunc(...args);
    };
    dynamic = dynamic.filter((_, i) => !noneAt.includes(i));
    inCore = inCore.filter((_, i) => !noneAt.includes(i));
    const args = dynamic.map(asValue);
    if (args.length !== inCore.length) {
      throw new TypeError(
        `wrong number of positional arguments: expected ${inCore.length}, got ${args.length} ${context}`,
      );
    }
    const sizes = new Map<string, number>();
    const loopShapes = args.map((a, i) => {
      updateDimSizes(sizes, a.shape, inCore[i], context, true);
      return a.shape.slice(0, a.ndim - inCore[i].length);
    });
    const broadcast = broadcastShapes('vectorize', ...loopShapes);
    const checked =
      outCore === null
        ? call
        : (...xs: unknown[]) => {
            const out = call(...xs);
            const outs: Value[] = Array.isArray(out) ? out : [out];
            if (outCore!.length > 1 && !Array.isArray(out)) {
              throw new TypeError(
                `output must be a tuple when multiple outputs are expected, got: ${String(out)}\n${context}`,
              );
            }
            if (outs.length !== outCore!.length) {
              throw new TypeError(
                `wrong number of output arguments: expected ${outCore!.length}, got ${outs.length} ${context}`,
              );
            }
            const s = new Map(sizes);
            outs.forEach((o, i) => {
              updateDimSizes(s, asValue(o).shape, outCore![i], context, false);
            });
            return out;
          };
    const squeezed: Value[] = [];
    const revFilled: number[][] = [];
    args.forEach((a, i) => {
      const noncore = loopShapes[i];
      const filled = [...new Array(broadcast.length - noncore.length).fill(1), ...noncore];
      revFilled.push([...filled].reverse());
      const ones = noncore.map((d, j) => (d === 1 ? j : -1)).filter((j) => j >= 0);
      squeezed.push(ones.length ? squeeze(a, ones) : a);
    });
    let f: Fn = checked;
    const expand: number[] = [];
    for (let negdim = 0; negdim < broadcast.length; negdim++) {
      const inAxes = revFilled.map((s) => (s[negdim] === 1 ? null : 0));
      if (inAxes.every((x) => x === null)) expand.push(broadcast.length - 1 - negdim);
      else f = vmap(f, { inAxes });
    }
    const result = f(...squeezed);
    if (!expand.length) return result;
    if (Array.isArray(result)) return result.map((r) => expand_dims(r, expand));
    return expand_dims(result, expand);
  };
  Object.defineProperty(wrapped, 'name', { value: pyfunc.name });
  return wrapped;
}
