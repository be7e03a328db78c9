// The peers (ONNX Runtime, TensorFlow.js), from bench/node_modules when installed with
// bench/package.json: never dependencies of the package, and optional for the benchmark.
import { createRequire } from 'node:module';
import { ortPeers } from './ort.js';
import { tfjsPeers } from './tfjs.js';

const require = createRequire(import.meta.url);
export const INSTALL_PEERS = 'cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci';

/** require(), or undefined when the package is not installed. */
function optional(name) {
  try {
    return require(name);
  } catch (error) {
    if (error.code === 'MODULE_NOT_FOUND' && error.message.includes(`'${name}'`)) return undefined;
    throw error;
  }
}

/** `{ peers, info, missing }`: the peers installed (each with `contender(op, set)`), versions and settings, and what is not installed. */
export async function loadPeers() {
  const ort = optional('onnxruntime-node');
  const tf = optional('@tensorflow/tfjs');
  const wasm = tf && optional('@tensorflow/tfjs-backend-wasm');
  const loaded = [ort && ortPeers(ort), wasm && (await tfjsPeers(tf, wasm))].filter(Boolean);
  const missing = [
    ['onnxruntime-node', ort],
    ['@tensorflow/tfjs', tf],
    ['@tensorflow/tfjs-backend-wasm', wasm],
  ].flatMap(([name, module]) => (module ? [] : [name]));
  return { peers: loaded.flatMap((l) => l.peers), info: Object.assign({}, ...loaded.map((l) => l.info)), missing };
}
