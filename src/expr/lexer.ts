/**
 * @file Tokenizer for tjax's expression language, following Python's lexical rules for names, numbers,
 * strings, operators and comments.
 *
 * Line structure: an expression is a single expression, so there are no statements for a newline to end.
 * Newlines are therefore whitespace everywhere, as if the whole source were inside parentheses, and a
 * backslash at the end of a line is accepted too. Every input that Python's `eval` accepts means the same
 * here, and a multi-line expression pasted from a file works whether or not it was bracketed. Tokens record
 * whether a newline preceded them, so the parser can explain a second expression on a later line.
 */

import { PY_SIMPLE_ESCAPES } from '../format/quote.js';
import { ExprSyntaxError } from './errors.js';

export type TokenKind = 'name' | 'keyword' | 'number' | 'string' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text; for a name, the NFKC-normalised identifier. */
  text: string;
  start: number;
  end: number;
  /** A line break (outside a string) separates this token from the previous one. */
  newlineBefore: boolean;
  /** Decoded value of a string token ('' otherwise). */
  value: string;
  /** Value of a number token (0 otherwise); a bigint for an int beyond 2 ** 53. */
  num: number | bigint;
  /** Whether a number token is an int literal. */
  isInt: boolean;
  /** Whether a number token is an imaginary literal (`2j`, `1.5e3J`): its value is the imaginary part. */
  imag?: boolean;
}

/** A Python int as the evaluator holds it: a number while exact, a bigint beyond 2 ** 53. */
export function exactInt(v: bigint): number | bigint {
  return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
}

/** Python's hard keywords: none can be a name, so misuse gets a clear error instead of an odd parse. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

// Python's full operator set is lexed (augmented assignments, '->', ':=') so that using one gets an error
// naming the whole operator rather than a confusing one about its last character.
const OPERATORS_3 = ['**=', '//=', '>>=', '<<=', '...'];
const OPERATORS_2 = [
  '**',
  '//',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '->',
  ':=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '@=',
  '&=',
  '|=',
  '^=',
];
const OPERATORS_1 = '+-*/%@&|^~<>()[]{},:.;=';

// Characters that usually arrive by pasting from a document or from another language.
const CHAR_HINTS: Record<string, string> = {
  '\u2018': "use ' to quote strings",
  '\u2019': "use ' to quote strings",
  '\u201c': 'use " to quote strings',
  '\u201d': 'use " to quote strings',
  '\u2212': "use '-' for minus",
  '\u00d7': "use '*' or '@' for products",
  '\u00f7': "use '/' for division",
  '!': "use 'not' for negation, '!=' for inequality",
  '\\': "a '\\' outside a string is only allowed at the end of a line",
  '`': "use ' to quote strings",
};

const STRING_PREFIXES: ReadonlySet<string> = new Set([
  'r',
  'u',
  'b',
  'f',
  't',
  'br',
  'rb',
  'fr',
  'rf',
  'tr',
  'rt',
]);

const DIGITS = String.raw`\d(?:_?\d)*`;
const DECIMAL = new RegExp(
  String.raw`(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?`,
  'y',
);
const PREFIXED: Record<string, RegExp> = {
  x: /0[xX](?:_?[0-9a-fA-F])+/y,
  o: /0[oO](?:_?[0-7])+/y,
  b: /0[bB](?:_?[01])+/y,
};

const ID_START = /[\p{ID_Start}_]/u;
const ID_CONTINUE = /[\p{ID_Continue}]/u;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdStart(cp: number): boolean {
  if (cp < 128) return (cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) || cp === 95;
  return ID_START.test(String.fromCodePoint(cp));
}

function isIdContinue(cp: number): boolean {
  if (cp < 128) return isIdStart(cp) || (cp >= 48 && cp <= 57);
  return ID_CONTINUE.test(String.fromCodePoint(cp));
}

function codePointLength(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

/** Produces tokens on demand, so an error late in the source does not hide an earlier parse error. */
export class Lexer {
  private pos = 0;
  /** End of the last real token: where an end-of-input error points, ignoring trailing blanks. */
  private lastEnd = 0;

  constructor(private readonly source: string) {}

  next(): Token {
    const newlineBefore = this.skipTrivia();
    const src = this.source;
    const start = this.pos;
    if (start >= src.length) return this.token('eof', '', this.lastEnd, this.lastEnd, newlineBefore);
    const c = src[start]!;
    if (isDigit(c) || (c === '.' && isDigit(src[start + 1]))) return this.number(newlineBefore);
    if (c === '"' || c === "'") return this.string(start, start, false, newlineBefore);
    const cp = src.codePointAt(start)!;
    if (isIdStart(cp)) return this.word(newlineBefore);
    for (const op of [...OPERATORS_3, ...OPERATORS_2]) {
      if (src.startsWith(op, start)) return this.op(op, newlineBefore);
    }
    if (OPERATORS_1.includes(c)) return this.op(c, newlineBefore);
    return this.fail(this.describeChar(start), start);
  }

  private fail(reason: string, offset: number): never {
    throw new ExprSyntaxError(reason, this.source, offset);
  }

  private token(
    kind: TokenKind,
    text: string,
    start: number,
    end: number,
    newlineBefore: boolean,
    extra: Partial<Pick<Token, 'value' | 'num' | 'isInt' | 'imag'>> = {},
  ): Token {
    this.pos = Math.max(this.pos, end);
    if (kind !== 'eof') this.lastEnd = end;
    return { kind, text, start, end, newlineBefore, value: '', num: 0, isInt: false, ...extra };
  }

  private op(text: string, newlineBefore: boolean): Token {
    return this.token('op', text, this.pos, this.pos + text.length, newlineBefore);
  }

  /** Skips blanks, newlines, comments and backslash continuations; reports whether a newline was seen. */
  private skipTrivia(): boolean {
    const src = this.source;
    let newline = false;
    for (;;) {
      const c = src[this.pos];
      if (c === ' ' || c === '\t' || c === '\f') {
        this.pos++;
      } else if (c === '\n' || c === '\r') {
        newline = true;
        this.pos++;
      } else if (c === '#') {
        while (this.pos < src.length && src[this.pos] !== '\n' && src[this.pos] !== '\r') this.pos++;
      } else if (c === '\\' && (src[this.pos + 1] === '\n' || src[this.pos + 1] === '\r')) {
        this.pos += src.startsWith('\r\n', this.pos + 1) ? 3 : 2;
      } else {
        return newline;
      }
    }
  }

  private describeChar(offset: number): string {
    const src = this.source;
    const cp = src.codePointAt(offset)!;
    const ch = String.fromCodePoint(cp);
    const hint = CHAR_HINTS[ch];
    const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    // An invisible or non-ASCII character is named by its code point so the user can find it.
    const invisible = /[\p{C}\p{Z}]/u.test(ch);
    const notes = [cp > 127 && !invisible ? code : '', hint ?? ''].filter((n) => n !== '').join('; ');
    return `unexpected character ${invisible ? code : `'${ch}'`}${notes ? ` (${notes})` : ''}`;
  }

  private number(newlineBefore: boolean): Token {
    const src = this.source;
    const start = this.pos;
    let text: string | undefined;
    let isInt = true;
    let value: number | bigint = 0;
    const prefixed = src[start] === '0' ? PREFIXED[(src[start + 1] ?? '').toLowerCase()] : undefined;
    if (prefixed) {
      prefixed.lastIndex = start;
      const m = prefixed.exec(src);
      if (m) {
        text = m[0];
        const digits = text.slice(2).replace(/_/g, '');
        value = exactInt(BigInt(`0${text[1]!.toLowerCase()}${digits}`));
      }
    } else {
      DECIMAL.lastIndex = start;
      const m = DECIMAL.exec(src)!;
      text = m[0];
      isInt = !/[.eE]/.test(text);
      value = isInt ? exactInt(BigInt(text.replace(/_/g, ''))) : Number(text.replace(/_/g, ''));
    }
    // Python reads `1e`, `1_`, `0x` or `12abc` as one malformed literal, not a number followed by a name.
    let end = start + (text?.length ?? 0);
    const after = src.codePointAt(end);
    if (text !== undefined && !prefixed && (after === 106 || after === 74)) {
      // An imaginary literal (Python's `imagnumber`): decimal digits, a point or exponent optional.
      const next = src.codePointAt(end + 1);
      if (next === undefined || !isIdContinue(next)) {
        const imag = Number(text.replace(/_/g, ''));
        return this.token('number', src.slice(start, end + 1), start, end + 1, newlineBefore, {
          num: imag,
          isInt: false,
          imag: true,
        });
      }
    }
    if (text === undefined || (after !== undefined && isIdContinue(after))) {
      while (end < src.length && isIdContinue(src.codePointAt(end)!))
        end += codePointLength(src.codePointAt(end)!);
      return this.fail(`invalid number literal '${src.slice(start, end)}'`, start);
    }
    if (isInt && !prefixed && /^0[0_]*[1-9]/.test(text)) {
      const octal = `0o${text.replace(/^[0_]+/, '')}`;
      this.fail(
        `invalid number literal '${text}' (leading zeros are not allowed; write ${octal} for octal)`,
        start,
      );
    }
    return this.token('number', text, start, end, newlineBefore, { num: value, isInt });
  }

  /** A name or keyword, or the prefix of a prefixed string literal such as r'...'. */
  private word(newlineBefore: boolean): Token {
    const src = this.source;
    const start = this.pos;
    let end = start;
    while (end < src.length && isIdContinue(src.codePointAt(end)!))
      end += codePointLength(src.codePointAt(end)!);
    const word = src.slice(start, end);
    const quote = src[end];
    if ((quote === '"' || quote === "'") && STRING_PREFIXES.has(word.toLowerCase())) {
      const prefix = word.toLowerCase();
      if (prefix.includes('b')) this.fail('bytes literals are not supported', start);
      if (prefix.includes('f')) this.fail('f-strings are not supported', start);
      if (prefix.includes('t')) this.fail('t-strings are not supported', start);
      return this.string(start, end, prefix === 'r', newlineBefore);
    }
    const id = word.normalize('NFKC');
    return this.token(KEYWORDS.has(id) ? 'keyword' : 'name', id, start, end, newlineBefore);
  }

  /** A string literal whose prefix starts at `start` and whose opening quote is at `quoteAt`. */
  private string(start: number, quoteAt: number, raw: boolean, newlineBefore: boolean): Token {
    const src = this.source;
    const q = src[quoteAt]!;
    const triple = src.startsWith(q + q + q, quoteAt);
    const closing = triple ? q + q + q : q;
    let i = quoteAt + closing.length;
    let value = '';
    for (;;) {
      if (i >= src.length) this.fail('unterminated string', start);
      const ch = src[i]!;
      if (src.startsWith(closing, i)) {
        i += closing.length;
        break;
      }
      if (ch === '\n' || ch === '\r') {
        if (!triple) this.fail('unterminated string', start);
        // Python reads source with universal newlines, so a literal line break is always '\n'.
        value += '\n';
        i += src.startsWith('\r\n', i) ? 2 : 1;
      } else if (ch !== '\\') {
        value += ch;
        i++;
      } else if (raw) {
        // In a raw string a backslash still keeps the next character (even a quote) from ending it.
        if (i + 1 >= src.length) this.fail('unterminated string', start);
        const len = src.startsWith('\r\n', i + 1) ? 3 : 2;
        value += src.slice(i, i + len);
        i += len;
      } else {
        const [decoded, len] = this.escape(i, start);
        value += decoded;
        i += len;
      }
    }
    return this.token('string', src.slice(start, i), start, i, newlineBefore, { value });
  }

  /** Decodes the escape sequence whose backslash is at `i`: [text, source length]. */
  private escape(i: number, stringStart: number): [string, number] {
    const src = this.source;
    const e = src[i + 1];
    if (e === undefined) return this.fail('unterminated string', stringStart);
    if (e === '\n') return ['', 2];
    if (e === '\r') return ['', src[i + 2] === '\n' ? 3 : 2];
    const simple = PY_SIMPLE_ESCAPES[e];
    if (simple !== undefined) return [simple, 2];
    if (e >= '0' && e <= '7') {
      const digits = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4))![0];
      return [String.fromCodePoint(Number.parseInt(digits, 8)), 1 + digits.length];
    }
    const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const digits = src.slice(i + 2, i + 2 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) {
        this.fail(`truncated \\${e}${'X'.repeat(hexLength)} escape`, i);
      }
      const cp = Number.parseInt(digits, 16);
      if (cp > 0x10ffff) this.fail(`illegal Unicode character in \\${e} escape`, i);
      return [String.fromCodePoint(cp), 2 + hexLength];
    }
    if (e === 'N') this.fail('\\N{...} escapes are not supported', i);
    // Python keeps the backslash of an unknown escape (with a warning), so '\d' stays two characters.
    return ['\\', 1];
  }
}
