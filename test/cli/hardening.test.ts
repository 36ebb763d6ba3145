/**
 * @file The built CLI against hostile and odd input (issue: correctness and hardening): malformed
 * CSV, prototype keys, integer overflow, deep nesting, special output targets, endless inputs,
 * closed pipes, signals, control characters in messages, unknown commands, lenient flags and
 * module programs outside the checkout. Each case says what went wrong before.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpz } from '../../src/format/npz.js';
import { BIN, ROOT, tjax } from './run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'tjax-hard-'));

function ok(args: string[], opts?: Parameters<typeof tjax>[1]): string {
  const r = tjax(args, opts);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** One line on stderr starting `error:`, and the exit code. */
function fails(args: string[], code: number, opts?: Parameters<typeof tjax>[1]): string {
  const r = tjax(args, opts);
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const line = r.stderr.split('\n').find((l) => l.startsWith('error: '));
  expect(line, r.stderr).toBeDefined();
  return line!;
}

describe('CSV: a malformed number on the first line is an error, not a header', () => {
  it.each([
    ['1..2,1\n3,4\n', "cannot parse '1..2'"],
    ['0x10,1\n3,4\n', "cannot parse '0x10'"],
    ['1_000,2\n3,4\n', "cannot parse '1_000'"],
    ['1\u0000,2\n3,4\n', "cannot parse '1\\x00'"],
  ])('%j', (text, why) => {
    const f = join(tmp(), 't.csv');
    writeFileSync(f, text);
    expect(fails(['run', 'x', '--arg', `x=${f}`], 1)).toContain(`line 1, column 1: ${why}`);
  });

  it('a row of names is still a header', () => {
    const f = join(tmp(), 't.csv');
    writeFileSync(f, 'a,b\n1,2\n3,4\n');
    expect(ok(['run', 'x', '--arg', `x=${f}:b`, '--format', 'json'])).toBe('[2.0, 4.0]\n');
  });
});

describe('prototype keys are ordinary keys', () => {
  it('JSON, Python literals and NPZ members named __proto__ keep every key', () => {
    expect(ok(['run', 'x', '--arg', 'x={"__proto__": [1], "a": [2]}'])).toBe(
      '{"__proto__": [1], "a": [2]}\n',
    );
    expect(ok(['run', "x['__proto__'] + x['b']", '--arg', "x={'__proto__': 1, 'b': 2}"])).toBe('3\n');
    const npz = join(tmp(), 'p.npz');
    const one = { dtype: 'float32' as const, shape: [1], data: new Float32Array([5]) };
    const members = new Map([
      ['__proto__', one],
      ['constructor', one],
      ['w', one],
    ]);
    writeFileSync(npz, writeNpz(members));
    expect(ok(['run', "d['__proto__'] + d['constructor'] + d['w']", '--arg', `d=${npz}`])).toBe('15.0\n');
  });

  it('a missing key is not found on Object.prototype', () => {
    expect(fails(['run', "x['constructor']", '--arg', 'x={"a": [2]}'], 1)).toContain(
      "key 'constructor' not found (keys: a)",
    );
    expect(fails(['run', "x['toString']", '--arg', 'x={"a": [2]}'], 1)).toContain("key 'toString' not found");
  });

  it('lambda parameters and command arguments named like Object members', () => {
    expect(ok(['run', '(lambda toString, constructor: toString * constructor)(x, 3)', '--arg', 'x=2'])).toBe(
      '6\n',
    );
    expect(fails(['sample', '__proto__'], 2)).toBe(
      "error: unknown distribution '__proto__' ('tjax sample list' shows them all)",
    );
    expect(fails(['sample', 'constructor'], 2)).toContain("unknown distribution 'constructor'");
  });
});

describe('integers', () => {
  it('a literal beyond int32 raises OverflowError instead of wrapping or turning into a float', () => {
    expect(fails(['run', 'x + 2147483648', '--arg', 'x=[1]'], 1)).toContain(
      'Python int 2147483648 too large to convert to int32',
    );
    expect(fails(['run', 'x * 2**40', '--arg', 'x=[1.5]'], 1)).toContain('too large to convert to int32');
    expect(ok(['run', 'x + 2147483647', '--arg', 'x=[1]'])).toBe('-2147483648\n');
    expect(ok(['run', 'x * 2.0**40', '--arg', 'x=[1.5]'])).toBe('1.6492674e+12\n');
  });

  it('a 100,000-digit literal is exact, and too large for a float', () => {
    const big = '9'.repeat(100_000);
    expect(fails(['run', `x + ${big}`, '--arg', 'x=[1.5]'], 1)).toContain(
      'int too large to convert to float',
    );
    const half = big.slice(0, 60_000);
    expect(ok(['run', `${half} - ${half.slice(1)}0 == 9`])).toBe('True\n');
  });

  it('JSON int64 and uint64 at the top of the range narrow as astype does', () => {
    expect(ok(['run', 'x', '--arg', 'x=[9223372036854775807, -9223372036854775808]'])).toBe('-1\n0\n');
    expect(ok(['run', 'x', '--arg', 'x=[18446744073709551615]'])).toBe('4294967295\n');
    expect(ok(['run', 'x', '--arg', 'x=[9223372036854775807]', '--x64'])).toBe('9223372036854775807\n');
  });
});

describe('nesting', () => {
  it('a 40-deep one-tuple in a Python literal parses at once', () => {
    let t = '1';
    for (let i = 0; i < 40; i++) t = `(${t},)`;
    const t0 = performance.now();
    expect(ok(['run', 'x.shape', '--arg', `x=${t}`, '--format', 'json'])).toBe(
      `[${Array(40).fill(1).join(', ')}]\n`,
    );
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('nesting beyond the limits is a one-line error', () => {
    expect(fails(['run', 'x', '--arg', `x=${'('.repeat(300)}1${')'.repeat(300)}`], 2)).toContain(
      'neither a file nor a JSON or Python literal',
    );
    expect(fails(['run', 'x', '--arg', `x=${'['.repeat(70)}1${']'.repeat(70)}`], 1)).toContain(
      'arrays have at most 64 dimensions',
    );
  });
});

describe('--out to something other than a regular file', () => {
  it('writes a FIFO in place, so the reader gets the data and the FIFO stays', async () => {
    const fifo = join(tmp(), 'f');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d) => {
      got += d;
    });
    const done = new Promise((r) => reader.on('close', r));
    expect(ok(['run', '[1, 2]', '--out', fifo, '--format', 'json'])).toBe('');
    await done;
    expect(got).toBe('[1, 2]\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('writes /dev/null and /dev/stdout in place', () => {
    expect(ok(['run', '[1, 2]', '--out', '/dev/null', '--format', 'json'])).toBe('');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(ok(['run', '[1, 2]', '--out', '/dev/stdout', '--format', 'json'])).toBe('[1, 2]\n');
  });

  it('removes its temporary file when killed during a large write', async () => {
    const dir = tmp();
    const out = join(dir, 'big.bin');
    // A gigabyte takes long enough to write that the signal lands during the write.
    const script = `import { writeFileAtomic } from ${JSON.stringify(`${ROOT}src/format/atomic.ts`)};
await writeFileAtomic(${JSON.stringify(out)}, new Uint8Array(1 << 30));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
    });
    const exited = new Promise((r) => child.on('exit', (_c, sig) => r(sig)));
    for (let i = 0; i < 2000 && !readdirSync(dir).some((f) => f.endsWith('.tmp')); i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('reading', () => {
  it('caps what a stream or a device may deliver', () => {
    const msg = fails(['run', 'x', '--arg', 'x=/dev/zero'], 1, { env: { TJAX_MAX_INPUT_BYTES: '100000' } });
    expect(msg).toContain('/dev/zero: more than 100000 bytes of input');
    expect(msg).toContain('TJAX_MAX_INPUT_BYTES');
  });

  it('names a directory given as input', () => {
    const d = tmp();
    expect(fails(['run', 'x', '--arg', `x=${d}`], 2)).toBe(`error: ${d}: is a directory, not a data file`);
  });
});

describe('stdout closed early', () => {
  it('exits quietly with the status of SIGPIPE', async () => {
    const child = spawn(process.execPath, [BIN, 'run', 'arange(200000)'], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((r) => child.on('close', r));
    expect(err).toBe('');
    expect(code).toBe(141);
  });
});

describe('messages', () => {
  it('escape control characters and stay short, however large the input', () => {
    const f = join(tmp(), 't.csv');
    writeFileSync(f, `1\u001b[2J${'9'.repeat(5000)},2\n3,4\n`);
    const msg = fails(['run', 'x', '--arg', `x=${f}`], 1);
    expect(msg).toContain("cannot parse '1\\x1b[2J999");
    expect(msg).not.toContain('\u001b');
    expect(msg.length).toBeLessThan(400);
    const r = tjax(['run', `x + ${'x + '.repeat(20_000)}@`, '--arg', 'x=1']);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(1000);
  });

  it('unknown commands suggest the nearest one, with exit code 2', () => {
    expect(fails(['rn'], 2)).toMatch(/^error: unknown command 'rn'; did you mean 'run'\?/);
    expect(fails(['frobnicate'], 2)).toMatch(/^error: unknown command 'frobnicate' \(commands: bench,/);
  });

  it("oclif's missing-argument message is one line", () => {
    expect(fails(['sample'], 2)).toMatch(/^error: Missing 1 required arg: dist /);
  });
});

describe('lenient flags are usage errors', () => {
  it.each([
    [['sample', 'normal', '--shape', '3,,4'], '--shape expects non-negative integers'],
    [['sample', 'normal', '--shape', '1e3'], '--shape expects non-negative integers'],
    [['sample', 'normal', '--shape', '0x10'], '--shape expects non-negative integers'],
    [['sample', 'ball', '--d', '0x10'], '--d of ball expects an integer'],
    [['run', '1', '--device', ''], '--device expects a device name'],
    [['grad', 'sum(x)', '--arg', 'x=[1.0]', '--wrt', ''], '--wrt expects input names'],
    [['run', '1', '--json', '--format', 'csv'], '--json and --format csv cannot be used together'],
  ])('%j', (args, why) => {
    expect(fails(args, 2)).toContain(why);
  });
});

describe('module programs outside the checkout', () => {
  it("import 'tjax' from a directory with no node_modules, in .ts, .mts, .mjs and .js", () => {
    const dir = tmp();
    const body = `import { numpy as jnp } from 'tjax';\nexport default function f({ x }) { return jnp.sum(x) };\n`;
    for (const ext of ['ts', 'mts', 'mjs', 'js']) {
      const p = join(dir, `p.${ext}`);
      writeFileSync(p, ext.endsWith('ts') ? body.replace('{ x }', '{ x }: { x: any }') : body);
      expect(ok(['run', p, '--arg', 'x=[1.0, 2.0]'], { cwd: dir })).toBe('3.0\n');
    }
  });

  it('a syntax error names file:line:column, and a runtime error the program line', () => {
    const dir = tmp();
    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, 'export default (x) => {\n  return x +;\n};\n');
    expect(fails(['run', bad], 2)).toBe(`error: ${bad}:2:13: Unexpected ";"`);
    const thrower = join(dir, 'throw.mjs');
    writeFileSync(
      thrower,
      "import { numpy as jnp } from 'tjax';\nexport default ({ x }) =>\n  jnp.add(x, jnp.ones(4));\n",
    );
    expect(fails(['run', thrower, '--arg', 'x=[1,2,3]'], 1)).toBe(
      `error: add got incompatible shapes for broadcasting: (3,), (4,). (at ${thrower}:3:7)`,
    );
  });
});

describe('the --out writer', () => {
  it('never leaves a partial file when the result cannot be written', () => {
    const dir = tmp();
    const out = join(dir, 'r.npy');
    writeFileSync(out, 'old');
    expect(fails(['run', '[x, x]', '--arg', 'x=[1]', '--out', out], 2)).toContain(
      'NPY output needs a single array',
    );
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['r.npy']);
  });
});
