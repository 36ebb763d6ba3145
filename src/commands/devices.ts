/**
 * @file `tjax devices`: the devices this machine has, and for the ones it has not, why and what
 * to install.
 */
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base.js';
import * as engine from '../engine/index.js';

interface Row {
  device: string;
  platform: string;
  kind: string;
  available: boolean;
  description: string;
  fix?: string;
  /** The CPU device's matrix-product tier (native BLAS or portable) and why. */
  gemm?: ReturnType<typeof engine.cpuGemmStatus>;
}

export default class Devices extends BaseCommand {
  static override description = 'List the devices tjax can run on, and why a device is unavailable.';
  static override examples = ['<%= config.bin %> devices', '<%= config.bin %> devices --json'];
  static override flags = {
    json: Flags.boolean({ description: 'Machine-readable output', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Devices);
    await engine.initBackends();
    const rows: Row[] = engine.devices().map((d) => ({
      device: String(d),
      platform: d.platform,
      kind: d.kind,
      available: true,
      description: d.description,
    }));
    const cpuRow = rows.find((r) => r.platform === 'cpu');
    if (cpuRow) cpuRow.gemm = engine.cpuGemmStatus();
    const have = new Set(rows.map((r) => r.platform));
    const webgpu = engine.backendStatus('webgpu');
    if (!webgpu.available) {
      rows.push({
        device: 'webgpu:0',
        platform: 'webgpu',
        kind: 'gpu',
        available: false,
        description: `unavailable: ${webgpu.reason}`,
        fix: webgpu.fix,
      });
      have.add('webgpu');
    }
    const gpujs = engine.backendStatus('gpujs');
    if (!gpujs.available && !have.has('gpujs')) {
      rows.push({
        device: 'gpujs:0',
        platform: 'gpujs',
        kind: 'gpu',
        available: false,
        description: `unavailable: ${gpujs.reason}`,
        fix: gpujs.fix,
      });
    } else if (gpujs.available) {
      // The mode gpu.js chose, and why not headless-gl when it runs WebAssembly.
      const be = engine.resolveDevice('gpujs').backend as unknown as { mode: string; note: string | null };
      const row = rows.find((r) => r.platform === 'gpujs');
      if (row) {
        row.description += ` [mode: ${be.mode}]`;
        if (be.note) row.fix = be.note;
      }
    }
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ default: engine.defaultBackend(), devices: rows }, null, 2)}\n`,
      );
      return;
    }
    const def = engine.defaultBackend();
    for (const r of rows) {
      const mark = r.platform === def ? ' (default)' : '';
      process.stdout.write(`${r.device.padEnd(10)} ${r.kind.padEnd(4)} ${r.description}${mark}\n`);
      if (r.gemm) process.stdout.write(`${''.padEnd(16)}matmul: ${r.gemm.summary}\n`);
      if (r.fix) process.stdout.write(`${''.padEnd(16)}fix: ${r.fix}\n`);
    }
  }
}
