/**
 * @file The terminal views, mounted with Ink on a stream the CLI picked (stdout for `tjax bench`,
 * whose table is its result; stderr for views beside a result). The CLI imports this module
 * lazily, only when a view is drawn on a terminal (src/cli/tui.ts), so commands that print plain
 * text never load Ink or React. A view is updated with new plain data and finished with its last.
 */
import { render } from 'ink';
import type { ReactElement } from 'react';
import { BenchView } from './bench-view.js';
import { ProfileView } from './profile-view.js';
import { ProgressView } from './progress-view.js';
import type { BenchProgress, ProfileData, ProgressData } from './types.js';

export interface LiveView<T> {
  update(data: T): void;
  /** Draw the last state, leave it on the screen, and stop (the cursor comes back). */
  finish(data: T): Promise<void>;
}

export interface MountOptions {
  /** Let Ink write the program's console output above the view (only when it lands on the same terminal). */
  patchConsole?: boolean;
}

function mount<T>(
  stream: NodeJS.WriteStream,
  view: (data: T) => ReactElement,
  initial: T,
  opts: MountOptions = {},
): LiveView<T> {
  // Ctrl-C: Ink restores the cursor and leaves the last frame on its way out (signal-exit).
  const app = render(view(initial), {
    stdout: stream,
    stderr: process.stderr,
    patchConsole: opts.patchConsole ?? false,
    exitOnCtrlC: false,
  });
  return {
    update: (data) => app.rerender(view(data)),
    async finish(data) {
      app.rerender(view(data));
      app.unmount();
      await app.waitUntilExit();
    },
  };
}

export function mountBench(stream: NodeJS.WriteStream, initial: BenchProgress): LiveView<BenchProgress> {
  return mount(stream, (s) => <BenchView state={s} />, initial);
}

export function mountProgress(
  stream: NodeJS.WriteStream,
  initial: ProgressData,
  opts: MountOptions = {},
): LiveView<ProgressData> {
  return mount(stream, (d) => <ProgressView data={d} />, initial, opts);
}

/** Draw a profile once. */
export function showProfile(stream: NodeJS.WriteStream, data: ProfileData): Promise<void> {
  return mount(stream, (d) => <ProfileView data={d} />, data).finish(data);
}

export { BenchView, ProfileView, ProgressView };
