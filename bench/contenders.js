// What the package, plain JS and the ceilings run (the peers are in peers/). A runner is
// `run(calls)`: `calls` operations over the buffers of one (dtype, shape), cycling through the
// rotated input sets with `i & mask`; outputs, gradOut and the options objects are preallocated, so
// only the call itself is timed. Each op has its own loop (no shared call site), so the JIT sees one
// target per loop.

export const OPS = ['softmax', 'logSoftmax', 'logSumExp', 'crossEntropy', 'crossEntropyWithGrad'];

/** The package's API (native `dist/index.js` or pure TS `dist/js/index.js`), called as a user would. */
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
      const opts = set.sums.map((out) => ({ cols, out }));
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

/** What a runner left for input set 0 after run(1): `{ values, loss }` (values copied). */
function outputOf(op, set, loss) {
  switch (op) {
    case 'softmax':
    case 'logSoftmax':
    case 'crossEntropyWithGrad':
      return { values: set.outs[0].slice(), loss };
    case 'logSumExp':
      return { values: set.sums[0].slice() };
    case 'crossEntropy':
      return { loss };
  }
  throw new Error(`bench: unknown op ${op}`);
}

/** Runs once on input set 0 and returns what it wrote (clearing the outputs first). */
function runOnce(run, op, set) {
  set.outs[0].fill(NaN);
  set.sums[0].fill(NaN);
  const loss = run(1);
  return outputOf(op, set, loss);
}

/** A contender (see harness.evaluate) for a runner that writes into the set's buffers. */
function bufferContender(name, makeRun, op, set) {
  return {
    name,
    strict: true,
    prepare: () => {
      const run = makeRun();
      return { run, once: () => runOnce(run, op, set) };
    },
  };
}

/** The package's API (`lib`: native dist/index.js or pure TS dist/js/index.js) as a contender. */
export const libraryContender = (name, lib, op, set) => bufferContender(name, () => libraryRunner(lib, op, set), op, set);

/** The hand-written loops (one plain.js instance per dtype) as a contender. */
const plainContender = (plain, op, set) => bufferContender('plain JS', () => plainRunner(plain, op, set), op, set);

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
