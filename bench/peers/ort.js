// ONNX Runtime (onnxruntime-node, CPU execution provider) as a peer: a one-node model per (op,
// dtype, shape), written by onnx-model.js, run on one thread like the native kernels. Timed as a user
// sees it: creating the input ort.Tensors (they wrap the typed arrays) and awaiting session.run.
import { onnxModel } from './onnx-model.js';

// graphOptimizationLevel stays at its default ('all').
const SESSION_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1 };
const TYPES = { f32: 'float32', f64: 'float64' };

/** The node per op, opset 13 (where ReduceLogSumExp still takes `axes` as an attribute). */
const MODELS = {
  softmax: { opType: 'Softmax', attributes: { axis: -1 } },
  logSoftmax: { opType: 'LogSoftmax', attributes: { axis: -1 } },
  logSumExp: { opType: 'ReduceLogSumExp', attributes: { axes: [-1], keepdims: 0 } },
  crossEntropy: { opType: 'SoftmaxCrossEntropyLoss', attributes: { reduction: 'mean' }, withLabels: true },
};
const NO_GRADIENT = 'onnxruntime-node is an inference build: no gradient kernels (SoftmaxCrossEntropyLossGrad is training-only)';

async function prepare(ort, op, set) {
  const { opType, attributes, withLabels } = MODELS[op];
  const { xs, rows, cols } = set;
  const type = TYPES[set.dtype];
  const inputs = [{ name: 'x', type, dims: [rows, cols] }];
  if (withLabels) inputs.push({ name: 'y', type: 'int64', dims: [rows] });
  const model = onnxModel({ opType, attributes, inputs, outputs: [{ name: 'out', type }] });
  const session = await ort.InferenceSession.create(model, SESSION_OPTIONS);
  // ORT takes int64 labels only: converted once, untimed, as an ORT user would hold them.
  const labels64 = withLabels ? set.labels.map((y) => BigInt64Array.from(y, BigInt)) : [];
  const feeds = withLabels
    ? (i) => ({ x: new ort.Tensor(type, xs[i], [rows, cols]), y: new ort.Tensor('int64', labels64[i], [rows]) })
    : (i) => ({ x: new ort.Tensor(type, xs[i], [rows, cols]) });
  const mask = xs.length - 1;
  return {
    run: async (calls) => {
      for (let i = 0; i < calls; i++) await session.run(feeds(i & mask));
    },
    once: async () => {
      const { out } = await session.run(feeds(0));
      return withLabels ? { loss: out.data[0] } : { values: out.data };
    },
    release: () => session.release(),
  };
}

/** The ORT peer: `contender(op, set)` for harness.evaluate, and what to print about it. */
export function ortPeers(ort) {
  const name = 'ORT';
  const peer = {
    name,
    contender: (op, set) =>
      MODELS[op] ? { name, prepare: () => prepare(ort, op, set) } : { name, skip: NO_GRADIENT },
  };
  return { peers: [peer], info: { 'onnxruntime-node': ort.env.versions.node, ort: 'CPU execution provider, 1 intra-op and 1 inter-op thread, opset 13' } };
}
