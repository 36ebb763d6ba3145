/**
 * @file `tjax sample DIST`: draw from any of jax.random's samplers (or take `bits`/`split`) on
 * the command line, with JAX's distribution and parameter names, so the same key gives JAX's
 * numbers. Parameters are flags (`--lam 3`, `--logits '[0.1,2]'`, `--cov cov.npy`), the key is
 * `--seed N` or `--key K0,K1`, and results go out as `tjax run` writes them; `--stats` prints a
 * summary and a text histogram instead. The table below maps each distribution to its engine
 * call; unknown names get the nearest one suggested.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import { UsageError } from '../cli/errors.js';
import { applyEngineFlags } from '../cli/inputs.js';
import { OUTPUT_FORMATS, type OutputFormat, writeResult } from '../cli/output.js';
import { loadSource } from '../cli/sources.js';
import * as engine from '../engine/index.js';

const R = engine.random;
type Value = engine.Value;
type Num = Value | number;
type Key = engine.random.KeyLike;

type Kind = 'array' | 'number' | 'int' | 'bool' | 'mode' | 'shape';

interface Param {
  flag: string;
  kind: Kind;
  /** Undefined: required. */
  default?: unknown;
  choices?: string[];
}

interface Dist {
  params: Param[];
  /** Whether the sampler takes a dtype, and of what kind. */
  dtype?: 'float' | 'int' | 'uint';
  /** JAX's default when --shape is absent: () or None (the parameters' broadcast shape). */
  shape: 'scalar' | 'none' | 'fixed';
  summary: string;
  draw: (key: Key, p: Record<string, unknown>, shape: number[] | null, dtype: string | null) => unknown;
}

const req = (flag: string, kind: Kind = 'array'): Param => ({ flag, kind });
const opt = (flag: string, def: unknown, kind: Kind = 'array', choices?: string[]): Param => ({
  flag,
  kind,
  default: def,
  choices,
});
const n = (x: unknown) => x as Num;
const s0 = (shape: number[] | null) => shape ?? [];

/** Whatever the random namespace has beyond this table's (multivariate_normal, orthogonal). */
const extra = R as unknown as Record<string, ((...a: unknown[]) => Value) | undefined>;
function optional(name: string, js: string): (...a: unknown[]) => Value {
  const f = extra[js];
  if (typeof f !== 'function') throw new Error(`${name} is not available in this build of tjax yet`);
  return f;
}

const DISTS: Record<string, Dist> = {
  uniform: {
    summary: 'uniform on [minval, maxval)',
    params: [opt('minval', 0), opt('maxval', 1)],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, p, s, d) => R.uniform(k, s0(s), d, n(p.minval), n(p.maxval)),
  },
  normal: {
    summary: 'standard normal',
    params: [],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, _p, s, d) => R.normal(k, s0(s), d),
  },
  truncated_normal: {
    summary: 'standard normal truncated to (lower, upper)',
    params: [req('lower'), req('upper')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.truncatedNormal(k, n(p.lower), n(p.upper), s, d),
  },
  bernoulli: {
    summary: 'booleans, true with probability p',
    params: [opt('p', 0.5), opt('mode', 'low', 'mode', ['low', 'high'])],
    shape: 'none',
    draw: (k, p, s) => R.bernoulli(k, n(p.p), s, p.mode as string),
  },
  beta: {
    summary: 'beta(a, b)',
    params: [req('a'), req('b')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.beta(k, n(p.a), n(p.b), s, d),
  },
  binomial: {
    summary: 'successes in n trials of probability p (as floats)',
    params: [req('n'), req('p')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.binomial(k, n(p.n), n(p.p), s, d),
  },
  categorical: {
    summary: 'indices drawn with probabilities softmax(logits)',
    params: [req('logits'), opt('axis', -1, 'int'), opt('replace', true, 'bool')],
    shape: 'none',
    draw: (k, p, s) =>
      R.categorical(k, n(p.logits), { axis: p.axis as number, shape: s, replace: p.replace as boolean }),
  },
  cauchy: {
    summary: 'standard Cauchy',
    params: [],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, _p, s, d) => R.cauchy(k, s0(s), d),
  },
  chisquare: {
    summary: 'chi-square with df degrees of freedom',
    params: [req('df')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.chisquare(k, n(p.df), s, d),
  },
  choice: {
    summary: 'elements of a (or of arange(a)), with optional probabilities p',
    params: [req('a'), opt('p', null), opt('replace', true, 'bool'), opt('axis', 0, 'int')],
    shape: 'scalar',
    draw: (k, p, s) =>
      R.choice(k, n(p.a), {
        shape: s0(s),
        replace: p.replace as boolean,
        p: p.p as Num | null,
        axis: p.axis as number,
      }),
  },
  dirichlet: {
    summary: 'Dirichlet with concentrations alpha (last axis)',
    params: [req('alpha')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.dirichlet(k, n(p.alpha), s, d),
  },
  exponential: {
    summary: 'standard exponential',
    params: [],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, _p, s, d) => R.exponential(k, s0(s), d),
  },
  gamma: {
    summary: 'gamma with shape a, scale 1',
    params: [req('a')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.gamma(k, n(p.a), s, d),
  },
  geometric: {
    summary: 'trials until the first success of probability p',
    params: [req('p')],
    dtype: 'int',
    shape: 'none',
    draw: (k, p, s, d) => R.geometric(k, n(p.p), s, d),
  },
  gumbel: {
    summary: 'standard Gumbel',
    params: [opt('mode', 'low', 'mode', ['low', 'high', 'highest'])],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, p, s, d) => R.gumbel(k, s0(s), d, p.mode as string),
  },
  laplace: {
    summary: 'standard Laplace',
    params: [],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, _p, s, d) => R.laplace(k, s0(s), d),
  },
  loggamma: {
    summary: 'log of gamma(a) draws (accurate for small a)',
    params: [req('a')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.loggamma(k, n(p.a), s, d),
  },
  logistic: {
    summary: 'standard logistic',
    params: [],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, _p, s, d) => R.logistic(k, s0(s), d),
  },
  lognormal: {
    summary: 'exp(sigma * normal)',
    params: [opt('sigma', 1)],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.lognormal(k, n(p.sigma), s, d),
  },
  pareto: {
    summary: 'Pareto with shape b',
    params: [req('b')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.pareto(k, n(p.b), s, d),
  },
  permutation: {
    summary: 'a shuffle of x (or of arange(x)) along axis',
    params: [req('x'), opt('axis', 0, 'int'), opt('independent', false, 'bool')],
    shape: 'fixed',
    draw: (k, p) => R.permutation(k, n(p.x), p.axis as number, p.independent as boolean),
  },
  poisson: {
    summary: 'Poisson with rate lam',
    params: [req('lam')],
    dtype: 'int',
    shape: 'none',
    draw: (k, p, s, d) => R.poisson(k, n(p.lam), s, d),
  },
  rademacher: {
    summary: '-1 or +1 with equal probability',
    params: [],
    dtype: 'int',
    shape: 'scalar',
    draw: (k, _p, s, d) => R.rademacher(k, s0(s), d),
  },
  randint: {
    summary: 'integers in [minval, maxval)',
    params: [req('minval'), req('maxval')],
    dtype: 'int',
    shape: 'scalar',
    draw: (k, p, s, d) => R.randint(k, s0(s), n(p.minval), n(p.maxval), d),
  },
  t: {
    summary: "Student's t with df degrees of freedom",
    params: [req('df')],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) => R.t(k, n(p.df), s, d),
  },
  weibull_min: {
    summary: 'Weibull with scale and concentration',
    params: [req('scale'), req('concentration')],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, p, s, d) => R.weibullMin(k, n(p.scale), n(p.concentration), s0(s), d),
  },
  ball: {
    summary: 'uniform in the unit p-norm ball of dimension d',
    params: [req('d', 'int'), opt('p', 2, 'number')],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, p, s, d) => R.ball(k, p.d as number, p.p as number, s0(s), d),
  },
  multivariate_normal: {
    summary: 'normal with mean and covariance cov',
    params: [req('mean'), req('cov'), opt('method', 'cholesky', 'mode', ['cholesky', 'eigh', 'svd'])],
    dtype: 'float',
    shape: 'none',
    draw: (k, p, s, d) =>
      optional('multivariate_normal', 'multivariateNormal')(k, p.mean, p.cov, s, d, p.method),
  },
  orthogonal: {
    summary: 'uniformly random n x n orthogonal matrices',
    params: [req('n', 'int')],
    dtype: 'float',
    shape: 'scalar',
    draw: (k, p, s, d) => optional('orthogonal', 'orthogonal')(k, p.n, s0(s), d),
  },
  bits: {
    summary: 'uniform random bits as unsigned integers',
    params: [],
    dtype: 'uint',
    shape: 'scalar',
    draw: (k, _p, s, d) => R.bits(k, s0(s), d),
  },
  split: {
    summary: 'num new keys, printed as rows of two uint32',
    params: [opt('num', 2, 'shape')],
    shape: 'fixed',
    draw: (k, p) => R.keyData(R.split(k, p.num as number | number[])),
  },
};

/** Every parameter flag any distribution takes (oclif needs them declared up front). */
const PARAM_FLAGS = [...new Set(Object.values(DISTS).flatMap((d) => d.params.map((p) => p.flag)))].sort();

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** JAX's name of a distribution: `truncated-normal`, `truncatedNormal` and `truncated_normal` agree. */
export function canonicalName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/-/g, '_');
}

function nearest(name: string): string {
  let best = '';
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of Object.keys(DISTS)) {
    const d = Math.min(levenshtein(name, k), k.startsWith(name) ? 1 : Number.POSITIVE_INFINITY);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

export function parseShape(text: string): number[] {
  const t = text.trim().replace(/^[([]|[)\]]$/g, '');
  if (t.trim() === '') return [];
  const dims = t.split(',').filter((x, i, all) => x.trim() !== '' || i < all.length - 1);
  const shape = dims.map((x) => Number(x.trim()));
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new UsageError(
      `--shape expects non-negative integers like 3,4 (or '' for a scalar), got '${text}'`,
    );
  return shape;
}

const NUMBER = /^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf|infinity|nan)$/i;

function parseNumberText(t: string): number {
  const l = t.toLowerCase().replace(/^\+/, '');
  if (l === 'nan') return Number.NaN;
  if (/^-?inf(inity)?$/.test(l)) return l.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** A parameter flag's value: plain numbers stay JS numbers (weakly typed, as Python scalars are). */
async function paramValue(dist: string, p: Param, text: string): Promise<unknown> {
  const bad = (what: string) => new UsageError(`--${p.flag} of ${dist} expects ${what}, got '${text}'`);
  switch (p.kind) {
    case 'int': {
      const v = Number(text);
      if (!Number.isInteger(v)) throw bad('an integer');
      return v;
    }
    case 'number': {
      if (!NUMBER.test(text.trim())) throw bad('a number');
      return parseNumberText(text.trim());
    }
    case 'bool': {
      const l = text.toLowerCase();
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
      if (NUMBER.test(text.trim())) return parseNumberText(text.trim());
      return loadSource(text);
  }
}

function parseKey(text: string): Key {
  const parts = text
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(/[,\s]+/)
    .filter(Boolean);
  const words = parts.map((x) => Number(x));
  if (words.length !== 2 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff))
    throw new UsageError(
      `--key expects two uint32 words K0,K1 (as printed by 'tjax sample split'), got '${text}'`,
    );
  return R.wrapKeyData(engine.fromHostData(new Uint32Array(words), [2], engine.dtypes.uint32));
}

function parseSeed(text: string): number | bigint {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`--seed expects an integer, got '${text}'`);
  const b = BigInt(text.trim());
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

// ---- --stats ------------------------------------------------------------------------------------

const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

/** NumPy's default (linear) quantile of sorted data. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

interface Stats {
  count: number;
  nan: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  quantiles: Record<string, number>;
  histogram: { edges: number[]; counts: number[]; integer: boolean };
}

export function computeStats(
  values: ArrayLike<number | bigint | boolean>,
  integer: boolean,
  bins = 16,
): Stats {
  const all = Float64Array.from(values as ArrayLike<number>, (v) => Number(v));
  const finite = all.filter((v) => !Number.isNaN(v)).sort();
  const count = all.length;
  const m = finite.length;
  let mean = 0;
  for (const v of finite) mean += v / m;
  let ss = 0;
  for (const v of finite) ss += (v - mean) ** 2;
  const min = m ? finite[0] : Number.NaN;
  const max = m ? finite[m - 1] : Number.NaN;
  const quantiles: Record<string, number> = {};
  for (const q of QUANTILES) quantiles[`${q * 100}%`] = m ? quantile(finite, q) : Number.NaN;
  let edges: number[] = [];
  let counts: number[] = [];
  const inRange = finite.filter(Number.isFinite);
  if (inRange.length) {
    const lo = inRange[0];
    const hi = inRange[inRange.length - 1];
    const perValue = integer && hi - lo < 32;
    const nb = perValue ? hi - lo + 1 : lo === hi ? 1 : bins;
    const width = perValue ? 1 : lo === hi ? 1 : (hi - lo) / nb;
    edges = Array.from({ length: nb + 1 }, (_, i) => (perValue ? lo + i - 0.5 : lo + i * width));
    counts = new Array(nb).fill(0);
    for (const v of inRange) {
      const b = perValue ? v - lo : Math.min(nb - 1, Math.floor((v - lo) / width));
      counts[b]++;
    }
    if (perValue) edges = Array.from({ length: nb }, (_, i) => lo + i);
  }
  return {
    count,
    nan: count - m,
    mean: m ? mean : Number.NaN,
    std: m ? Math.sqrt(ss / m) : Number.NaN,
    min,
    max,
    quantiles,
    histogram: { edges, counts, integer: integer && edges.length === counts.length },
  };
}

const fmt = (v: number, digits = 6) =>
  Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits)));

export function renderStats(st: Stats, width = 40): string {
  const lines = [`count  ${st.count}${st.nan ? `  (nan: ${st.nan})` : ''}`];
  lines.push(`mean   ${fmt(st.mean)}`, `std    ${fmt(st.std)}`, `min    ${fmt(st.min)}`);
  for (const [q, v] of Object.entries(st.quantiles)) lines.push(`${q.padEnd(6)} ${fmt(v)}`);
  lines.push(`max    ${fmt(st.max)}`);
  const { edges, counts, integer } = st.histogram;
  if (counts.length) {
    lines.push('');
    const labels = counts.map((_, i) =>
      integer
        ? fmt(edges[i])
        : `[${fmt(edges[i], 4)}, ${fmt(edges[i + 1], 4)}${i === counts.length - 1 ? ']' : ')'}`,
    );
    const lw = Math.max(...labels.map((l) => l.length));
    const top = Math.max(...counts);
    const cw = String(top).length;
    for (const [i, c] of counts.entries()) {
      const bar = '#'.repeat(top ? Math.round((c / top) * width) : 0);
      lines.push(`${labels[i].padStart(lw)} | ${String(c).padStart(cw)} ${bar}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---- the command ----------------------------------------------------------------------------------

/** `--a --b [--mode]`: required flags bare, optional ones bracketed. */
function usage(d: Dist): string {
  return d.params.map((p) => (p.default === undefined ? `--${p.flag}` : `[--${p.flag}]`)).join(' ');
}

function listing(): string {
  const rows = Object.entries(DISTS).map(([name, d]) => {
    const ps = usage(d) + (d.dtype ? `${d.params.length ? ' ' : ''}[--dtype]` : '');
    return `${name.padEnd(20)} ${d.summary}${ps ? `\n${''.padEnd(21)}${ps}` : ''}`;
  });
  return `${rows.join('\n')}\n`;
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
function paramHelp(flag: string): string {
  const uses = Object.entries(DISTS).flatMap(([name, d]) =>
    d.params.filter((p) => p.flag === flag).map((p) => ({ name, p })),
  );
  const kinds = [...new Set(uses.map((u) => (u.p.choices ? u.p.choices.join('|') : KIND_TEXT[u.p.kind])))];
  return `${uses.map((u) => u.name).join(', ')}: ${kinds.join('; or ')}`;
}

const paramFlags = Object.fromEntries(
  PARAM_FLAGS.map((f) => [f, Flags.string({ description: paramHelp(f), helpGroup: 'PARAMETER' })]),
);

export default class Sample extends BaseCommand {
  static override description =
    `Draw samples from a jax.random distribution; the same key gives JAX's numbers.

DIST is JAX's name (- and _ are interchangeable): ${Object.keys(DISTS).join(', ')}. 'tjax sample list' shows each one's parameters. Parameters are flags with JAX's names; array-valued ones take inline JSON or a SOURCE as --arg does. The key is --seed N (default 0) or --key K0,K1.`;

  static override examples = [
    {
      description: 'Three standard normals from key(0)',
      command: '<%= config.bin %> sample normal --shape 3 --seed 0',
    },
    {
      description: 'A 2x3 table of Poisson counts',
      command: '<%= config.bin %> sample poisson --lam 4 --shape 2,3 --seed 1',
    },
    {
      description: 'Summary and histogram of 10000 truncated normals',
      command: '<%= config.bin %> sample truncated-normal --lower -1 --upper 2 --shape 10000 --stats',
    },
    {
      description: 'Categorical draws from logits, written to NPY',
      command: "<%= config.bin %> sample categorical --logits '[0.1,1,2]' --shape 100 --out c.npy",
    },
    {
      description: 'Four keys, then a draw from one of them',
      command: '<%= config.bin %> sample split --num 4 --seed 0',
    },
    { description: '', command: '<%= config.bin %> sample uniform --key 1797259609,2579123966 --shape 2' },
    { description: 'Random bytes', command: '<%= config.bin %> sample bits --dtype uint8 --shape 8' },
  ];

  static override args = {
    dist: Args.string({ description: "Distribution (JAX's name), or 'list'", required: true }),
  };

  static override flags = {
    shape: Flags.string({ char: 's', description: "Result shape: 3,4 (or '' for a scalar)" }),
    seed: Flags.string({ description: 'Integer seed of the key (jax.random.key(seed)); default 0' }),
    key: Flags.string({ description: 'A key as its two uint32 words K0,K1', exclusive: ['seed'] }),
    dtype: Flags.string({ char: 't', description: 'Result dtype (float32, int32, uint8, ...)' }),
    ...paramFlags,
    'legacy-prng': Flags.boolean({
      description:
        "Use JAX's older non-partitionable threefry counter layout (jax_threefry_partitionable=False)",
      default: false,
    }),
    stats: Flags.boolean({
      description: 'Print count, mean, std, quantiles and a histogram instead',
      default: false,
    }),
    out: Flags.string({
      char: 'o',
      description: 'Write the result to this file (format from the extension)',
    }),
    format: Flags.string({ char: 'f', description: 'Output format', options: OUTPUT_FORMATS }),
    json: Flags.boolean({ description: 'Write the result (or --stats) as JSON', default: false }),
    device: Flags.string({ description: 'Default device (cpu, webgpu; see tjax devices)' }),
    x64: Flags.boolean({ description: 'Enable 64-bit dtypes (float64, int64, uint64)', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Sample);
    const raw = flags as Record<string, unknown>;
    if (args.dist === 'list') {
      process.stdout.write(listing());
      return;
    }
    const name = canonicalName(args.dist);
    const dist = DISTS[name];
    if (!dist)
      throw new UsageError(
        `unknown distribution '${args.dist}'; did you mean '${nearest(name)}'? ('tjax sample list' shows them all)`,
      );
    await applyEngineFlags(flags);
    if (flags['legacy-prng']) engine.config.threefryPartitionable = false;

    const own = new Set(dist.params.map((p) => p.flag));
    for (const f of PARAM_FLAGS)
      if (raw[f] !== undefined && !own.has(f)) {
        const takes = usage(dist) || 'no parameters';
        throw new UsageError(`--${f} does not apply to ${name} (it takes ${takes})`);
      }
    if (flags.dtype && !dist.dtype) throw new UsageError(`${name} takes no --dtype`);
    if (flags.shape !== undefined && dist.shape === 'fixed')
      throw new UsageError(`${name} takes no --shape (its result's shape follows its parameters)`);

    const params: Record<string, unknown> = {};
    for (const p of dist.params) {
      const text = raw[p.flag] as string | undefined;
      if (text === undefined) {
        if (p.default === undefined)
          throw new UsageError(
            `${name} needs --${p.flag}${dist.params.length > 1 ? ` (its parameters: ${usage(dist)})` : ''}`,
          );
        params[p.flag] = p.default;
      } else params[p.flag] = await paramValue(name, p, text);
    }
    const key = flags.key !== undefined ? parseKey(flags.key) : R.key(parseSeed(flags.seed ?? '0'));
    const shape = flags.shape === undefined ? (dist.shape === 'scalar' ? [] : null) : parseShape(flags.shape);
    let dtype: string | null = null;
    if (flags.dtype) {
      try {
        dtype = engine.dtypes.toDType(flags.dtype).name;
      } catch {
        throw new UsageError(`unknown dtype '${flags.dtype}'`);
      }
      const kind = engine.dtypes.toDType(dtype).kind;
      const ok =
        dist.dtype === 'float'
          ? kind === 'f'
          : dist.dtype === 'uint'
            ? kind === 'u'
            : kind === 'i' || kind === 'u';
      if (!ok)
        throw new UsageError(
          `--dtype of ${name} must be a${dist.dtype === 'int' ? 'n integer' : dist.dtype === 'uint' ? 'n unsigned integer' : ' float'} dtype, got ${dtype}`,
        );
    }

    const result = dist.draw(key, params, shape, dtype) as Value;
    if (flags.stats) {
      const data = await (result as engine.Array).data();
      const st = computeStats(data as ArrayLike<number>, !result.dtype.isFloat);
      const text = flags.json
        ? `${JSON.stringify(st, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`
        : renderStats(st);
      if (flags.out && flags.out !== '-') {
        const { writeFileAtomic } = await import('../format/atomic.js');
        await writeFileAtomic(flags.out, text);
      } else process.stdout.write(text);
      return;
    }
    const format = (flags.json ? 'json' : flags.format) as OutputFormat | undefined;
    await writeResult(result, { out: flags.out, format });
  }
}
