/**
 * @file Errors of the expression language, positioned at a source offset and rendered with a caret under
 * the offending column, plus a "did you mean" helper for unknown names.
 */

import { escapeControls } from '../format/quote.js';
import { lineColumn, sourceLine } from './ast.js';

export { suggestName } from '../engine/core/suggest.js';

/** The most characters of a source line that an error shows (around the caret). */
const WINDOW = 160;

/**
 * An error located in an expression's source. `message` is `"<reason> at <line>:<column>"` so that code
 * printing only `message` still shows where; `render()` adds the source line and a caret. The evaluator
 * can throw this directly (with the node's span) for errors such as unknown names.
 */
export class ExprError extends Error {
  override name = 'ExprError';
  /** The message without its position. */
  readonly reason: string;
  readonly source: string;
  /** UTF-16 offset into `source`. */
  readonly offset: number;
  /** Exclusive end offset of the offending text; equal to `offset` for a single caret. */
  readonly endOffset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in code points. */
  readonly column: number;

  constructor(reason: string, source: string, offset: number, endOffset: number = offset) {
    const { line, column } = lineColumn(source, offset);
    super(`${reason} at ${line}:${column}`);
    this.reason = reason;
    this.source = source;
    this.offset = offset;
    this.endOffset = Math.max(offset, endOffset);
    this.line = line;
    this.column = column;
  }

  /**
   * Three lines: `error: <reason> at L:C`, the source line, and carets under the error's span (one caret
   * when the span is empty). Tabs in the source line are kept in the caret line so the caret lines up.
   */
  render(source: string = this.source): string {
    const { line, column } = lineColumn(source, this.offset);
    const chars = Array.from(sourceLine(source, line));
    let width = 1;
    if (this.endOffset > this.offset) {
      const end = lineColumn(source, this.endOffset);
      const lastColumn = end.line === line ? end.column : chars.length + 1;
      width = Math.max(1, lastColumn - column);
    }
    // A long line is shown as a window around the caret; control characters are escaped (the caret
    // moves along with them), so the source cannot garble the terminal or run to megabytes.
    const from = Math.max(0, Math.min(column - 1 - WINDOW / 2, chars.length - WINDOW));
    const to = Math.min(chars.length, from + WINDOW);
    let text = from > 0 ? '...' : '';
    let pad = from > 0 ? '   ' : '';
    for (let i = from; i < to; i++) {
      const shown = chars[i] === '\t' ? '\t' : escapeControls(chars[i]!);
      text += shown;
      if (i < column - 1) pad += chars[i] === '\t' ? '\t' : ' '.repeat(Array.from(shown).length);
    }
    if (to < chars.length) text += '...';
    width = Math.min(width, Math.max(1, to - (column - 1)));
    return `error: ${this.reason} at ${line}:${column}\n${text}\n${pad}${'^'.repeat(width)}`;
  }
}

/** A lexing or parsing error; always rendered with a single caret. */
export class ExprSyntaxError extends ExprError {
  override name = 'ExprSyntaxError';

  constructor(reason: string, source: string, offset: number) {
    super(reason, source, offset);
  }
}
