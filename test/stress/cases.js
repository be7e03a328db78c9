// Every public function of the package with realistic inputs, for the stress scripts (leaks.js and
// valgrind-calls.js): per function a list of good calls (both dtypes, row shapes from 1×3 to
// 16×100, each option the function takes), calls that must throw (a TypeError and a RangeError),
// and for the heavy functions (those with an async twin, and crossEntropyBackward and argmax) a
// multi-chunk call on 2 threads; each async twin also gets an already-aborted signal and an abort
// mid-flight (a call of many chunks, aborted right after it starts).
//
// A call is { what, expect, run } with expect one of 'ok', 'TypeError', 'RangeError', 'aborted'
// (rejects with the signal's reason) or 'aborted-or-ok' (aborted mid-flight: it rejects with the
// reason unless every chunk was done before the abort). check(result) is a cheap sanity check of
// an 'ok' result: right type, non-empty, finite at both ends (the inputs are all finite).

/** mulberry32: deterministic inputs, as test/helpers/random.ts. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row shapes [rows, cols] of the everyday calls: vector tails (3, 17, 33), a block (257), 1000 classes. */
export const SHAPES = [
  [1, 3],
  [4, 10],
  [8, 33],
  [2, 257],
  [1, 1000],
  [16, 100],
];

/** Smaller shapes, for valgrind. */
export const SMALL_SHAPES = [
  [1, 3],
  [4, 10],
  [3, 17],
];

function uniform(T, n, next, lo, hi) {
  const a = new T(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * next();
  return a;
}

/** Rows of probabilities (softmax in float64 of uniform logits), stored in T. */
function probabilityRows(T, rows, cols, next) {
  const p = new T(rows * cols);
  for (let r = 0; r < rows; r++) {
    const e = Array.from({ length: cols }, () => Math.exp(-4 + 8 * next()));
    const s = e.reduce((a, b) => a + b, 0);
    for (let c = 0; c < cols; c++) p[r * cols + c] = e[c] / s;
  }
  return p;
}

/** One data set: every input any function needs, of one dtype and shape. */
export function dataSet(T, rows, cols, seed) {
  const next = rng(seed);
  const n = rows * cols;
  const labels = Int32Array.from({ length: rows }, () => Math.floor(next() * cols));
  const p = probabilityRows(T, rows, cols, next);
  return {
    T,
    rows,
    cols,
    n,
    x: uniform(T, n, next, -8, 8),
    labels,
    labelsArray: Array.from(labels),
    labels64: BigInt64Array.from(labels, (v) => BigInt(v)),
    soft: probabilityRows(T, rows, cols, next),
    p,
    q: probabilityRows(T, rows, cols, next),
    counts: p.map((v) => v * 3), // not normalized: for normalize: true
    logp: p.map(Math.log),
    dy: uniform(T, n, next, -1, 1),
    t01: uniform(T, n, next, 0, 1),
    target: uniform(T, n, next, -8, 8),
    perRow: uniform(T, rows, next, 0.5, 1.5),
    weightC: Array.from({ length: cols }, () => 0.5 + next()),
    weightN: uniform(T, n, next, 0.5, 1.5),
  };
}

/**
 * A large input for the multi-chunk calls: `rows` rows of 1024 classes (the row grid cuts chunks
 * of about 65,536 elements, so 64 rows each). Filled from a 4096-element seeded pattern by
 * doubling copies, which stays fast under valgrind and --jitless.
 */
export function bigSet(T, rows, seed) {
  const cols = 1024, n = rows * cols;
  const x = new T(n);
  x.set(uniform(T, Math.min(4096, n), rng(seed), -8, 8));
  for (let have = Math.min(4096, n); have < n; have *= 2) x.copyWithin(have, 0, Math.min(have, n - have));
  const labels = Int32Array.from({ length: rows }, (_, r) => (r * 7919) % cols);
  // The output is written through once here, so that its pages count in RSS from the start (calls
  // aborted at different points would otherwise touch more of it over time: a growth that is no leak).
  return { T, rows, cols, n, x, labels, out: new T(n).fill(1) };
}

const REDUCTIONS = [{}, { reduction: 'sum' }, { reduction: 'none' }];

// Per function: args(d, k) gives the positional arguments with the options object last (k picks
// one of the option sets; `k % m` for a list of m). bad(d) gives the calls that must throw.
// `threads: true` marks the functions that take `threads` (the row-grid ones); `twin: true` those
// with an …Async twin.
const notArray = (d) => Array.from(d.x.subarray(0, 3)); // a plain Array where a FloatArray belongs
const pick = (list, k) => list[k % list.length];

const defs = {
  softmax: {
    twin: true,
    threads: true,
    args: (d, k) => [d.x, { cols: d.cols, ...pick([{}, { temperature: 0.7 }, { out: new d.T(d.n) }, { allMasked: 'zero' }], k) }],
    bad: (d) => [['TypeError', [notArray(d)]], ['RangeError', [d.x, { cols: 0 }]]],
    big: (b, o) => [b.x, { cols: b.cols, out: b.out, ...o }],
  },
  logSoftmax: {
    twin: true,
    threads: true,
    args: (d, k) => [d.x, { cols: d.cols, ...pick([{}, { temperature: 1.3 }, { out: new d.T(d.n) }, { allMasked: 'zero' }], k) }],
    bad: (d) => [['TypeError', [d.x, { cols: d.cols, colz: 1 }]], ['RangeError', [d.x, { cols: d.n + 1 }]]],
    big: (b, o) => [b.x, { cols: b.cols, out: b.out, ...o }],
  },
  logSumExp: {
    twin: true,
    threads: true,
    args: (d, k) => [d.x, { cols: d.cols, ...pick([{}, { out: new d.T(d.rows) }], k) }],
    bad: (d) => [['TypeError', [notArray(d)]], ['RangeError', [d.x, { cols: d.cols, out: new d.T(d.rows + 1) }]]],
    big: (b, o) => [b.x, { cols: b.cols, ...o }],
  },
  crossEntropy: {
    twin: true,
    threads: true,
    args: (d, k) => [
      d.x,
      pick([d.labels, d.labelsArray, d.labels64, d.soft], k),
      { cols: d.cols, ...pick([{}, { reduction: 'sum' }, { reduction: 'none' }, { labelSmoothing: 0.1, weight: d.weightC }, { reduction: 'sum', ignoreIndex: d.labels[0] }], k) },
    ],
    bad: (d) => [['TypeError', [d.x, 'labels', { cols: d.cols }]], ['RangeError', [d.x, Int32Array.from(d.labels, () => d.cols), { cols: d.cols }]]],
    big: (b, o) => [b.x, b.labels, { cols: b.cols, reduction: 'none', ...o }],
  },
  crossEntropyWithGrad: {
    twin: true,
    threads: true,
    args: (d, k) => [
      d.x,
      pick([d.labels, d.soft, d.labels64, d.labelsArray], k),
      { cols: d.cols, ...pick([{}, { reduction: 'none', gradOut: new d.T(d.n) }, { reduction: 'sum' }, { labelSmoothing: 0.2, temperature: 2 }, { weight: d.weightC }], k) },
    ],
    bad: (d) => [['TypeError', [d.x, d.labels, { cols: d.cols, gradOut: d.T === Float32Array ? new Float64Array(d.n) : new Float32Array(d.n) }]], ['RangeError', [d.x, d.labels, { cols: d.cols, labelSmoothing: 2 }]]],
    big: (b, o) => [b.x, b.labels, { cols: b.cols, gradOut: b.out, ...o }],
  },
  crossEntropyBackward: {
    threads: true,
    args: (d, k) => [
      d.x,
      pick([d.labels, d.soft, d.labelsArray], k),
      { cols: d.cols, ...pick([{}, { gradOutput: 0.5 }, { reduction: 'none', gradOutput: d.perRow }, { reduction: 'sum', out: new d.T(d.n) }, { labelSmoothing: 0.1 }], k) },
    ],
    bad: (d) => [['TypeError', [d.x, d.labels, { cols: d.cols, gradOutput: 'one' }]], ['RangeError', [d.x, d.labels, { cols: d.cols, reduction: 'none', gradOutput: new d.T(d.rows + 1) }]]],
    big: (b, o) => [b.x, b.labels, { cols: b.cols, out: b.out, ...o }],
  },
  nllLoss: {
    args: (d, k) => [d.logp, pick([d.labels, d.labelsArray, d.labels64], k), { cols: d.cols, ...pick([{}, { reduction: 'none' }, { weight: d.weightC, reduction: 'sum' }], k) }],
    bad: (d) => [['TypeError', [d.logp, d.soft, { cols: d.cols }]], ['RangeError', [d.logp, Int32Array.from(d.labels, () => -1), { cols: d.cols }]]],
  },
  entropy: {
    args: (d, k) => pick([[d.p, { cols: d.cols }], [d.p, { cols: d.cols, base: 2 }], [d.counts, { cols: d.cols, normalize: true }], [d.p, { cols: d.cols, out: new d.T(d.rows) }]], k),
    bad: (d) => [['TypeError', [notArray(d)]], ['RangeError', [d.x, { cols: d.cols }]]],
  },
  crossEntropyProbs: {
    args: (d, k) => pick([[d.p, d.q, { cols: d.cols }], [d.p, d.q, { cols: d.cols, base: 10 }], [d.counts, d.q, { cols: d.cols, normalize: true }], [d.p, d.q, { cols: d.cols, out: new d.T(d.rows) }]], k),
    bad: (d) => [['TypeError', [d.p, notArray(d), { cols: d.cols }]], ['RangeError', [d.p, d.q, { cols: d.cols, base: 1 }]]],
  },
  klDivergence: {
    args: (d, k) => pick([[d.p, d.q, { cols: d.cols }], [d.p, d.q, { cols: d.cols, base: 2 }], [d.counts, d.q, { cols: d.cols, normalize: true }], [d.p, d.q, { cols: d.cols, out: new d.T(d.rows) }]], k),
    bad: (d) => [['TypeError', [d.p, d.q, { cols: d.cols, normalize: 'yes' }]], ['RangeError', [d.p, d.x, { cols: d.cols }]]],
  },
  sigmoid: {
    args: (d, k) => [d.x, pick([{}, { out: new d.T(d.n) }], k)],
    bad: (d) => [['TypeError', [notArray(d)]], ['RangeError', [d.x, { out: new d.T(d.n + 1) }]]],
  },
  logSigmoid: {
    args: (d, k) => [d.x, pick([{}, { out: new d.T(d.n) }], k)],
    bad: (d) => [['TypeError', [notArray(d)]], ['RangeError', [d.x, { out: new d.T(d.n + 1) }]]],
  },
  sigmoidBackward: {
    args: (d, k) => [d.p, d.dy, pick([{}, { out: new d.T(d.n) }], k)],
    bad: (d) => [['TypeError', [d.p, notArray(d)]], ['RangeError', [d.p, d.dy.subarray(1)]]],
  },
  binaryCrossEntropyWithLogits: {
    args: (d, k) => [d.x, d.t01, pick([{}, { reduction: 'sum' }, { reduction: 'none' }, { cols: d.cols, posWeight: d.weightC }, { weight: d.weightN }, { cols: d.cols, weight: d.weightC, posWeight: 2 }], k)],
    bad: (d) => [['TypeError', [d.x, notArray(d)]], ['RangeError', [d.x, d.t01, { cols: d.cols, posWeight: new Array(d.cols + 1).fill(1) }]]],
  },
  binaryCrossEntropyWithLogitsBackward: {
    args: (d, k) => [d.x, d.t01, pick([{}, { reduction: 'sum', gradOutput: 0.5 }, { reduction: 'none', gradOutput: d.dy }, { cols: d.cols, posWeight: d.weightC }, { out: new d.T(d.n) }], k)],
    bad: (d) => [['TypeError', [notArray(d), d.t01]], ['RangeError', [d.x, d.t01, { reduction: 'none', gradOutput: d.dy.subarray(1) }]]],
  },
  softmaxBackward: {
    args: (d, k) => [d.p, d.dy, { cols: d.cols, ...pick([{}, { out: new d.T(d.n) }], k) }],
    bad: (d) => [['TypeError', [d.p, notArray(d), { cols: d.cols }]], ['RangeError', [d.p, d.dy.subarray(1), { cols: d.cols }]]],
  },
  logSoftmaxBackward: {
    args: (d, k) => [d.logp, d.dy, { cols: d.cols, ...pick([{}, { out: new d.T(d.n) }], k) }],
    bad: (d) => [['TypeError', [notArray(d), d.dy, { cols: d.cols }]], ['RangeError', [d.logp, d.dy, { cols: -1 }]]],
  },
  argmax: {
    threads: true,
    args: (d, k) => [d.x, { cols: d.cols, ...pick([{}, { out: new Int32Array(d.rows) }], k) }],
    bad: (d) => [['TypeError', [d.x, { cols: d.cols, out: new d.T(d.rows) }]], ['RangeError', [d.x, { cols: d.cols, out: new Int32Array(d.rows + 1) }]]],
    big: (b, o) => [b.x, { cols: b.cols, ...o }],
  },
  topK: {
    twin: true,
    threads: true,
    args: (d, k) => {
      const top = Math.min(1 + (k % 5), d.cols);
      return [d.x, top, { cols: d.cols, ...pick([{}, { probabilities: false }, { indicesOut: new Int32Array(d.rows * top), valuesOut: new d.T(d.rows * top) }], k) }];
    },
    bad: (d) => [['TypeError', [d.x, '2', { cols: d.cols }]], ['RangeError', [d.x, d.cols + 1, { cols: d.cols }]]],
    big: (b, o) => [b.x, 5, { cols: b.cols, ...o }],
  },
  score: {
    twin: true,
    threads: true,
    args: (d, k) => [d.x, { cols: d.cols, ...pick([{}, { labels: d.labels }, { labels: d.labels64, topK: Math.min(2, d.cols) }, { topK: 1 }], k) }],
    bad: (d) => [['TypeError', [d.x, { cols: d.cols, labels: d.soft }]], ['RangeError', [d.x, { cols: d.cols, labels: Int32Array.from(d.labels, () => d.cols) }]]],
    big: (b, o) => [b.x, { cols: b.cols, labels: b.labels, topK: 3, ...o }],
  },
};

// The regression losses and their gradients: (input, target, { reduction, out, delta | beta, gradOutput }).
const param = { huberLoss: [{ delta: 0.5 }, {}], smoothL1Loss: [{ beta: 0.2 }, { beta: 0 }, {}] };
for (const loss of ['l1Loss', 'l2Loss', 'mseLoss', 'huberLoss', 'smoothL1Loss']) {
  const extra = param[loss] ?? [{}];
  const badParam = loss === 'huberLoss' ? { delta: 0 } : loss === 'smoothL1Loss' ? { beta: -1 } : null;
  defs[loss] = {
    args: (d, k) => [d.x, d.target, { ...pick(REDUCTIONS, k), ...pick(extra, k >> 1) }],
    bad: (d) => [['TypeError', [d.x, notArray(d)]], ['RangeError', badParam ? [d.x, d.target, badParam] : [d.x, d.target.subarray(1)]]],
  };
  defs[`${loss}Backward`] = {
    args: (d, k) => [d.x, d.target, { ...pick([{}, { reduction: 'sum', gradOutput: 2 }, { reduction: 'none', gradOutput: d.dy }, { out: new d.T(d.n) }], k), ...pick(extra, k >> 1) }],
    bad: (d) => [['TypeError', [d.x, d.target, { gradOutput: '1' }]], ['RangeError', [d.x, d.target, { reduction: 'none', gradOutput: d.dy.subarray(1) }]]],
  };
}

/** Every function of the package (`m`, its module namespace) that these cases do not cover. */
export function uncovered(m) {
  return Object.keys(m)
    .filter((name) => typeof m[name] === 'function')
    .filter((name) => !(name in defs) && !(name.endsWith('Async') && defs[name.slice(0, -5)]?.twin));
}

/** Cheap sanity check of a result: a message when it is wrong, else null. */
export function check(result, path = 'result') {
  if (typeof result === 'number') return Number.isFinite(result) ? null : `${path} is ${result}`;
  if (ArrayBuffer.isView(result)) {
    if (result.length === 0) return `${path} is empty`;
    if (!Number.isFinite(result[0]) || !Number.isFinite(result[result.length - 1])) return `${path} has ${result[0]} … ${result[result.length - 1]}`;
    return null;
  }
  if (result && typeof result === 'object') {
    for (const [key, value] of Object.entries(result)) {
      if (value === undefined) continue;
      const bad = check(value, `${path}.${key}`);
      if (bad) return bad;
    }
    return null;
  }
  return `${path} is ${String(result)}`;
}

const withOptions = (args, extra) => {
  const last = args[args.length - 1];
  return last && typeof last === 'object' && !ArrayBuffer.isView(last) && !Array.isArray(last)
    ? [...args.slice(0, -1), { ...last, ...extra }]
    : [...args, extra];
};

/**
 * The calls for one function (a sync function, or an async twin named `…Async`): `{ good, bad,
 * big, preAborted, midAbort }`, each call `{ what, expect, run }` (big, preAborted and midAbort
 * null where they do not apply). `sets` are the data sets (dataSet()); `large` holds two
 * bigSet()s: `threaded` (a few chunks, for the calls on 2 threads) and `abortable` (many chunks,
 * for the aborts mid-flight). The calls that abort return `{ reason, promise }`.
 */
export function callsFor(m, name, sets, large) {
  const { threaded, abortable } = large;
  const async = name.endsWith('Async');
  const def = defs[async ? name.slice(0, -5) : name];
  const fn = m[name];
  if (!def || typeof fn !== 'function') throw new Error(`no cases for ${name}`);
  const kinds = 6; // option sets cycled over the data sets (every list above has at most 6)
  const good = [];
  for (let k = 0; k < kinds; k++) {
    for (const d of sets) {
      const args = def.args(d, k);
      good.push({ what: `${d.T.name.slice(0, 9)} ${d.rows}x${d.cols} #${k}`, expect: 'ok', run: () => fn(...args) });
    }
  }
  const bad = sets.slice(0, 2).flatMap((d) => def.bad(d).map(([expect, args]) => ({ what: `bad ${expect}`, expect, run: () => fn(...args) })));
  const bigCall = def.big && def.threads
    ? { what: `${threaded.rows}x${threaded.cols} on 2 threads`, expect: 'ok', run: () => fn(...def.big(threaded, { threads: 2 })) }
    : null;
  let preAborted = null, midAbort = null;
  if (async) {
    const small = sets[1 % sets.length];
    const args = def.args(small, 0);
    preAborted = {
      what: 'already aborted',
      expect: 'aborted',
      run: () => {
        const reason = new Error('stress: aborted before the call');
        return { reason, promise: fn(...withOptions(args, { signal: AbortSignal.abort(reason) })) };
      },
    };
    midAbort = {
      what: `${abortable.rows}x${abortable.cols} aborted mid-flight`,
      expect: 'aborted-or-ok',
      run: () => {
        const controller = new AbortController(), reason = new Error('stress: aborted mid-flight');
        const promise = fn(...def.big(abortable, { threads: 1, signal: controller.signal }));
        controller.abort(reason);
        return { reason, promise };
      },
    };
  }
  return { good, bad, big: bigCall, preAborted, midAbort };
}

/** The names of every function the cases cover, sync first, then the async twins. */
export function functionNames() {
  const sync = Object.keys(defs);
  return [...sync, ...sync.filter((name) => defs[name].twin).map((name) => `${name}Async`)];
}
