/**
 * @file Quoting untrusted text (CSV cells, NPY header keys, expressions, paths) into messages: control
 * characters are escaped so that a message cannot move the cursor, clear the screen or hide part of
 * itself on a terminal, and long text is cut, so that a message stays one readable line however large
 * the input that caused it.
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
