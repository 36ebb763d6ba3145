/**
 * @file The text of `tjax sample`'s flags as values: shapes, parameters by kind, keys and seeds.
 * Integers are written in decimal digits only: `3,,4`, `1e3` or `0x10` as a shape or an int are
 * usage errors, not 0, 1000 or 16.
 */
import * as engine from '../../engine/index.js';
import { clip } from '../../format/quote.js';
import { UsageError } from '../errors.js';
import { loadSource } from '../sources.js';
import type { Dist, Kind, Param } from './signature.js';

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf|infinity|nan)$/i;

/** `3,4`, `(3, 4)`, `[3]`, `3,` or `''` (a scalar). */
export function parseShape(text: string): number[] {
  const t = text.trim().replace(/^[([]|[)\]]$/g, '');
  if (t.trim() === '') return [];
  // One trailing comma is Python's one-tuple; any other empty dimension is a typo.
  const dims = t.split(',').map((x) => x.trim());
  if (dims.length > 1 && dims[dims.length - 1] === '') dims.pop();
  if (dims.some((d) => !/^\d+$/.test(d)))
    throw new UsageError(
      `--shape expects non-negative integers like 3,4 (or '' for a scalar), got '${clip(text)}'`,
    );
  return dims.map(Number);
}

function parseNumberText(t: string): number {
  const l = t.toLowerCase().replace(/^\+/, '');
  if (l === 'nan') return Number.NaN;
  if (/^-?inf(inity)?$/.test(l)) return l.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** A parameter flag's value: plain numbers stay JS numbers (weakly typed, as Python scalars are). */
export async function paramValue(dist: string, p: Param, text: string): Promise<unknown> {
  const bad = (what: string) => new UsageError(`--${p.flag} of ${dist} expects ${what}, got '${clip(text)}'`);
  const t = text.trim();
  switch (p.kind) {
    case 'int':
      if (!INTEGER.test(t) || !Number.isSafeInteger(Number(t))) throw bad('an integer');
      return Number(t);
    case 'number':
      if (!NUMBER.test(t)) throw bad('a number');
      return parseNumberText(t);
    case 'bool': {
      const l = t.toLowerCase();
      if (['true', '1', 'yes'].includes(l)) return true;
      if (['false', '0', 'no'].includes(l)) return false;
      throw bad('true or false');
    }
    case 'mode':
      if (!p.choices!.includes(text)) throw bad(`one of ${p.choices!.join(', ')}`);
      return text;
    case 'shape': {
      const shape = parseShape(text);
      return shape.length === 1 ? shape[0] : shape;
    }
    case 'array':
      if (NUMBER.test(t)) return parseNumberText(t);
      return loadSource(text);
  }
}

export function parseKey(text: string): engine.random.KeyLike {
  const parts = text
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(/[,\s]+/)
    .filter(Boolean);
  if (parts.length !== 2 || parts.some((x) => !/^\d+$/.test(x) || Number(x) > 0xffffffff))
    throw new UsageError(
      `--key expects two uint32 words K0,K1 (as printed by 'tjax sample split'), got '${clip(text)}'`,
    );
  const words = new Uint32Array(parts.map(Number));
  return engine.random.wrapKeyData(engine.fromHostData(words, [2], engine.dtypes.uint32));
}

export function parseSeed(text: string): number | bigint {
  if (!INTEGER.test(text.trim())) throw new UsageError(`--seed expects an integer, got '${clip(text)}'`);
  const b = BigInt(text.trim());
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

/** `--a --b [--mode]`: required flags bare, optional ones bracketed. */
export function usage(d: Dist): string {
  return d.params.map((p) => (p.default === undefined ? `--${p.flag}` : `[--${p.flag}]`)).join(' ');
}

const KIND_TEXT: Record<Kind, string> = {
  array: 'a number, inline JSON or a SOURCE (file.npy, file.csv, ...)',
  number: 'a number',
  int: 'an integer',
  bool: 'true or false',
  mode: 'a name',
  shape: 'an integer, or a shape like 2,3',
};

/** Each parameter flag's help: which distributions take it, and what it accepts. */
export function paramHelp(flag: string, dists: Iterable<Dist>): string {
  const uses = [...dists].flatMap((d) =>
    d.params.filter((p) => p.flag === flag).map((p) => ({ name: d.name, p })),
  );
  const kinds = [...new Set(uses.map((u) => (u.p.choices ? u.p.choices.join('|') : KIND_TEXT[u.p.kind])))];
  return `${uses.map((u) => u.name).join(', ')}: ${kinds.join('; or ')}`;
}

/** The --dtype of a distribution, checked against the kind it draws. */
export function sampleDType(d: Dist, text: string): string {
  let name: string;
  try {
    name = engine.dtypes.toDType(text).name;
  } catch {
    throw new UsageError(`unknown dtype '${clip(text)}'`);
  }
  const kind = engine.dtypes.toDType(name).kind;
  const ok =
    d.dtype === 'float' ? kind === 'f' : d.dtype === 'uint' ? kind === 'u' : kind === 'i' || kind === 'u';
  if (!ok) {
    const want = d.dtype === 'int' ? 'n integer' : d.dtype === 'uint' ? 'n unsigned integer' : ' float';
    throw new UsageError(`--dtype of ${d.name} must be a${want} dtype, got ${name}`);
  }
  return name;
}
