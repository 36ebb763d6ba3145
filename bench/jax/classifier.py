"""The digit classifier of fixtures/examples/classifier.ts in JAX + flax + optax: the same CNN,
loss, optimizer and jitted training step on batches of 128. Prints the median milliseconds per
step. Run: python bench/jax/classifier.py STEPS"""
import sys
import time

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from common import digits


class CNN(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        for f in (32, 64):
            x = nn.Conv(f, (3, 3))(x)
            x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
            x = nn.max_pool(nn.relu(x), (2, 2), strides=(2, 2))
        x = x.reshape(x.shape[0], -1)
        x = nn.Dropout(0.25, deterministic=not train)(x)
        x = nn.relu(nn.Dense(128)(x))
        x = nn.Dropout(0.25, deterministic=not train)(x)
        return nn.Dense(10)(x)


(tx, ty), _ = digits()
model = CNN()
v = model.init(jax.random.key(0), jnp.asarray(tx[:2]), train=False)
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 50
opt = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(optax.warmup_cosine_decay_schedule(0.0, 2e-3, 10, 210, 1e-5)))


def loss_fn(p, bs, x, y, k):
    logits, upd = model.apply({'params': p, 'batch_stats': bs}, x, train=True, rngs={'dropout': k}, mutable=['batch_stats'])
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), upd['batch_stats']


@jax.jit
def step(s, x, y, k):
    (loss, bs), g = jax.value_and_grad(loss_fn, has_aux=True)(s[0], s[1], x, y, k)
    u, o = opt.update(g, s[2], s[0])
    return (optax.apply_updates(s[0], u), bs, o), loss


s = (v['params'], v['batch_stats'], opt.init(v['params']))
x, y = jnp.asarray(tx[:128]), jnp.asarray(ty[:128])
s, _ = step(s, x, y, jax.random.key(1))
jax.block_until_ready(s)
ts = []
for i in range(steps):
    t0 = time.perf_counter()
    s, _ = step(s, x, y, jax.random.key(i))
    jax.block_until_ready(s)
    ts.append(time.perf_counter() - t0)
print(sorted(ts)[len(ts) // 2] * 1000)
