/**
 * @file `tjax devices` reports the CPU device's matmul tier (native BLAS or the portable kernel)
 * and why, and whether tjax's AVX-512 GEMM takes the large products (TJAX_CPU_GEMM=openblas: no);
 * TJAX_CPU_BLAS=off selects the portable tier in a fresh process; under CI the
 * native tier must be the one that runs.
 */
import { describe, expect, it } from 'vitest';
import { tjax } from './run-cli.js';

describe('tjax devices: the CPU matmul tier', () => {
  it('says which tier runs and why, in text and JSON', () => {
    const json = JSON.parse(tjax(['devices', '--json']).stdout);
    const gemm = json.devices[0].gemm;
    expect(['native', 'portable']).toContain(gemm.tier);
    expect(gemm.reason.length).toBeGreaterThan(0);
    if (process.env.CI) expect(gemm.tier).toBe('native');
    if (gemm.tier === 'native' && gemm.gemm === 'avx512')
      expect(gemm.summary).toMatch(
        /^native: tjax's AVX-512 GEMM for large products, OpenBLAS [\d.]+ for the rest \(core \S+/,
      );
    else if (gemm.tier === 'native') expect(gemm.summary).toMatch(/^native BLAS: OpenBLAS [\d.]+, core \S+/);
    const text = tjax(['devices']).stdout;
    expect(text).toContain(`matmul: ${gemm.summary}`);
  });

  it('TJAX_CPU_GEMM=openblas sends every product to OpenBLAS, and says so', () => {
    const json = JSON.parse(tjax(['devices', '--json'], { env: { TJAX_CPU_GEMM: 'openblas' } }).stdout);
    const gemm = json.devices[0].gemm;
    if (gemm.tier !== 'native') return;
    expect(gemm.gemm).toBe('openblas');
    expect(gemm.summary).toMatch(/^native BLAS: OpenBLAS [\d.]+, core \S+/);
    if (gemm.gemmReason !== 'the CPU has no AVX-512') {
      expect(gemm.gemmReason).toBe('TJAX_CPU_GEMM=openblas');
      expect(gemm.summary).toMatch(/tjax's AVX-512 GEMM off: TJAX_CPU_GEMM=openblas\)$/);
    }
  });

  it('TJAX_CPU_BLAS=off forces the portable tier, and both tiers compute the same product', () => {
    const off = JSON.parse(tjax(['devices', '--json'], { env: { TJAX_CPU_BLAS: 'off' } }).stdout);
    expect(off.devices[0].gemm).toMatchObject({ tier: 'portable', reason: 'TJAX_CPU_BLAS=off' });
    const expr =
      'reshape(remainder(arange(4096.0), 16), (64, 64)) @ reshape(remainder(arange(4096.0), 8) / 8, (64, 64))';
    const a = tjax(['run', expr, '--format', 'json']);
    const b = tjax(['run', expr, '--format', 'json'], { env: { TJAX_CPU_BLAS: 'off' } });
    expect(a.code).toBe(0);
    // Integers below 16 times multiples of 1/8: every partial sum is exact on either tier.
    expect(a.stdout).toBe(b.stdout);
  });
});
