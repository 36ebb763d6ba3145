/**
 * @file I/O benchmarks (issue: command line): reading a 100 MB float32 NPY file, and CSV parse
 * throughput on a 1M x 10 numeric file, each next to NumPy (np.load, np.loadtxt) on the same
 * files in the same run. Also `tjax run '1+1'` start-up wall time (built CLI; median of 15).
 *
 * Run: npm run build && npx tsx bench/io.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../src/format/csv.js';
import { readNpy } from '../src/format/npy.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(f: () => void, repeat: number): number {
  const ts: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const dir = mkdtempSync(join(tmpdir(), 'tjax-bench-'));
const npy = join(dir, 'big.npy');
const csv = join(dir, 'big.csv');
const py = (code: string) =>
  execFileSync('python3', ['-c', code], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim();
py(`
import numpy as np
rng = np.random.default_rng(0)
np.save(${JSON.stringify(npy)}, rng.standard_normal(25_000_000, dtype=np.float32))
np.savetxt(${JSON.stringify(csv)}, rng.standard_normal((1_000_000, 10)).astype(np.float32), fmt='%.7g', delimiter=',')
`);
const npyMB = statSync(npy).size / 1e6;
const csvMB = statSync(csv).size / 1e6;

const npyMs = time(() => {
  const b = readFileSync(npy);
  readNpy(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), npy);
}, 5);
const npNpyMs = Number(
  py(`
import numpy as np, time
ts = []
for _ in range(5):
    t0 = time.perf_counter(); a = np.load(${JSON.stringify(npy)}); ts.append(time.perf_counter() - t0)
print(sorted(ts)[2] * 1000)
`),
);
const csvText = readFileSync(csv, 'utf8');
const csvMs = time(() => {
  readCsv(csvText, csv, { delimiter: ',' });
}, 3);
const npCsvMs = Number(
  py(`
import numpy as np, time
ts = []
for _ in range(3):
    t0 = time.perf_counter(); a = np.loadtxt(${JSON.stringify(csv)}, delimiter=','); ts.append(time.perf_counter() - t0)
print(sorted(ts)[1] * 1000)
`),
);

const startup: number[] = [];
for (let i = 0; i < 15; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['bin/run.js', 'run', '1+1']);
  startup.push(performance.now() - t0);
}
const nodeOnly: number[] = [];
for (let i = 0; i < 15; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  nodeOnly.push(performance.now() - t0);
}
writeFileSync(join(dir, 'done'), '');

console.log(
  `NPY read, ${npyMB.toFixed(0)} MB float32:   tjax ${npyMs.toFixed(1)} ms (${(npyMB / (npyMs / 1000)).toFixed(0)} MB/s)   numpy np.load ${npNpyMs.toFixed(1)} ms (${(npyMB / (npNpyMs / 1000)).toFixed(0)} MB/s)`,
);
console.log(
  `CSV parse, 1M x 10 (${csvMB.toFixed(0)} MB): tjax ${csvMs.toFixed(0)} ms (${(csvMB / (csvMs / 1000)).toFixed(1)} MB/s)   numpy np.loadtxt ${npCsvMs.toFixed(0)} ms (${(csvMB / (npCsvMs / 1000)).toFixed(1)} MB/s)`,
);
console.log(
  `start-up, tjax run '1+1': median ${median(startup).toFixed(0)} ms   (node -e 0: ${median(nodeOnly).toFixed(0)} ms)`,
);
