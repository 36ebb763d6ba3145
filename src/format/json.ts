/**
 * @file JSON input and output of arrays and trees of arrays.
 *
 * Input follows what np.asarray does with the value Python's json.loads returns: a number, a bool or a
 * rectangular nested list of them becomes a HostArray (all bools -> bool; ints, possibly with bools ->
 * int64, or uint64 when every int is above the int64 range, float64 when ints of both kinds meet; any
 * float -> float64; [] -> float64 of shape [0]). Integers that fit no 64-bit type (even
 * next to floats) and ragged numeric lists are errors (NumPy would make an object array or refuse). Objects become plain
 * objects with their keys kept (the last of duplicate keys wins, as in Python), strings stay strings,
 * null stays null, and a list holding any string, null or object becomes a JS array of trees. NaN,
 * Infinity and -Infinity are accepted as Python's json module accepts them.
 *
 * Output writes arrays as nested lists with json.dumps's spacing, floats in their shortest round-trip
 * form for their own dtype and NaN/Infinity/-Infinity spelled as json.dumps spells them. JSON has no
 * complex numbers: a complex element is written as its [real, imaginary] pair (so a complex array of
 * shape S is a list of shape S + (2,), what `np.stack([z.real, z.imag], -1).tolist()` gives).
 */

import { formatFloatScalar } from '../engine/core/print/float-format.js';
import {
  FormatError,
  type HostArray,
  type HostData,
  halfToFloat,
  isComplexDType,
  isFloatDType,
  shapeSize,
} from './host-array.js';
import { RecursiveParser, type ScalarLiteral } from './recursive-parser.js';

export type JsonTree = HostArray | string | null | JsonTree[] | { [key: string]: JsonTree };

/** True for the HostArray leaves of a tree (a parsed JSON object can never hold a typed array). */
export function isHostArray(x: unknown): x is HostArray {
  return typeof x === 'object' && x !== null && ArrayBuffer.isView((x as HostArray).data);
}

type Raw =
  | ScalarLiteral
  | { kind: 'null' }
  | { kind: 'list'; items: Raw[] }
  | { kind: 'obj'; entries: [string, Raw][] };

/** Lists and objects nested deeper than this are refused (Python's json module has a limit too). */
export const MAX_JSON_DEPTH = 1000;
/** NumPy's limit on the number of dimensions of an array. */
const MAX_NDIM = 64;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class JsonSyntax extends RecursiveParser<Raw> {
  constructor(
    s: string,
    private readonly source: string,
  ) {
    super(
      s,
      MAX_JSON_DEPTH,
      `nested deeper than ${MAX_JSON_DEPTH} levels`,
      'expected a value, found the end of the input',
    );
  }

  protected fail(msg: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.s.length; i++) {
      if (this.s[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    throw new FormatError(`${this.source}: line ${line}, column ${at - lineStart + 1}: ${msg}`);
  }

  protected skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  document(): Raw {
    const v = this.value();
    this.skipSpace();
    if (this.pos < this.s.length) this.fail('unexpected data after the JSON value');
    return v;
  }

  protected valueAt(c: string): Raw {
    const s = this.s;
    if (c === '[') return this.list();
    if (c === '{') return this.object();
    if (c === '"') return { kind: 'str', value: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, raw] of [
      ['true', { kind: 'bool', value: true }],
      ['false', { kind: 'bool', value: false }],
      ['null', { kind: 'null' }],
      ['NaN', { kind: 'float', value: Number.NaN }],
      ['Infinity', { kind: 'float', value: Number.POSITIVE_INFINITY }],
    ] as [string, Raw][]) {
      if (s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return raw;
      }
    }
    this.fail('expected a value');
  }

  /** The comma-separated items of a list or object, from its opening bracket at pos to past `close`. */
  private items<T>(close: ']' | '}', item: () => T): T[] {
    this.pos++;
    const items: T[] = [];
    this.skipSpace();
    if (this.s[this.pos] === close) {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(item());
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c === close) {
        this.pos++;
        return items;
      } else this.fail(`expected ',' or '${close}'`);
    }
  }

  private list(): Raw {
    return { kind: 'list', items: this.items(']', () => this.value()) };
  }

  private object(): Raw {
    const entries = this.items('}', (): [string, Raw] => {
      this.skipSpace();
      if (this.s[this.pos] !== '"') this.fail('expected a property name in double quotes');
      const key = this.string();
      this.skipSpace();
      if (this.s[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      return [key, this.value()];
    });
    return { kind: 'obj', entries };
  }

  private string(): string {
    const s = this.s;
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c < ' ') this.fail('control character in string');
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        this.pos += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.pos + 2, this.pos + 6))) {
        out += String.fromCharCode(Number.parseInt(s.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        this.fail('invalid escape in string');
      }
    }
  }

  private number(): Raw {
    if (this.s.startsWith('-Infinity', this.pos)) {
      this.pos += 9;
      return { kind: 'float', value: Number.NEGATIVE_INFINITY };
    }
    JSON_NUMBER.lastIndex = this.pos;
    const m = JSON_NUMBER.exec(this.s);
    if (!m) this.fail('invalid number');
    this.pos += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) return { kind: 'float', value: Number(m[0]) };
    return { kind: 'int', value: BigInt(m[0]) };
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function kindName(r: Raw): string {
  if (r.kind === 'list') return 'a list';
  if (r.kind === 'bool') return 'a bool';
  return 'a number';
}

/** Whether every leaf under r is a number or bool (so np.asarray would make a numeric array of it). */
function isNumericTree(r: Raw): boolean {
  if (r.kind === 'int' || r.kind === 'float' || r.kind === 'bool') return true;
  if (r.kind === 'list') return r.items.every(isNumericTree);
  return false;
}

class Converter {
  constructor(private readonly source: string) {}

  tree(r: Raw, path: string): JsonTree {
    switch (r.kind) {
      case 'str':
        return r.value;
      case 'null':
        return null;
      case 'obj': {
        const out: { [key: string]: JsonTree } = {};
        for (const [k, v] of r.entries) {
          // defineProperty keeps a key like "__proto__" an ordinary property.
          Object.defineProperty(out, k, {
            value: this.tree(v, keyPath(path, k)),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
      case 'list':
        if (isNumericTree(r)) return this.array(r, path);
        return r.items.map((item, i) => this.tree(item, `${path}[${i}]`));
      default:
        return this.array(r, path);
    }
  }

  private array(r: Raw, path: string): HostArray {
    const shape: number[] = [];
    for (let x = r; x.kind === 'list'; x = x.items[0]!) {
      shape.push(x.items.length);
      if (x.items.length === 0) break;
    }
    if (shape.length > MAX_NDIM) {
      throw new FormatError(
        `${this.source}: a list nested ${shape.length} deep at ${path || 'the top level'}: arrays have at most ${MAX_NDIM} dimensions`,
      );
    }
    const leaves: Raw[] = [];
    this.collect(r, shape, 0, path, leaves);
    return this.build(leaves, shape, path);
  }

  private collect(r: Raw, shape: number[], depth: number, path: string, out: Raw[]): void {
    if (depth === shape.length) {
      if (r.kind === 'list') {
        this.ragged(path, `expected a number, found a list of length ${r.items.length}`);
      }
      out.push(r);
      return;
    }
    if (r.kind !== 'list')
      this.ragged(path, `expected a list of length ${shape[depth]}, found ${kindName(r)}`);
    if (r.items.length !== shape[depth]) {
      this.ragged(path, `expected length ${shape[depth]}, found ${r.items.length}`);
    }
    for (let i = 0; i < r.items.length; i++)
      this.collect(r.items[i]!, shape, depth + 1, `${path}[${i}]`, out);
  }

  private ragged(path: string, detail: string): never {
    throw new FormatError(`${this.source}: ragged list at ${path || 'the top level'}: ${detail}`);
  }

  private build(leaves: Raw[], shape: number[], path: string): HostArray {
    const n = leaves.length;
    let anyFloat = n === 0; // np.asarray([]) is float64
    let allBool = n > 0;
    let anyInt64 = false;
    let overInt64 = false;
    for (const l of leaves) {
      if (l.kind === 'float') anyFloat = true;
      if (l.kind !== 'bool') allBool = false;
      if (l.kind === 'int') {
        // Each Python int maps to int64 if it fits, else uint64; the two together promote to float64.
        if (l.value > INT64_MAX) overInt64 = true;
        else anyInt64 = true;
        // NumPy would fall back to an object array, even alongside floats.
        if (l.value < INT64_MIN || l.value > UINT64_MAX) {
          throw new FormatError(
            `${this.source}: integer ${l.value} at ${path || 'the top level'} does not fit in 64 bits`,
          );
        }
      }
    }
    // Leaves are scalars here (build's callers collect them): true/false count as 1/0.
    const num = (l: Raw): number => Number((l as ScalarLiteral).value);
    const big = (l: Raw): bigint =>
      l.kind === 'bool' ? (l.value ? 1n : 0n) : (l as { value: bigint }).value;
    if (allBool) {
      return {
        dtype: 'bool',
        shape,
        data: Uint8Array.from(leaves, (l) => ((l as { value: boolean }).value ? 1 : 0)),
      };
    }
    if (anyFloat || (anyInt64 && overInt64)) {
      return { dtype: 'float64', shape, data: Float64Array.from(leaves, num) };
    }
    if (overInt64) return { dtype: 'uint64', shape, data: BigUint64Array.from(leaves, big) };
    return { dtype: 'int64', shape, data: BigInt64Array.from(leaves, big) };
  }
}

/** The JSON syntax tree's size in values parsed (for tests that bound the parser's work). */
export function jsonParseSteps(text: string): number {
  const p = new JsonSyntax(text, '<test>');
  p.document();
  return p.steps;
}

/** Parses JSON text into a tree of arrays; see the file comment. Errors name `source` and a location. */
export function parseJsonValue(text: string, source: string): JsonTree {
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let raw: Raw;
  try {
    raw = new JsonSyntax(text, source).document();
  } catch (e) {
    if (e instanceof RangeError) throw new FormatError(`${source}: JSON nested too deeply`);
    throw e;
  }
  return new Converter(source).tree(raw, '');
}

function floatJson(x: number, dtype: 'float16' | 'float32' | 'float64'): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  return formatFloatScalar(x, dtype);
}

function scalarJson(a: HostArray, data: HostData, i: number): string {
  if (isComplexDType(a.dtype)) {
    const part = a.dtype === 'complex64' ? 'float32' : 'float64';
    return `[${floatJson(data[2 * i] as number, part)}, ${floatJson(data[2 * i + 1] as number, part)}]`;
  }
  const v = data[i]!;
  if (a.dtype === 'bool') return v ? 'true' : 'false';
  if (isFloatDType(a.dtype))
    return floatJson(a.dtype === 'float16' ? halfToFloat(v as number) : (v as number), a.dtype);
  return String(v);
}

function arrayJson(a: HostArray, indent: string | null, level: number): string {
  const { shape, data } = a;
  if (shape.length === 0) return scalarJson(a, data, 0);
  const strides: number[] = new Array(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = acc;
    acc *= shape[k]!;
  }
  const rec = (axis: number, base: number, lvl: number): string => {
    const len = shape[axis]!;
    const parts: string[] = [];
    for (let i = 0; i < len; i++) {
      const at = base + i * strides[axis]!;
      parts.push(axis === shape.length - 1 ? scalarJson(a, data, at) : rec(axis + 1, at, lvl + 1));
    }
    return joinList(parts, '[', ']', indent, lvl);
  };
  return shapeSize(shape) === 0 && shape[0] === 0 ? '[]' : rec(0, 0, level);
}

function joinList(
  parts: string[],
  open: string,
  close: string,
  indent: string | null,
  level: number,
): string {
  if (parts.length === 0) return open + close;
  if (indent === null) return open + parts.join(', ') + close;
  const inner = `\n${indent.repeat(level + 1)}`;
  return `${open}${inner}${parts.join(`,${inner}`)}\n${indent.repeat(level)}${close}`;
}

function treeJson(t: JsonTree, indent: string | null, level: number): string {
  if (t === null) return 'null';
  if (typeof t === 'string') return JSON.stringify(t);
  if (isHostArray(t)) return arrayJson(t, indent, level);
  if (Array.isArray(t))
    return joinList(
      t.map((x) => treeJson(x, indent, level + 1)),
      '[',
      ']',
      indent,
      level,
    );
  const parts = Object.keys(t).map((k) => `${JSON.stringify(k)}: ${treeJson(t[k]!, indent, level + 1)}`);
  return joinList(parts, '{', '}', indent, level);
}

/**
 * JSON text for a tree, laid out as Python's json.dumps(tree, indent=indent) lays it out (', ' and ': '
 * separators on one line without indent).
 */
export function toJson(tree: JsonTree, opts: { indent?: number } = {}): string {
  const indent = opts.indent === undefined ? null : ' '.repeat(opts.indent);
  return treeJson(tree, indent, 0);
}
