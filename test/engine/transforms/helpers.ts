/**
 * @file Shared helpers of the transformation tests: the JAX-made fixture
 * (fixtures/transforms.json, written by fixtures/make_transforms.py) and approximate comparison.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const FIX = JSON.parse(readFileSync(join(root, 'fixtures', 'transforms.json'), 'utf8')) as {
  jaxprs: { name: string; text: string }[];
  values: Record<string, unknown>;
  inputs: Record<string, number[]>;
  errors: Record<string, { type: string; message: string }>;
};

function flat(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [Number(x)];
}

/** Elementwise closeness of nested lists (or an array's tolist()). */
export async function expectClose(actual: unknown, expected: unknown, tol = 1e-4): Promise<void> {
  const a =
    actual && typeof actual === 'object' && 'tolist' in (actual as object)
      ? await (actual as { tolist(): Promise<unknown> }).tolist()
      : actual;
  const fa = flat(a);
  const fe = flat(expected);
  expect(fa.length).toBe(fe.length);
  fa.forEach((v, i) => {
    expect(Math.abs(v - fe[i]), `element ${i}: ${v} vs ${fe[i]}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(fe[i])),
    );
  });
}
