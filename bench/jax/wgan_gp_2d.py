"""WGAN-GP on the 8-Gaussians ring in JAX + flax + optax, the same network, optimizer and jitted
generator iteration (5 critic steps, one generator step) as fixtures/examples/wgan-gp-2d.ts.
Prints the median milliseconds per generator iteration. Run: python bench/jax/wgan_gp_2d.py STEPS

With --swd [LAMBDA], it instead trains STEPS iterations with penalty weight LAMBDA (default 0.1, as
the tjax program) and prints the sliced Wasserstein distance of 4,000 samples to fresh target points
every 250 steps, judged as fixtures/examples/wgan-gp-2d.ts judges (same keys, so step 0 agrees)."""
import math
import sys
import time

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from common import eight_gaussians

BATCH, N_CRITIC = 256, 5
SWD = '--swd' in sys.argv
args = [a for a in sys.argv[1:] if a != '--swd']
LAMBDA = float(args[1]) if SWD and len(args) > 1 else 0.1


class MLP(nn.Module):
    out: int

    @nn.compact
    def __call__(self, x):
        for _ in range(3):
            x = nn.relu(nn.Dense(128)(x))
        return nn.Dense(self.out)(x)


critic, generator = MLP(1), MLP(2)
opt_d = optax.adam(1e-4, b1=0.5, b2=0.9)
opt_g = optax.adam(1e-4, b1=0.5, b2=0.9)
kd, kg, key = jax.random.split(jax.random.key(0), 3)
d = critic.init(kd, jnp.zeros((1, 2)))['params']
g = generator.init(kg, jnp.zeros((1, 2)))['params']
D = lambda p, x: critic.apply({'params': p}, x)
G = lambda p, z: generator.apply({'params': p}, z)


def penalty(d, real, fake, key):
    eps = jax.random.uniform(key, (real.shape[0], 1))
    xh = eps * real + (1 - eps) * fake
    gr = jax.vmap(jax.grad(lambda x: jnp.sum(D(d, x[None]))))(xh)
    return jnp.mean((jnp.sqrt(jnp.sum(gr ** 2, axis=1)) - 1) ** 2)


def critic_obj(d, g, key):
    kr, kz, ke = jax.random.split(key, 3)
    real = eight_gaussians(kr, BATCH)
    fake = G(g, jax.random.normal(kz, (BATCH, 2)))
    w = jnp.mean(D(d, fake)) - jnp.mean(D(d, real))
    return w + LAMBDA * penalty(d, real, fake, ke)


def gen_obj(g, d, key):
    return -jnp.mean(D(d, G(g, jax.random.normal(key, (BATCH, 2)))))


@jax.jit
def iteration(s):
    d, g, od, og, key = s
    for _ in range(N_CRITIC):
        key, k = jax.random.split(key)
        gd = jax.grad(critic_obj)(d, g, k)
        u, od = opt_d.update(gd, od, d)
        d = optax.apply_updates(d, u)
    key, k = jax.random.split(key)
    gg = jax.grad(gen_obj)(g, d, k)
    u, og = opt_g.update(gg, og, g)
    return d, optax.apply_updates(g, u), od, og, key


s = (d, g, opt_d.init(d), opt_g.init(g), key)
steps = int(args[0]) if args else 50


def sliced_wasserstein(key, a, b, directions=128):
    theta = jax.random.uniform(key, (directions,), minval=0, maxval=2 * math.pi)
    dirs = jnp.stack([jnp.cos(theta), jnp.sin(theta)], axis=0)
    return jnp.mean(jnp.abs(jnp.sort(a @ dirs, axis=0) - jnp.sort(b @ dirs, axis=0)))


if SWD:
    kz, kt, ks = jax.random.split(jax.random.key(0 + 1_000_003), 3)
    noise, target = jax.random.normal(kz, (4000, 2)), eight_gaussians(kt, 4000)
    for i in range(steps + 1):
        if i % 250 == 0 or i == steps:
            print(i, float(sliced_wasserstein(ks, G(s[1], noise), target)), flush=True)
        if i < steps:
            s = iteration(s)
    sys.exit(0)
s = iteration(s)
jax.block_until_ready(s)
ts = []
for _ in range(steps):
    t0 = time.perf_counter()
    s = iteration(s)
    jax.block_until_ready(s)
    ts.append(time.perf_counter() - t0)
print(sorted(ts)[len(ts) // 2] * 1000)
