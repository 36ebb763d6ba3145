/**
 * @file A real terminal for end-to-end tests: a tmux server of the test's own (its own socket),
 * a window of a fixed size running a shell command, and reads of what the screen shows.
 * Whether tmux is there: locally a missing tmux skips the tests with the reason; under CI
 * (.ci/run installs it) it fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

export function tmuxAvailable(suite: string): boolean {
  if (spawnSync('tmux', ['-V']).status === 0) return true;
  if (process.env.CI) {
    describe(suite, () => {
      it('has tmux in CI', () => {
        throw new Error('tmux is missing: .ci/run installs it (apt-get install tmux)');
      });
    });
  } else console.warn(`skipping ${suite}: tmux is not installed (apt-get install tmux)`);
  return false;
}

export class Terminal {
  private readonly socket = `tjax-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  constructor(
    readonly cwd: string,
    readonly width = 120,
    readonly height = 50,
  ) {}

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /**
   * Run a shell command in a fresh window, as a person at a terminal would (TERM set, no CI or
   * NO_COLOR in its environment), then print `exit=CODE` and wait.
   */
  start(command: string): void {
    const env = 'env -u CI -u NO_COLOR -u FORCE_COLOR TERM=xterm-256color';
    // The shell traps SIGINT (a trap, unlike ignoring it, is not inherited) so that Ctrl-C stops
    // the command and the shell lives on to print its exit code.
    const script = `trap : INT; cd ${JSON.stringify(this.cwd)} && ${env} ${command}; echo "exit=$?"; sleep 600`;
    const size = ['-x', String(this.width), '-y', String(this.height)];
    this.tmux('new-session', '-d', '-s', 'e2e', ...size, 'bash', '-c', script);
  }

  /** The screen as text (no escape codes). */
  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', 'e2e');
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'e2e', ...keys);
  }

  /** Whether the terminal shows its cursor (a program that hid it must show it again). */
  cursorVisible(): boolean {
    return this.tmux('display-message', '-p', '-t', 'e2e', '#{cursor_flag}').trim() === '1';
  }

  /** Screens captured every `everyMs` until `done` holds for one (or the time is up). */
  async watch(done: (screen: string) => boolean, timeoutMs = 60_000, everyMs = 50): Promise<string[]> {
    const screens: string[] = [];
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const s = this.capture();
      if (screens[screens.length - 1] !== s) screens.push(s);
      if (done(s)) return screens;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    throw new Error(`timed out; the screen shows:\n${screens[screens.length - 1] ?? ''}`);
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}
