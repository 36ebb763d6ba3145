/**
 * @file A small CNN's training step (issue 12's speed section): two 3x3 conv layers with batch norm
 * and ReLU, 2x2 max pooling, a Dense head, softmax cross-entropy and Adam, on a batch of 64
 * 28x28x1 images (the digit classifier's shape), as one jitted step: forward, backward, batch-norm
 * statistics and the optimizer update. tjax (linen + optax) runs on the CPU; in the same run JAX +
 * flax + optax on XLA's CPU when TJAX_BENCH_PYTHON names a Python that has them. Both build the
 * same network and time the same step; medians of TJAX_BENCH_REPEAT (default 10) steps after a
 * warm-up, each waiting for the new parameters.
 *
 * Run: npx tsx bench/cnn-step.ts   (TJAX_BENCH_PYTHON=/tmp/jaxenv/bin/python for the JAX column)
 */
import { execFileSync } from 'node:child_process';
import type { Value } from '../src/engine/index.js';
import { jit, numpy as jnp, linen, optax, random, tree, valueAndGrad } from '../src/engine/index.js';

const BATCH = Number(process.env.TJAX_BENCH_BATCH ?? 64);
const REPEAT = Number(process.env.TJAX_BENCH_REPEAT ?? 10);

class CNN extends linen.Module {
  static override typeName = 'CNN';
  call(x: Value, { train }: { train: boolean }): Value {
    for (const features of [32, 64]) {
      x = new linen.Conv(features, [3, 3]).call(x);
      x = new linen.BatchNorm({ useRunningAverage: !train }).call(x);
      x = linen.maxPool(linen.relu(x), [2, 2], { strides: [2, 2] });
    }
    x = x.reshape([x.shape[0]!, -1]);
    return new linen.Dense(10).call(x);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const model = new CNN();
const images = random.uniform(random.key(1), [BATCH, 28, 28, 1]);
const labels = random.randint(random.key(2), [BATCH], 0, 10);
const variables = model.init(random.key(0), images, { train: false }) as {
  params: unknown;
  batch_stats: unknown;
};
const opt = optax.adam(1e-3);

type State = { params: unknown; batchStats: unknown; opt: unknown };
const lossFn = (params: unknown, batchStats: unknown, x: Value, y: Value) => {
  const vars = { params, batch_stats: batchStats } as linen.Variables;
  const [logits, updated] = model.apply(vars, x, {
    train: true,
    mutable: ['batch_stats'],
  }) as [Value, { batch_stats: unknown }];
  return [jnp.mean(optax.softmaxCrossEntropyWithIntegerLabels(logits, y)), updated.batch_stats] as const;
};
const step = jit((s: State, x: Value, y: Value) => {
  const [[loss, batchStats], grads] = valueAndGrad(lossFn, { hasAux: true })(
    s.params,
    s.batchStats,
    x,
    y,
  ) as [[Value, unknown], unknown];
  const [updates, optState] = opt.update(grads, s.opt, s.params);
  return [{ params: optax.applyUpdates(s.params, updates), batchStats, opt: optState }, loss] as const;
});

let state: State = {
  params: variables.params,
  batchStats: variables.batch_stats,
  opt: opt.init(variables.params),
};
const wait = async (t: unknown) =>
  Promise.all(tree.leaves(t).map((l) => (l as { blockUntilReady(): unknown }).blockUntilReady()));
let [next, loss] = step(state, images, labels) as unknown as [State, Value];
await wait(next);
const ts: number[] = [];
for (let i = 0; i < REPEAT; i++) {
  const t0 = performance.now();
  [next, loss] = step(next, images, labels) as unknown as [State, Value];
  await wait(next);
  ts.push(performance.now() - t0);
}
state = next;
const rows: [string, number, number][] = [['tjax cpu', median(ts), Number(await loss.item())]];

const python = process.env.TJAX_BENCH_PYTHON;
if (python) {
  const py = `
import time, jax, jax.numpy as jnp, optax, flax.linen as nn
class CNN(nn.Module):
    @nn.compact
    def __call__(self, x, train):
        for f in (32, 64):
            x = nn.Conv(f, (3, 3))(x)
            x = nn.BatchNorm(use_running_average=not train)(x)
            x = nn.max_pool(nn.relu(x), (2, 2), strides=(2, 2))
        return nn.Dense(10)(x.reshape(x.shape[0], -1))
model = CNN()
x = jax.random.uniform(jax.random.key(1), (${BATCH}, 28, 28, 1))
y = jax.random.randint(jax.random.key(2), (${BATCH},), 0, 10)
v = model.init(jax.random.key(0), x, train=False)
opt = optax.adam(1e-3)
def loss_fn(params, bs, x, y):
    logits, upd = model.apply({'params': params, 'batch_stats': bs}, x, train=True, mutable=['batch_stats'])
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), upd['batch_stats']
@jax.jit
def step(s, x, y):
    (loss, bs), g = jax.value_and_grad(loss_fn, has_aux=True)(s[0], s[1], x, y)
    u, o = opt.update(g, s[2], s[0])
    return (optax.apply_updates(s[0], u), bs, o), loss
s = (v['params'], v['batch_stats'], opt.init(v['params']))
s, loss = step(s, x, y); jax.block_until_ready(s)
ts = []
for _ in range(${REPEAT}):
    t0 = time.perf_counter(); s, loss = step(s, x, y); jax.block_until_ready(s); ts.append(time.perf_counter() - t0)
print(sorted(ts)[len(ts) // 2] * 1000, float(loss))
`;
  try {
    const [ms, l] = execFileSync(python, ['-c', py], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    rows.push(['jax+flax+optax (xla cpu)', ms!, l!]);
  } catch (e) {
    console.log(`jax: failed (${(e as Error).message.split('\n')[0]})`);
  }
}

console.log(
  `CNN training step (conv32-bn-pool, conv64-bn-pool, dense10, adam), batch ${BATCH}; medians of ${REPEAT}`,
);
const jaxMs = rows.find((r) => r[0].startsWith('jax'))?.[1];
for (const [who, ms, l] of rows) {
  const ratio = jaxMs && !who.startsWith('jax') ? `  ${(ms / jaxMs).toFixed(2)}x JAX` : '';
  console.log(
    `${who.padEnd(26)} ${ms.toFixed(1).padStart(8)} ms/step${ratio}   loss after ${REPEAT + 1} steps ${l.toFixed(4)}`,
  );
}
