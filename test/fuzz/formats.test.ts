/**
 * @file Property-based fuzzing of the data readers (NPY, NPZ, CSV, JSON, Python literals): on any
 * input they return or raise their own error with a one-line message naming the input, never a
 * JavaScript error, and their work is linear in the input (counted in parser steps on deeply nested
 * input, not timed).
 */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/format/csv.js';
import { FormatError, type HostArray } from '../../src/format/host-array.js';
import { jsonParseSteps, parseJsonValue } from '../../src/format/json.js';
import { readNpy, writeNpy } from '../../src/format/npy.js';
import { readNpz, writeNpz } from '../../src/format/npz.js';
import {
  MAX_DEPTH,
  PySyntaxError,
  parsePyLiteral,
  parsePyLiteralCounted,
} from '../../src/format/py-literal.js';
import { fc, returnsOrFailsCleanly } from './config.js';

const SRC = 'fuzz-input';

/** Text built from the characters that matter to the parsers, so that mutations reach deep code. */
const syntaxChars = fc.constantFrom(
  ...'()[]{},:;\'"\\\n\r\t #.-+eE0123456789xXabcfnrtuLjTrueFalsNo_\u0000\u00e9'.split(''),
);
const syntaxText = fc.array(syntaxChars, { maxLength: 200 }).map((cs) => cs.join(''));
const anyText = fc.oneof(
  syntaxText,
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

const arrayOf = fc
  .record({
    dtype: fc.constantFrom(
      'float32',
      'float64',
      'int32',
      'int64',
      'uint8',
      'bool',
      'float16',
      'int8',
      'uint64',
    ),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .map(({ dtype, shape }): HostArray => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data =
      dtype === 'float32'
        ? new Float32Array(n).map((_, i) => i * 0.5)
        : dtype === 'float64'
          ? new Float64Array(n).map((_, i) => i - 1)
          : dtype === 'int32'
            ? new Int32Array(n).map((_, i) => -i)
            : dtype === 'int64'
              ? new BigInt64Array(n).map((_, i) => BigInt(i))
              : dtype === 'uint64'
                ? new BigUint64Array(n).map((_, i) => BigInt(i))
                : dtype === 'int8'
                  ? new Int8Array(n).map((_, i) => i)
                  : dtype === 'float16'
                    ? new Uint16Array(n).map(() => 0x3c00)
                    : new Uint8Array(n).map((_, i) => i % 2);
    return { dtype, shape, data } as HostArray;
  });

/** Bytes with random single-byte changes, cuts and insertions. */
function mutated(bytes: Uint8Array) {
  return fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert')), {
      minLength: 1,
      maxLength: 4,
    })
    .map((edits) => {
      let b = Array.from(bytes);
      for (const [at, v, op] of edits) {
        const i = b.length ? at % b.length : 0;
        if (op === 'set') b[i] = v;
        else if (op === 'cut') b = b.slice(0, i);
        else b.splice(i, 0, v);
      }
      return Uint8Array.from(b);
    });
}

describe('NPY', () => {
  it('round-trips any array it writes', () => {
    fc.assert(
      fc.property(arrayOf, (a) => {
        const back = readNpy(writeNpy(a), SRC);
        expect(back.dtype).toBe(a.dtype);
        expect(back.shape).toEqual(a.shape);
        expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(a.data as ArrayLike<unknown>));
      }),
    );
  });

  it('reads mutated files, or says what is wrong with them', () => {
    fc.assert(
      fc.property(
        arrayOf.chain((a) => mutated(writeNpy(a))),
        (bytes) => returnsOrFailsCleanly(() => readNpy(bytes, SRC), [FormatError], SRC),
      ),
    );
  });

  it('reads any header text, or says what is wrong with it', () => {
    fc.assert(
      fc.property(anyText, (header) => {
        const h = new TextEncoder().encode(header);
        const pre = Uint8Array.from([
          0x93,
          0x4e,
          0x55,
          0x4d,
          0x50,
          0x59,
          3,
          0,
          h.length & 255,
          (h.length >> 8) & 255,
          0,
          0,
        ]);
        const bytes = new Uint8Array(pre.length + h.length);
        bytes.set(pre);
        bytes.set(h, pre.length);
        returnsOrFailsCleanly(() => readNpy(bytes, SRC), [FormatError], SRC);
      }),
    );
  });
});

describe('NPZ', () => {
  it('reads mutated archives, or says what is wrong with them', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), arrayOf), { minLength: 1, maxLength: 3 })
          .chain((members) => mutated(writeNpz(new Map(members)))),
        (bytes) => returnsOrFailsCleanly(() => readNpz(bytes, SRC), [FormatError], SRC),
      ),
    );
  });

  it('keeps member names such as __proto__ as names', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
        arrayOf,
        (name, a) => {
          const all = readNpz(writeNpz(new Map([[name, a]])), SRC);
          expect([...all.keys()]).toEqual([name]);
        },
      ),
    );
  });

  it('reads arbitrary zip members, or says what is wrong with them', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.uint8Array({ maxLength: 64 }),
        (name, data) => {
          const bytes = zipSync({ [`${name}.npy`]: data });
          returnsOrFailsCleanly(() => readNpz(bytes, SRC), [FormatError], SRC);
        },
      ),
    );
  });
});

describe('CSV', () => {
  it('parses any text, or names the line of what it cannot read', () => {
    fc.assert(
      fc.property(anyText, (text) => returnsOrFailsCleanly(() => readCsv(text, SRC), [FormatError], SRC)),
    );
  });

  it('never drops a data line: a header has no number in it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 2, maxLength: 2 }),
          {
            minLength: 2,
            maxLength: 5,
          },
        ),
        fc.constantFrom('', 'x', '..', '0x', '_'),
        (rows, junk) => {
          const lines = rows.map((r) => r.map(String).join(','));
          lines[0] = `${lines[0]!.split(',')[0]}${junk},${lines[0]!.split(',')[1]}`;
          try {
            const { array, header } = readCsv(`${lines.join('\n')}\n`, SRC);
            expect(header).toBeNull();
            expect(array.shape[0]).toBe(rows.length);
          } catch (e) {
            expect(e).toBeInstanceOf(FormatError);
            expect((e as Error).message).toContain('line 1');
          }
        },
      ),
    );
  });
});

describe('JSON', () => {
  it('parses any text, or says where it is malformed', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.json()), (text) =>
        returnsOrFailsCleanly(() => parseJsonValue(text, SRC), [FormatError], SRC),
      ),
    );
  });

  it('keeps every key of an object, prototype names included', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString'), fc.string()), {
          maxLength: 5,
        }),
        (keys) => {
          const text = `{${keys.map((k, i) => `${JSON.stringify(k)}: [${i}]`).join(', ')}}`;
          const t = parseJsonValue(text, SRC) as Record<string, unknown>;
          // (JavaScript lists integer-like keys first: compare the sets.)
          expect(Object.keys(t).sort()).toEqual([...keys].sort());
        },
      ),
    );
  });

  it('does work linear in the input on nested lists', () => {
    for (const depth of [10, 100, 900]) {
      const text = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
      expect(jsonParseSteps(text)).toBe(depth + 1);
    }
  });
});

describe('Python literals', () => {
  it('parse any text, or raise PySyntaxError', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        try {
          parsePyLiteral(text);
        } catch (e) {
          expect(e).toBeInstanceOf(PySyntaxError);
          expect((e as Error).message).not.toContain('\n');
        }
      }),
    );
  });

  it('do work linear in the input on nested tuples, lists and signs', () => {
    const shapes: [(d: number) => string, number][] = [
      [(d) => `${'('.repeat(d)}1${',)'.repeat(d)}`, 1],
      [(d) => `${'('.repeat(d)}1,2${')'.repeat(d)}`, 2],
      [(d) => `${'['.repeat(d)}1${']'.repeat(d)}`, 1],
      [(d) => `${'(('.repeat(d)}1${'),)'.repeat(d)}`, 1],
      [(d) => `${'-'.repeat(d)}1`, 1],
    ];
    for (const [make, leaves] of shapes) {
      // Ascending: a parser that re-reads fails the bound at a small depth instead of running for ever.
      for (const depth of [5, 10, 20, Math.floor(MAX_DEPTH / 2) - 5]) {
        const text = make(depth);
        const { steps } = parsePyLiteralCounted(text);
        // One step per value read: nothing is ever read twice.
        expect(steps).toBeLessThanOrEqual(2 * depth + leaves + 1);
      }
    }
  });

  it('refuse nesting past the limit with an error, not a stack overflow', () => {
    expect(() => parsePyLiteral(`${'('.repeat(MAX_DEPTH + 1)}1${')'.repeat(MAX_DEPTH + 1)}`)).toThrow(
      PySyntaxError,
    );
    expect(() => parsePyLiteral(`${'-'.repeat(100_000)}1`)).toThrow(PySyntaxError);
  });
});
