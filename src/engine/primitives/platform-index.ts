/**
 * @file The platform_index primitive (jax/_src/lax/control_flow/conditionals.py): a nullary
 * int32 scalar, the position in `platforms` of the group that names the platform a computation
 * is compiled for (a `null` group is the default). `lax.platform_dependent` binds it and a
 * `cond[branches_platforms=...]` on it, so a jaxpr holds every platform's branch and the choice is
 * made when it is lowered, as in JAX: here the LowerCtx's platform (the device's), in export
 * JAX's `cpu`. Nullary, so it has no jvp or batch rule; eager evaluation compiles it for the
 * default device like any other primitive.
 */

import { iconst } from '../compile/kir.js';
import { Lazy, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { int32 } from '../core/dtype.js';
import { NotImplementedError } from '../core/errors.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { PyRaw } from '../ir/pyrepr.js';

/** For each branch, the platforms it serves; `null` (last only) serves every other platform. */
export type BranchesPlatforms = readonly (readonly string[] | null)[];

/** JAX's platform names for tjax's devices; webgpu and gpujs keep their own (no JAX branch names them). */
const JAX_PLATFORM: Record<string, string> = { cpu: 'cpu' };

export function jaxPlatform(devicePlatform: string): string {
  return JAX_PLATFORM[devicePlatform] ?? devicePlatform;
}

/** Python's repr of BranchesPlatforms: `(('cpu', 'tpu'), None)`. */
export function branchesPlatformsRepr(bp: BranchesPlatforms): string {
  const tuple = (xs: string[]) => (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`);
  return tuple(bp.map((ps) => (ps === null ? 'None' : tuple(ps.map((p) => `'${p}'`)))));
}

/**
 * The branch for a platform (tjax's device platform name), as JAX's lower_per_platform picks
 * the rule: the group naming it, else the default; neither is JAX's NotImplementedError.
 */
export function platformBranch(bp: BranchesPlatforms, devicePlatform: string): number {
  const p = jaxPlatform(devicePlatform);
  const named = bp.findIndex((ps) => ps?.includes(p));
  if (named >= 0) return named;
  const dflt = bp.indexOf(null);
  if (dflt >= 0) return dflt;
  throw new NotImplementedError(
    `MLIR translation rule for primitive 'platform_index(platforms=${branchesPlatformsRepr(bp)})' not found for platform ${p}`,
  );
}

export const platform_index = definePrimitive('platform_index', {
  abstractEval: () => [new ShapedArray([], int32)],
  lower: ((ctx, _ins, p, [out]) => {
    const i = platformBranch(p.platforms as BranchesPlatforms, ctx.platform);
    return [new Lazy(out, () => iconst(i), 0)];
  }) satisfies LowerRule,
  ppParams: (p: Params) => ({
    platforms: new PyRaw(branchesPlatformsRepr(p.platforms as BranchesPlatforms)),
  }),
});
