/**
 * @file A small CNN's training step (issue 12's speed section): two 3x3 conv layers with batch norm
 * and ReLU, 2x2 max pooling, a Dense head, softmax cross-entropy and Adam, on a batch of 64
 * 28x28x1 images (the digit classifier's shape), as one jitted step: forward, backward, batch-norm
 * statistics and the optimizer update. tjax (linen + optax) runs on the CPU's native and portable
 * GEMM tiers, round by round with JAX + flax + optax on XLA's CPU when TJAX_BENCH_PYTHON names a
 * Python that has them (bench/rounds.ts). All build the same network and time the same step, each
 * on its own training state; medians of TJAX_BENCH_ROUNDS (default 10) rounds after a warm-up,
 * each step waiting for the new parameters.
 *
 * Run: npx tsx bench/cnn-step.ts   (TJAX_BENCH_PYTHON=/tmp/jaxenv/bin/python for the JAX column)
 */
import { setCpuBlas } from '../src/engine/backends/cpu/blas.js';
import { cpuGemmStatus } from '../src/engine/backends/cpu/gemm.js';
import type { Value } from '../src/engine/index.js';
import { jit, numpy as jnp, linen, optax, random, tree, valueAndGrad } from '../src/engine/index.js';
import { alternate, type Call, inProcess, loadNote, medians, pythonPeer } from './rounds.js';

const BATCH = Number(process.env.TJAX_BENCH_BATCH ?? 64);
const ROUNDS = Number(process.env.TJAX_BENCH_ROUNDS ?? 10);

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

const wait = async (t: unknown) =>
  Promise.all(tree.leaves(t).map((l) => (l as { blockUntilReady(): unknown }).blockUntilReady()));

/** One training step per call on its own state, on the given GEMM tier (null: as configured). */
function stepper(tier: boolean | null): { call: Call; loss: () => Promise<number> } {
  let state: State = {
    params: variables.params,
    batchStats: variables.batch_stats,
    opt: opt.init(variables.params),
  };
  let loss: Value | null = null;
  return {
    call: inProcess(async () => {
      setCpuBlas(tier);
      try {
        [state, loss] = step(state, images, labels) as unknown as [State, Value];
        await wait(state);
      } finally {
        setCpuBlas(null);
      }
    }),
    loss: async () => Number(await loss!.item()),
  };
}

const tiers = cpuGemmStatus().tier === 'native' ? ([true, false] as const) : ([false] as const);
const ours = tiers.map((t) => [t ? 'tjax native' : 'tjax wasm', stepper(t)] as const);
const calls: Record<string, Call> = Object.fromEntries(ours.map(([name, s]) => [name, s.call]));

const jax = await pythonPeer(`
import jax, jax.numpy as jnp, optax, flax.linen as nn
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
state = [(v['params'], v['batch_stats'], opt.init(v['params'])), None]
def one():
    state[0], state[1] = step(state[0], x, y)
    jax.block_until_ready(state[0])
fns['step'] = one
`);
if (jax) calls.jax = jax.call('step');

const before = loadNote();
const res = await alternate(calls, ROUNDS);
console.log(
  `CNN training step (conv32-bn-pool, conv64-bn-pool, dense10, adam), batch ${BATCH}; medians of ${ROUNDS} rounds`,
);
console.log(`${before}; after: ${loadNote()}`);
const jaxMs = res.jax ? medians(res.jax).wall : undefined;
const steps = ROUNDS + 1 + (jax ? 2 : 0);
for (const [who, ts] of Object.entries(res)) {
  const t = medians(ts);
  const ratio = jaxMs && who !== 'jax' ? `  ${(t.wall / jaxMs).toFixed(2)}x JAX` : '';
  const mine = ours.find(([n]) => n === who)?.[1];
  const l = mine ? await mine.loss() : Number(await jax!.value('float(state[1])'));
  const n = mine ? ROUNDS + 1 : steps;
  console.log(
    `${who.padEnd(12)} ${t.wall.toFixed(1).padStart(8)} ms/step, CPU ${t.cpu.toFixed(1)} ms${ratio}   loss after ${n} steps ${l.toFixed(4)}`,
  );
}
jax?.close();
