/**
 * @file Where a renderer of the kernel IR puts each expression node: every hash-consed node is
 * named once, at the shallowest loop level where its inputs are available (level -1 is before all
 * loops, level k inside the k-th loop, outermost first), which hoists loop-invariant loads and
 * arithmetic. The JavaScript (backends/cpu/js-emit.ts), WGSL (backends/webgpu/wgsl-expr.ts) and
 * gpu.js (backends/gpujs/expr.ts) emitters extend this class with the code of one node in their
 * language.
 */
import { children, type SExpr } from './kir.js';

export abstract class LevelEmitter {
  readonly names = new Map<number, string>();
  readonly levelOf = new Map<number, number>();
  /** `lines[k + 1]` holds the lines of level k. */
  readonly lines: string[][];
  private tmp = 0;
  constructor(
    /** The level at which each loop variable (and output index) is known. */
    protected readonly varLevel: Map<string, number>,
    levels: number,
    protected readonly prefix: string,
    /** The accumulator's name and level, in a reduction's epilogue. */
    protected readonly accName: string | null,
    protected readonly accLevel: number,
  ) {
    this.lines = Array.from({ length: levels }, () => []);
  }

  /** A fresh temporary name. */
  protected fresh(): string {
    return `${this.prefix}${this.tmp++}`;
  }

  protected push(level: number, line: string): void {
    this.lines[level + 1].push(line);
  }

  /**
   * Names a leaf where it stands, without a line: a constant by its literal, a loop variable, the
   * accumulator. False for any other node.
   */
  protected nameLeaf(n: SExpr, literal: (n: SExpr & { k: 'const' }) => string): boolean {
    switch (n.k) {
      case 'const':
        this.names.set(n.id, literal(n));
        this.levelOf.set(n.id, -1);
        return true;
      case 'var':
        this.names.set(n.id, this.varName(n.name));
        this.levelOf.set(n.id, this.varLevel.get(n.name) ?? -1);
        return true;
      case 'acc':
        if (!this.accName) throw new Error('acc outside a reduce epilogue');
        this.names.set(n.id, this.accName);
        this.levelOf.set(n.id, this.accLevel);
        return true;
      default:
        return false;
    }
  }

  /** The name a loop variable has in the emitted code. */
  protected varName(v: string): string {
    return v;
  }

  /** The level of node `n` (its inputs emitted): the deepest of its inputs' and `minLevel`. */
  protected levelFor(n: SExpr, minLevel: number): number {
    return children(n).reduce((m, c) => Math.max(m, this.levelOf.get(c.id)!), minLevel);
  }

  /** Binds node `n` (its inputs named) to a fresh temporary declared by `decl`; returns the level. */
  protected bind(n: SExpr, minLevel: number, decl: (t: string) => string): number {
    const level = this.levelFor(n, minLevel);
    const t = this.fresh();
    this.push(level, decl(t));
    this.names.set(n.id, t);
    this.levelOf.set(n.id, level);
    return level;
  }

  /** The name of an emitted node's value. */
  protected nameOf = (c: SExpr): string => this.names.get(c.id)!;
}
