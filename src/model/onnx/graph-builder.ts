/**
 * A small builder for ONNX graphs: each op method appends one node and returns the name of its
 * output, so graph code reads like the forward math (`g.add(g.matmul(x, w), b)`). Names are made
 * unique by a counter; initializers are float32 or int64 constants embedded as raw data.
 */
import { DataType, encodeModel, type AttrValue, type DataTypeCode, type Dim, type NodeDef, type TensorValue, type ValueInfo } from './onnx-proto.ts';

/** ONNX opset this project targets (LayerNormalization needs ≥ 17; ReduceMean keeps `axes` as an attribute up to 17). */
export const OPSET = 17;
/** IR version matching opset 17 (ONNX 1.12+). */
export const IR_VERSION = 8;

type Attrs = Record<string, number | string | readonly number[] | AttrValue>;

function toAttr(v: Attrs[string], floatNames: boolean): AttrValue {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number') return floatNames || !Number.isInteger(v) ? { kind: 'float', value: v } : { kind: 'int', value: v };
  if (Array.isArray(v)) return { kind: 'ints', value: v as readonly number[] };
  return v as AttrValue;
}

/** Attributes that are floats even when given an integral value. */
const FLOAT_ATTRS = new Set(['epsilon', 'alpha', 'beta', 'clip']);

function checkSize(name: string, shape: readonly number[], n: number): void {
  const want = shape.reduce((a, b) => a * b, 1);
  if (want !== n) throw new Error(`initializer ${name}: shape [${shape.join(',')}] needs ${want} values, got ${n}`);
}

export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly initializers: TensorValue[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private counter = 0;
  private readonly names = new Set<string>();

  constructor(readonly name = 'tickcast') {}

  private fresh(base: string): string {
    let n = `${base}_${this.counter++}`;
    while (this.names.has(n)) n = `${base}_${this.counter++}`;
    return n; // reserved by the caller through claim()
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate ONNX value name ${name}`);
    this.names.add(name);
    return name;
  }

  input(name: string, shape: readonly Dim[], elemType: DataTypeCode = DataType.FLOAT): string {
    this.inputs.push({ name: this.claim(name), elemType, shape });
    return name;
  }

  /** Marks `value` as a graph output called `name` (an Identity node renames it when needed). */
  output(value: string, name: string, shape: readonly Dim[], elemType: DataTypeCode = DataType.FLOAT): string {
    if (value !== name) this.node('Identity', [value], {}, name);
    this.outputs.push({ name, elemType, shape });
    return name;
  }

  /** float32 constant. `data` is copied. */
  initializer(name: string, shape: readonly number[], data: ArrayLike<number>): string {
    checkSize(name, shape, data.length);
    const f = Float32Array.from(data);
    this.initializers.push({ name: this.claim(name), dataType: DataType.FLOAT, dims: [...shape], raw: new Uint8Array(f.buffer) });
    return name;
  }

  /** int64 constant (shapes, axes, indices). */
  int64(name: string, shape: readonly number[], data: readonly number[]): string {
    checkSize(name, shape, data.length);
    const a = BigInt64Array.from(data.map((v) => BigInt(v)));
    this.initializers.push({ name: this.claim(name), dataType: DataType.INT64, dims: [...shape], raw: new Uint8Array(a.buffer) });
    return name;
  }

  /** Anonymous int64 vector constant, e.g. a Reshape target. */
  ints(values: readonly number[]): string {
    return this.int64(this.fresh('const_i64'), [values.length], values);
  }

  bool(name: string, shape: readonly number[], data: readonly boolean[]): string {
    checkSize(name, shape, data.length);
    this.initializers.push({ name: this.claim(name), dataType: DataType.BOOL, dims: [...shape], raw: Uint8Array.from(data.map((b) => (b ? 1 : 0))) });
    return name;
  }

  /** Scalar float constant. */
  scalar(value: number): string {
    return this.initializer(this.fresh('const_f32'), [], [value]);
  }

  /** Appends a node; returns its first output. Extra outputs are named `${out}_k`. */
  node(opType: string, inputs: readonly string[], attrs: Attrs = {}, outName?: string, nOutputs = 1): string {
    const base = this.claim(outName ?? this.fresh(opType.toLowerCase()));
    const outputs = [base];
    for (let k = 1; k < nOutputs; k++) outputs.push(this.claim(`${base}_${k}`));
    const attributes: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = toAttr(v, FLOAT_ATTRS.has(k));
    this.nodes.push({ opType, name: `${opType}_${this.nodes.length}`, inputs, outputs, attributes });
    return base;
  }

  /** Appends a node with several outputs and returns all their names. */
  multi(opType: string, inputs: readonly string[], nOutputs: number, attrs: Attrs = {}): string[] {
    const first = this.node(opType, inputs, attrs, undefined, nOutputs);
    return [first, ...Array.from({ length: nOutputs - 1 }, (_, k) => `${first}_${k + 1}`)];
  }

  matmul(a: string, b: string): string { return this.node('MatMul', [a, b]); }
  add(a: string, b: string): string { return this.node('Add', [a, b]); }
  sub(a: string, b: string): string { return this.node('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.node('Mul', [a, b]); }
  div(a: string, b: string): string { return this.node('Div', [a, b]); }
  sigmoid(a: string): string { return this.node('Sigmoid', [a]); }
  tanh(a: string): string { return this.node('Tanh', [a]); }
  relu(a: string): string { return this.node('Relu', [a]); }
  softplus(a: string): string { return this.node('Softplus', [a]); }
  sqrt(a: string): string { return this.node('Sqrt', [a]); }
  softmax(a: string, axis: number): string { return this.node('Softmax', [a], { axis }); }
  transpose(a: string, perm: readonly number[]): string { return this.node('Transpose', [a], { perm }); }
  reshape(a: string, shape: readonly number[]): string { return this.node('Reshape', [a, this.ints(shape)]); }
  reduceMean(a: string, axes: readonly number[], keepdims = true): string {
    return this.node('ReduceMean', [a], { axes, keepdims: keepdims ? 1 : 0 });
  }
  gather(a: string, indices: readonly number[], axis: number): string {
    return this.node('Gather', [a, this.ints(indices)], { axis });
  }
  unsqueeze(a: string, axes: readonly number[]): string { return this.node('Unsqueeze', [a, this.ints(axes)]); }
  where(cond: string, a: string, b: string): string { return this.node('Where', [cond, a, b]); }
  layerNorm(a: string, gamma: string, beta: string, epsilon: number): string {
    return this.node('LayerNormalization', [a, gamma, beta], { axis: -1, epsilon });
  }
  /** `a @ w + b`: MatMul then Add (ORT fuses the pair into one MatMul+bias kernel). */
  linear(a: string, w: string, b?: string): string {
    const y = this.matmul(a, w);
    return b === undefined ? y : this.add(y, b);
  }

  /** 2-D `a @ w + c` as one Gemm (bias fused into the GEMM's C operand). */
  gemm(a: string, w: string, c: string): string { return this.node('Gemm', [a, w, c]); }

  /** Serialises the graph as an ONNX model. */
  toModel(meta: { producerVersion: string; docString?: string; metadata?: Record<string, string> }): Uint8Array {
    return encodeModel({
      graph: { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs },
      opset: OPSET,
      irVersion: IR_VERSION,
      producerName: 'tickcast',
      producerVersion: meta.producerVersion,
      docString: meta.docString,
      metadata: meta.metadata,
    });
  }
}
