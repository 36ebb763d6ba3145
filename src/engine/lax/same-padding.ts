/**
 * @file The padding names of lax's windowed operations ('VALID', 'SAME', 'SAME_LOWER'), as
 * lax.padtype_to_pads reads them: what convolutions (lax.padtypeToPads) and the windowed reductions
 * share. Not part of the lax namespace.
 */

export type PadKind = 'VALID' | 'SAME' | 'SAME_LOWER';

/** A padding name, upper-cased; an unknown one raises JAX's message (as an `Err`). */
export function padKind(padding: string, Err: new (message: string) => Error): PadKind {
  const kind = padding.toUpperCase();
  if (kind !== 'VALID' && kind !== 'SAME' && kind !== 'SAME_LOWER')
    throw new Err(`Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', got ${padding}.`);
  return kind;
}

/** The (low, high) padding of one dimension of size d for a SAME kind, stride s and window w. */
export function samePads(kind: PadKind, d: number, s: number, w: number): [number, number] {
  const out = Math.ceil(d / s);
  const total = Math.max(0, (out - 1) * s + w - d);
  const half = Math.floor(total / 2);
  return kind === 'SAME' ? [half, total - half] : [total - half, half];
}
