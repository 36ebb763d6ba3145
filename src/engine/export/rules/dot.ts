/**
 * @file Export rule of dot_general (jax/_src/lax/lax.py `_dot_general_lower` on CPU): operands
 * of different dtypes are converted to the result dtype first, the precision pair is printed as
 * StableHLO precision attributes.
 */

import type { DType } from '../../core/dtype.js';
import { functionalType, list } from '../hlo.js';
import { avalType, registerExportRule } from '../lower.js';
import { Op } from '../mlir.js';
import { convertHlo } from './elementwise.js';

/** A precision param (none, one, or a pair) as the two StableHLO precision names (conv's too). */
export function precisionNames(p: unknown): [string, string] {
  if (p === null || p === undefined) return ['DEFAULT', 'DEFAULT'];
  const one = (x: unknown) =>
    String(x)
      .replace(/^Precision\./, '')
      .toUpperCase();
  if (Array.isArray(p)) return [one(p[0]), one(p[1])];
  return [one(p), one(p)];
}

registerExportRule('dot_general', (ctx, [l0, r0], p) => {
  const [[lc, rc], [lb, rb]] = p.dimension_numbers as number[][][];
  const out = ctx.avalsOut[0];
  const [la, ra] = ctx.avalsIn;
  let l = l0;
  let r = r0;
  if (la.dtype !== ra.dtype) {
    l = convertHlo(ctx.b, l, la, out.dtype as DType);
    r = convertHlo(ctx.b, r, ra, out.dtype as DType);
  }
  const [p0, p1] = precisionNames(p.precision);
  const type = avalType(out);
  const dims = [
    ...(lb.length || rb.length ? [`batching_dims = ${list(lb)} x ${list(rb)}`] : []),
    `contracting_dims = ${list(lc)} x ${list(rc)}`,
    `precision = [${p0}, ${p1}]`,
  ].join(', ');
  const op = new Op(
    'stablehlo.dot_general',
    [l, r],
    [type],
    (pr) =>
      `stablehlo.dot_general ${pr.v(l)}, ${pr.v(r)}, ${dims} : ${functionalType([l.type, r.type], [type])}`,
  );
  return ctx.b.add(op).results;
});
