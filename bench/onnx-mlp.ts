// A minimal ONNX writer for the benchmarked MLPs: the protobuf wire format by hand, only the fields of
// onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) that such a model needs.
// The graph is x -> MatMul -> Add -> Relu -> ... -> MatMul -> Add -> Softmax, with a symbolic batch dim "N".
import type * as nn from '../src/index.js';

/** One dense layer: kernel [inputs, units] row-major, bias [units], and its activation. */
export interface OnnxDense {
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  units: number;
  activation: 'relu' | 'softmax' | 'linear';
}

/** Protobuf wire types. */
const VARINT = 0;
const LEN = 2;

/** ONNX TensorProto.DataType.FLOAT. */
const FLOAT = 1;

/** Bytes of one protobuf message under construction. */
class Message {
  private readonly parts: number[] = [];

  private varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** A non-negative integer field (int32/int64). */
  int(field: number, value: number): this {
    this.tag(field, VARINT);
    this.varint(value);
    return this;
  }

  /** A length-delimited field: bytes or an embedded message. */
  bytes(field: number, value: Uint8Array | Message): this {
    const b = value instanceof Message ? value.toBytes() : value;
    this.tag(field, LEN);
    this.varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** TensorProto of float data: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian floats). */
function floatTensor(name: string, dims: number[], data: Float32Array): Message {
  const t = new Message();
  for (const d of dims) t.int(1, d);
  t.int(2, FLOAT).string(8, name);
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return t.bytes(9, raw);
}

/**
 * ValueInfoProto{name = 1, type = 2} of a float [N, features] tensor: TypeProto.tensor_type = 1,
 * Tensor{elem_type = 1, shape = 2}, TensorShapeProto.dim = 1, Dimension{dim_value = 1, dim_param = 2}.
 */
function batchValueInfo(name: string, features: number): Message {
  const shape = new Message().bytes(1, new Message().string(2, 'N')).bytes(1, new Message().int(1, features));
  const tensorType = new Message().int(1, FLOAT).bytes(2, shape);
  return new Message().string(1, name).bytes(2, new Message().bytes(1, tensorType));
}

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4 (default domain, no attributes needed). */
function node(opType: string, inputs: string[], output: string): Message {
  const n = new Message();
  for (const i of inputs) n.string(1, i);
  return n.string(2, output).string(3, output).string(4, opType);
}

/**
 * The ONNX model (opset 17, IR version 8) of an MLP: input "x" [N, inputs of the first layer], output
 * "y" [N, units of the last]. Softmax (opset 13+) acts on the last axis by default.
 */
export function encodeMlp(layers: readonly OnnxDense[]): Uint8Array {
  if (layers.length === 0) throw new Error('encodeMlp: expected at least one layer');
  const graph = new Message();
  let current = 'x';
  layers.forEach((layer, l) => {
    const { kernel, bias, inputs, units, activation } = layer;
    if (kernel.length !== inputs * units || bias.length !== units) {
      throw new Error(
        `encodeMlp: layer ${l} has a kernel of ${kernel.length} and a bias of ${bias.length} values for ${inputs}x${units}`,
      );
    }
    const last = l === layers.length - 1;
    const product = `matmul${l}`;
    const sum = activation === 'linear' && last ? 'y' : `add${l}`;
    graph.bytes(1, node('MatMul', [current, `kernel${l}`], product)); // GraphProto.node = 1
    graph.bytes(1, node('Add', [product, `bias${l}`], sum));
    current = sum;
    if (activation !== 'linear') {
      const out = last ? 'y' : `${activation}${l}`;
      graph.bytes(1, node(activation === 'relu' ? 'Relu' : 'Softmax', [current], out));
      current = out;
    }
    graph.bytes(5, floatTensor(`kernel${l}`, [inputs, units], kernel)); // GraphProto.initializer = 5
    graph.bytes(5, floatTensor(`bias${l}`, [units], bias));
  });
  graph.string(2, 'mlp'); // GraphProto.name = 2
  graph.bytes(11, batchValueInfo('x', layers[0].inputs)); // GraphProto.input = 11
  graph.bytes(12, batchValueInfo('y', layers[layers.length - 1].units)); // GraphProto.output = 12
  return new Message()
    .int(1, 8) // ModelProto.ir_version = 1
    .string(2, 'neurasm-bench') // ModelProto.producer_name = 2
    .bytes(8, new Message().string(1, '').int(2, 17)) // ModelProto.opset_import = 8: OperatorSetIdProto{domain = 1, version = 2}
    .bytes(7, graph) // ModelProto.graph = 7
    .toBytes();
}

/** The dense layers of a neurasm MLP (Dense layers only, relu/softmax/linear), with their weights read back. */
export function denseLayersOf(model: nn.Sequential): OnnxDense[] {
  return model.layers.map((layer, l) => {
    const dense = layer as unknown as { activation?: string };
    const weights = layer.getWeights();
    const kernel = weights[0];
    const activation = dense.activation;
    const valid =
      weights.length === 2 && kernel.shape.length === 2 && ['relu', 'softmax', 'linear'].includes(activation ?? '');
    const values = weights.map((w) => w.dataSync() as Float32Array);
    const [inputs, units] = kernel?.shape ?? [];
    for (const w of weights) w.dispose();
    if (!valid)
      throw new Error(
        `denseLayersOf: layer ${l} is not a dense layer with a bias and a relu, softmax or linear activation`,
      );
    return { kernel: values[0], bias: values[1], inputs, units, activation: activation as OnnxDense['activation'] };
  });
}
