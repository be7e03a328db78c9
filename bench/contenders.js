// What the package, plain JS and the ceilings run per op (the peers are in peers/). A runner is
// `run(calls)`: `calls` operations over the buffers of one (dtype, shape), cycling through the
// rotated input sets with `i & mask`; outputs, gradOut and the options objects are preallocated, so
// only the call itself is timed. Each op has its own loop, but V8 shares type feedback between the
// closures of one function literal: where the parent runs both libraries (native auto and pure TS
// in the small inputs, the sweep and the −Inf cell) an op's call site sees two targets. Measured,
// that adds 2–4% (under 10 ns) to native auto's time per call on 1×16 to 1×64 inputs, within the
// spread between runs, and nothing that shows where a call takes microseconds; the children run
// one library.

export const OPS = ['softmax', 'logSoftmax', 'logSumExp', 'crossEntropy', 'crossEntropyWithGrad'];

/** The package's API (native `dist/index.js` or pure TS `dist/js.js`), called as a user would. */
function libraryRunner(lib, op, set) {
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
      const opts = set.rowOuts.map((out) => ({ cols, out }));
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.logSumExp(xs[i & mask], opts[i & mask]);
      };
    }
    case 'crossEntropy': {
      const opts = { cols };
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = lib.crossEntropy(xs[i & mask], labels[i & mask], opts);
        return loss;
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
function plainRunner(plain, op, set) {
  const { xs, outs, rowOuts, labels, cols } = set;
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
        for (let i = 0; i < calls; i++) plain.logSumExp(xs[i & mask], rowOuts[i & mask], cols);
      };
    case 'crossEntropy':
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = plain.crossEntropy(xs[i & mask], labels[i & mask], cols);
        return loss;
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

/** The copy ceiling: each input `xs[b]` copied into `outs[b]` with TypedArray.set (a memcpy). */
export function copyRunner(set) {
  const { xs, outs } = set;
  const mask = xs.length - 1;
  return (calls) => {
    for (let i = 0; i < calls; i++) outs[i & mask].set(xs[i & mask]);
  };
}

/** The read ceiling: one read-only pass over each input `xs[b]` (plain.readSum). */
export function readRunner(plain, set) {
  const { xs } = set;
  const mask = xs.length - 1;
  return (calls) => {
    let s = 0;
    for (let i = 0; i < calls; i++) s += plain.readSum(xs[i & mask]);
    return s;
  };
}

/** Where each op's output is: the set's `outs` (one value per element), `rowOuts` (one per row), or only the returned loss. */
const OUTPUT = { softmax: 'outs', logSoftmax: 'outs', logSumExp: 'rowOuts', crossEntropy: 'loss', crossEntropyWithGrad: 'outs' };

/**
 * Runs once on input set 0 (clearing its outputs first) and returns `{ values, loss }`: a copy of
 * `set[output][0]` (unless `output` is 'loss'), and what the run returned when it is a number.
 */
function runOnce(run, output, set) {
  set.outs[0].fill(NaN);
  set.rowOuts[0].fill(NaN);
  const result = run(1);
  return { values: output === 'loss' ? undefined : set[output][0].slice(), loss: typeof result === 'number' ? result : undefined };
}

/**
 * A contender (see harness.evaluate) for a runner that writes into the set's buffers (`outs`,
 * `rowOuts`); `output` says which holds its result, `guard` how it is checked.
 */
export function bufferContender(name, makeRun, output, set, guard) {
  return {
    name,
    guard,
    prepare: () => {
      const run = makeRun();
      return { run, once: () => runOnce(run, output, set) };
    },
  };
}

/** The package's API (`lib`: native dist/index.js or pure TS dist/js.js) as a contender, held to the contract. */
export const libraryContender = (name, lib, op, set) => bufferContender(name, () => libraryRunner(lib, op, set), OUTPUT[op], set, 'contract');

/** The hand-written loops (one plain.js instance per dtype) as a contender. */
const plainContender = (plain, op, set) => bufferContender('plain JS', () => plainRunner(plain, op, set), OUTPUT[op], set, 'baseline');

/**
 * Who runs in this process for one op on one input set, in table order, from what `ctx` holds:
 * the package's default entry `ctx.native` (named `ctx.nativeName`, default "native auto"), pure TS
 * `ctx.pure`, plain JS `ctx.plainFor[dtype]`, then `peers` (default: `ctx.peers`).
 */
export function lineup(ctx, op, set, { native = true, peers = ctx.peers ?? [] } = {}) {
  return [
    ...(native && ctx.native ? [libraryContender(ctx.nativeName ?? 'native auto', ctx.native, op, set)] : []),
    ...(ctx.pure ? [libraryContender('pure TS', ctx.pure, op, set)] : []),
    ...(ctx.plainFor ? [plainContender(ctx.plainFor[set.dtype], op, set)] : []),
    ...peers.map((peer) => peer.contender(op, set)),
  ];
}
