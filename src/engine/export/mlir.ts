/**
 * @file A small MLIR IR for the export: values, operations with regions, blocks, functions and a
 * module, and the builder that appends operations at an insertion point. Each operation carries
 * its own text form (StableHLO's ops have custom assembly formats); printer.ts names the values
 * and lays the text out. Only what JAX's lowering emits is modelled: one block per region, no
 * successors, no dialect registry.
 */

import type { DType } from '../core/dtype.js';

/** A tensor type: `tensor<4x3xf32>`. */
export interface TensorType {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

const ELEMENT: Record<string, string> = {
  bool: 'i1',
  int8: 'i8',
  int16: 'i16',
  int32: 'i32',
  int64: 'i64',
  uint8: 'ui8',
  uint16: 'ui16',
  uint32: 'ui32',
  uint64: 'ui64',
  float16: 'f16',
  float32: 'f32',
  float64: 'f64',
  complex64: 'complex<f32>',
  complex128: 'complex<f64>',
};

export function elementType(d: DType): string {
  const e = ELEMENT[d.name];
  if (!e) throw new Error(`no MLIR element type for ${d.name}`);
  return e;
}

/** A symbol reference: `@main`, or `@"<lambda>"` when the name is not a bare identifier. */
export function symbol(name: string): string {
  return /^[A-Za-z_][\w$.]*$/.test(name) ? `@${name}` : `@"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function typeText(t: TensorType): string {
  return `tensor<${[...t.shape.map(String), elementType(t.dtype)].join('x')}>`;
}

/** An SSA value: an operation's result or a block's argument. */
export class Value {
  constructor(
    readonly type: TensorType,
    /** The defining op (null for block arguments) and the result index. */
    readonly op: Op | null,
    readonly index: number,
  ) {}
  get shape(): readonly number[] {
    return this.type.shape;
  }
  get dtype(): DType {
    return this.type.dtype;
  }
}

export class Block {
  readonly args: Value[];
  readonly ops: Op[] = [];
  constructor(argTypes: readonly TensorType[]) {
    this.args = argTypes.map((t, i) => new Value(t, null, i));
  }
}

export class Region {
  readonly block: Block;
  constructor(argTypes: readonly TensorType[] = []) {
    this.block = new Block(argTypes);
  }
}

/** What an op's text form may ask of the printer. */
export interface OpPrinter {
  /** `%0`, `%0#1`, `%cst`, `%arg0`, `%iterArg_2`. */
  v(x: Value): string;
  /** Comma-separated names. */
  vs(xs: readonly Value[]): string;
  /** The op's own indentation. */
  readonly indent: string;
  /** The operations of a region, one per line, indented two more than the op. */
  body(r: Region): string;
  /** A block's arguments as `%arg1: tensor<f32>, ...`. */
  args(xs: readonly Value[]): string;
  /** Whether the op sits directly in a function body (func's default dialect applies). */
  readonly inFunc: boolean;
}

export type OpFormat = (p: OpPrinter, op: Op) => string;

export class Op {
  readonly results: Value[];
  constructor(
    readonly name: string,
    readonly operands: readonly Value[],
    resultTypes: readonly TensorType[],
    readonly format: OpFormat,
    readonly regions: readonly Region[] = [],
    /** Result names the op suggests (OpAsmOpInterface): `cst`, `c`, `values`, `indices`. */
    readonly resultNames: readonly string[] | null = null,
    /** A name for the block arguments of every region (stablehlo.while names them `iterArg`). */
    readonly blockArgName: string | null = null,
  ) {
    this.results = resultTypes.map((t, i) => new Value(t, this, i));
  }
}

/** A function of the module. Private functions are JAX's outlined calls (nested jit, cached rules). */
export class FuncOp {
  readonly body: Region;
  constructor(
    public name: string,
    readonly visibility: 'public' | 'private',
    argTypes: readonly TensorType[],
    public resultTypes: TensorType[],
    /** Attribute dictionaries (text inside the braces), per argument and result; '' for none. */
    readonly argAttrs: string[] = argTypes.map(() => ''),
    public resultAttrs: string[] = resultTypes.map(() => ''),
  ) {
    this.body = new Region(argTypes);
  }
  get args(): Value[] {
    return this.body.block.args;
  }
}

export class Module {
  readonly funcs: FuncOp[] = [];
  /** Top-level lines before the functions (e.g. `sdy.mesh @mesh = ...`). */
  readonly preamble: string[] = [];
  /** MLIR's SymbolTable: a conflicting name gets `_N` from one counter shared by the module. */
  private uniquing = 0;
  private readonly names = new Set<string>();
  constructor(
    readonly name: string,
    public attributes: string,
  ) {}
  /** Add a function at the end, renaming it as SymbolTable::insert does on a conflict. */
  insert(f: FuncOp): FuncOp {
    let name = f.name;
    while (this.names.has(name)) name = `${f.name}_${this.uniquing++}`;
    f.name = name;
    this.names.add(name);
    this.funcs.push(f);
    return f;
  }
}

/** Appends operations to a block. */
export class Builder {
  constructor(public block: Block) {}
  add(op: Op): Op {
    this.block.ops.push(op);
    return op;
  }
  /** Run `f` with the insertion point in `r`'s block, then restore it. */
  within<T>(r: Region, f: () => T): T {
    const saved = this.block;
    this.block = r.block;
    try {
      return f();
    } finally {
      this.block = saved;
    }
  }
}
