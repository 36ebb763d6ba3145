/**
 * @file What `tjax sample` does between parsing its flags and writing its result: the `list`
 * text, the distribution looked up by JAX's name (with a suggestion for a near miss), the flags
 * checked against what that distribution takes, its parameters read, the draw from the key, and
 * the `--stats` summary written in place of the values. The command (src/commands/sample.ts)
 * declares the flags and calls these in order.
 */
import * as engine from '../../engine/index.js';
import { suggestName } from '../../expr/errors.js';
import { clip } from '../../format/quote.js';
import { UsageError } from '../errors.js';
import { paramValue, parseKey, parseSeed, parseShape, sampleDType, usage } from './params.js';
import type { Dist } from './signature.js';
import { computeStats, renderStats } from './stats.js';
import { canonicalName, DISTRIBUTIONS, PARAM_FLAGS } from './table.js';

/** The flags of `tjax sample` this file reads; the parameter flags are looked up by name. */
export interface SampleFlags {
  shape?: string;
  seed?: string;
  key?: string;
  dtype?: string;
  stats: boolean;
  json: boolean;
  format?: string;
  out?: string;
}

/** `tjax sample list`: each distribution with its summary and parameters. */
export function listing(): string {
  const rows = [...DISTRIBUTIONS.values()].map((d) => {
    const ps = usage(d) + (d.dtype ? `${d.params.length ? ' ' : ''}[--dtype]` : '');
    return `${d.name.padEnd(20)} ${d.summary}${ps ? `\n${''.padEnd(21)}${ps}` : ''}`;
  });
  return `${rows.join('\n')}\n`;
}

/** The distribution DIST names (`-`, `_` and camelCase agree), or a usage error. */
export function lookupDist(text: string): Dist {
  const name = canonicalName(text);
  const dist = DISTRIBUTIONS.get(name);
  if (dist) return dist;
  const hint = suggestName(name, DISTRIBUTIONS.keys());
  throw new UsageError(
    `unknown distribution '${clip(text)}'${hint ? `; did you mean '${hint}'?` : ''} ('tjax sample list' shows them all)`,
  );
}

/** Flags that the distribution does not take, or that cannot go together, are usage errors. */
export function checkFlags(dist: Dist, flags: SampleFlags): void {
  const raw = flags as unknown as Record<string, unknown>;
  const own = new Set(dist.params.map((p) => p.flag));
  for (const f of PARAM_FLAGS)
    if (raw[f] !== undefined && !own.has(f))
      throw new UsageError(
        `--${f} does not apply to ${dist.name} (it takes ${usage(dist) || 'no parameters'})`,
      );
  if (flags.dtype && !dist.dtype) throw new UsageError(`${dist.name} takes no --dtype`);
  if (flags.shape !== undefined && dist.shape === 'fixed')
    throw new UsageError(`${dist.name} takes no --shape (its result's shape follows its parameters)`);
  if (flags.json && flags.format) throw new UsageError('--json and --format cannot be used together');
}

/** The distribution's parameters from their flags (or defaults), then the draw from the key. */
export async function draw(dist: Dist, flags: SampleFlags): Promise<engine.Array> {
  const raw = flags as unknown as Record<string, unknown>;
  const params = new Map<string, unknown>();
  for (const p of dist.params) {
    const text = raw[p.flag] as string | undefined;
    if (text !== undefined) params.set(p.flag, await paramValue(dist.name, p, text));
    else if (p.default !== undefined) params.set(p.flag, p.default);
    else
      throw new UsageError(
        `${dist.name} needs --${p.flag}${dist.params.length > 1 ? ` (its parameters: ${usage(dist)})` : ''}`,
      );
  }
  const key = flags.key !== undefined ? parseKey(flags.key) : engine.random.key(parseSeed(flags.seed ?? '0'));
  const shape = flags.shape === undefined ? null : parseShape(flags.shape);
  const dtype = flags.dtype ? sampleDType(dist, flags.dtype) : null;
  return dist.draw(key, params, shape, dtype) as engine.Array;
}

/** `--stats`: count, mean, std, quantiles and a histogram (or them as JSON), to --out or stdout. */
export async function writeStats(result: engine.Array, flags: SampleFlags): Promise<void> {
  const st = computeStats((await result.data()) as ArrayLike<number>, !result.dtype.isFloat);
  const text = flags.json
    ? `${JSON.stringify(st, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`
    : renderStats(st);
  if (flags.out && flags.out !== '-') {
    const { writeFileAtomic } = await import('../../format/atomic.js');
    await writeFileAtomic(flags.out, text);
  } else process.stdout.write(text);
}
