// Section `losses`: the element-wise and row functions beside softmax (sigmoid / logSigmoid,
// binary cross-entropy on logits and its gradient, entropy, KL divergence, the softmax and
// logSoftmax backward products, and two regression losses) at one shape, float32 and float64.
// As in the tables, the native kernels run in a child process per ISA (nativeLossCells), pure
// TS, plain JS (plain-losses.js) and the copy ceiling in the parent (measureLossCells);
// every output is checked against a float64 reference computed here. Details: bench/README.md, "losses".
import { bufferContender, copyRunner } from './contenders.js';
import { ARRAY_TYPES, DTYPES, evaluate, inputCopies, measure, mixSeed, prng, toRates } from './harness.js';
import { compensatedSum, contractTolerance } from './reference.js';

/** The one shape of the section: a batch of 1024 rows of 1000 classes. */
export const LOSS_SHAPE = { rows: 1024, cols: 1000 };

// ---------------------------------------------------------------- inputs

/**
 * The inputs, by kind, and the tag of each one's PRNG stream (one per kind and input copy, so an
 * op's inputs do not depend on which other ops run); `draw` fills them. Rows of probabilities and
 * the softmax outputs are computed in double, then stored in the dtype.
 */
const STREAM = {
  x: 1, // logits uniform in [−8, 8)
  t: 2, // BCE targets uniform in [0, 1)
  p: 3, // rows of uniform (0, 1] values divided by their sum
  q: 4, // as p, drawn independently
  y: 5, // softmax of logits uniform in [−8, 8), per row
  ly: 5, // logSoftmax of the same logits as y
  dy: 6, // upstream gradient uniform in [−1, 1)
  pred: 7, // regression input uniform in [−2, 2)
  target: 8, // regression target uniform in [−2, 2)
};

/** Fills `a` (rows × cols) with input kind `kind` from `next`. */
function draw(kind, a, rows, cols, next) {
  const n = rows * cols;
  const uniform = (lo, hi) => {
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * next();
  };
  const rowWise = (value, finish) => {
    const row = new Float64Array(cols);
    for (let r = 0, start = 0; r < rows; r++, start += cols) {
      for (let c = 0; c < cols; c++) row[c] = value();
      finish(row);
      a.set(row, start);
    }
  };
  switch (kind) {
    case 'x':
      return uniform(-8, 8);
    case 't':
      return uniform(0, 1);
    case 'dy':
      return uniform(-1, 1);
    case 'pred':
    case 'target':
      return uniform(-2, 2);
    case 'p':
    case 'q':
      // 1 − next() is in (0, 1]: no zero probability, so no q = 0 under p > 0 (an infinite KL).
      return rowWise(
        () => 1 - next(),
        (row) => {
          let sum = 0;
          for (let c = 0; c < cols; c++) sum += row[c];
          for (let c = 0; c < cols; c++) row[c] /= sum;
        },
      );
    case 'y':
    case 'ly':
      return rowWise(
        () => 16 * next() - 8,
        (row) => {
          let max = -Infinity;
          for (let c = 0; c < cols; c++) max = Math.max(max, row[c]);
          let sum = 0;
          if (kind === 'y') {
            for (let c = 0; c < cols; c++) sum += row[c] = Math.exp(row[c] - max);
            for (let c = 0; c < cols; c++) row[c] /= sum;
          } else {
            for (let c = 0; c < cols; c++) sum += Math.exp(row[c] - max);
            const shift = max + Math.log(sum);
            for (let c = 0; c < cols; c++) row[c] -= shift;
          }
        },
      );
  }
}

/**
 * The buffers of one dtype: `input(kind)` draws an input kind's copies on first use (then keeps
 * them), each copy with its own preallocated outputs (`outs`: one per element, `rowOuts`: one per
 * row); as in harness.makeBuffers, four copies when one input is under 16 MiB.
 */
function makeLossSet(dtype, { rows, cols }, seed) {
  const Type = ARRAY_TYPES[dtype];
  const elements = rows * cols;
  const count = inputCopies(elements * Type.BYTES_PER_ELEMENT);
  const cache = {};
  const input = (kind) =>
    (cache[kind] ??= Array.from({ length: count }, (_, b) => {
      const a = new Type(elements);
      draw(kind, a, rows, cols, prng(mixSeed(seed, rows, cols, b, STREAM[kind])));
      return a;
    }));
  return {
    dtype,
    rows,
    cols,
    elements,
    bytesPerElement: Type.BYTES_PER_ELEMENT,
    count,
    input,
    // Written once here, so the page faults of a first touch are never timed.
    outs: Array.from({ length: count }, () => new Type(elements).fill(NaN)),
    rowOuts: Array.from({ length: count }, () => new Type(rows).fill(NaN)),
  };
}

// ---------------------------------------------------------------- the ops

// Argument builders, run once per input copy: `ins` are the copy's inputs in the op's order, `out`
// its output buffer, `cols` the row length; `args` for the package's API (its options objects are
// made here, as a user preallocates them), `plainArgs` for the loops of plain-losses.js.
const ELEMENTWISE = { args: (ins, out) => [...ins, { out }], plainArgs: (ins, out) => [...ins, out] };
const PER_ROW = { args: (ins, out, cols) => [...ins, { cols, out }], plainArgs: (ins, out, cols) => [...ins, out, cols] };
const MEAN_LOSS = { args: (ins) => [...ins, { reduction: 'mean' }], plainArgs: (ins) => ins };

/**
 * What each op reads (input kinds, in argument order; `checked`: it checks every row of its inputs
 * before it computes any, so it reads them twice), where its result goes (`outs`: one value per
 * element, `rowOuts`: one per row, `loss`: the number it returns), whether that is a `gradient`
 * (see lossReference), and its argument builders.
 */
const LOSS_OPS = [
  { op: 'sigmoid', inputs: ['x'], output: 'outs', ...ELEMENTWISE },
  { op: 'logSigmoid', inputs: ['x'], output: 'outs', ...ELEMENTWISE },
  { op: 'binaryCrossEntropyWithLogits', inputs: ['x', 't'], output: 'loss', ...MEAN_LOSS },
  {
    op: 'binaryCrossEntropyWithLogitsBackward',
    inputs: ['x', 't'],
    output: 'outs',
    gradient: true,
    args: (ins, out) => [...ins, { reduction: 'mean', out }],
    plainArgs: ELEMENTWISE.plainArgs,
  },
  { op: 'entropy', inputs: ['p'], output: 'rowOuts', checked: true, ...PER_ROW },
  { op: 'klDivergence', inputs: ['p', 'q'], output: 'rowOuts', checked: true, ...PER_ROW },
  { op: 'softmaxBackward', inputs: ['y', 'dy'], output: 'outs', gradient: true, ...PER_ROW },
  { op: 'logSoftmaxBackward', inputs: ['ly', 'dy'], output: 'outs', gradient: true, ...PER_ROW },
  { op: 'mseLoss', inputs: ['pred', 'target'], output: 'loss', ...MEAN_LOSS },
  { op: 'huberLoss', inputs: ['pred', 'target'], output: 'loss', ...MEAN_LOSS },
];

const specOf = (op) => LOSS_OPS.find((s) => s.op === op);

/** Short names for the printed tables. */
export const LOSS_OP_SHORT = {
  binaryCrossEntropyWithLogits: 'bceWithLogits',
  binaryCrossEntropyWithLogitsBackward: 'bceWithLogitsBackward',
};

/**
 * Bytes an op reads and writes in one call. entropy and klDivergence read their inputs twice: the
 * native kernels (information_rows, native/src/losses_impl.h) and the pure-TS path
 * (lib/js/information.ts) check every row of p (and q) before computing any, and at 4 or 8 MB an
 * input the rows checked first are no longer in L1 or L2 when they are computed.
 */
function traffic(spec, set) {
  const bytesRead = (spec.checked ? 2 : 1) * spec.inputs.length * set.elements * set.bytesPerElement;
  const written = { outs: set.elements, rowOuts: set.rows, loss: 0 }[spec.output];
  return { bytesRead, bytesWritten: written * set.bytesPerElement };
}

/**
 * `fn` (the package's function or plain-losses.js's) on the rotated inputs, with the arguments
 * `argsOf` built for each copy beforehand; returns the last call's result (the loss, for the ops
 * that return one). One loop for every op and contender, so its call site is megamorphic: the
 * spread call costs about 10 ns, under 1e-4 of a call at this size (0.2 ms or more).
 */
function lossRunner(fn, argsOf, spec, set) {
  const mask = set.count - 1;
  const args = Array.from({ length: set.count }, (_, b) => argsOf(spec.inputs.map((kind) => set.input(kind)[b]), set[spec.output]?.[b], set.cols));
  return (calls) => {
    let result;
    for (let i = 0; i < calls; i++) result = fn(...args[i & mask]);
    return result;
  };
}

/** `fn` with `argsOf`'s arguments as a contender (see harness.evaluate), checked by `guard`. */
const lossContender = (name, fn, argsOf, spec, set, guard) => bufferContender(name, () => lossRunner(fn, argsOf, spec, set), spec.output, set, guard);

/**
 * The ceiling of an op, `{ elements, makeRun }`, on buffers of its own (`elements` values
 * each, filled, so every page is really mapped; as many rotated copies as the op's inputs have):
 * TypedArray.set of half the bytes the op reads and writes (a memcpy of B bytes reads B and writes
 * B), the same memory traffic. Ops that only read are held to it too: the only read-only pass JS
 * has is a scalar loop (plain.readSum), slower than the native kernels, so no ceiling.
 */
function ceilingOf(spec, set) {
  const { bytesRead, bytesWritten } = traffic(spec, set);
  const elements = Math.ceil((bytesRead + bytesWritten) / 2 / set.bytesPerElement);
  const buffers = (fill) => Array.from({ length: set.count }, () => new ARRAY_TYPES[set.dtype](elements).fill(fill));
  return { elements, makeRun: () => copyRunner({ xs: buffers(0.5), outs: buffers(NaN) }) };
}

// ---------------------------------------------------------------- reference

/**
 * The exact result of an op on input copy 0, in double with compensated sums, for harness.compare:
 * `{ values, floor, loss, lossFloor, tolerance }` (`tolerance`: softmax-simd's, for the part the op
 * writes). Errors are relative (floors 0: σ, log σ, entropies, divergences of these inputs and the
 * losses are bounded away from 0), except for the gradients, scaled by `0.01 ×` their largest
 * magnitude, as they cancel (σ(x) − t, dy − Σ dy·y) and an f32 kernel's error there is a few ulps
 * of the terms, not of the difference. Plain loops: each process computes every reference of the
 * section, so they should not take long.
 */
function lossReference(spec, set) {
  const { rows, cols, elements: n } = set;
  const [u, v] = spec.inputs.map((kind) => set.input(kind)[0]);
  const values = new Float64Array({ outs: n, rowOuts: rows, loss: 0 }[spec.output]);
  const mean = (term) => compensatedSum(n, term) / n;
  let loss;
  switch (spec.op) {
    case 'sigmoid':
      for (let i = 0; i < n; i++) values[i] = 1 / (1 + Math.exp(-u[i]));
      break;
    case 'logSigmoid':
      for (let i = 0; i < n; i++) values[i] = Math.min(u[i], 0) - Math.log1p(Math.exp(-Math.abs(u[i])));
      break;
    case 'binaryCrossEntropyWithLogits': // u = x, v = t
      loss = mean((i) => Math.max(u[i], 0) - u[i] * v[i] + Math.log1p(Math.exp(-Math.abs(u[i]))));
      break;
    case 'binaryCrossEntropyWithLogitsBackward':
      for (let i = 0; i < n; i++) values[i] = (1 / (1 + Math.exp(-u[i])) - v[i]) / n;
      break;
    case 'entropy': // u = p
    case 'klDivergence': // u = p, v = q
      for (let r = 0, start = 0; r < rows; r++, start += cols) {
        values[r] = compensatedSum(cols, (c) => {
          const p = u[start + c];
          if (!(p > 0)) return 0;
          return spec.op === 'entropy' ? -p * Math.log(p) : p * Math.log(p / v[start + c]);
        });
      }
      break;
    case 'softmaxBackward': // u = y, v = dy
    case 'logSoftmaxBackward': // u = logSoftmax output, v = dy
      for (let start = 0; start < n; start += cols) {
        const total = compensatedSum(cols, (c) => (spec.op === 'softmaxBackward' ? v[start + c] * u[start + c] : v[start + c]));
        for (let i = start; i < start + cols; i++) values[i] = spec.op === 'softmaxBackward' ? u[i] * (v[i] - total) : v[i] - Math.exp(u[i]) * total;
      }
      break;
    case 'mseLoss': // u = input, v = target
      loss = mean((i) => (u[i] - v[i]) ** 2);
      break;
    case 'huberLoss': // delta 1
      loss = mean((i) => {
        const d = Math.abs(u[i] - v[i]);
        return d < 1 ? 0.5 * d * d : d - 0.5;
      });
      break;
  }
  let largest = 0;
  if (spec.gradient) for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]));
  const tolerance = { [spec.output === 'loss' ? 'loss' : 'values']: contractTolerance(set.dtype, { gradient: spec.gradient }) };
  return { values, floor: 0.01 * largest, loss, lossFloor: 0, tolerance };
}

// ---------------------------------------------------------------- cells

/** The (op, dtype) cells, in print order. */
export function lossCells() {
  const { rows, cols } = LOSS_SHAPE;
  const shape = `${rows}x${cols}`;
  return DTYPES.flatMap((dtype) =>
    LOSS_OPS.map((spec) => ({
      op: spec.op,
      dtype,
      shape,
      rows,
      cols,
      label: `${spec.op} ${dtype} ${shape}`,
      contenders: {},
      skipped: {},
    })),
  );
}

/** In a child: the package (`native`, loaded with one ISA) on every cell; results by cell label. */
export async function nativeLossCells(native, isa, config, progress) {
  const results = {};
  const name = `native ${isa}`;
  for (const dtype of DTYPES) {
    progress(`losses, ${name}: ${dtype}`);
    const set = makeLossSet(dtype, LOSS_SHAPE, config.seed);
    for (const cell of lossCells().filter((c) => c.dtype === dtype)) {
      const spec = specOf(cell.op);
      const contender = lossContender(name, native[spec.op], spec.args, spec, set, 'contract');
      const info = { label: cell.label, set, ref: lossReference(spec, set) };
      results[cell.label] = (await evaluate([contender], info, config)).results[name];
    }
  }
  return results;
}

/**
 * In the parent: pure TS (`ctx.pure`), plain JS (`ctx.plainLossesFor[dtype]`) and the op's ceiling
 * on every cell; adds `inputBuffers`, `bytesRead`, `bytesWritten`, `copyElements` (the size of the
 * copy ceiling's buffers) and `tolerance` (softmax-simd's).
 */
export async function measureLossCells(cells, ctx, config, progress) {
  for (const dtype of DTYPES) {
    const set = makeLossSet(dtype, LOSS_SHAPE, config.seed);
    const timings = new Map(); // elements → the copy's timing, shared by the ops that move as many bytes
    for (const cell of cells.filter((c) => c.dtype === dtype)) {
      const spec = specOf(cell.op);
      const { elements, makeRun } = ceilingOf(spec, set);
      progress(`losses, pure TS, plain JS, copy: ${cell.label}`);
      const ref = lossReference(spec, set);
      const contenders = [
        lossContender('pure TS', ctx.pure[spec.op], spec.args, spec, set, 'contract'),
        lossContender('plain JS', ctx.plainLossesFor[dtype][spec.op], spec.plainArgs, spec, set, 'baseline'),
      ];
      const { results, skipped } = await evaluate(contenders, { label: cell.label, set, ref }, config);
      if (!timings.has(elements)) timings.set(elements, await measure(makeRun(), config));
      // The copy's time per call, as a rate in the op's elements: the op's Melem/s at that speed.
      Object.assign(cell.contenders, results, { copy: toRates(timings.get(elements), set.elements) });
      Object.assign(cell.skipped, skipped);
      Object.assign(cell, { inputBuffers: set.count, ...traffic(spec, set), copyElements: elements, tolerance: ref.tolerance });
    }
  }
}
