// A minimal protobuf encoder that writes ONNX models, and the small 2-layer classifier the ONNX
// Runtime Web tests run. Field numbers are those of onnx/onnx.proto (ModelProto, GraphProto,
// NodeProto, AttributeProto, ValueInfoProto, TypeProto, TensorShapeProto, TensorProto,
// OperatorSetIdProto). ORT parses and validates the bytes when it creates a session, and the test
// checks the model's outputs against a float64 forward pass of the same weights computed here.
import { mulberry32, normal } from '../../../src/reference/index';

// ---- protobuf wire format ------------------------------------------------------------------------
// A field is a varint key (field << 3 | wire type) and a value: wire type 0 is a varint, 2 is a
// length-delimited byte string (strings, bytes, nested messages, packed repeated scalars).

class Writer {
  private readonly bytes: number[] = [];

  /** Unsigned varint, 7 bits a byte, low bits first. Negative int64 values take 10 bytes. */
  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) b |= 0x80;
      this.bytes.push(b);
    } while (x !== 0n);
  }

  private key(field: number, wire: 0 | 2): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }

  raw(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }

  message(field: number, m: Writer): this {
    return this.raw(field, m.finish());
  }

  /** A packed repeated float field (float_data): little-endian float32s in one byte string. */
  packedFloats(field: number, v: Float32Array): this {
    return this.raw(field, new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)));
  }

  /** A packed repeated int64 field (ints): varints in one byte string. */
  packedInts(field: number, v: readonly number[]): this {
    const inner = new Writer();
    for (const x of v) inner.varint(x);
    return this.raw(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

// ---- ONNX messages -------------------------------------------------------------------------------

/** TensorProto.DataType values used here. */
export const ElemType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array;
  /** Store as raw_data (field 9) instead of float_data (field 4); both are exercised. */
  raw?: boolean;
}

export interface ValueInfo {
  name: string;
  elemType: number;
  /** Sizes, or a string for a symbolic dimension (e.g. the batch 'N'). */
  shape: (number | string)[];
}

export type Attribute = { name: string; i: number } | { name: string; ints: number[] };

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attribute[];
}

export interface GraphSpec {
  name: string;
  nodes: Node[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  opset: number;
}

function tensorProto(t: Initializer): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d); // dims (repeated int64, unpacked is valid proto2)
  w.int(2, ElemType.FLOAT); // data_type
  w.string(8, t.name); // name
  if (t.raw) w.raw(9, new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength))); // raw_data
  else w.packedFloats(4, t.data); // float_data
  return w;
}

function valueInfo(v: ValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d); // dim_value
    else dim.string(2, d); // dim_param
    shape.message(1, dim); // TensorShapeProto.dim
  }
  const tensorType = new Writer().int(1, v.elemType).message(2, shape); // elem_type, shape
  const type = new Writer().message(1, tensorType); // TypeProto.tensor_type
  return new Writer().string(1, v.name).message(2, type); // ValueInfoProto name, type
}

function attribute(a: Attribute): Writer {
  const w = new Writer().string(1, a.name);
  if ('i' in a) return w.int(3, a.i).int(20, 2); // i, type = INT
  return w.packedInts(8, a.ints).int(20, 7); // ints, type = INTS
}

function nodeProto(n: Node, index: number): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, `${n.op.toLowerCase()}_${index}`); // name
  w.string(4, n.op); // op_type
  for (const a of n.attributes ?? []) w.message(5, attribute(a));
  return w;
}

/** Serializes a ModelProto (IR version 8) holding one graph. */
export function encodeModel(g: GraphSpec): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => graph.message(1, nodeProto(n, i))); // node
  graph.string(2, g.name); // name
  for (const t of g.initializers) graph.message(5, tensorProto(t)); // initializer
  for (const v of g.inputs) graph.message(11, valueInfo(v)); // input
  for (const v of g.outputs) graph.message(12, valueInfo(v)); // output
  const opset = new Writer().string(1, '').int(2, g.opset); // default domain, version
  return new Writer()
    .int(1, 8) // ir_version
    .string(2, 'webgpu-loss tests') // producer_name
    .message(7, graph) // graph
    .message(8, opset) // opset_import
    .finish();
}

// ---- the test model ------------------------------------------------------------------------------

export interface MlpWeights {
  inFeatures: number;
  hidden: number;
  classes: number;
  w1: Float32Array; // [D, H]
  b1: Float32Array; // [H]
  w2: Float32Array; // [H, V]
  b2: Float32Array; // [V]
  w3: Float32Array; // [H, V] teacher head
  b3: Float32Array; // [V]
}

export function mlpWeights(seed: number, inFeatures: number, hidden: number, classes: number): MlpWeights {
  const rng = mulberry32(seed);
  const mat = (n: number, s: number) => Float32Array.from({ length: n }, () => s * normal(rng));
  return {
    inFeatures, hidden, classes,
    w1: mat(inFeatures * hidden, 1 / Math.sqrt(inFeatures)), b1: mat(hidden, 0.1),
    w2: mat(hidden * classes, 2 / Math.sqrt(hidden)), b2: mat(classes, 0.1),
    w3: mat(hidden * classes, 2 / Math.sqrt(hidden)), b3: mat(classes, 0.1),
  };
}

/**
 * The classifier as an ONNX graph, batch size symbolic:
 *   h        = Relu(Gemm(x, W1, b1))            [N, H]
 *   logits   = Gemm(h, W2, b2)                  [N, V]
 *   teacher  = Softmax(Gemm(h, W3, b3), axis=-1) [N, V]   dense targets (a second head)
 *   labels32 = Cast(y, to=INT32)                [N]      labels cast in the graph
 *   labels64 = Identity(y)                      [N]      labels as ONNX usually carries them
 */
export function mlpModel(w: MlpWeights): Uint8Array {
  return encodeModel(mlpGraph(w));
}

function mlpGraph(w: MlpWeights): GraphSpec {
  const { inFeatures: D, hidden: H, classes: V } = w;
  return {
    name: 'mlp',
    opset: 17,
    nodes: [
      { op: 'Gemm', inputs: ['x', 'W1', 'b1'], outputs: ['z1'] },
      { op: 'Relu', inputs: ['z1'], outputs: ['h'] },
      { op: 'Gemm', inputs: ['h', 'W2', 'b2'], outputs: ['logits'] },
      { op: 'Gemm', inputs: ['h', 'W3', 'b3'], outputs: ['z3'] },
      { op: 'Softmax', inputs: ['z3'], outputs: ['teacher'], attributes: [{ name: 'axis', i: -1 }] },
      { op: 'Cast', inputs: ['y'], outputs: ['labels32'], attributes: [{ name: 'to', i: ElemType.INT32 }] },
      { op: 'Identity', inputs: ['y'], outputs: ['labels64'] },
    ],
    initializers: [
      { name: 'W1', dims: [D, H], data: w.w1 },
      { name: 'b1', dims: [H], data: w.b1 },
      { name: 'W2', dims: [H, V], data: w.w2, raw: true },
      { name: 'b2', dims: [V], data: w.b2, raw: true },
      { name: 'W3', dims: [H, V], data: w.w3 },
      { name: 'b3', dims: [V], data: w.b3 },
    ],
    inputs: [
      { name: 'x', elemType: ElemType.FLOAT, shape: ['N', D] },
      { name: 'y', elemType: ElemType.INT64, shape: ['N'] },
    ],
    outputs: [
      { name: 'logits', elemType: ElemType.FLOAT, shape: ['N', V] },
      { name: 'teacher', elemType: ElemType.FLOAT, shape: ['N', V] },
      { name: 'labels32', elemType: ElemType.INT32, shape: ['N'] },
      { name: 'labels64', elemType: ElemType.INT64, shape: ['N'] },
    ],
  };
}

/** The classifier as the README's example expects a model: outputs `logits` and `labels` (int64) only. */
export function readmeModel(w: MlpWeights): Uint8Array {
  const { inFeatures: D, classes: V } = w;
  const full = mlpGraph(w);
  const kept = ['z1', 'h', 'logits'];
  return encodeModel({
    ...full,
    name: 'readme',
    nodes: [...full.nodes.filter((n) => kept.includes(n.outputs[0])), { op: 'Identity', inputs: ['y'], outputs: ['labels'] }],
    initializers: full.initializers.filter((i) => !['W3', 'b3'].includes(i.name)),
    inputs: [
      { name: 'x', elemType: ElemType.FLOAT, shape: ['N', D] },
      { name: 'y', elemType: ElemType.INT64, shape: ['N'] },
    ],
    outputs: [
      { name: 'logits', elemType: ElemType.FLOAT, shape: ['N', V] },
      { name: 'labels', elemType: ElemType.INT64, shape: ['N'] },
    ],
  });
}

/** The same forward pass in float64, from the float32 weights and inputs (the independent oracle). */
export function mlpForward64(w: MlpWeights, x: Float32Array, rows: number): { logits: Float64Array; teacher: Float64Array; logitErrBound: Float64Array } {
  const { inFeatures: D, hidden: H, classes: V } = w;
  const logits = new Float64Array(rows * V);
  const teacher = new Float64Array(rows * V);
  // Per-row bound on |float32 logits − float64 logits| (see logitErrBound in the test).
  const logitErrBound = new Float64Array(rows);
  const h = new Float64Array(H);
  const habs = new Float64Array(H);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < H; j++) {
      let s = w.b1[j];
      let a = Math.abs(w.b1[j]);
      for (let k = 0; k < D; k++) {
        s += x[r * D + k] * w.w1[k * H + j];
        a += Math.abs(x[r * D + k] * w.w1[k * H + j]);
      }
      h[j] = Math.max(0, s);
      habs[j] = a;
    }
    let bound = 0;
    const z3 = new Float64Array(V);
    for (let c = 0; c < V; c++) {
      let s = w.b2[c];
      let a = Math.abs(w.b2[c]);
      let t = w.b3[c];
      for (let j = 0; j < H; j++) {
        s += h[j] * w.w2[j * V + c];
        a += habs[j] * Math.abs(w.w2[j * V + c]);
        t += h[j] * w.w3[j * V + c];
      }
      logits[r * V + c] = s;
      z3[c] = t;
      bound = Math.max(bound, a);
    }
    // Standard float32 dot-product bound: |error| ≤ γ_n Σ|terms| with γ_n ≈ n·2^-24, n = D + H + 2
    // roundings on the way to a logit (each layer's dot, its bias, the hidden value's own error).
    logitErrBound[r] = (D + H + 2) * 2 ** -24 * bound;
    let m = -Infinity;
    for (let c = 0; c < V; c++) m = Math.max(m, z3[c]);
    let sum = 0;
    for (let c = 0; c < V; c++) sum += Math.exp(z3[c] - m);
    for (let c = 0; c < V; c++) teacher[r * V + c] = Math.exp(z3[c] - m) / sum;
  }
  return { logits, teacher, logitErrBound };
}
