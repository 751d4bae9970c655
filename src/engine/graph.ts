import { type DType, type TensorData, dataFrom } from './dtype';

/** A dimension: a fixed size or a symbol such as 'batch' (ONNX dim_param). */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** Attribute values an ONNX node may carry. */
export type AttrValue = number | string | readonly Dim[] | { float: number } | { floats: number[] } | ConstTensor;
// Keys starting with '_' are private build-time facts (static dims, axes given as inputs); never serialized.
export type Attrs = Record<string, AttrValue>;

/** CPU tensor data with its type and shape: initializers and constants. */
export interface ConstTensor { dtype: DType; shape: number[]; data: TensorData }

/** An op as the graph sees it: its ONNX identity and how gradients pass through it. */
export interface OpSpec {
  type: string;
  domain?: string;
  /** Output dtypes and shapes from the inputs and attributes. */
  infer: (inputs: (Value | null)[], attrs: Attrs) => { dtype: DType; shape: Shape }[];
  /** Vector-Jacobian product: one entry per input, null where no gradient flows. */
  vjp?: (dys: (Value | null)[], inputs: (Value | null)[], outputs: Value[], attrs: Attrs) => (Value | null)[];
}

/** One emitted ONNX node. */
export interface Node {
  id: number;
  op: OpSpec;
  inputs: (Value | null)[];
  outputs: Value[];
  attrs: Attrs;
}

/** A custom gradient over a composite: autodiff skips its interior and applies `vjp`. */
export interface CustomGrad {
  inputs: Value[];
  outputs: Value[];
  vjp: (dys: (Value | null)[]) => (Value | null)[];
}

/** A tensor-valued symbol in a graph. */
export class Value {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly node: Node | null = null,
  ) {}

  get rank(): number { return this.shape.length; }

  /** Number of elements when every dim is fixed, else null. */
  get size(): number | null {
    let n = 1;
    for (const d of this.shape) { if (typeof d !== 'number') return null; n *= d; }
    return n;
  }
}

/** A tensor program under construction: inputs, nodes in topological order, outputs. */
export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly initializers = new Map<string, ConstTensor>();
  readonly customGrads: CustomGrad[] = [];
  private counter = 0;
  private names = new Set<string>();
  private scalarCache = new Map<string, Value>();

  constructor(readonly name = 'prefstudio') {}

  private fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`; while (this.names.has(name));
    this.names.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: name '${name}' is already used`);
    this.names.add(name);
    return name;
  }

  /** Declare a graph input. */
  input(name: string, dtype: DType, shape: Shape): Value {
    const v = new Value(this, this.claim(name), dtype, shape);
    this.inputs.push(v);
    return v;
  }

  /** Mark `v` as a graph output under `name` (an Identity renames it when needed). */
  output(name: string, v: Value): Value {
    if (v.graph !== this) throw new Error(`output '${name}' belongs to another graph`);
    const out = v.name === name ? v : this.emit(identitySpec, [v], {}, [name])[0];
    this.outputs.push(out);
    return out;
  }

  /** A constant tensor stored as an initializer. */
  constant(t: ConstTensor, name?: string): Value {
    const n = name ? this.claim(name) : this.fresh('const');
    this.initializers.set(n, t);
    return new Value(this, n, t.dtype, t.shape);
  }

  /** A cached scalar (or 1-D) constant of the given type. */
  scalar(x: number, dtype: DType = 'float32', shape: number[] = []): Value {
    const key = `${dtype}:${shape.join(',')}:${Object.is(x, -0) ? '-0' : x}`;
    let v = this.scalarCache.get(key);
    if (!v) {
      const n = shape.reduce((a, b) => a * b, 1);
      v = this.constant({ dtype, shape, data: dataFrom(dtype, new Array(n).fill(x)) });
      this.scalarCache.set(key, v);
    }
    return v;
  }

  /** A 1-D int64 constant (shapes, axes, pads). */
  ints(values: number[]): Value {
    const key = `ints:${values.join(',')}`;
    let v = this.scalarCache.get(key);
    if (!v) {
      v = this.constant({ dtype: 'int64', shape: [values.length], data: dataFrom('int64', values) });
      this.scalarCache.set(key, v);
    }
    return v;
  }

  /** Append a node; outputs get fresh names unless given. */
  emit(op: OpSpec, inputs: (Value | null)[], attrs: Attrs, outNames?: string[]): Value[] {
    for (const x of inputs) {
      if (x && x.graph !== this) throw new Error(`${op.type}: input '${x.name}' belongs to another graph`);
    }
    const types = op.infer(inputs, attrs);
    const node: Node = { id: this.counter++, op, inputs, attrs, outputs: [] };
    node.outputs = types.map((t, i) =>
      new Value(this, outNames?.[i] ? this.claim(outNames[i]) : this.fresh(op.type), t.dtype, t.shape, node));
    this.nodes.push(node);
    return node.outputs;
  }
}

const identitySpec: OpSpec = {
  type: 'Identity',
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
  vjp: ([dy]) => [dy],
};

/** The graph that owns the first Value among `xs`. */
export function graphOf(...xs: unknown[]): Graph {
  for (const x of xs) if (x instanceof Value) return x.graph;
  throw new Error('no Value among the operands: cannot tell which graph to emit into');
}
