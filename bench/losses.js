// Section `losses`: the element-wise and row functions beside softmax (sigmoid / logSigmoid,
// binary cross-entropy on logits and its gradient, entropy, KL divergence, the softmax and
// logSoftmax backward products, and two regression losses) at one shape, float32 and float64.
// As in the tables, the native kernels run in a child process per ISA (nativeLossCells), pure
// TS, plain JS (plain-losses.js) and the copy ceiling in the parent (measureLossCells); every
// output is checked against a float64 reference computed here. Details: bench/README.md, "losses".
import { evaluate, inputCopies, measure, mixSeed, prng, toRates } from './harness.js';

/** The one shape of the section: a batch of 1024 rows of 1000 classes. */
export const LOSS_SHAPE = { rows: 1024, cols: 1000 };
const DTYPES = ['f32', 'f64'];
const ARRAY_TYPES = { f32: Float32Array, f64: Float64Array };

// ---------------------------------------------------------------- inputs

/**
 * The inputs, by kind: how each is drawn from the seeded PRNG (its own stream per kind and input
 * copy, so an op's inputs do not depend on which other ops run). Rows of probabilities and the
 * softmax outputs are computed in double, then stored in the dtype.
 */
const KINDS = {
  x: { tag: 1, about: 'logits uniform in [−8, 8)' },
  t: { tag: 2, about: 'BCE targets uniform in [0, 1)' },
  p: { tag: 3, about: 'rows of uniform (0, 1] values divided by their sum' },
  q: { tag: 4, about: 'as p, drawn independently' },
  y: { tag: 5, about: 'softmax of logits uniform in [−8, 8), per row' },
  ly: { tag: 5, about: 'logSoftmax of the same logits as y' },
  dy: { tag: 6, about: 'upstream gradient uniform in [−1, 1)' },
  pred: { tag: 7, about: 'regression input uniform in [−2, 2)' },
  target: { tag: 8, about: 'regression target uniform in [−2, 2)' },
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
  throw new Error(`bench: unknown input kind ${kind}`);
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
      draw(kind, a, rows, cols, prng(mixSeed(seed, rows, cols, b, KINDS[kind].tag)));
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

/**
 * What each op reads (input kinds, in argument order) and writes (`elements`: one value per
 * element, `rows`: one per row, `scalar`: a returned number), and how its error is scaled (see
 * lossReference).
 */
export const LOSS_OPS = [
  { op: 'sigmoid', inputs: ['x'], output: 'elements' },
  { op: 'logSigmoid', inputs: ['x'], output: 'elements' },
  { op: 'binaryCrossEntropyWithLogits', inputs: ['x', 't'], output: 'scalar' },
  { op: 'binaryCrossEntropyWithLogitsBackward', inputs: ['x', 't'], output: 'elements', gradient: true },
  { op: 'entropy', inputs: ['p'], output: 'rows' },
  { op: 'klDivergence', inputs: ['p', 'q'], output: 'rows' },
  { op: 'softmaxBackward', inputs: ['y', 'dy'], output: 'elements', gradient: true },
  { op: 'logSoftmaxBackward', inputs: ['ly', 'dy'], output: 'elements', gradient: true },
  { op: 'mseLoss', inputs: ['pred', 'target'], output: 'scalar' },
  { op: 'huberLoss', inputs: ['pred', 'target'], output: 'scalar' },
];

/** Short names for the printed tables. */
export const LOSS_OP_SHORT = {
  binaryCrossEntropyWithLogits: 'bceWithLogits',
  binaryCrossEntropyWithLogitsBackward: 'bceWithLogitsBackward',
};

/** Bytes an op reads and writes once each (entropy's check pass re-reads a row from L1: not counted). */
function traffic(spec, set) {
  const bytesRead = spec.inputs.length * set.elements * set.bytesPerElement;
  const written = { elements: set.elements, rows: set.rows, scalar: 0 }[spec.output];
  return { bytesRead, bytesWritten: written * set.bytesPerElement };
}

/**
 * The package's API (native dist/index.js or pure TS dist/js/index.js) on the rotated inputs, as
 * a user calls it, with preallocated outputs and options. Each op its own loop (one call target
 * per loop, as in contenders.js). Returns the last loss for the scalar ops.
 */
function libraryRunner(lib, op, set) {
  const { cols, outs, rowOuts } = set;
  const mask = set.count - 1;
  const outOpts = outs.map((out) => ({ out }));
  const rowOpts = outs.map((out) => ({ cols, out }));
  const perRowOpts = rowOuts.map((out) => ({ cols, out }));
  const mean = { reduction: 'mean' };
  switch (op) {
    case 'sigmoid': {
      const x = set.input('x');
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.sigmoid(x[i & mask], outOpts[i & mask]);
      };
    }
    case 'logSigmoid': {
      const x = set.input('x');
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.logSigmoid(x[i & mask], outOpts[i & mask]);
      };
    }
    case 'binaryCrossEntropyWithLogits': {
      const [x, t] = [set.input('x'), set.input('t')];
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = lib.binaryCrossEntropyWithLogits(x[i & mask], t[i & mask], mean);
        return loss;
      };
    }
    case 'binaryCrossEntropyWithLogitsBackward': {
      const [x, t] = [set.input('x'), set.input('t')];
      const opts = outs.map((out) => ({ reduction: 'mean', out }));
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.binaryCrossEntropyWithLogitsBackward(x[i & mask], t[i & mask], opts[i & mask]);
      };
    }
    case 'entropy': {
      const p = set.input('p');
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.entropy(p[i & mask], perRowOpts[i & mask]);
      };
    }
    case 'klDivergence': {
      const [p, q] = [set.input('p'), set.input('q')];
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.klDivergence(p[i & mask], q[i & mask], perRowOpts[i & mask]);
      };
    }
    case 'softmaxBackward': {
      const [y, dy] = [set.input('y'), set.input('dy')];
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.softmaxBackward(y[i & mask], dy[i & mask], rowOpts[i & mask]);
      };
    }
    case 'logSoftmaxBackward': {
      const [ly, dy] = [set.input('ly'), set.input('dy')];
      return (calls) => {
        for (let i = 0; i < calls; i++) lib.logSoftmaxBackward(ly[i & mask], dy[i & mask], rowOpts[i & mask]);
      };
    }
    case 'mseLoss': {
      const [a, b] = [set.input('pred'), set.input('target')];
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = lib.mseLoss(a[i & mask], b[i & mask], mean);
        return loss;
      };
    }
    case 'huberLoss': {
      const [a, b] = [set.input('pred'), set.input('target')];
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = lib.huberLoss(a[i & mask], b[i & mask], mean);
        return loss;
      };
    }
  }
  throw new Error(`bench: unknown op ${op}`);
}

/** The hand-written loops of plain-losses.js (one module instance per dtype). */
function plainRunner(plain, op, set) {
  const { cols, outs, rowOuts } = set;
  const mask = set.count - 1;
  switch (op) {
    case 'sigmoid': {
      const x = set.input('x');
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.sigmoid(x[i & mask], outs[i & mask]);
      };
    }
    case 'logSigmoid': {
      const x = set.input('x');
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.logSigmoid(x[i & mask], outs[i & mask]);
      };
    }
    case 'binaryCrossEntropyWithLogits': {
      const [x, t] = [set.input('x'), set.input('t')];
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = plain.binaryCrossEntropyWithLogits(x[i & mask], t[i & mask]);
        return loss;
      };
    }
    case 'binaryCrossEntropyWithLogitsBackward': {
      const [x, t] = [set.input('x'), set.input('t')];
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.binaryCrossEntropyWithLogitsBackward(x[i & mask], t[i & mask], outs[i & mask]);
      };
    }
    case 'entropy': {
      const p = set.input('p');
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.entropy(p[i & mask], rowOuts[i & mask], cols);
      };
    }
    case 'klDivergence': {
      const [p, q] = [set.input('p'), set.input('q')];
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.klDivergence(p[i & mask], q[i & mask], rowOuts[i & mask], cols);
      };
    }
    case 'softmaxBackward': {
      const [y, dy] = [set.input('y'), set.input('dy')];
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.softmaxBackward(y[i & mask], dy[i & mask], outs[i & mask], cols);
      };
    }
    case 'logSoftmaxBackward': {
      const [ly, dy] = [set.input('ly'), set.input('dy')];
      return (calls) => {
        for (let i = 0; i < calls; i++) plain.logSoftmaxBackward(ly[i & mask], dy[i & mask], outs[i & mask], cols);
      };
    }
    case 'mseLoss': {
      const [a, b] = [set.input('pred'), set.input('target')];
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = plain.mseLoss(a[i & mask], b[i & mask]);
        return loss;
      };
    }
    case 'huberLoss': {
      const [a, b] = [set.input('pred'), set.input('target')];
      return (calls) => {
        let loss = 0;
        for (let i = 0; i < calls; i++) loss = plain.huberLoss(a[i & mask], b[i & mask]);
        return loss;
      };
    }
  }
  throw new Error(`bench: unknown op ${op}`);
}

/**
 * The copy ceiling of an op: TypedArray.set of half the bytes it reads and writes (a memcpy of B
 * bytes reads B and writes B), over as many rotated copies as the op's inputs have.
 */
function copyRunner(set, copyElements) {
  const Type = ARRAY_TYPES[set.dtype];
  const mask = set.count - 1;
  // Filled, so every page is really mapped (a fresh zeroed array may read the shared zero page).
  const src = Array.from({ length: set.count }, () => new Type(copyElements).fill(0.5));
  const dst = Array.from({ length: set.count }, () => new Type(copyElements).fill(NaN));
  return (calls) => {
    for (let i = 0; i < calls; i++) dst[i & mask].set(src[i & mask]);
  };
}

// ---------------------------------------------------------------- reference

/** Neumaier's compensated sum, fed one value at a time. */
class Sum {
  sum = 0;
  carry = 0;
  add(v) {
    const t = this.sum + v;
    this.carry += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }
  get value() {
    return this.sum + this.carry;
  }
}

/**
 * The exact result of `op` on input copy 0, in double with compensated sums: `{ values, floor }`
 * for harness.compare (a scalar loss is `values[0]`). `floor` 0 (relative error) for values
 * bounded away from 0 (σ, log σ, entropies, divergences of these inputs, the losses); for the
 * gradients `0.01 ×` their largest magnitude, as they cancel (σ(x) − t, dy − Σ dy·y) and an f32
 * kernel's error there is a few ulps of the terms, not of the difference. One plain loop per op
 * (each process computes every reference of the section, so they should not take long).
 */
export function lossReference(op, set) {
  const { rows, cols, elements: n } = set;
  const spec = LOSS_OPS.find((s) => s.op === op);
  if (!spec) throw new Error(`bench: unknown op ${op}`);
  const [u, v] = spec.inputs.map((kind) => set.input(kind)[0]);
  const values = new Float64Array({ elements: n, rows, scalar: 1 }[spec.output]);
  const s = new Sum();
  switch (op) {
    case 'sigmoid':
      for (let i = 0; i < n; i++) values[i] = 1 / (1 + Math.exp(-u[i]));
      break;
    case 'logSigmoid':
      for (let i = 0; i < n; i++) values[i] = Math.min(u[i], 0) - Math.log1p(Math.exp(-Math.abs(u[i])));
      break;
    case 'binaryCrossEntropyWithLogits': // u = x, v = t
      for (let i = 0; i < n; i++) s.add(Math.max(u[i], 0) - u[i] * v[i] + Math.log1p(Math.exp(-Math.abs(u[i]))));
      values[0] = s.value / n;
      break;
    case 'binaryCrossEntropyWithLogitsBackward':
      for (let i = 0; i < n; i++) values[i] = (1 / (1 + Math.exp(-u[i])) - v[i]) / n;
      break;
    case 'entropy': // u = p
    case 'klDivergence': // u = p, v = q
      for (let r = 0, start = 0; r < rows; r++, start += cols) {
        const row = new Sum();
        for (let i = start; i < start + cols; i++) {
          if (u[i] > 0) row.add(op === 'entropy' ? -u[i] * Math.log(u[i]) : u[i] * Math.log(u[i] / v[i]));
        }
        values[r] = row.value;
      }
      break;
    case 'softmaxBackward': // u = y, v = dy
    case 'logSoftmaxBackward': // u = logSoftmax output, v = dy
      for (let start = 0; start < n; start += cols) {
        const row = new Sum();
        for (let i = start; i < start + cols; i++) row.add(op === 'softmaxBackward' ? v[i] * u[i] : v[i]);
        const total = row.value;
        for (let i = start; i < start + cols; i++) values[i] = op === 'softmaxBackward' ? u[i] * (v[i] - total) : v[i] - Math.exp(u[i]) * total;
      }
      break;
    case 'mseLoss': // u = input, v = target
      for (let i = 0; i < n; i++) s.add((u[i] - v[i]) ** 2);
      values[0] = s.value / n;
      break;
    case 'huberLoss': // delta 1
      for (let i = 0; i < n; i++) {
        const d = Math.abs(u[i] - v[i]);
        s.add(d < 1 ? 0.5 * d * d : d - 0.5);
      }
      values[0] = s.value / n;
      break;
  }
  let largest = 0;
  if (spec.gradient) for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]));
  return { values, floor: 0.01 * largest };
}

// ---------------------------------------------------------------- contenders and cells

/** A contender for harness.evaluate: `once()` clears the outputs of copy 0, runs one call and returns `{ values }`. */
function lossContender(name, makeRun, spec, set) {
  return {
    name,
    strict: true,
    prepare: () => {
      const run = makeRun();
      const once = () => {
        set.outs[0].fill(NaN);
        set.rowOuts[0].fill(NaN);
        const loss = run(1);
        if (spec.output === 'scalar') return { values: Float64Array.of(loss) };
        return { values: (spec.output === 'rows' ? set.rowOuts[0] : set.outs[0]).slice() };
      };
      return { run, once };
    },
  };
}

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

/** Checks then times the contenders of one cell. */
async function evaluateCell(contenders, cell, set, config) {
  const info = { label: cell.label, dtype: cell.dtype, set, ref: lossReference(cell.op, set) };
  return evaluate(contenders, info, config);
}

/** In a child: the package (`native`, loaded with one ISA) on every cell; results by cell label. */
export async function nativeLossCells(native, isa, config, progress) {
  const results = {};
  for (const dtype of DTYPES) {
    progress(`losses, native ${isa}: ${dtype}`);
    const set = makeLossSet(dtype, LOSS_SHAPE, config.seed);
    for (const cell of lossCells().filter((c) => c.dtype === dtype)) {
      const spec = LOSS_OPS.find((s) => s.op === cell.op);
      const name = `native ${isa}`;
      const contender = lossContender(name, () => libraryRunner(native, cell.op, set), spec, set);
      results[cell.label] = (await evaluateCell([contender], cell, set, config)).results[name];
    }
  }
  return results;
}

/**
 * In the parent: pure TS (`ctx.pure`), plain JS (`ctx.plainLossesFor[dtype]`) and the copy
 * ceiling on every cell; adds `inputBuffers`, `bytesRead`, `bytesWritten` and `copyElements`.
 */
export async function measureLossCells(cells, ctx, config, progress) {
  for (const dtype of DTYPES) {
    const set = makeLossSet(dtype, LOSS_SHAPE, config.seed);
    const copies = new Map(); // copy size in elements → its rates (per op element, set below)
    for (const cell of cells.filter((c) => c.dtype === dtype)) {
      const spec = LOSS_OPS.find((s) => s.op === cell.op);
      progress(`losses, pure TS, plain JS, copy: ${cell.label}`);
      const contenders = [
        lossContender('pure TS', () => libraryRunner(ctx.pure, cell.op, set), spec, set),
        lossContender('plain JS', () => plainRunner(ctx.plainLossesFor[dtype], cell.op, set), spec, set),
      ];
      const { results, skipped } = await evaluateCell(contenders, cell, set, config);
      const { bytesRead, bytesWritten } = traffic(spec, set);
      const copyElements = Math.ceil((bytesRead + bytesWritten) / 2 / set.bytesPerElement);
      if (!copies.has(copyElements)) copies.set(copyElements, await measure(copyRunner(set, copyElements), config));
      // The copy's time per call, as a rate in the op's elements: the op's Melem/s at memcpy speed.
      Object.assign(cell.contenders, results, { copy: toRates(copies.get(copyElements), set.elements) });
      Object.assign(cell.skipped, skipped);
      Object.assign(cell, { inputBuffers: set.count, bytesRead, bytesWritten, copyElements });
    }
  }
}
