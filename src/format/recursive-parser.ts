/**
 * @file What the hand-written recursive-descent parsers of untrusted text (JSON input, the Python
 * literals of NPY headers) share: the position in the text, the count of values read (tests bound the
 * parsers' work with it) and the limit on nesting, without which hostile input would exhaust the call
 * stack (Python's json module and CPython's parser have limits of their own).
 */

/** The scalars both parsers read: strings, integers of any size, floats and booleans. */
export type ScalarLiteral =
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean };

export abstract class RecursiveParser<V> {
  protected pos = 0;
  private depth = 0;
  /** Values parsed so far: the measure of work the linearity tests bound. */
  steps = 0;

  constructor(
    protected readonly s: string,
    private readonly maxDepth: number,
    private readonly tooDeep: string,
    private readonly atEnd: string,
  ) {}

  protected abstract fail(msg: string): never;

  /** Moves pos past white space (and whatever else the grammar skips between tokens). */
  protected abstract skipSpace(): void;

  /** The value that starts with character `c` at pos. */
  protected abstract valueAt(c: string): V;

  /** One value after optional space, nested in no more than maxDepth brackets. */
  protected value(): V {
    this.steps++;
    if (++this.depth > this.maxDepth) this.fail(this.tooDeep);
    try {
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === undefined) this.fail(this.atEnd);
      return this.valueAt(c);
    } finally {
      this.depth--;
    }
  }
}
