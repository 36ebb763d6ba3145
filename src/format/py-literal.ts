/**
 * @file A parser for the small subset of Python literal syntax that NPY headers are written in (the
 * header is evaluated by NumPy with ast.literal_eval), plus a Python-style repr for error messages.
 *
 * Covered: dicts, tuples, lists, str (single/double quotes, escapes, implicit concatenation, u prefix),
 * int (decimal/hex/octal/binary, underscores, and the Python 2 'L' suffix NumPy still tolerates in
 * version 1.0/2.0 headers), float, unary minus, True/False/None, comments and arbitrary whitespace.
 * Anything else is a syntax error, which the NPY reader reports as a malformed header.
 *
 * The parser never backtracks and reads each character a bounded number of times, so its work is
 * linear in the input (`steps` counts it, for the tests that check this on nested input). Nesting
 * deeper than MAX_DEPTH is a syntax error, as CPython's parser has a limit of its own; without one a
 * hostile argument would exhaust the call stack.
 */
import { PY_SIMPLE_ESCAPES, pythonRepr } from './quote.js';
import { RecursiveParser, type ScalarLiteral } from './recursive-parser.js';

export type PyValue =
  | ScalarLiteral
  | { kind: 'none' }
  | { kind: 'tuple'; items: PyValue[] }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'dict'; entries: [PyValue, PyValue][] };

export class PySyntaxError extends Error {}

/** Brackets (and unary signs) nested deeper than this are refused. */
export const MAX_DEPTH = 200;

interface Options {
  /** Accept 123L integers (NumPy does so for version 1.0 and 2.0 headers only). */
  allowLongSuffix?: boolean;
}

/** Python's escapes, and a backslash before a newline (a line continuation) that stands for nothing. */
const SIMPLE_ESCAPES: Record<string, string> = { '\n': '', ...PY_SIMPLE_ESCAPES };

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const RADIX_INT = /0([xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)/y;
const DECIMAL = /(?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][+-]?\d(?:_?\d)*)?/y;
const OCTAL_ESCAPE = /[0-7]{1,3}/y;

/** A sticky regex's match at `pos` (no slicing of the input: that would make parsing quadratic). */
function matchAt(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

class Parser extends RecursiveParser<PyValue> {
  constructor(
    s: string,
    private readonly opts: Options,
  ) {
    super(s, MAX_DEPTH, `nesting deeper than ${MAX_DEPTH} levels`, 'unexpected end of header');
  }

  parseAll(): PyValue {
    const v = this.value();
    this.skipSpace();
    if (this.pos < this.s.length) this.fail(`unexpected ${this.describeHere()}`);
    return v;
  }

  protected fail(msg: string): never {
    throw new PySyntaxError(`${msg} at offset ${this.pos}`);
  }

  private describeHere(): string {
    if (this.pos >= this.s.length) return 'end of header';
    return `character ${JSON.stringify(this.s[this.pos])}`;
  }

  protected skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
        this.pos++;
      } else if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else if (c === '\\' && s[this.pos + 1] === '\n') {
        this.pos += 2;
      } else {
        break;
      }
    }
  }

  protected valueAt(c: string): PyValue {
    const s = this.s;
    if (c === '{') return this.dict();
    if (c === '(') return this.tupleOrParen();
    if (c === '[') return { kind: 'list', items: this.sequence(']') };
    if (
      c === "'" ||
      c === '"' ||
      ((c === 'u' || c === 'U') && (s[this.pos + 1] === "'" || s[this.pos + 1] === '"'))
    ) {
      return this.strings();
    }
    if (c === '-' || c === '+') {
      this.pos++;
      const v = this.value();
      if (v.kind === 'int') return { kind: 'int', value: c === '-' ? -v.value : v.value };
      if (v.kind === 'float') return { kind: 'float', value: c === '-' ? -v.value : v.value };
      this.fail('unary sign applied to a non-number');
    }
    if ((c >= '0' && c <= '9') || c === '.') return this.number();
    const word = matchAt(WORD, s, this.pos)?.[0];
    if (word === 'True' || word === 'False') {
      this.pos += word.length;
      return { kind: 'bool', value: word === 'True' };
    }
    if (word === 'None') {
      this.pos += 4;
      return { kind: 'none' };
    }
    this.fail(`unexpected ${word !== undefined ? `name '${word}'` : this.describeHere()}`);
  }

  private dict(): PyValue {
    this.pos++; // '{'
    const entries: [PyValue, PyValue][] = [];
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === '}') {
        this.pos++;
        return { kind: 'dict', entries };
      }
      const k = this.value();
      this.skipSpace();
      if (this.s[this.pos] !== ':') this.fail(`expected ':' but found ${this.describeHere()}`);
      this.pos++;
      const v = this.value();
      entries.push([k, v]);
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c !== '}') this.fail(`expected ',' or '}' but found ${this.describeHere()}`);
    }
  }

  /** Items up to the closing bracket, with an optional trailing comma; pos is on the opening bracket. */
  private sequence(close: string): PyValue[] {
    this.pos++;
    return this.rest([], close);
  }

  /** The remaining items of a sequence, after those already read; pos is after the last of them. */
  private rest(items: PyValue[], close: string): PyValue[] {
    if (items.length) {
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c !== close) this.fail(`expected ',' or '${close}' but found ${this.describeHere()}`);
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === ',') this.pos++;
      else if (c !== close) this.fail(`expected ',' or '${close}' but found ${this.describeHere()}`);
    }
  }

  private tupleOrParen(): PyValue {
    // (x) is just x, while (x,) and () are tuples: the comma makes the tuple, as in Python. The
    // first item is read once and the tuple goes on from there (re-reading it would make nested
    // tuples exponential).
    this.pos++;
    this.skipSpace();
    if (this.s[this.pos] === ')') {
      this.pos++;
      return { kind: 'tuple', items: [] };
    }
    const first = this.value();
    this.skipSpace();
    if (this.s[this.pos] === ')') {
      this.pos++;
      return first;
    }
    return { kind: 'tuple', items: this.rest([first], ')') };
  }

  private strings(): PyValue {
    let out = '';
    for (;;) {
      this.skipSpace();
      const s = this.s;
      let c = s[this.pos];
      if (c === 'u' || c === 'U') {
        if (s[this.pos + 1] !== "'" && s[this.pos + 1] !== '"') break;
        this.pos++;
        c = s[this.pos];
      }
      if (c !== "'" && c !== '"') break;
      out += this.oneString(c);
    }
    return { kind: 'str', value: out };
  }

  private oneString(q: string): string {
    const s = this.s;
    const triple = s.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = '';
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string');
      if (s.startsWith(close, this.pos)) {
        this.pos += close.length;
        return out;
      }
      const c = s[this.pos]!;
      if (c === '\n' && !triple) this.fail('unterminated string');
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      if (e === undefined) this.fail('unterminated string');
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        this.pos += 2;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = s.slice(this.pos + 2, this.pos + 2 + len);
        if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) this.fail(`bad \\${e} escape`);
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        this.pos += 2 + len;
      } else if (e >= '0' && e <= '7') {
        const oct = matchAt(OCTAL_ESCAPE, s, this.pos + 1)![0];
        out += String.fromCharCode(Number.parseInt(oct, 8));
        this.pos += 1 + oct.length;
      } else {
        // Python keeps unknown escapes verbatim, backslash included.
        out += `\\${e}`;
        this.pos += 2;
      }
    }
  }

  private number(): PyValue {
    const radix = matchAt(RADIX_INT, this.s, this.pos);
    if (radix) {
      const body = radix[1]!;
      const digits = body.slice(1);
      if (digits.startsWith('_') || digits.endsWith('_') || digits.includes('__')) this.fail('bad number');
      this.pos += radix[0].length;
      const value = BigInt(`0${body[0]!.toLowerCase()}${digits.replaceAll('_', '')}`);
      return this.intSuffix(value);
    }
    const m = matchAt(DECIMAL, this.s, this.pos)![0];
    if (m === '' || m === '.' || m.startsWith('.e') || m.startsWith('.E')) this.fail('bad number');
    this.pos += m.length;
    const clean = m.replaceAll('_', '');
    if (/[.eE]/.test(clean)) return { kind: 'float', value: Number(clean) };
    if (clean.length > 1 && clean.startsWith('0') && /[1-9]/.test(clean)) {
      this.fail('leading zeros in a decimal integer');
    }
    return this.intSuffix(BigInt(clean));
  }

  private intSuffix(value: bigint): PyValue {
    const c = this.s[this.pos];
    if ((c === 'L' || c === 'l') && this.opts.allowLongSuffix) this.pos++;
    if (/[A-Za-z0-9_]/.test(this.s[this.pos] ?? '')) this.fail('bad number');
    return { kind: 'int', value };
  }
}

/** Parses one Python literal; throws PySyntaxError with a short description and offset. */
export function parsePyLiteral(text: string, opts: Options = {}): PyValue {
  return new Parser(text, opts).parseAll();
}

/** The parse and the number of values it read (for tests that bound the parser's work). */
export function parsePyLiteralCounted(text: string, opts: Options = {}): { value: PyValue; steps: number } {
  const p = new Parser(text, opts);
  return { value: p.parseAll(), steps: p.steps };
}

/** Python's repr of the value, for quoting header contents back to the user. */
export function pyRepr(v: PyValue): string {
  switch (v.kind) {
    case 'str':
      return pythonRepr(v.value);
    case 'int':
      return v.value.toString();
    case 'float':
      return Number.isInteger(v.value) && Math.abs(v.value) < 1e16 ? `${v.value}.0` : String(v.value);
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple':
      return v.items.length === 1 ? `(${pyRepr(v.items[0]!)},)` : `(${v.items.map(pyRepr).join(', ')})`;
    case 'list':
      return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'dict':
      return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
}

/**
 * A Python literal of numbers, bools, None, lists, tuples and str-keyed dicts as JSON text
 * (`[[1., 2], (3, 4)]` -> `[[1.0,2],[3,4]]`), so a value written the Python way can be read by the
 * JSON reader with the same int/float distinction. Other values (str leaves) throw PySyntaxError.
 */
export function pyLiteralToJson(v: PyValue): string {
  switch (v.kind) {
    case 'int':
      return String(v.value);
    case 'float': {
      if (!Number.isFinite(v.value))
        return Number.isNaN(v.value) ? 'NaN' : v.value > 0 ? 'Infinity' : '-Infinity';
      const t = String(v.value);
      return /[.eE]/.test(t) ? t : `${t}.0`;
    }
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'none':
      return 'null';
    case 'list':
    case 'tuple':
      return `[${v.items.map(pyLiteralToJson).join(',')}]`;
    case 'dict':
      return `{${v.entries
        .map(([k, x]) => {
          if (k.kind !== 'str') throw new PySyntaxError('dict keys must be strings');
          return `${JSON.stringify(k.value)}:${pyLiteralToJson(x)}`;
        })
        .join(',')}}`;
    case 'str':
      throw new PySyntaxError('a string is not an array value');
  }
}
