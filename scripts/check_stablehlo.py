"""Verify tjax's StableHLO exports with JAX itself (run by .ci/run).

    XLA_FLAGS=--xla_force_host_platform_device_count=4 python scripts/check_stablehlo.py OUTDIR

OUTDIR is what `npx tsx scripts/export-corpus.ts OUTDIR` wrote. For every case of its manifest,
the module text is parsed with jaxlib's MLIR bindings, compiled for the CPU client (on as many
CPU devices as the module has partitions), run on the case's inputs, and its outputs compared
with tjax's own: integers and booleans exactly, floats to a few ulps (XLA's and tjax's
transcendental functions may differ in the last bits). Exits non-zero on any failure.
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

import run_stablehlo as rs


def compare(name, i, got, want):
    if got.shape != want.shape or got.dtype != want.dtype:
        return f'{name} out{i}: {got.dtype}{list(got.shape)} from JAX vs {want.dtype}{list(want.shape)} from tjax'
    if np.issubdtype(want.dtype, np.complexfloating):
        # Each part as a float of half the size.
        return compare(name, i, got.real, want.real) or compare(name, i, got.imag, want.imag)
    if not np.issubdtype(want.dtype, np.floating):
        if not np.array_equal(got, want):
            return f'{name} out{i}: integer results differ at {int(np.sum(got != want))} positions'
        return None
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    if not np.array_equal(np.isnan(g), np.isnan(w)):
        return f'{name} out{i}: NaNs differ'
    if not np.array_equal(g[np.isinf(w)], w[np.isinf(w)]) or np.isinf(g[~np.isinf(w)]).any():
        return f'{name} out{i}: infinities differ'
    finite = np.isfinite(w)
    eps = float(np.finfo(want.dtype).eps)
    tol = 8 * eps * np.maximum(np.abs(w[finite]), 1.0)
    err = np.abs(g[finite] - w[finite])
    bad = err > tol
    if bad.any():
        k = int(np.argmax(err - tol))
        return f'{name} out{i}: max error {float(err[k]):.3g} at {k} (JAX {g[finite][k]!r}, tjax {w[finite][k]!r})'
    return None


def main(out):
    out = Path(out)
    manifest = json.loads((out / 'manifest.json').read_text())
    failures = []
    t0 = time.time()
    for case in manifest:
        name = case['name']
        try:
            text = (out / f'{name}.mlir').read_text()
            inputs = rs.load_inputs(out / f'{name}.inputs.npz')
            results = rs.run_module(text, inputs, platform='cpu')
            want = np.load(out / f'{name}.tjax.npz')
            errs = []
            if len(results) != case['outputs']:
                errs.append(f'{name}: {len(results)} outputs from JAX, {case["outputs"]} from tjax')
            for i, r in enumerate(results):
                e = compare(name, i, np.asarray(r), want[f'out{i}'])
                if e:
                    errs.append(e)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the run fails
            errs = [f'{name}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ""}']
        status = 'ok  ' if not errs else 'FAIL'
        devices = f' on {case["devices"]} devices' if case['devices'] > 1 else ''
        print(f'{status} {name}{devices}')
        for e in errs:
            print(f'     {e}')
        failures += errs
    print(f'{len(manifest) - len({f.split(":")[0].split(" ")[0] for f in failures})}/{len(manifest)} '
          f'exported programs run by JAX match tjax ({time.time() - t0:.1f} s)')
    return 1 if failures else 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
