/**
 * @file The terminal views (src/tui/) drawn by ink-testing-library from made-up data: a bench in
 * progress (rows so far, the spinner on the running case, the progress bar with the time left), a
 * finished bench (bar charts per suite, notes), the profile table, and a training run's progress
 * with sparklines.
 */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { BenchView } from '../../src/tui/bench-view.js';
import { ProfileView } from '../../src/tui/profile-view.js';
import { ProgressView } from '../../src/tui/progress-view.js';
import { benchAt, PROFILE, PROGRESS } from './data.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
const plain = (s: string | undefined) => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');

describe('BenchView', () => {
  it('shows the finished rows under a header, a spinner on the running case and the time left', () => {
    const { lastFrame, unmount } = render(<BenchView state={benchAt(2)} />);
    const f = plain(lastFrame());
    const lines = f.split('\n');
    expect(lines[0]).toMatch(/^suite +case +device +size +median +min–max +rate$/);
    expect(lines[1]).toMatch(/^matmul +f32 +cpu:0 +256 +10\.0 ms +9\.50–12\.0 ms +3\.36 GFLOP\/s$/);
    expect(lines[2]).toMatch(/^matmul +f32 +cpu:0 +512 +80\.0 ms +78\.0–95\.0 ms +3\.36 GFLOP\/s$/);
    expect(f).toMatch(/matmul f32 on webgpu:0, size 512/);
    expect(f).toMatch(/2\/5 cases, 12s elapsed, about 34s left/);
    expect(f).not.toMatch(/webgpu:0 +256/);
    unmount();
  });

  it('grows the table as cases finish', () => {
    const { lastFrame, rerender, unmount } = render(<BenchView state={benchAt(1)} />);
    expect(plain(lastFrame())).not.toMatch(/webgpu:0 +256/);
    rerender(<BenchView state={benchAt(3)} />);
    const f = plain(lastFrame());
    expect(f).toMatch(/webgpu:0 +256 +2\.50 ms/);
    expect(f).toMatch(/3\/5 cases/);
    unmount();
  });

  it('ends with a bar chart per suite comparing devices, and the notes', () => {
    const { lastFrame, unmount } = render(<BenchView state={benchAt(5, true)} />);
    const f = plain(lastFrame());
    expect(f).not.toMatch(/cases, .* elapsed/);
    expect(f).toMatch(/note: transfer: cpu:0 keeps arrays in host memory/);
    expect(f).toMatch(/matmul \(GFLOP\/s, higher is better\)/);
    expect(f).toMatch(/dispatch \(µs\/op, lower is better\)/);
    // A case's devices sit together; the fastest of a suite has the full bar (30 cells), the
    // others in proportion (3.36 / 22.4 * 30 = 4.5 cells).
    expect(f).toContain(
      [
        '  f32 256  cpu:0     ████▌                           3.36',
        '           webgpu:0  ██████████████████              13.4',
        '  f32 512  cpu:0     ████▌                           3.36',
        '           webgpu:0  ██████████████████████████████  22.4',
      ].join('\n'),
    );
    expect(f).toContain('  eager 16  cpu:0  ██████████████████████████████  9.00');
    expect(f).toMatch(/5 cases in 12s/);
    unmount();
  });
});

describe('ProfileView', () => {
  it('draws a row per kernel with its device, kind, time, bytes and share, then transfers and times', () => {
    const { lastFrame, unmount } = render(<ProfileView data={PROFILE} />);
    const lines = plain(lastFrame()).split('\n');
    expect(lines[0]).toBe('profile: sum(sin(x) @ w)');
    expect(lines[1]).toMatch(/^device +kind +kernel +calls +time +in +out +share$/);
    expect(lines[2]).toBe(
      'webgpu:0  matmul     jit(sin, dot_g… matmul_1      1   3.00 ms  20.0 KiB  4.00 KiB   75.0% ██████',
    );
    expect(lines[3]).toBe(
      'webgpu:0  fused map  jit(sin, dot_gene… map_0      1   1.00 ms  4.00 KiB  4.00 KiB   25.0% ██',
    );
    const f = lines.join('\n');
    expect(f).toMatch(/host -> webgpu:0 +2 x +20\.0 KiB +500 µs/);
    expect(f).toMatch(/webgpu:0 -> host +1 x +4 B +2\.00 ms/);
    expect(f).toMatch(/compile +█+ +16\.0 ms \(trace 2\.00 ms, 1 program compiled in 14\.0 ms\)/);
    expect(f).toMatch(/run +█+ +4\.00 ms in kernels; 25\.0 ms wall in all/);
    unmount();
  });

  it('says when nothing ran on a device and nothing moved', () => {
    const { lastFrame, unmount } = render(
      <ProfileView data={{ ...PROFILE, kernels: [], transfers: [], kernelMs: 0 }} />,
    );
    const f = plain(lastFrame());
    expect(f).toMatch(/\(no kernels ran\)/);
    expect(f).toMatch(/none \(host memory only\)/);
    unmount();
  });
});

describe('ProgressView', () => {
  it('shows the step, steps/s, time left, a sparkline per metric and the placement', () => {
    const { lastFrame, unmount } = render(<ProgressView data={PROGRESS} />);
    const f = plain(lastFrame());
    expect(f).toMatch(/step 50\/200 {2}10\.0 steps\/s {2}5s elapsed, about 15s left/);
    expect(f).toMatch(/loss {4}█▆▄▃▂▁▁▁ +0\.125/);
    expect(f).toMatch(/acc {5}▁▃▅▇█ +0\.91/);
    expect(f).toMatch(/cpu:0: 120 programs, 480 kernels/);
    unmount();
  });

  it('has no bar and no time left for an open-ended run, and says when it is done', () => {
    const { lastFrame, unmount } = render(
      <ProgressView data={{ ...PROGRESS, total: null, finished: true, placement: [] }} />,
    );
    const f = plain(lastFrame());
    expect(f).toMatch(/^step 50 {2}10\.0 steps\/s {2}5s elapsed {2}done/);
    expect(f).not.toMatch(/left|programs/);
    unmount();
  });
});
