/**
 * @file tjax-blas's install step: build the addon with node-gyp and check that it loads. It never
 * fails the install: on any failure it writes the reason to build/failure.txt (the first line is
 * what `tjax devices` shows), prints one warning line, and exits 0, and tjax then runs its
 * portable GEMM. node-gyp is npm's own (npm_config_node_gyp during npm's scripts); Node's headers
 * come from npm's `nodedir` setting, else from the installation that runs this script when it has
 * them (include/node), so nothing is downloaded.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const buildDir = path.join(here, 'build');
const record = path.join(buildDir, 'failure.txt');

function fail(reason, log) {
  fs.mkdirSync(buildDir, { recursive: true });
  fs.writeFileSync(record, `${reason}\n\n${log ?? ''}`);
  process.stderr.write(`tjax-blas: not built: ${reason} (tjax will use its portable GEMM)\n`);
  process.exit(0);
}

/** The most telling line of a failed build's output, as a reason a person can act on. */
function diagnose(out) {
  if (/cannot find -lopenblas|openblas.*No such file/i.test(out)) {
    return 'OpenBLAS is not installed (Debian/Ubuntu: apt-get install libopenblas-dev)';
  }
  if (/(gcc|cc|make|g\+\+): (not found|No such file)|not found: make|spawn (cc|gcc|make) ENOENT/i.test(out)) {
    return 'no C compiler or make (Debian/Ubuntu: apt-get install build-essential)';
  }
  if (/find Python|python.*not found/i.test(out)) return 'node-gyp found no Python 3';
  const line = out
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error/i.test(l));
  return `node-gyp failed${line ? `: ${line}` : ''}`;
}

function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && fs.existsSync(fromNpm)) return fromNpm;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  for (const p of [
    path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

const gyp = nodeGyp();
if (!gyp) fail('node-gyp was not found (it comes with npm)');
const args = [gyp, 'rebuild'];
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', env: process.env });
const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
if (r.status !== 0) fail(diagnose(out), out);
// Built: check that it loads (a library present at link time can still be missing at run time).
const check = spawnSync(
  process.execPath,
  ['-e', "const b = require('./build/Release/tjax_blas.node'); process.stdout.write(b.info().corename)"],
  { cwd: here, encoding: 'utf8' },
);
if (check.status !== 0) fail(`the addon was built but does not load: ${(check.stderr || '').trim().split('\n')[0]}`, check.stderr);
fs.rmSync(record, { force: true });
process.stdout.write(`tjax-blas: built against OpenBLAS (core ${check.stdout})\n`);
