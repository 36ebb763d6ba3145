/**
 * @file Tests for src/engine/core/print/float-format.ts: the fast shortest-digit paths against the plain
 * BigInt Dragon4 on every finite float16 and on random float32/float64 bit patterns. The printed text
 * is checked against NumPy in test/format/text.test.ts (scalars, reprs) and test/engine/repr.test.ts.
 */

import { describe, expect, it } from 'vitest';
import { h2f } from '../../../../src/engine/backends/cpu/runtime.js';
import { dragon4Digits, shortestDigits } from '../../../../src/engine/core/print/float-format.js';

describe('shortest digits', () => {
  it('agree with exact Dragon4 for every float16', () => {
    for (let bits = 1; bits < 0x7c00; bits++) {
      const x = h2f(bits);
      expect(shortestDigits(x, 'float16')).toEqual(dragon4Digits(x, 'float16', 0, Number.POSITIVE_INFINITY));
    }
  });

  it('agree with exact Dragon4 for float32 and float64 samples', () => {
    const u32 = new Uint32Array(1);
    const f32 = new Float32Array(u32.buffer);
    const u64 = new BigUint64Array(1);
    const f64 = new Float64Array(u64.buffer);
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 20000; i++) {
      u32[0] = next() % 0x7f800000;
      if (f32[0] !== 0) {
        expect(shortestDigits(f32[0]!, 'float32')).toEqual(
          dragon4Digits(f32[0]!, 'float32', 0, Number.POSITIVE_INFINITY),
        );
      }
      u64[0] = (BigInt(next() % 0x7ff00000) << 32n) | BigInt(next());
      if (f64[0] !== 0) {
        expect(shortestDigits(f64[0]!, 'float64')).toEqual(
          dragon4Digits(f64[0]!, 'float64', 0, Number.POSITIVE_INFINITY),
        );
      }
    }
  });

  it('handle the ends of each range', () => {
    expect(shortestDigits((2 - 2 ** -23) * 2 ** 127, 'float32')).toEqual({ digits: '34028235', exp: 38 });
    expect(shortestDigits(2 ** -149, 'float32')).toEqual({ digits: '1', exp: -45 });
    expect(shortestDigits(Number.MAX_VALUE, 'float64')).toEqual(
      dragon4Digits(Number.MAX_VALUE, 'float64', 0, Number.POSITIVE_INFINITY),
    );
    expect(shortestDigits(2 ** -24, 'float16')).toEqual({ digits: '6', exp: -8 });
  });
});
