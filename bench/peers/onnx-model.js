// One-node ONNX models, encoded by hand: the benchmark needs no onnx or protobuf package. Only the
// fields used here are written, with their numbers from onnx.proto (proto2; repeated scalars
// unpacked). Wire types: 0 varint, 2 length-delimited.

/** TensorProto.DataType of the element types used. */
const ELEM_TYPE = { float32: 1, int64: 7, float64: 11 };

const IR_VERSION = 7; // the IR of opset 13 (ONNX 1.8)
const ATTRIBUTE_TYPE = { INT: 2, STRING: 3, INTS: 7 };
const utf8 = new TextEncoder();

/** Base-128 varint; negative values (int64 fields) as 64-bit two's complement, ten bytes. */
function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes = [];
  while (v > 0x7fn) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return bytes;
}

const intField = (field, value) => [...varint(field << 3), ...varint(value)];
const bytesField = (field, bytes) => [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
const stringField = (field, text) => bytesField(field, [...utf8.encode(text)]);
/** An embedded message from its already encoded fields. */
const messageField = (field, ...fields) => bytesField(field, fields.flat());

/** ValueInfoProto{name 1, type 2: TypeProto{tensor_type 1: {elem_type 1, shape 2: {dim 1: {dim_value 1 | dim_param 2}}}}}. */
function valueInfo(field, { name, type, dims }) {
  const shape = dims ? [messageField(2, ...dims.map((d) => messageField(1, typeof d === 'string' ? stringField(2, d) : intField(1, d))))] : [];
  return messageField(field, stringField(1, name), messageField(2, messageField(1, intField(1, ELEM_TYPE[type]), ...shape)));
}

/** AttributeProto{name 1, i 3, s 4, ints 8, type 20} from a number, a string or an array of integers. */
function attribute(name, value) {
  const typed =
    typeof value === 'string'
      ? [stringField(4, value), intField(20, ATTRIBUTE_TYPE.STRING)]
      : Array.isArray(value)
        ? [...value.map((v) => intField(8, v)), intField(20, ATTRIBUTE_TYPE.INTS)]
        : [intField(3, value), intField(20, ATTRIBUTE_TYPE.INT)];
  return messageField(5, stringField(1, name), ...typed);
}

/**
 * A ModelProto whose graph is one node of the default ONNX domain:
 * `inputs` / `outputs` are `{ name, type: 'float32' | 'float64' | 'int64', dims? }` (dims: numbers
 * or symbolic names; omitted = unknown shape), `attributes` an object of ints, strings or int lists.
 */
export function onnxModel({ opType, inputs, outputs, attributes = {}, opset = 13 }) {
  const node = messageField(
    1, // GraphProto.node
    ...inputs.map((v) => stringField(1, v.name)), // NodeProto.input
    ...outputs.map((v) => stringField(2, v.name)), // NodeProto.output
    stringField(3, opType.toLowerCase()), // NodeProto.name
    stringField(4, opType), // NodeProto.op_type
    ...Object.entries(attributes).map(([name, value]) => attribute(name, value)),
  );
  const graph = messageField(
    7, // ModelProto.graph
    node,
    stringField(2, `softmax-simd bench ${opType}`), // GraphProto.name
    ...inputs.map((v) => valueInfo(11, v)), // GraphProto.input
    ...outputs.map((v) => valueInfo(12, v)), // GraphProto.output
  );
  return Uint8Array.from([
    ...intField(1, IR_VERSION), // ModelProto.ir_version
    ...stringField(2, 'softmax-simd bench'), // ModelProto.producer_name
    ...graph,
    ...messageField(8, intField(2, opset)), // ModelProto.opset_import: OperatorSetIdProto{version 2}, domain '' (default)
  ]);
}
