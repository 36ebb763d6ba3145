/**
 * @file The host form of a complex scalar. JavaScript has no complex numbers, so a complex array
 * element read on the host (`item()`, `tolist()`, a literal in a jaxpr) is a `Complex`, and a
 * `Complex` passed where an array is expected is a weakly typed complex scalar, as a Python
 * `complex` is in JAX (the lattice's `c*` node). Its text is Python's `repr(complex)`.
 */
import { pyFloat } from '../ir/pyrepr.js';

/** A host scalar: what `item()` returns (a Complex for complex dtypes). */
export type HostScalar = number | boolean | bigint | Complex;

export class Complex {
  constructor(
    readonly re: number,
    readonly im = 0,
  ) {}

  /** Python's repr: `(1+2j)`, `2j` for a zero (positive) real part, integral parts without `.0`. */
  toString(): string {
    const part = (x: number) => {
      const s = pyFloat(x);
      return s.endsWith('.0') ? s.slice(0, -2) : s;
    };
    const im = `${part(this.im)}j`;
    if (this.re === 0 && !Object.is(this.re, -0)) return im;
    const sign = im.startsWith('-') ? '' : '+';
    return `(${part(this.re)}${sign}${im})`;
  }

  /** As JSON, a complex number is its [real, imaginary] pair (the CLI's documented form). */
  toJSON(): [number, number] {
    return [this.re, this.im];
  }

  /** Arithmetic on a complex scalar needs an array: converting it to a JS number is an error, as
   * Python's `float(1j)` is. */
  valueOf(): never {
    throw new TypeError("can't convert complex to float");
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** `new Complex(re, im)`, for brevity in programs: `jnp.array([c(1, 2), c(0, 1)])`. */
export function complex(re: number, im = 0): Complex {
  return new Complex(re, im);
}
