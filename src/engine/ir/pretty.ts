/**
 * @file A small Wadler-Lindig pretty printer with the semantics of JAX's (jaxlib's C++ printer
 * behind jax/_src/pretty_printer.py): formatting starts in break mode; a group is laid out flat
 * when its own flat text fits in the remaining width (what follows it is not counted); a break
 * prints its text when flat and a newline plus the current indent otherwise.
 */

export type Doc =
  | { t: 'text'; s: string }
  | { t: 'concat'; docs: Doc[] }
  | { t: 'brk'; s: string }
  | { t: 'group'; doc: Doc }
  | { t: 'nest'; n: number; doc: Doc };

export const nil: Doc = { t: 'concat', docs: [] };
export const text = (s: string): Doc => ({ t: 'text', s });
export const concat = (...docs: Doc[]): Doc => ({ t: 'concat', docs });
export const brk = (s = ' '): Doc => ({ t: 'brk', s });
export const group = (doc: Doc): Doc => ({ t: 'group', doc });
export const nest = (n: number, doc: Doc): Doc => ({ t: 'nest', n, doc });

export function join(sep: Doc, docs: Doc[]): Doc {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i) out.push(sep);
    out.push(d);
  });
  return concat(...out);
}

function flatWidth(d: Doc, limit: number): number {
  // Stops early once past `limit` (only "fits or not" matters).
  let n = 0;
  const stack: Doc[] = [d];
  while (stack.length && n <= limit) {
    const x = stack.pop()!;
    switch (x.t) {
      case 'text':
      case 'brk':
        n += x.s.length;
        break;
      case 'concat':
        for (let i = x.docs.length - 1; i >= 0; i--) stack.push(x.docs[i]);
        break;
      case 'group':
      case 'nest':
        stack.push(x.doc);
        break;
    }
  }
  return n;
}

export function format(doc: Doc, width = 80): string {
  const out: string[] = [];
  let col = 0;
  type Item = { indent: number; flat: boolean; doc: Doc };
  const stack: Item[] = [{ indent: 0, flat: false, doc }];
  while (stack.length) {
    const { indent, flat, doc: d } = stack.pop()!;
    switch (d.t) {
      case 'text':
        out.push(d.s);
        col += d.s.length;
        break;
      case 'brk':
        if (flat) {
          out.push(d.s);
          col += d.s.length;
        } else {
          out.push(`\n${' '.repeat(indent)}`);
          col = indent;
        }
        break;
      case 'concat':
        for (let i = d.docs.length - 1; i >= 0; i--) stack.push({ indent, flat, doc: d.docs[i] });
        break;
      case 'nest':
        stack.push({ indent: indent + d.n, flat, doc: d.doc });
        break;
      case 'group': {
        const fits = flat || col + flatWidth(d.doc, width - col) <= width;
        stack.push({ indent, flat: fits, doc: d.doc });
        break;
      }
    }
  }
  return out.join('');
}
