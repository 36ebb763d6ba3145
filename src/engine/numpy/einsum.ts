/**
 * @file jnp.einsum: Einstein summation on dot_general. Subscripts follow NumPy (explicit `->`
 * output or the implicit one: labels seen once, sorted, after any `...`; `...` broadcasting;
 * repeated labels in one operand take diagonals). The contraction strategy is the one JAX's
 * `_einsum` applies to each step of its path, with the path simply left to right: per operand,
 * sum labels nobody else uses, then mask each repeated label's diagonal with a Kronecker delta
 * and sum it (JAX's sum_uniques and sum_repeats); then fold operands into an
 * accumulator with dot_general (labels shared and still needed are batch dimensions, labels
 * shared and no longer needed are contracted), and transpose to the output order at the end.
 * jnp's dtype rule: the promoted type is dot_general's preferred_element_type.
 */
import { type DTypeLike, promoteTypes, requestDType, uint32 } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import { convertElementType } from '../lax/convert.js';
import { dotGeneral, type PrecisionLike } from '../lax/dot.js';
import { bitwiseAnd, eq, select } from '../lax/elementwise.js';
import { broadcastedIota, broadcastInDim, transpose } from '../lax/structural.js';
import * as red from './reductions.js';
import { asValue, fullLike } from './util.js';

export interface EinsumOptions {
  precision?: PrecisionLike;
  preferredElementType?: DTypeLike | null;
}

interface Term {
  v: Value;
  labels: string[];
}

// Internal labels for the dimensions `...` stands for (outside NumPy's letter set).
const ELLIPSIS_BASE = 0x100;

function isOptions(x: unknown): x is EinsumOptions {
  return (
    typeof x === 'object' &&
    x !== null &&
    !Array.isArray(x) &&
    !ArrayBuffer.isView(x) &&
    Object.getPrototypeOf(x) === Object.prototype
  );
}

function parseTerm(s: string, ndim: number, i: number, ellipsisRank: number): string[] {
  const parts = s.split('...');
  if (parts.length > 2)
    throw new Error("einstein sum subscripts string contains a '.' that is not part of an ellipsis ('...')");
  for (const p of parts) {
    for (const c of p) {
      if (!/[a-zA-Z]/.test(c))
        throw new Error(
          `invalid subscript '${c}' in einstein sum subscripts string, subscripts must be letters`,
        );
    }
  }
  if (parts.length === 1) {
    if (s.length !== ndim) {
      throw new Error(
        `einstein sum subscripts string contains too ${s.length > ndim ? 'many' : 'few'} subscripts for operand ${i}`,
      );
    }
    return [...s];
  }
  const nEll = ndim - parts[0].length - parts[1].length;
  if (nEll < 0)
    throw new Error(`einstein sum subscripts string contains too many subscripts for operand ${i}`);
  const ell = Array.from({ length: nEll }, (_, k) =>
    String.fromCharCode(ELLIPSIS_BASE + ellipsisRank - nEll + k),
  );
  return [...parts[0], ...ell, ...parts[1]];
}

/**
 * lax._delta(bool, shape, axes): true where the indices along `axes` are all equal (uint32
 * iotas compared pairwise and and-ed), broadcast to `shape`.
 */
function delta(shape: readonly number[], axes: number[]): Value {
  const base = axes.map((a) => shape[a]);
  const iotas = base.map((_, k) => broadcastedIota(uint32, base, k));
  const eyes = iotas.slice(1).map((io, k) => eq(iotas[k], io));
  const eye = eyes.slice(1).reduce((a, b) => bitwiseAnd(a, b), eyes[0]);
  const identity = base.length === shape.length && axes.every((a, k) => a === k);
  return identity ? eye : broadcastInDim(eye, shape, axes);
}

/** jnp.einsum(subscripts, ...operands[, options]). */
export function einsum(subscripts: string, ...args: unknown[]): Value {
  const opts: EinsumOptions =
    args.length && isOptions(args[args.length - 1]) ? (args.pop() as EinsumOptions) : {};
  const operands = args.map(asValue);
  const spec = subscripts.replace(/\s+/g, '');
  const [lhs, rhs] = spec.includes('->') ? spec.split('->') : [spec, null];
  const inTerms = lhs.split(',');
  if (inTerms.length !== operands.length) {
    throw new Error(
      `einstein sum subscripts string has ${inTerms.length} operand terms but ${operands.length} operands were given`,
    );
  }
  const ellipsisRank = Math.max(
    0,
    ...inTerms.map((t, i) => (t.includes('...') ? operands[i].ndim - t.replace('...', '').length : 0)),
  );
  const labels = inTerms.map((t, i) => parseTerm(t, operands[i].ndim, i, ellipsisRank));
  const ellLabels = Array.from({ length: ellipsisRank }, (_, k) => String.fromCharCode(ELLIPSIS_BASE + k));

  // Sizes per label, with NumPy broadcasting of size-1 dimensions.
  const size = new Map<string, number>();
  labels.forEach((ls, i) => {
    ls.forEach((l, d) => {
      const n = operands[i].shape[d];
      const prev = size.get(l);
      if (prev === undefined || prev === 1) size.set(l, n);
      else if (n !== prev && n !== 1) {
        const shown = l.charCodeAt(0) >= ELLIPSIS_BASE ? '...' : l;
        // opt_einsum's message puts the earlier size first.
        throw new Error(
          `Size of label '${shown}' for operand ${i} (${prev}) does not match previous terms (${n}).`,
        );
      }
    });
  });

  let outLabels: string[];
  if (rhs === null) {
    const counts = new Map<string, number>();
    for (const ls of labels) for (const l of ls) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts.keys()]
      .filter((l) => counts.get(l) === 1 && l.charCodeAt(0) < ELLIPSIS_BASE)
      .sort();
    outLabels = [...ellLabels, ...once];
  } else {
    const parts = rhs.split('...');
    if (parts.length > 2)
      throw new Error(
        "einstein sum subscripts string contains a '.' that is not part of an ellipsis ('...')",
      );
    outLabels = parts.length === 2 ? [...parts[0], ...ellLabels, ...parts[1]] : [...rhs];
    if (parts.length === 1 && ellLabels.length) {
      throw new Error(
        "output has more dimensions than subscripts given in einstein sum, but no '...' ellipsis provided to broadcast the extra dimensions.",
      );
    }
    const seen = new Set<string>();
    for (const l of outLabels) {
      if (l.charCodeAt(0) < ELLIPSIS_BASE && !labels.some((ls) => ls.includes(l))) {
        throw new Error(
          `einstein sum subscripts string included output subscript '${l}' which never appeared in an input`,
        );
      }
      if (seen.has(l))
        throw new Error(`einstein sum subscripts string includes output subscript '${l}' multiple times`);
      seen.add(l);
    }
  }

  const r = promoteTypes(...operands.map((v) => ({ dtype: v.dtype, weakType: v.weakType })));
  const dtype = opts.preferredElementType ? requestDType(opts.preferredElementType, 'einsum') : r.dtype;
  const weak = opts.preferredElementType ? false : r.weakType;

  // Broadcast size-1 dimensions to their label's size.
  let terms: Term[] = operands.map((v, i) => {
    const ls = labels[i];
    const target = ls.map((l) => size.get(l)!);
    if (target.some((n, d) => n !== v.shape[d])) v = broadcastInDim(v, target, [...ls.keys()]);
    return { v, labels: ls };
  });

  // Per operand, as JAX's _einsum: sums of labels used nowhere else (sum_uniques), then each
  // repeated label's diagonal, masked with a Kronecker delta and summed (sum_repeats).
  const sumOver = (v: Value, axis: number[]) =>
    red.sum(v, { axis, dtype: v.dtype.isBool ? undefined : v.dtype });
  terms = terms.map((t, i) => {
    let { v, labels: ls } = t;
    const others = new Set(terms.flatMap((o, j) => (j === i ? [] : o.labels)));
    const kept = (l: string) => outLabels.includes(l) || others.has(l);
    const count = (l: string) => ls.filter((x) => x === l).length;
    const uniques = ls.map((l, d) => (!kept(l) && count(l) === 1 ? d : -1)).filter((d) => d >= 0);
    if (uniques.length) {
      v = sumOver(v, uniques);
      ls = ls.filter((_, d) => !uniques.includes(d));
    }
    for (const l of [...new Set(ls)]) {
      const axes = ls.map((x, d) => (x === l ? d : -1)).filter((d) => d >= 0);
      if (axes.length < 2) continue;
      v = select(delta(v.shape, axes), v, fullLike(v, 0));
      if (!kept(l)) {
        v = sumOver(v, axes);
        ls = ls.filter((x) => x !== l);
      } else {
        v = sumOver(v, axes.slice(0, -1));
        ls = ls.filter((_, d) => !axes.slice(0, -1).includes(d));
      }
    }
    return { v, labels: ls };
  });

  // Fold left to right with dot_general.
  let acc = terms[0];
  for (let i = 1; i < terms.length; i++) {
    const t = terms[i];
    const later = new Set(terms.slice(i + 1).flatMap((o) => o.labels));
    const shared = acc.labels.filter((l) => t.labels.includes(l));
    const batch = shared.filter((l) => outLabels.includes(l) || later.has(l));
    const contract = shared.filter((l) => !batch.includes(l));
    const lb = batch.map((l) => acc.labels.indexOf(l));
    const rb = batch.map((l) => t.labels.indexOf(l));
    const lc = contract.map((l) => acc.labels.indexOf(l));
    const rc = contract.map((l) => t.labels.indexOf(l));
    const v = dotGeneral(
      acc.v,
      t.v,
      [
        [lc, rc],
        [lb, rb],
      ],
      { precision: opts.precision, preferredElementType: dtype },
    );
    const lFree = acc.labels.filter((l) => !shared.includes(l));
    const rFree = t.labels.filter((l) => !shared.includes(l));
    acc = { v, labels: [...batch, ...lFree, ...rFree] };
  }

  // Labels still present but not in the output (a single operand's only): sum them.
  const extra = acc.labels.map((l, d) => (outLabels.includes(l) ? -1 : d)).filter((d) => d >= 0);
  let out = acc.v;
  let ls = acc.labels;
  if (extra.length) {
    out = red.sum(out, { axis: extra, dtype: out.dtype.isBool ? undefined : out.dtype });
    ls = ls.filter((_, d) => !extra.includes(d));
  }
  const perm = outLabels.map((l) => ls.indexOf(l));
  if (!perm.every((p, i) => p === i)) out = transpose(out, perm);
  return convertElementType(out, dtype, weak);
}
