// What each contender runs. A runner is `run(calls)`: `calls` operations over the buffers of one
// (dtype, shape), cycling through the rotated input sets with `i & mask`; outputs, gradOut and the
// options objects are preallocated, so only the call itself is timed. Each op has its own loop (no
// shared call site), so the JIT sees one target per loop.

export const OPS = ['softmax', 'logSoftmax', 'logSumExp', 'crossEntropyWithGrad'];

/** The package's API (native `dist/index.js` or pure TS `dist/js/index.js`), called as a user would. */
export function libraryRunner(lib, op, set) {
  const { xs, labels, cols } = set;
  const mask = xs.length - 1;
  switch (op) {
    case 'softmax': {
      const opts = set.outs.map((out) => ({ cols, out }));
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.softmax(xs[i & mask], opts[i & mask]);
      };
    }
    case 'logSoftmax': {
      const opts = set.outs.map((out) => ({ cols, out }));
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.logSoftmax(xs[i & mask], opts[i & mask]);
      };
    }
    case 'logSumExp': {
      const opts = set.sums.map((out) => ({ cols, out }));
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.logSumExp(xs[i & mask], opts[i & mask]);
      };
    }
    case 'crossEntropyWithGrad': {
      const opts = set.outs.map((gradOut) => ({ cols, reduction: 'mean', gradOut }));
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = lib.crossEntropyWithGrad(xs[i & mask], labels[i & mask], opts[i & mask]).loss;
        return loss;
      };
    }
  }
  throw new Error(`bench: unknown op ${op}`);
}

/** The hand-written loops of plain.js (one module instance per dtype). */
export function plainRunner(plain, op, set) {
  const { xs, outs, sums, labels, cols } = set;
  const mask = xs.length - 1;
  switch (op) {
    case 'softmax':
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.softmax(xs[i & mask], outs[i & mask], cols);
      };
    case 'logSoftmax':
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.logSoftmax(xs[i & mask], outs[i & mask], cols);
      };
    case 'logSumExp':
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.logSumExp(xs[i & mask], sums[i & mask], cols);
      };
    case 'crossEntropyWithGrad':
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = plain.crossEntropyWithGrad(xs[i & mask], labels[i & mask], outs[i & mask], cols);
        return loss;
      };
  }
  throw new Error(`bench: unknown op ${op}`);
}

/** The copy ceiling: the input's bytes copied with TypedArray.set (a memcpy). */
export function copyRunner(set) {
  const { xs, outs } = set;
  const mask = xs.length - 1;
  return (calls) => {
    for (let i = 0; i < calls; i++) outs[i & mask].set(xs[i & mask]);
  };
}

/** The read ceiling: one read-only pass over the input (plain.readSum). */
export function readRunner(plain, set) {
  const { xs } = set;
  const mask = xs.length - 1;
  return (calls) => {
    let s = 0;
    for (let i = 0; i < calls; i++) s += plain.readSum(xs[i & mask]);
    return s;
  };
}

/**
 * What a runner left for input set 0 after run(1): the output values (a copy) and the loss, with
 * the floor of the comparison (harness.maxDifference): relative for probabilities, absolute below
 * 1 for log-values, and for the gradient absolute below 1% of its scale 1/rows (a hand-written f32
 * loop loses relative accuracy where p ≈ 1 makes p − 1 cancel).
 */
export function outputOf(op, set, loss) {
  switch (op) {
    case 'softmax':
      return { values: set.outs[0].slice(), floor: 0 };
    case 'logSoftmax':
      return { values: set.outs[0].slice(), floor: 1 };
    case 'logSumExp':
      return { values: set.sums[0].slice(), floor: 1 };
    case 'crossEntropyWithGrad':
      return { values: set.outs[0].slice(), floor: 0.01 / set.rows, loss };
  }
  throw new Error(`bench: unknown op ${op}`);
}

/** Runs once on input set 0 and returns what it wrote (clearing the outputs first). */
export function runOnce(run, op, set) {
  set.outs[0].fill(NaN);
  set.sums[0].fill(NaN);
  const loss = run(1);
  return outputOf(op, set, loss);
}
