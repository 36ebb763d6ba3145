/**
 * @file End-to-end tests of the command line: the built binary run as a subprocess on fixture
 * files made by NumPy (fixtures/cli/make_cli_fixtures.py), checking stdout, stderr, exit codes,
 * byte-identical NPY output and that failed runs leave no files behind.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIX, ROOT, tjax } from './run-cli.js';

const expected = JSON.parse(readFileSync(`${FIX}expected.json`, 'utf8'));

describe('tjax run', () => {
  it('evaluates the README example', () => {
    const r = tjax(['run', 'sum(sin(x)**2)', '--arg', 'x=[1,2,3]']);
    expect(r.code).toBe(0);
    // NumPy sums float32 pairwise in float32 (expected.json); tjax accumulates in double and rounds
    // once, so the two may differ in the last ulp.
    expect(Math.abs(Number(r.stdout) - expected.sum_sin_sq)).toBeLessThan(2.5e-7);
    expect(r.stdout).toMatch(/^1\.55481?\d*\n$/);
    expect(r.stderr).toBe('');
  });

  it('prints 2-D arrays one row per line, as numpy.savetxt', () => {
    const r = tjax(['run', 'x * 2 + 1', '--arg', 'x=[[1,2],[3,4]]']);
    expect(r.stdout).toBe('3 5\n7 9\n');
  });

  it('reads NPY and writes JSON on request', () => {
    const r = tjax(['run', 'mean(x, axis=0)', '--arg', `x=${FIX}x.npy`, '--format', 'json']);
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got[0]).toBe(expected.mean_axis0[0]);
    expect(got[1]).toBeCloseTo(expected.mean_axis0[1], 6);
  });

  it('writes NPY byte for byte as numpy.save does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-'));
    const out = join(dir, 'y.npy');
    const r = tjax(['run', 'x + 1', '--arg', `x=${FIX}x.npy`, '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(`${FIX}x_plus_1.npy`))).toBe(true);
  });

  it('writes NPY to stdout binary-clean and reads NPY from stdin', () => {
    const r = tjax(['run', 'x + 1', '--arg', 'x=-', '--format', 'npy'], {
      input: readFileSync(`${FIX}x.npy`),
    });
    expect(r.code).toBe(0);
    expect(r.stdoutBytes.equals(readFileSync(`${FIX}x_plus_1.npy`))).toBe(true);
  });

  it('selects CSV columns by header name', () => {
    const r = tjax(['run', 'sum(t, axis=0)', '--arg', `t=${FIX}table.csv:a,c`, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expected.colsum_ac);
  });

  it('reads one array of an NPZ by key, and a whole NPZ as a pytree', () => {
    expect(tjax(['run', 'a * 2', '--arg', `a=${FIX}data.npz:a`]).stdout).toBe('0.0\n2.0\n4.0\n');
    const r = tjax(['run', 'd', '--arg', `d=${FIX}data.npz`]);
    expect(JSON.parse(r.stdout)).toEqual({
      a: [0, 1, 2],
      b: [
        [1, 1],
        [1, 1],
      ],
    });
  });

  it('reads inline Python literals as well as JSON, and indexes pytree dicts by key', () => {
    expect(tjax(['run', 'x @ x.T', '--arg', 'x=[[1.,2],(3,4)]']).stdout).toBe('5.0 11.0\n11.0 25.0\n');
    expect(tjax(['run', 'x.dtype.name', '--arg', 'x=[True, False]', '--format', 'json']).stdout).toBe(
      '"bool"\n',
    );
    expect(tjax(['run', "d['b'].sum() + d['a'][1]", '--arg', `d=${FIX}data.npz`]).stdout).toBe('5.0\n');
    const r = tjax(['run', "d['c']", '--arg', `d=${FIX}data.npz`]);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([1, "error: key 'c' not found (keys: a, b) at 1:1"]);
  });

  it('runs eagerly with --no-jit and gives the same answer', () => {
    const a = tjax(['run', 'exp(x) / sum(exp(x))', '--arg', 'x=[1,2,3]']);
    const b = tjax(['run', 'exp(x) / sum(exp(x))', '--arg', 'x=[1,2,3]', '--no-jit']);
    expect(a.stdout).toBe(b.stdout);
  });

  it('narrows 64-bit NPY input with a warning, or keeps it with --x64', () => {
    const r = tjax(['run', 'x.dtype.name', '--arg', `x=${FIX}i64.npy`, '--format', 'json']);
    expect(r.stderr).toMatch(/int64 data narrowed to int32/);
    const k = tjax(['run', 'x * 2', '--arg', `x=${FIX}i64.npy`, '--x64', '--format', 'json']);
    expect(k.stderr).toBe('');
    expect(JSON.parse(k.stdout)).toEqual([2, 4, 6]);
  });

  it('prints a profile with --profile: kernels, transfers, compile against run time', () => {
    const r = tjax(['run', 'sin(x) * 2 + 1', '--arg', 'x=[1.0,2,3]', '--profile']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2.682942\n2.818595\n1.28224\n');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('profile: sin(x) * 2 + 1');
    expect(lines[1]).toMatch(/^device +kind +kernel +calls +time +in +out +share$/);
    // The jitted program is one fused kernel (the CLI's own small eager ops are listed too).
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^cpu:0 +fused map +jit\(sin, mul, add\) map_0 +1 +\S+ (µs|ms) +12 B +12 B +\d+\.\d%$/,
      ),
    );
    expect(lines.at(-2)).toBe('transfers: none');
    expect(lines.at(-1)).toMatch(
      /^trace \S+ (µs|ms), compile \S+ (µs|ms) \(\d+ programs?\), kernels \S+ (µs|ms), total \S+ (µs|ms)$/,
    );
    expect(r.stderr).not.toContain('\u001b');
  });

  it('--profile --json writes the profile as one JSON document on stderr', () => {
    const r = tjax(['grad', 'sum(sin(x) @ x)', '--arg', 'x=[1.0,2]', '--profile', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
    const p = JSON.parse(r.stderr);
    expect(p.title).toBe('sum(sin(x) @ x)');
    expect(p.programsCompiled).toBeGreaterThan(0);
    expect(p.kernels.length).toBeGreaterThan(0);
    for (const k of p.kernels)
      expect(k).toMatchObject({ device: 'cpu:0', calls: 1, kind: expect.any(String) });
    expect(p.kernelMs).toBeCloseTo(
      p.kernels.reduce((t: number, k: { ms: number }) => t + k.ms, 0),
      9,
    );
  });

  it("writes a module's progress reports as JSON lines on stderr, and to a metrics file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-progress-'));
    const file = join(dir, 'metrics.jsonl');
    const r = tjax([
      'run',
      'fixtures/examples/progress.mjs',
      '--no-jit',
      '--arg',
      'steps=3',
      '--arg',
      `metrics="${file}"`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
    const reports = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(reports.map((x) => [x.step, x.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(reports[2].loss).toBeLessThan(reports[0].loss);
    expect(readFileSync(file, 'utf8')).toBe(r.stderr);
  });
});

describe('start-up', () => {
  it('keeps a code cache of the CommonJS modules it loads, and runs the same with or without it', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tjax-cc-'));
    const env = { XDG_CACHE_HOME: tmp };
    const first = tjax(['run', 'sum(x) * 2', '--arg', 'x=[1.5,2]'], { env });
    const dir = join(tmp, 'tjax');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual([`compile-cache-${process.version}-${process.arch}.bin`]);
    expect(statSync(join(dir, files[0])).size).toBeGreaterThan(10_000);
    const second = tjax(['run', 'sum(x) * 2', '--arg', 'x=[1.5,2]'], { env });
    const off = tjax(['run', 'sum(x) * 2', '--arg', 'x=[1.5,2]'], {
      env: { ...env, TJAX_NO_COMPILE_CACHE: '1' },
    });
    for (const r of [first, second, off]) expect([r.code, r.stdout, r.stderr]).toEqual([0, '7.0\n', '']);
  });

  it('ignores a cache directory that others can write (another user could plant code in it)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tjax-cc-'));
    const dir = join(tmp, 'tjax');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    const planted = join(dir, `compile-cache-${process.version}-${process.arch}.bin`);
    writeFileSync(planted, 'not a cache');
    const r = tjax(['run', 'sum(x) * 2', '--arg', 'x=[1.5,2]'], { env: { XDG_CACHE_HOME: tmp } });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '7.0\n', '']);
    // Neither read nor written: the planted file is as it was.
    expect(readFileSync(planted, 'utf8')).toBe('not a cache');
  });
});

describe('the expression language', () => {
  const run = (expr: string, ...args: string[]) => {
    const r = tjax(['run', expr, ...args.flatMap((a) => ['--arg', a]), '--format', 'json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };

  it('has lambdas and the transformations', () => {
    expect(run('vmap(lambda r: sum(r * w))(xs)', 'xs=[[1.0,2.0],[3.0,4.0]]', 'w=[1.0,-1.0]')).toEqual([
      -1, -1,
    ]);
    expect(run('grad(lambda t: sum(t**2))(x)', 'x=[1.0,2.0]')).toEqual([2, 4]);
    expect(run('vmap(lambda r: r @ w, in_axes=0)(xs)', 'xs=[[1.0,2.0],[3.0,4.0]]', 'w=[1.0,-1.0]')).toEqual([
      -1, -1,
    ]);
  });

  it('has nn, indexing with lists and slices, and x.at updates', () => {
    const p = run('nn.softmax(x)', 'x=[1.0,2.0,3.0]');
    expect(p[2]).toBeCloseTo(0.66524094, 6);
    expect(run('x[[0, 2]]', 'x=[10,20,30]')).toEqual([10, 30]);
    expect(run('x[::-1]', 'x=[10,20,30]')).toEqual([30, 20, 10]);
    expect(run('m[:, 1:]', 'm=[[1,2,3],[4,5,6]]')).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(run('x.at[1].set(5)', 'x=[10,20,30]')).toEqual([10, 5, 30]);
  });

  it('has random, scipy.stats distributions and distances by short name', () => {
    // jax 0.10.2: jax.random.normal(jax.random.key(0), (3,))
    const z = run('random.normal(key(0), (3,))') as number[];
    // normal's erf_inv is XLA's float32 polynomial (runtime.ts erfinv32), so these are JAX's
    // float32 values; the text output gives their shortest digits, within half an ulp.
    const want = [1.622642159461975, 2.0252647399902344, -0.4335944354534149];
    for (const [i, v] of z.entries()) expect(Math.abs(v - want[i])).toBeLessThan(1e-7 * Math.abs(want[i]));
    // jax.scipy.stats.norm.cdf([0., 1.]) and scipy.stats.wasserstein_distance([0,1,3], [5,6,8])
    const c = run('norm.cdf(x)', 'x=[0.0,1.0]');
    expect(c[0]).toBe(0.5);
    expect(c[1]).toBeCloseTo(0.8413447141647339, 6);
    expect(run('wasserstein_distance(u, v)', 'u=[0.0,1.0,3.0]', 'v=[5.0,6.0,8.0]')).toBe(5);
    expect(run('norm.pdf(0.0, loc=0, scale=2)')).toBeCloseTo(0.19947115, 6);
  });

  it('keeps Python int and float literals apart (weak types)', () => {
    expect(run('(x * 2).dtype.name', 'x=[1,2]')).toBe('int32');
    expect(run('(x * 2.0).dtype.name', 'x=[1,2]')).toBe('float32');
    expect(run('7 // 2 + 7 % 3')).toBe(4);
  });
});

describe('errors', () => {
  it('points at a parse error with a caret and exits 2', () => {
    const r = tjax(['run', 'sum(x', '--arg', 'x=[1]']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: expected ')' at 1:6\nsum(x\n     ^\n");
  });

  it('suggests the nearest name for an unknown one', () => {
    const r = tjax(['run', 'sine(x)', '--arg', 'x=[1]']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("error: unknown name 'sine' (did you mean 'sin'?) at 1:1");
  });

  it('names a missing input', () => {
    const r = tjax(['run', 'x + y', '--arg', 'x=[1]']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: missing input 'y': pass --arg y=SOURCE\n");
  });

  it('reports shape errors from the engine with the expression position', () => {
    const r = tjax(['run', 'x + y', '--arg', 'x=[1,2,3]', '--arg', 'y=[1,2]']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      'error: add got incompatible shapes for broadcasting: (3,), (2,). at 1:1',
    );
    expect(r.stderr).not.toMatch(/\bat .*\.c?[jt]s:\d+/);
  });

  it('shows a stack trace only with --debug', () => {
    const r = tjax(['run', 'x + y', '--arg', 'x=[1,2,3]', '--arg', 'y=[1,2]', '--debug']);
    expect(r.stderr).toMatch(/\.c?[jt]s:\d+/);
  });

  it('reports a truncated NPY file with its path', () => {
    const r = tjax(['run', 'x', '--arg', `x=${FIX}truncated.npy`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/truncated\.npy: truncated: header says 24 bytes of data, file has 16/);
  });

  it('reports ragged CSV rows and bad cells with line and column', () => {
    expect(tjax(['run', 'x', '--arg', `x=${FIX}ragged.csv`]).stderr).toMatch(
      /ragged\.csv: line 2 has 2 columns, expected 3/,
    );
    expect(tjax(['run', 'x', '--arg', `x=${FIX}badcell.csv`]).stderr).toMatch(
      /badcell\.csv: line 2, column 2: cannot parse 'abc' as a number/,
    );
  });

  it('reports a missing file', () => {
    const r = tjax(['run', 'x', '--arg', 'x=nope.npy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: nope.npy: no such file\n');
  });

  it('leaves no partial output and never clobbers an existing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-'));
    const fresh = join(dir, 'fresh.npy');
    expect(tjax(['run', 'x + y', '--arg', 'x=[1,2,3]', '--arg', 'y=[1,2]', '--out', fresh]).code).toBe(1);
    expect(existsSync(fresh)).toBe(false);
    const kept = join(dir, 'kept.csv');
    writeFileSync(kept, 'precious\n');
    expect(tjax(['run', 'sum(x', '--arg', 'x=[1]', '--out', kept]).code).toBe(2);
    expect(readFileSync(kept, 'utf8')).toBe('precious\n');
  });

  it('rejects an unknown device', () => {
    const r = tjax(['run', '1+1', '--device', 'tpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown device 'tpu'/);
  });
});

describe('tjax jit-inspect', () => {
  it('prints the jaxpr as JAX does, from abstract shapes', () => {
    const r = tjax(['jit-inspect', 'exp(x) / sum(exp(x))', '--arg', 'x=f32[8]']);
    expect(r.stdout).toBe(
      [
        '{ lambda ; a:f32[8]. let',
        '    b:f32[8] = exp a',
        '    c:f32[8] = exp a',
        '    d:f32[] = reduce_sum[axes=(0,) out_sharding=None] c',
        '    e:f32[8] = div b d',
        '  in (e,) }',
        '',
      ].join('\n'),
    );
  });

  it('shows one fused kernel for an elementwise chain', () => {
    const r = tjax(['jit-inspect', 'sin(x) * 2 + 1', '--arg', 'x=f32[1000]', '--stage', 'lowered']);
    expect(r.stdout).toMatch(/^\/\/ 1 kernel\(s\) for cpu:0/);
    // float32 sin is the libm's polynomial (its Payne-Hanek table), run as WebAssembly SIMD.
    expect(r.stdout).toMatch(/T_two_over_pi_limbs/);
    expect(r.stdout).toMatch(/runs as WebAssembly SIMD/);
  });

  it('reports compile facts as JSON', () => {
    const r = tjax([
      'jit-inspect',
      'sum(x * y)',
      '--arg',
      'x=f32[4,3]',
      '--arg',
      'y=f32[4,3]',
      '--stage',
      'compiled',
      '--json',
    ]);
    const facts = JSON.parse(r.stdout);
    expect(facts.kernels).toBe(1);
    expect(facts.device).toBe('cpu:0');
    expect(facts.outputBytes).toBe(4);
    expect(facts.simdKernels).toBe(0);
  });

  it('says which kernels run as WebAssembly SIMD', () => {
    const r = tjax(['jit-inspect', 'x * 2 + 1', '--arg', 'x=f32[100000]', '--stage', 'compiled']);
    expect(r.stdout).toMatch(/kernels: +1 \(map\), 1 as WebAssembly SIMD/);
    const low = tjax(['jit-inspect', 'x * 2 + 1', '--arg', 'x=f32[100000]', '--stage', 'lowered']);
    expect(low.stdout).toMatch(/map_0 \(runs as WebAssembly SIMD, \d+ bytes; in JavaScript:\)/);
  });
});

describe('tjax devices and --help', () => {
  it('lists every device, and for one that is unavailable why and how to fix it', () => {
    const r = tjax(['devices', '--json']);
    const d = JSON.parse(r.stdout);
    expect(d.default).toBe('cpu');
    expect(d.devices[0]).toMatchObject({ device: 'cpu:0', available: true });
    const names = d.devices.map((x: { device: string }) => x.device);
    expect(names).toEqual(expect.arrayContaining(['cpu:0', 'webgpu:0', 'gpujs:0']));
    for (const x of d.devices as { available: boolean; description: string; fix?: string }[]) {
      if (!x.available) {
        expect(x.description).toMatch(/unavailable/);
        expect(x.fix).toBeTruthy();
      }
    }
  });

  it('has help with examples for every command', () => {
    for (const cmd of ['run', 'grad', 'jit-inspect', 'devices', 'bench']) {
      const r = tjax([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/EXAMPLES/);
    }
  });
});

describe('tjax grad', () => {
  const json = (args: string[]) => {
    const r = tjax(['grad', ...args, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('gives the gradient of sum(sin(x)**2 * w) as 2 sin x cos x w', () => {
    const x = [0.5, 1, 2];
    const w = [1, 2, 3];
    const g = json(['sum(sin(x)**2 * w)', '--arg', 'x=[0.5,1.0,2.0]', '--arg', 'w=[1.0,2.0,3.0]']);
    for (const [i, v] of (g as number[]).entries())
      expect(v).toBeCloseTo(2 * Math.sin(x[i]) * Math.cos(x[i]) * w[i], 5);
  });

  it('gives value and gradient, keyed', () => {
    expect(json(['sum(x**2)', '--arg', 'x=[1.0,2.0]', '--mode', 'value-and-grad'])).toEqual({
      value: 5,
      grad: [2, 4],
    });
  });

  it('keys gradients by name for several --wrt inputs', () => {
    expect(json(['sum(x*y)', '--arg', 'x=[1.0,2.0]', '--arg', 'y=[3.0,4.0]', '--wrt', 'x,y'])).toEqual({
      x: [3, 4],
      y: [1, 2],
    });
  });

  it('gives the Jacobian (both modes) and the Hessian', () => {
    // d tanh(2x)/dx = 2 (1 - tanh(2x)^2) on the diagonal
    for (const mode of ['jacobian', 'jacfwd', 'jacrev']) {
      const j = json(['tanh(2 * x)', '--arg', 'x=[0.1,0.2]', '--mode', mode]);
      expect(j[0][0]).toBeCloseTo(2 * (1 - Math.tanh(0.2) ** 2), 5);
      expect(j[0][1]).toBe(0);
      expect(j[1][1]).toBeCloseTo(2 * (1 - Math.tanh(0.4) ** 2), 5);
    }
    expect(json(['sum(x**3)', '--arg', 'x=[1.0,2.0]', '--mode', 'hessian'])).toEqual([
      [6, 0],
      [0, 12],
    ]);
  });

  it('computes a JVP with a tangent and a VJP with a cotangent', () => {
    const j = json(['sin(x)', '--arg', 'x=[0.0,1.0]', '--mode', 'jvp', '--tangent', 'x=[1.0,1.0]']);
    expect(j.tangent[1]).toBeCloseTo(Math.cos(1), 6);
    const v = json([
      'x * y',
      '--arg',
      'x=[1.0,2.0]',
      '--arg',
      'y=[3.0,4.0]',
      '--wrt',
      'x,y',
      '--mode',
      'vjp',
      '--cotangent',
      '[1.0,1.0]',
    ]);
    expect(v).toEqual({ primal: [3, 8], cotangent: { x: [3, 4], y: [1, 2] } });
  });

  it('writes multi-part results to NPZ by key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-'));
    const out = join(dir, 'g.npz');
    expect(
      tjax(['grad', 'sum(x**2)', '--arg', 'x=[1.0,2.0]', '--mode', 'value-and-grad', '--out', out]).code,
    ).toBe(0);
    const back = tjax(['run', 'd', '--arg', `d=${out}`, '--format', 'json']);
    expect(JSON.parse(back.stdout)).toEqual({ grad: [2, 4], value: 5 });
  });

  it('refuses integer inputs of a typed source (NPY) with a hint', () => {
    const r = tjax(['grad', 'sum(x)', '--arg', `x=${FIX}i64.npy`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot differentiate with respect to 'x': it is int32/m);
  });

  it('promotes integer-looking text inputs to floats, and casts tangents and cotangents', () => {
    expect(json(['sum(x**3)', '--arg', 'x=[1,2,3]'])).toEqual([3, 12, 27]);
    const csv = join(mkdtempSync(join(tmpdir(), 'tjax-')), 'i.json');
    writeFileSync(csv, '{"a": [1, 2], "b": 3}');
    expect(json(["d['a'] * d['b']", '--arg', `d=${csv}`, '--mode', 'jacobian'])).toEqual({
      a: [
        [3, 0],
        [0, 3],
      ],
      b: [1, 2],
    });
    const j = json(['x * 2', '--arg', 'x=[1,2]', '--mode', 'jvp', '--tangent', 'x=[1,0]']);
    expect(j).toEqual({ primal: [2, 4], tangent: [2, 0] });
    const v = json(['x * 2', '--arg', 'x=[1,2]', '--mode', 'vjp', '--cotangent', '[1,1]']);
    expect(v).toEqual({ primal: [2, 4], cotangent: [2, 2] });
  });
});

describe('module programs', () => {
  it('runs a .ts module whose default export takes the named inputs', () => {
    const r = tjax([
      'run',
      'fixtures/examples/model.ts',
      '--arg',
      'x=[[1.0,2.0],[0.5,-1.0]]',
      '--arg',
      'w=[[1.0,0.0,-1.0],[0.5,0.5,0.5]]',
    ]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.argmax).toEqual([0, 0]);
    // softmax of [1, 1, -1] + [1, 1, 1] * 0.5 ... rows sum to one
    for (const row of out.probs) expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('runs the library example through the package self-reference', () => {
    const r = spawnSync(process.execPath, ['fixtures/examples/library.mjs'], { cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/kernels: 1\n$/);
  });
});
