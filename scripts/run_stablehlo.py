"""Run a StableHLO module exported by tjax with JAX, on any JAX backend (CPU, GPU, TPU).

    python scripts/run_stablehlo.py MODULE.mlir INPUTS... [--out OUT.npz] [--platform cpu|gpu|tpu]

MODULE.mlir is what `tjax jit-inspect PROGRAM --stage stablehlo --out MODULE.mlir` wrote.
INPUTS are the arguments of its @main in order: .npy files, or one .npz whose arrays are taken
in the order arg0, arg1, ... (else the archive's order). The module is parsed with jaxlib's MLIR
bindings, compiled by XLA for the platform's devices (a module with N partitions, such as a pmap,
runs on the first N devices, its arguments split as its shardings say), run, and the results are
written to OUT.npz as out0, out1, ... (printed when --out is not given).

Needs jax and jaxlib 0.10.2 (`pip install jax==0.10.2 jaxlib==0.10.2`, plus the CUDA or TPU
plugin for those platforms).
"""
import argparse
import sys
from pathlib import Path

import numpy as np


def load_inputs(paths):
    """Arrays from .npy files or one .npz archive (arg0, arg1, ... first, in that order)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if len(paths) == 1 and paths[0].suffix == '.npz':
        with np.load(paths[0]) as z:
            names = list(z.files)
            numbered = sorted((n for n in names if n.startswith('arg') and n[3:].isdigit()), key=lambda n: int(n[3:]))
            order = numbered if len(numbered) == len(names) else names
            return [z[n] for n in order]
    return [np.load(p) for p in paths]


def _main_signature(module, ir):
    for op in module.body.operations:
        if op.operation.name == 'func.func' and ir.StringAttr(op.attributes['sym_name']).value == 'main':
            return ir.FunctionType(ir.TypeAttr(op.attributes['function_type']).value)
    raise ValueError('the module has no @main function')


def run_module(text, inputs, platform=None):
    """Compile the module text for the platform and run it: a list of NumPy results."""
    import jax
    from jax._src import compiler
    from jax._src import xla_bridge as xb
    from jax._src.sharding_impls import GSPMDSharding
    from jax._src.interpreters import mlir
    from jax._src.lib import xla_client as xc
    from jax._src.lib.mlir import ir

    backend = xb.get_backend(platform)
    if '@lapack_' in text:
        # jaxlib's LAPACK kernels find their functions when JAX first lowers a linalg op
        # (lapack.prepare_lapack_call); a module that calls them directly must do it here.
        if backend.platform != 'cpu':
            raise ValueError('the module calls LAPACK custom calls (a linalg op exported for the '
                             'CPU, as JAX lowers it there): it runs on the CPU only')
        from jax._src.lib import lapack
        lapack._lapack.initialize()
    with mlir.make_ir_context():
        module = ir.Module.parse(text)
        attrs = module.operation.attributes
        nparts = ir.IntegerAttr(attrs['mhlo.num_partitions']).value if 'mhlo.num_partitions' in attrs else 1
        sig = _main_signature(module, ir)
        if len(sig.inputs) != len(inputs):
            raise ValueError(f'@main takes {len(sig.inputs)} arguments, {len(inputs)} given')
        out_shapes = [tuple(ir.RankedTensorType(t).shape) for t in sig.results]
        devices = backend.local_devices()[:nparts]
        if len(devices) < nparts:
            raise ValueError(f'the module needs {nparts} devices, {platform or backend.platform} has '
                             f'{len(devices)} (on CPU: XLA_FLAGS=--xla_force_host_platform_device_count={nparts})')
        options = compiler.get_compile_options(
            num_replicas=1, num_partitions=nparts,
            device_assignment=np.array([d.id for d in devices]).reshape(1, nparts))
        exe = compiler.backend_compile_and_load(backend, module, xc.DeviceList(tuple(devices)), options, [])
    in_shardings = exe.get_parameter_shardings() if nparts > 1 else [None] * len(inputs)
    args = []
    for x, s in zip(inputs, in_shardings):
        x = np.asarray(x)
        if s is None:
            args.append(jax.device_put(x, devices[0]))
        else:
            args.append(jax.device_put(x, GSPMDSharding(devices, s)))
    shards = exe.execute_sharded(args).disassemble_into_single_device_arrays()
    if nparts == 1:
        return [np.asarray(s[0]) for s in shards]
    out_shardings = exe.get_output_shardings()
    results = []
    for parts, s, shape in zip(shards, out_shardings, out_shapes):
        arr = jax.make_array_from_single_device_arrays(shape, GSPMDSharding(devices, s), parts)
        results.append(np.asarray(arr))
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('module', help='the .mlir file tjax exported')
    ap.add_argument('inputs', nargs='*', help='.npy files, or one .npz (arg0, arg1, ...)')
    ap.add_argument('--out', help='write the results to this .npz (out0, out1, ...)')
    ap.add_argument('--platform', help='cpu, gpu or tpu (default: JAX\'s default backend)')
    a = ap.parse_args(argv)
    results = run_module(Path(a.module).read_text(), load_inputs(a.inputs) if a.inputs else [], a.platform)
    if a.out:
        np.savez(a.out, **{f'out{i}': r for i, r in enumerate(results)})
        print(f'wrote {len(results)} result(s) to {a.out}')
    else:
        for i, r in enumerate(results):
            print(f'out{i}: {r.dtype}{list(r.shape)}')
            print(np.array2string(r, threshold=50))
    return 0


if __name__ == '__main__':
    sys.exit(main())
