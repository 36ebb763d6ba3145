/**
 * @file Float constants as MLIR prints them (fixtures/export.json `floats`: random float16/32/64
 * bit patterns and decimal edge cases, printed by jaxlib's MLIR as dense attributes).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toDType } from '../../../src/engine/core/dtype.js';
import { mlirFloat } from '../../../src/engine/export/floats.js';

const fx = JSON.parse(readFileSync(new URL('../../../fixtures/export.json', import.meta.url), 'utf8')) as {
  floats: [string, string, string][];
};

describe('mlirFloat', () => {
  for (const dt of ['float16', 'float32', 'float64']) {
    it(`prints ${dt} as MLIR does`, () => {
      const rows = fx.floats.filter((r) => r[0] === dt);
      expect(rows.length).toBeGreaterThan(400);
      const got = rows.map(([, bits]) => mlirFloat(BigInt(bits), toDType(dt)));
      expect(got).toEqual(rows.map((r) => r[2]));
    });
  }
  it('has the forms MLIR uses', () => {
    const f32 = toDType('float32');
    const bits = (x: number) => BigInt(new Uint32Array(new Float32Array([x]).buffer)[0]);
    expect(mlirFloat(bits(2), f32)).toBe('2.000000e+00');
    expect(mlirFloat(bits(Math.SQRT2), f32)).toBe('1.41421354');
    expect(mlirFloat(bits(1e-4), f32)).toBe('9.99999974E-5');
    expect(mlirFloat(bits(1234567), f32)).toBe('0x4996B438');
    expect(mlirFloat(bits(Number.NEGATIVE_INFINITY), f32)).toBe('0xFF800000');
    expect(mlirFloat(bits(-0), f32)).toBe('-0.000000e+00');
  });
});
