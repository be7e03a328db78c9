import type { Kernels } from '../kernels.js';
import { crossEntropyRows } from './cross-entropy.js';
import { logSoftmaxRows, logSumExpRows, softmaxRows } from './softmax.js';

/** The pure-TS backend: no Node API, so it runs in a browser too. */
export const jsKernels: Kernels = { isa: 'js', softmaxRows, logSoftmaxRows, logSumExpRows, crossEntropyRows };
