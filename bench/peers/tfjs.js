// TensorFlow.js as a peer, backends 'cpu' (JS kernels) and 'wasm' (C++ kernels in WebAssembly),
// float32 only. Two variants each: "tfjs-<backend>" creates the input tensors, runs the op and reads
// the result with dataSync() (what a user sees); "tfjs-<backend> op" runs the op on tensors created
// beforehand and reads the result (dataSync makes the op run).

/** The op on tensors: what to read back. `onehot` is the labels as a one-hot [rows, cols] tensor. */
const OPS = {
  softmax: (tf, x) => ({ values: tf.softmax(x) }),
  logSoftmax: (tf, x) => ({ values: tf.logSoftmax(x) }),
  logSumExp: (tf, x) => ({ values: tf.logSumExp(x, 1) }),
  crossEntropy: (tf, x, onehot) => ({ loss: tf.losses.softmaxCrossEntropy(onehot, x) }),
  crossEntropyWithGrad: (tf, x, onehot) => {
    const { value, grad } = tf.valueAndGrad((z) => tf.losses.softmaxCrossEntropy(onehot, z))(x);
    return { loss: value, values: grad };
  },
};

async function prepare(tf, backend, opOnly, op, set) {
  await tf.setBackend(backend);
  const { xs, labels, rows, cols } = set;
  const withLabels = op.startsWith('crossEntropy');
  // Int labels become a one-hot tensor, as tf.losses.softmaxCrossEntropy wants.
  const inputs = (i) => [tf.tensor2d(xs[i], [rows, cols]), withLabels ? tf.oneHot(tf.tensor1d(labels[i], 'int32'), cols) : undefined];
  const kept = opOnly ? xs.map((_, i) => tf.tidy(() => inputs(i))) : [];
  const inputsOf = opOnly ? (i) => kept[i] : inputs;
  // tidy disposes every tensor made in the call, so memory does not grow. The typed arrays leave
  // through `out`, not as tidy's result: tidy would walk a returned array element by element.
  const call = (i) => {
    let out;
    tf.tidy(() => {
      const { values, loss } = OPS[op](tf, ...inputsOf(i));
      out = { values: values?.dataSync(), loss: loss?.dataSync()[0] };
    });
    return out;
  };
  const mask = xs.length - 1;
  return {
    run: (calls) => {
      let out;
      for (let i = 0; i < calls; i++) out = call(i & mask);
      return out.loss;
    },
    once: () => call(0),
    release: () => tf.dispose(kept.flat().filter(Boolean)),
  };
}

function tfjsPeer(tf, backend, opOnly) {
  const name = `tfjs-${backend}${opOnly ? ' op' : ''}`;
  return {
    name,
    opOnly, // left out of quick runs
    contender: (op, set) =>
      set.dtype === 'f32'
        ? { name, prepare: () => prepare(tf, backend, opOnly, op, set) }
        : { name, skip: 'TensorFlow.js has no float64' },
  };
}

/** The four tfjs peers, and what to print about them (which WebAssembly build the wasm backend runs). */
export async function tfjsPeers(tf, wasm) {
  tf.enableProdMode(); // PROD only silences tfjs' console advice to install tfjs-node
  await tf.setBackend('wasm');
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? wasm.getThreadsCount() : 1;
  const build = `tfjs-backend-wasm${threads > 1 ? '-threaded' : ''}${simd ? '-simd' : ''}.wasm`;
  return {
    peers: ['wasm', 'cpu'].flatMap((backend) => [tfjsPeer(tf, backend, false), tfjsPeer(tf, backend, true)]),
    info: { '@tensorflow/tfjs': tf.version.tfjs, '@tensorflow/tfjs-backend-wasm': wasm.version_wasm, tfjsWasm: `${build}, ${threads} thread${threads > 1 ? 's' : ''} (defaults)` },
  };
}
