/**
 * @file Pictures of arrays as PNG files: `io.savePng` lays images out in a grid (generated digits
 * during training), `io.scatterPng` plots 2-D points over optional reference points (a GAN's samples
 * against its target). Pixels are computed here; pngjs (loaded when a picture is written) encodes
 * them. Files are written atomically.
 */
import type { Value } from '../core/trace.js';

type RGB = readonly [number, number, number];

class Canvas {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: RGB,
  ) {
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) this.data.set([...background, 255], i * 4);
  }
  /** Blend `c` into pixel (x, y) with opacity `a`. */
  blend(x: number, y: number, c: RGB, a = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 4;
    for (let k = 0; k < 3; k++) this.data[o + k] = Math.round(this.data[o + k]! * (1 - a) + c[k]! * a);
  }
  async write(path: string): Promise<void> {
    const { PNG } = (await import('pngjs')) as typeof import('pngjs');
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    const { writeFileAtomic } = await import('../../format/atomic.js');
    await writeFileAtomic(path, PNG.sync.write(png));
  }
}

export interface ImageGridOptions {
  /** Rows and columns of the grid (default: as square as the count allows). */
  grid?: [number, number];
  /** The values shown as black and white (default [0, 1]; uint8 images: [0, 255]). */
  range?: [number, number];
  /** Pixels between images (default 2). */
  pad?: number;
  /** Each image pixel drawn as a scale x scale block (default 1). */
  scale?: number;
}

/**
 * Writes images as one PNG grid. `images` is [H, W], [H, W, C], [N, H, W] or [N, H, W, C] with C of
 * 1 (gray), 3 (RGB) or 4 (RGBA, alpha dropped); values outside `range` are clipped.
 */
export async function savePng(path: string, images: Value, opts: ImageGridOptions = {}): Promise<void> {
  let shape = [...images.shape];
  if (shape.length === 2) shape = [1, ...shape, 1];
  else if (shape.length === 3)
    shape = [3, 4].includes(shape[2]!) || shape[2] === 1 ? [1, ...shape] : [...shape, 1];
  if (shape.length !== 4 || ![1, 3, 4].includes(shape[3]!))
    throw new Error(
      `io.savePng: expected images of shape [N, H, W] or [N, H, W, C] with C 1, 3 or 4, got [${images.shape.join(', ')}]`,
    );
  const [n, h, w, c] = shape as [number, number, number, number];
  const values = (await images.data()) as ArrayLike<number>;
  const [lo, hi] = opts.range ?? (images.dtype.name === 'uint8' ? [0, 255] : [0, 1]);
  const cols = opts.grid?.[1] ?? Math.ceil(Math.sqrt(n));
  const rows = opts.grid?.[0] ?? Math.ceil(n / cols);
  if (rows * cols < n) throw new Error(`io.savePng: a ${rows}x${cols} grid cannot hold ${n} images`);
  const pad = opts.pad ?? 2;
  const s = opts.scale ?? 1;
  const canvas = new Canvas(cols * (w * s + pad) + pad, rows * (h * s + pad) + pad, [128, 128, 128]);
  const level = (v: number) => Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo || 1))));
  for (let i = 0; i < n; i++) {
    const x0 = pad + (i % cols) * (w * s + pad);
    const y0 = pad + Math.floor(i / cols) * (h * s + pad);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const base = ((i * h + y) * w + x) * c;
        const px: RGB =
          c === 1
            ? [level(values[base]!), level(values[base]!), level(values[base]!)]
            : [level(values[base]!), level(values[base + 1]!), level(values[base + 2]!)];
        for (let dy = 0; dy < s; dy++)
          for (let dx = 0; dx < s; dx++) canvas.blend(x0 + x * s + dx, y0 + y * s + dy, px);
      }
  }
  await canvas.write(path);
}

export interface ScatterOptions {
  /** Reference points drawn first, in blue (a target distribution). */
  target?: Value;
  /** Width and height in pixels (default 512). */
  size?: number;
  /** The plotted square, [[xmin, xmax], [ymin, ymax]] (default: around all points, 5% margin). */
  range?: [[number, number], [number, number]];
  /** Radius of a point in pixels (default 1.5). */
  radius?: number;
}

async function points(v: Value, what: string): Promise<Float64Array> {
  if (v.ndim !== 2 || v.shape[1] !== 2)
    throw new Error(`io.scatterPng: ${what} must have shape [N, 2], got [${v.shape.join(', ')}]`);
  return Float64Array.from((await v.data()) as ArrayLike<number>, Number);
}

/** Writes a scatter plot of 2-D points ([N, 2]), in red over the optional target points in blue. */
export async function scatterPng(path: string, pts: Value, opts: ScatterOptions = {}): Promise<void> {
  const p = await points(pts, 'points');
  const t = opts.target ? await points(opts.target, 'target') : new Float64Array(0);
  let range = opts.range;
  if (!range) {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const a of [p, t])
      for (let i = 0; i < a.length; i += 2) {
        if (!Number.isFinite(a[i]!) || !Number.isFinite(a[i + 1]!)) continue;
        [x0, x1, y0, y1] = [
          Math.min(x0, a[i]!),
          Math.max(x1, a[i]!),
          Math.min(y0, a[i + 1]!),
          Math.max(y1, a[i + 1]!),
        ];
      }
    if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [-1, 1, -1, 1];
    const m = 0.05 * Math.max(x1 - x0, y1 - y0, 1e-9);
    range = [
      [x0 - m, x1 + m],
      [y0 - m, y1 + m],
    ];
  }
  const size = opts.size ?? 512;
  const r = opts.radius ?? 1.5;
  const canvas = new Canvas(size, size, [255, 255, 255]);
  const [[xa, xb], [ya, yb]] = range;
  const px = (x: number) => ((x - xa) / (xb - xa)) * (size - 1);
  const py = (y: number) => (1 - (y - ya) / (yb - ya)) * (size - 1);
  // Axes through the origin, when it is in view.
  for (let i = 0; i < size; i++) {
    if (xa < 0 && xb > 0) canvas.blend(Math.round(px(0)), i, [200, 200, 200]);
    if (ya < 0 && yb > 0) canvas.blend(i, Math.round(py(0)), [200, 200, 200]);
  }
  const dot = (x: number, y: number, c: RGB) => {
    const cx = px(x);
    const cy = py(y);
    for (let yy = Math.floor(cy - r); yy <= Math.ceil(cy + r); yy++)
      for (let xx = Math.floor(cx - r); xx <= Math.ceil(cx + r); xx++) {
        const d = Math.hypot(xx - cx, yy - cy);
        if (d <= r + 0.5) canvas.blend(xx, yy, c, 0.6 * Math.min(1, r + 0.5 - d));
      }
  };
  for (let i = 0; i < t.length; i += 2) dot(t[i]!, t[i + 1]!, [40, 90, 220]);
  for (let i = 0; i < p.length; i += 2) dot(p[i]!, p[i + 1]!, [220, 40, 40]);
  await canvas.write(path);
}
