// Runs inside a worker_threads Worker: loads the built package there and answers with a softmax.
import { parentPort, workerData } from 'node:worker_threads';
import { backend, softmax } from '../../dist/index.js';

const x = new Float64Array(workerData.x);
parentPort.postMessage({ backend, p: Array.from(softmax(x, { cols: workerData.cols })) });
