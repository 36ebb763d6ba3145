/**
 * @file The platform_index primitive and lax.platformDependent (primitives/platform-index.ts,
 * lax/control.ts), and jnp.diagonal, which JAX 0.10.2 writes with them: every rule under eager
 * evaluation, jit, grad, vmap and their compositions; the jaxprs JAX's make_jaxpr printed for the
 * same programs (pasted from `jax.make_jaxpr`, JAX 0.10.2); the branch taken for the device a
 * program is compiled for (cpu here, webgpu where an adapter exists); JAX's error without one.
 * The StableHLO export is in fixtures/export.json (cases platform_dependent, diagonals,
 * diag_of_matrix; test/engine/export/text.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { int32 } from '../../src/engine/core/dtype.js';
import { bind, type Value } from '../../src/engine/core/trace.js';
import { devicePut, grad, jit, numpy as jnp, lax, makeJaxpr, vmap } from '../../src/engine/index.js';
import { dceJaxpr } from '../../src/engine/ir/dce.js';
import type { ClosedJaxpr } from '../../src/engine/ir/jaxpr.js';
import { cond_p } from '../../src/engine/primitives/control.js';
import { platform_index } from '../../src/engine/primitives/platform-index.js';
import { deviceAvailable } from '../device-available.js';

type F = (...xs: any[]) => any;
const data = async (x: any) => Array.from(await x.data(), Number);
function near(got: number[], want: number[], digits: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], digits);
}
const sinCos = (x: Value) =>
  lax.platformDependent(x, { cpu: jnp.sin, tpu: jnp.sin, default: jnp.cos }) as Value;
const x3 = jnp.array([0.5, 1.5, -2], { dtype: 'float32' });

describe('platform_index', () => {
  it('is the cpu group, else the default, eagerly and jitted', async () => {
    const idx = (platforms: unknown) => bind(platform_index, [], { platforms })[0];
    expect(await data(idx([['tpu'], ['cpu', 'cuda'], null]))).toEqual([1]);
    expect(await data(idx([['tpu'], null]))).toEqual([1]);
    expect(idx([null]).aval.strShort()).toBe('i32[]');
    expect(await data(jit(() => idx([['cpu'], null]))())).toEqual([0]);
    expect(await data(jit(() => idx([['mosaic'], null]))())).toEqual([1]);
  });

  it("without a branch for the platform raises JAX's NotImplementedError", () => {
    const msg =
      "MLIR translation rule for primitive 'platform_index(platforms=(('tpu',),))' not found for platform cpu";
    expect(() => lax.platformDependent(x3, { tpu: jnp.sin })).toThrow(msg);
    expect(() => jit((x: Value) => lax.platformDependent(x, { tpu: jnp.sin }))(x3)).toThrow(msg);
    // Tracing alone chooses nothing: the jaxpr holds the branch.
    expect(String(makeJaxpr((x: Value) => lax.platformDependent(x, { tpu: jnp.sin }))(x3))).toContain(
      "platform_index[platforms=(('tpu',),)]",
    );
  });

  it("checks the branches as JAX's does", () => {
    expect(() => lax.platformDependent(x3, { gpu: jnp.sin })).toThrow(
      "Use 'cuda' or 'rocm' for lax.platform_dependent.",
    );
    expect(() => lax.platformDependent(x3, { cpu: 1 })).toThrow(
      "lax.platform_dependent: the 'cpu' branch must be a callable.",
    );
    expect(() => lax.platformDependent(x3, { cpu: jnp.sin, default: 2 })).toThrow(
      "lax.platform_dependent: the 'default' branch must be a callable.",
    );
  });
});

describe('lax.platformDependent', () => {
  it('prints as JAX prints it: one group per distinct branch, the default last', () => {
    expect(String(makeJaxpr(sinCos)(1.5))).toBe(`{ lambda ; a:f32[]. let
    b:i32[] = platform_index[platforms=(('cpu', 'tpu'), None)] 
    c:f32[] = cond[
      branches=(
        { lambda ; d:f32[]. let e:f32[] = sin d in (e,) }
        { lambda ; f:f32[]. let g:f32[] = cos f in (g,) }
      )
      branches_platforms=(('cpu', 'tpu'), None)
    ] b a
  in (c,) }`);
  });

  it('grad: jvp, partial evaluation and transpose keep branches_platforms (JAX text)', () => {
    expect(String(makeJaxpr(grad(sinCos))(1.5))).toBe(`{ lambda ; a:f32[]. let
    b:i32[] = platform_index[platforms=(('cpu', 'tpu'), None)] 
    _:f32[] c:f32[] = cond[
      branches=(
        { lambda ; d:f32[]. let
            e:f32[] = sin d
            f:f32[] = cos d
            g:f32[] = empty2[dtype=float32 memory_space=MemorySpace.Device] 
          in (e, f) }
        { lambda ; h:f32[]. let
            i:f32[] = cos h
            j:f32[] = sin h
            k:f32[] = empty2[dtype=float32 memory_space=MemorySpace.Device] 
          in (i, j) }
      )
      branches_platforms=(('cpu', 'tpu'), None)
    ] b a
    l:f32[] = cond[
      branches=(
        { lambda ; m:f32[] n:f32[]. let o:f32[] = mul n m in (o,) }
        { lambda ; p:f32[] q:f32[]. let
            r:f32[] = neg q
            s:f32[] = mul r p
          in (s,) }
      )
      branches_platforms=(('cpu', 'tpu'), None)
    ] b c 1.0:f32[]
  in (l,) }`);
  });

  it('runs the cpu branch eagerly, jitted, under grad and vmap and their compositions', async () => {
    const want = (await data(x3)).map(Math.sin);
    const dWant = (await data(x3)).map(Math.cos);
    const close = async (x: any, w: number[]) => {
      near(await data(x), w, 6);
    };
    await close(sinCos(x3), want);
    await close(jit(sinCos)(x3), want);
    await close(vmap(sinCos)(x3), want);
    await close(jit(vmap(sinCos))(x3), want);
    await close(vmap(grad(sinCos))(x3), dWant);
    await close(jit(vmap(grad(sinCos)))(x3), dWant);
    await close(vmap(jit(grad(sinCos)))(x3), dWant);
    // The default branch where no group names the platform.
    const other = (x: Value) => lax.platformDependent(x, { tpu: jnp.sin, default: jnp.cos }) as Value;
    await close(jit(other)(x3), dWant);
    await close(
      jit(vmap(grad(other)))(x3),
      want.map((v) => -v),
    );
  });

  it('a batched index of a platform_dependent cond becomes a fresh platform_index (JAX issue 29329)', async () => {
    const j = makeJaxpr(sinCos)(1.5) as unknown as { jaxpr: { eqns: { params: Record<string, unknown> }[] } };
    const params = j.jaxpr.eqns[1].params;
    expect((params.branches as ClosedJaxpr[]).length).toBe(2);
    // The index rides along as a batched argument; the branches stay a cond on the cpu branch.
    const f = (i: Value, x: Value) => bind(cond_p, [i, x], params)[0];
    const idx = jnp.array([1, 0, 1], { dtype: 'int32' });
    const got = await data(vmap(f)(idx, x3));
    near(got, (await data(x3)).map(Math.sin), 6);
    expect(String(makeJaxpr(vmap(f))(idx, x3))).toContain('platform_index[platforms=');
    expect(String(makeJaxpr(vmap(f))(idx, x3))).not.toContain('select_n');
  });

  it("DCE prunes a cond's branches (JAX's _cond_dce_rule)", () => {
    const j = makeJaxpr((x: Value) =>
      lax.cond(
        jnp.greater(x, 0),
        (y: Value) => [y.mul(2), y.sin()],
        (y: Value) => [y, y.cos()],
        x,
      ),
    )(1.5) as unknown as { jaxpr: import('../../src/engine/ir/jaxpr.js').Jaxpr };
    const { jaxpr, usedInputs } = dceJaxpr(j.jaxpr, [true, false]);
    expect(usedInputs).toEqual([true]);
    const c = jaxpr.eqns.find((e) => e.primitive.name === 'cond')!;
    expect(c.outvars.length).toBe(1);
    const branches = c.params.branches as ClosedJaxpr[];
    expect(branches.map((b) => b.jaxpr.eqns.map((e) => e.primitive.name))).toEqual([[], ['mul']]);
  });
});

describe('jnp.diagonal', () => {
  const m = jnp.arange(12, { dtype: 'float32' }).reshape([3, 4]);
  const sq = jnp.arange(9, { dtype: 'float32' }).reshape([3, 3]);

  it('takes the gather branch on the cpu, eagerly and jitted, for every offset and layout', async () => {
    expect(await data(jnp.diagonal(sq))).toEqual([0, 4, 8]);
    expect(await data(jit((x: Value) => jnp.diagonal(x))(sq))).toEqual([0, 4, 8]);
    expect(await data(jnp.diagonal(m, 1))).toEqual([1, 6, 11]);
    expect(await data(jnp.diagonal(m, -1))).toEqual([4, 9]);
    expect(await data(jnp.diagonal(m, 5))).toEqual([]);
    expect(await data(jnp.diag(sq))).toEqual([0, 4, 8]);
    expect(await data(jnp.trace(sq))).toEqual([12]);
    const t = jnp.arange(24, { dtype: 'int32' }).reshape([2, 3, 4]);
    const d = jnp.diagonal(t, { offset: 1, axis1: 2, axis2: 0 });
    expect(d.shape).toEqual([3, 1]);
    expect(await data(d)).toEqual([12, 16, 20]); // np.diagonal(np.arange(24).reshape(2, 3, 4), 1, 2, 0)
    expect(await data(jnp.diagonal(jnp.eye(3, null, 0, { dtype: 'bool' })))).toEqual([1, 1, 1]);
    expect(await data(jnp.diagonal(sq.astype(int32)))).toEqual([0, 4, 8]);
  });

  it('grad and vmap: the diagonal gets the cotangent, other entries zero', async () => {
    const w = jnp.array([1, 2, 3], { dtype: 'float32' });
    const f = (x: Value) => jnp.sum(jnp.diagonal(x).mul(w));
    expect(await data(grad(f)(sq))).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 3]);
    expect(await data(jit(grad(f))(sq))).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 3]);
    const b = jnp.stack([sq, sq.mul(-1)]);
    expect(await data(vmap((x: Value) => jnp.diagonal(x))(b))).toEqual([0, 4, 8, -0, -4, -8]);
    expect(await data(jit(vmap(grad(f)))(b))).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 0, 0, 0, 2, 0, 0, 0, 3]);
  });
});

const webgpu = await deviceAvailable('webgpu', 'platform_dependent on webgpu');

describe.skipIf(!webgpu)('on webgpu', () => {
  it('a program compiled for webgpu takes its branch; the cpu takes the default', async () => {
    const f: F = jit((x: Value) => lax.platformDependent(x, { webgpu: jnp.sin, default: jnp.cos }) as Value);
    const onGpu = f(devicePut(x3, 'webgpu'));
    expect(String(onGpu.device)).toBe('webgpu:0');
    const v = await data(x3);
    near(await data(onGpu), v.map(Math.sin), 5);
    near(await data(f(devicePut(x3, 'cpu'))), v.map(Math.cos), 5);
    expect(await data(jit((x: Value) => jnp.diagonal(x))(devicePut(jnp.eye(3), 'webgpu')))).toEqual([
      1, 1, 1,
    ]);
  });
});
