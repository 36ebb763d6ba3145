/**
 * @file Cutting flat argument lists into their runs: JAX passes a control primitive's operands as
 * one list (consts, then carry, then xs; cond consts, body consts, init), and its rules, lowering
 * and backends all take it apart the same way.
 */

/** `xs` cut into consecutive runs of the given sizes, and the rest. */
export function splitAt<T>(xs: readonly T[], ...sizes: number[]): T[][] {
  const out: T[][] = [];
  let k = 0;
  for (const n of sizes) {
    out.push(xs.slice(k, k + n));
    k += n;
  }
  out.push(xs.slice(k));
  return out;
}
