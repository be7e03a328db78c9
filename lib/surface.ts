// The kernel surface this package shares with its native addon, written once on the TS side: the
// addon's functions with their arguments in order, the numbers of the enums passed to it, the chunk
// grid both backends cut rows on, and each architecture's ISAs. The addon exports the same
// description from its C++ (native/src/node/addon.cc, `surface`); test/surface.test.ts fails when the
// two differ, or when the loader's calls (lib/load.ts) do not pass these arguments in this order.
export const surface = {
  functions: {
    softmaxRows: ['x', 'out', 'cols', 'temperature', 'allMaskedZero', 'run'],
    logSoftmaxRows: ['x', 'out', 'cols', 'temperature', 'allMaskedZero', 'run'],
    logSumExpRows: ['x', 'out', 'cols', 'run'],
    crossEntropyRows: ['logits', 'cols', 'target', 'ignoreIndex', 'weight', 'labelSmoothing', 'temperature', 'lossOut', 'gradOut', 'gradScale', 'gradRowScale', 'run'],
    sigmoid: ['x', 'out'],
    logSigmoid: ['x', 'out'],
    binaryCrossEntropyRows: ['x', 'target', 'cols', 'weight', 'posWeight', 'lossOut', 'gradOut', 'gradScale', 'gradElementScale'],
    softmaxBackwardRows: ['y', 'dy', 'out', 'cols'],
    logSoftmaxBackwardRows: ['y', 'dy', 'out', 'cols'],
    informationRows: ['measure', 'p', 'q', 'out', 'cols', 'normalize', 'scale', 'tolerance'],
    regression: ['kind', 'input', 'target', 'param', 'lossOut', 'gradOut', 'gradScale', 'gradElementScale'],
    scoreRows: ['logits', 'cols', 'labels', 'predictions', 'confidence', 'logSumExp', 'nll', 'k', 'topProbabilities', 'topIndices', 'topValues', 'run'],
  },
  /** The information measures, numbered by their position (enum ssm_measure). */
  measures: ['entropy', 'crossEntropyProbs', 'klDivergence'],
  /** The regression losses, numbered by their position (enum ssm_regression). */
  regressionKinds: ['l1', 'l2', 'mse', 'huber', 'smoothL1'],
  /** Elements per chunk of the fixed grid (native/src/node/row_jobs.h). */
  chunkElements: 65536,
  /** Each architecture's native ISAs, worst first (native/src/isa/dispatch.cc). */
  isas: { x64: ['scalar', 'avx2', 'avx512'], arm64: ['scalar', 'neon'], other: ['scalar'] },
} as const;
