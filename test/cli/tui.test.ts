/**
 * @file The terminal views end to end, in a real terminal under tmux: `tjax bench` filling its
 * table in live on stdout and ending with the results, Ctrl-C leaving the terminal clean, plain
 * text with no escape codes when stdout is not the terminal, and `tjax run`'s profile and progress
 * views on stderr while stdout carries the result. Runs are short (small sizes, --repeat 2).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.js';
import { Terminal, tmuxAvailable } from './tmux.js';

const d = describe.skipIf(!tmuxAvailable('terminal views under tmux'));

const BENCH = 'node bin/run.js bench elementwise softmax normal --device cpu --sizes 200k,1M --repeat 2';
const CASES = 6;
const ROW = /^(elementwise|softmax|normal) +f32 +cpu:0 +(200k|1M) +\S+ (ms|µs|s) /;
const rows = (screen: string) => screen.split('\n').filter((l) => ROW.test(l)).length;
const exited = (s: string) => /exit=\d+/.test(s);
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what is looked for
const ESC = /\u001b/;

async function inTerminal<T>(f: (t: Terminal) => Promise<T>): Promise<T> {
  const t = new Terminal(ROOT);
  try {
    return await f(t);
  } finally {
    t.close();
  }
}

d('tjax bench on a terminal', () => {
  it('fills the table in while it runs, then ends with the results, the charts and exit 0', async () => {
    await inTerminal(async (t) => {
      t.start(BENCH);
      const screens = await t.watch(exited);
      const final = screens[screens.length - 1];
      expect(final).toMatch(/exit=0/);
      expect(final).toMatch(/^suite +case +device +size +median +min–max +rate$/m);
      expect(rows(final)).toBe(CASES);
      expect(final).toMatch(/^elementwise \(GB\/s, higher is better\)$/m);
      expect(final).toMatch(/^normal \(M draws\/s, higher is better\)$/m);
      expect(final).toMatch(/^ {2}f32 1M +cpu:0 +█+/m);
      expect(final).not.toMatch(/cases, .* elapsed/);
      // While it ran: a partly filled table, the spinner on a case and the progress bar.
      const counts = screens.map(rows);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      const partial = screens.filter((s) => rows(s) > 0 && rows(s) < CASES);
      expect(partial.length).toBeGreaterThan(0);
      expect(partial.some((s) => /\d\/6 cases, \d+s elapsed/.test(s))).toBe(true);
      expect(partial.some((s) => /(elementwise|softmax|normal) f32 on cpu:0, size (200k|1M)/.test(s))).toBe(
        true,
      );
      expect(t.cursorVisible()).toBe(true);
    });
  });

  it('stops on Ctrl-C and leaves the cursor visible', async () => {
    await inTerminal(async (t) => {
      t.start('node bin/run.js bench matmul --device cpu --sizes 64,512,1024 --repeat 50');
      await t.watch((s) => /matmul +f32 +cpu:0 +64 /.test(s) || exited(s));
      t.keys('C-c');
      const screens = await t.watch(exited, 30_000);
      expect(screens[screens.length - 1]).toMatch(/exit=130/);
      expect(t.cursorVisible()).toBe(true);
    });
  });

  it('prints plain text with no escape codes when stdout is a file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tjax-tui-')), 'bench.txt');
    await inTerminal(async (t) => {
      t.start(`${BENCH} > ${out}`);
      const screens = await t.watch(exited);
      expect(screens[screens.length - 1]).toMatch(/exit=0/);
    });
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(ESC);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^suite +case +device +size +median +min–max +rate$/);
    expect(lines.slice(1).every((l) => ROW.test(l))).toBe(true);
    expect(lines).toHaveLength(CASES + 1);
  });
});

d('tjax run on a terminal', () => {
  it('draws the profile view on stderr while the result goes to stdout', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tjax-tui-')), 'y.txt');
    await inTerminal(async (t) => {
      t.start(`node bin/run.js run 'sum(sin(x) * 2)' --arg x='[1,2,3]' --profile > ${out}`);
      const screens = await t.watch(exited);
      const s = screens[screens.length - 1];
      expect(s).toMatch(/exit=0/);
      expect(s).toMatch(/^profile: sum\(sin\(x\) \* 2\)$/m);
      expect(s).toMatch(/^cpu:0 +reduce +jit\(.* reduce_0 +1 +\S+ (µs|ms) +12 B +4 B +\d+\.\d% █*/m);
      expect(s).toMatch(/^none \(host memory only\)$/m);
      expect(s).toMatch(/^compile +█+/m);
    });
    expect(readFileSync(out, 'utf8')).toBe('3.7837768\n');
  });

  it("draws a module's progress live: a bar, steps/s and a sparkline per metric", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tjax-tui-')), 'w.txt');
    await inTerminal(async (t) => {
      t.start(`node bin/run.js run fixtures/examples/progress.mjs --no-jit --arg steps=150 > ${out}`);
      const screens = await t.watch(exited);
      const s = screens[screens.length - 1];
      expect(s).toMatch(/exit=0/);
      expect(s).toMatch(/█{30} step 150\/150 {2}\S+ steps\/s {2}\d+s elapsed {2}done/);
      expect(s).toMatch(/^loss +█[▁▂▃▄▅▆▇█]+ +\S+$/m);
      expect(s).toMatch(/^grad_norm +█[▁▂▃▄▅▆▇█]+ +\S+$/m);
      expect(s).toMatch(/^cpu:0: \d+ programs, \d+ kernels$/m);
      expect(screens.some((x) => /step (\d|\d\d|1[0-4]\d)\/150 /.test(x))).toBe(true);
    });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(4);
  });
});
