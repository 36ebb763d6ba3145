/**
 * @file Python's text forms of values, as JAX prints them in jaxprs and param lists: float repr
 * (shortest round-trip digits; exponent form below 1e-4 and from 1e16), tuples `(0,)`, None,
 * True/False.
 */

/** Python's repr(float(x)). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** A list (printed `[a, b]`) rather than a tuple, for the few params JAX keeps as lists. */
export class PyList {
  constructor(readonly items: readonly unknown[]) {}
}
export function pyList(items: readonly unknown[]): PyList {
  return new PyList(items);
}

/** A value printed verbatim (enum members such as `GatherScatterMode.FILL_OR_DROP`). */
export class PyRaw {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

/**
 * A NumPy integer scalar in a param, printed `np.int64(1)`: JAX's batching rule for reductions
 * computes the shifted axes with NumPy, so vmapped reductions print them that way. It converts
 * to its number (`Number(x)`, arithmetic, JSON), which is how param readers use axes.
 */
export class NpInt {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
  pyStr(): string {
    return `np.int64(${this.value})`;
  }
}

/** Python's str() of a param value. */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : pyFloat(v);
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'function') return v.name || '<lambda>';
  if (v instanceof PyList) return `[${v.items.map(pyStr).join(', ')}]`;
  if (Array.isArray(v)) return v.length === 1 ? `(${pyStr(v[0])},)` : `(${v.map(pyStr).join(', ')})`;
  if (typeof (v as { pyStr?: unknown }).pyStr === 'function') return (v as { pyStr(): string }).pyStr();
  return String(v);
}
