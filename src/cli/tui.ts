/**
 * @file Whether a terminal view is drawn, and loading it. A view appears only when its stream is a
 * terminal, and not with --json, --no-tui, NO_COLOR or TERM=dumb; otherwise commands print plain
 * text with no escape codes. Ink and React are ES modules (Ink's reconciler uses top-level await),
 * so the views are a separate ES-module build, dist/tui/index.js (scripts/bundle.mjs), imported
 * only when a view is drawn: commands that print plain text start without them.
 */
import * as Flags from '@oclif/core/flags';
import { dynamicImport } from '../engine/dynamic-import.js';
import type * as Tui from '../tui/index.js';

export type TuiModule = typeof Tui;

/** `--tui/--no-tui`, for the commands that draw views. */
export const tuiFlag = Flags.boolean({
  description: 'Draw live views on a terminal (--no-tui: plain text)',
  default: true,
  allowNo: true,
});

export function viewWanted(stream: NodeJS.WriteStream, opts: { json?: boolean; tui?: boolean }): boolean {
  if (!stream.isTTY || opts.json || opts.tui === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return process.env.TERM !== 'dumb';
}

/** The views' module: dist/tui/index.js from the bundle, src/tui/index.tsx from the sources. */
function tuiUrl(): string {
  const here = import.meta.url;
  const dist = here.lastIndexOf('/dist/');
  if (dist >= 0 && !here.endsWith('.ts')) return `${here.slice(0, dist + 6)}tui/index.js`;
  return new URL('../tui/index.tsx', here).href;
}

let loading: Promise<TuiModule> | null = null;

export function loadTui(): Promise<TuiModule> {
  loading ??= dynamicImport<TuiModule>(tuiUrl());
  return loading;
}
