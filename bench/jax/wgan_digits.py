"""The convolutional WGAN of fixtures/examples/wgan-digits.ts (weight clipping, RMSProp) in JAX +
flax + optax: the same generator, critic, batch of 64 and jitted iteration of 5 critic steps and
one generator step. Prints the median milliseconds per iteration.
Run: python bench/jax/wgan_digits.py STEPS"""
import sys
import time

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from common import digits

Z, BATCH = 64, 64


class Generator(nn.Module):
    @nn.compact
    def __call__(self, z, train):
        x = nn.Dense(7 * 7 * 128)(z)
        x = nn.relu(nn.BatchNorm(use_running_average=not train)(x)).reshape(z.shape[0], 7, 7, 128)
        x = nn.ConvTranspose(64, (4, 4), strides=(2, 2), padding='SAME')(x)
        x = nn.relu(nn.BatchNorm(use_running_average=not train)(x))
        return jnp.tanh(nn.ConvTranspose(1, (4, 4), strides=(2, 2), padding='SAME')(x))


class Critic(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.leaky_relu(nn.Conv(64, (4, 4), strides=(2, 2))(x), 0.2)
        x = nn.leaky_relu(nn.Conv(128, (4, 4), strides=(2, 2))(x), 0.2)
        return nn.Dense(1)(x.reshape(x.shape[0], -1))


(tx, _), _ = digits()
real = jnp.asarray(tx) * 2 - 1
n = real.shape[0]
G, D = Generator(), Critic()
kg, kd, key = jax.random.split(jax.random.key(0), 3)
gv = G.init(kg, jnp.zeros((2, Z)), train=False)
d = D.init(kd, jnp.zeros((2, 28, 28, 1)))['params']
opt_d, opt_g = optax.rmsprop(5e-5), optax.rmsprop(5e-5)


def gen(g, bs, z):
    x, upd = G.apply({'params': g, 'batch_stats': bs}, z, train=True, mutable=['batch_stats'])
    return x, upd['batch_stats']


def critic_obj(d, g, bs, key):
    ki, kz = jax.random.split(key)
    x = real[jax.random.randint(ki, (BATCH,), 0, n)]
    fake, bs = gen(g, bs, jax.random.normal(kz, (BATCH, Z)))
    return jnp.mean(D.apply({'params': d}, fake)) - jnp.mean(D.apply({'params': d}, x)), bs


def gen_obj(g, bs, d, key):
    fake, bs = gen(g, bs, jax.random.normal(key, (BATCH, Z)))
    return -jnp.mean(D.apply({'params': d}, fake)), bs


@jax.jit
def iteration(s):
    d, g, bs, od, og, key = s
    for _ in range(5):
        key, k = jax.random.split(key)
        gd, bs = jax.grad(critic_obj, has_aux=True)(d, g, bs, k)
        u, od = opt_d.update(gd, od, d)
        d = jax.tree.map(lambda w: jnp.clip(w, -0.01, 0.01), optax.apply_updates(d, u))
    key, k = jax.random.split(key)
    gg, bs = jax.grad(gen_obj, has_aux=True)(g, bs, d, k)
    u, og = opt_g.update(gg, og, g)
    return d, optax.apply_updates(g, u), bs, od, og, key


s = (d, gv['params'], gv['batch_stats'], opt_d.init(d), opt_g.init(gv['params']), key)
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
s = iteration(s)
jax.block_until_ready(s)
ts = []
for _ in range(steps):
    t0 = time.perf_counter()
    s = iteration(s)
    jax.block_until_ready(s)
    ts.append(time.perf_counter() - t0)
print(sorted(ts)[len(ts) // 2] * 1000)
