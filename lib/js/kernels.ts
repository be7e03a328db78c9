import type { Kernels } from '../kernels.js';
import { logSoftmaxBackwardRows, softmaxBackwardRows } from './backward.js';
import { informationRows } from './information.js';
import { regression } from './regression.js';
import { runRows, runRowsAsync } from './rows.js';
import { binaryCrossEntropyRows, logSigmoid, sigmoid } from './sigmoid.js';

/** The pure-TS backend: no Node API, so it runs in a browser too. */
export const jsKernels: Kernels = {
  isa: 'js',
  sigmoid,
  logSigmoid,
  binaryCrossEntropyRows,
  softmaxBackwardRows,
  logSoftmaxBackwardRows,
  informationRows,
  regression,
  runRows: (call) => runRows(call),
  runRowsAsync: (call, _threads, control) => runRowsAsync(call, control),
};
