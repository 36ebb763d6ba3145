/**
 * @file Quoting untrusted text (CSV cells, NPY header keys, expressions, paths) into messages: control
 * characters are escaped so that a message cannot move the cursor, clear the screen or hide part of
 * itself on a terminal, and long text is cut, so that a message stays one readable line however large
 * the input that caused it. Also Python's repr() of a str and its escapes, which the expression
 * language and the NPY header parser share.
 */

/** The most characters of one quoted input that a message shows. */
export const QUOTE_LIMIT = 200;

/** `text` with C0/C1 control characters, DEL and line/paragraph separators escaped, as JSON-ish `\xNN`/`\uNNNN`. */
export function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `text` escaped and cut to `limit` characters (with a note of how much was left out). */
export function clip(text: string, limit = QUOTE_LIMIT): string {
  if (text.length <= limit) return escapeControls(text);
  return `${escapeControls(text.slice(0, limit))}... (${text.length - limit} more characters)`;
}

/** Python's repr() of a str: prefers single quotes, escapes backslashes, the quote and unprintables. */
export function pythonRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) {
      const hex = cp.toString(16).padStart(cp < 0x100 ? 2 : cp < 0x10000 ? 4 : 8, '0');
      out += `${cp < 0x100 ? '\\x' : cp < 0x10000 ? '\\u' : '\\U'}${hex}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's one-character string escapes: `\n` stands for a newline, and so on. */
export const PY_SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};
