// PyTorch / SciPy fixtures (test/fixtures/losses.json, from make_fixtures.py) for the information
// measures, the sigmoid family, binary cross-entropy with logits, the regression losses and the
// softmax / logSoftmax backward products: every case, for every api and both float types.
import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/losses.json' with { type: 'json' };
import type { FloatArray, Reduction } from '../lib/types.js';
import { type Api, apis, poison } from './helpers/apis.js';
import { decode, type Encoded } from './helpers/fixtures.js';
import { eps, expectClose, expectLogs, expectLoss, logBound } from './helpers/tolerance.js';
import { dtypes } from './helpers/shapes.js';

// The fixture's shapes. Assigning the JSON to them (no cast) checks the file against them.
interface InformationCase {
  name: string;
  measure: string;
  rows: number;
  cols: number;
  base: number | null;
  normalize: boolean;
  /** Inputs that are not float32 values (DESIGN.md's worked examples): run in float64 only. */
  f64only?: boolean;
  p: Encoded[];
  q: Encoded[] | null;
  want: Encoded[];
}

interface SigmoidCase {
  name: string;
  x: Encoded[];
  dy: Encoded[];
  sigmoid: Encoded[];
  logSigmoid: Encoded[];
  sigmoidBackward: Encoded[];
}

interface BceCase {
  name: string;
  rows: number;
  cols: number;
  x: Encoded[];
  t: Encoded[];
  weight: Encoded[] | null;
  posWeight: number | Encoded[] | null;
  reduction: string;
  loss: Encoded | Encoded[];
  grad: Encoded[];
}

interface RegressionCase {
  name: string;
  fn: string;
  input: Encoded[];
  target: Encoded[];
  reduction: string;
  delta?: number;
  beta?: number;
  loss: Encoded | Encoded[];
  grad: Encoded[];
}

interface BackwardCase {
  name: string;
  fn: string;
  rows: number;
  cols: number;
  y: Encoded[];
  dy: Encoded[];
  want: Encoded[];
}

const information: InformationCase[] = fixtures.information;
const sigmoid: SigmoidCase[] = fixtures.sigmoid;
const bce: BceCase[] = fixtures.bce;
const regression: RegressionCase[] = fixtures.regression;
const backward: BackwardCase[] = fixtures.backward;

/** A loss: a reduced loss is a number (a double whatever the dtype), 'none' an array of the input's type. */
function expectLossResult(got: number | FloatArray, want: Encoded | Encoded[], f32: boolean, what: string) {
  if (Array.isArray(want)) {
    expect(got, `${what}: an array`).toBeInstanceOf(f32 ? Float32Array : Float64Array);
    expectLogs(got as FloatArray, decode(want), what);
  } else {
    expect(typeof got, `${what}: a number`).toBe('number');
    expectLoss(got as number, decode(want), f32, what);
  }
}

/**
 * Backward products (y·(dy − Σ dy·y), dy·y·(1 − y), …): the inputs are exact but the products
 * round, so the bound is absolute, eps · max(1, the largest finite |ref| of the row).
 */
function expectProducts(got: FloatArray, want: number[], cols: number, what: string) {
  const f32 = got instanceof Float32Array;
  const rowMax: number[] = [];
  for (let i = 0; i < want.length; i++) {
    const r = Math.floor(i / cols);
    rowMax[r] = Math.max(rowMax[r] ?? 1, Number.isFinite(want[i]) ? Math.abs(want[i]) : 0);
  }
  expectClose(got, want, (i) => logBound(f32, rowMax[Math.floor(i / cols)]), what, f32);
}

/** The element-wise gradient scalings tried on `'none'` losses (one upstream value per element). */
const perElement = (n: number) => Array.from({ length: n }, (_, i) => [0.5, -2, 0, 3][i % 4]);

type LossCall = (x: FloatArray, t: FloatArray, o: { reduction: Reduction; out?: FloatArray }) => number | FloatArray;
type BackwardCall = (
  x: FloatArray,
  t: FloatArray,
  o: { reduction: Reduction; gradOutput?: number | readonly number[]; out?: FloatArray },
) => FloatArray;

/** The loss and its …Backward for a regression case, with its delta / beta (left at the default 1 when 1). */
function regressionFns(api: Api, c: RegressionCase): [LossCall, BackwardCall] {
  const delta = c.delta === undefined || c.delta === 1 ? {} : { delta: c.delta };
  const beta = c.beta === undefined || c.beta === 1 ? {} : { beta: c.beta };
  switch (c.fn) {
    case 'l1Loss':
      return [(x, t, o) => api.l1Loss(x, t, o), (x, t, o) => api.l1LossBackward(x, t, o)];
    case 'l2Loss':
      return [(x, t, o) => api.l2Loss(x, t, o), (x, t, o) => api.l2LossBackward(x, t, o)];
    case 'mseLoss':
      return [(x, t, o) => api.mseLoss(x, t, o), (x, t, o) => api.mseLossBackward(x, t, o)];
    case 'huberLoss':
      return [(x, t, o) => api.huberLoss(x, t, { ...o, ...delta }), (x, t, o) => api.huberLossBackward(x, t, { ...o, ...delta })];
    case 'smoothL1Loss':
      return [(x, t, o) => api.smoothL1Loss(x, t, { ...o, ...beta }), (x, t, o) => api.smoothL1LossBackward(x, t, { ...o, ...beta })];
    default:
      throw new Error(`unknown regression fn ${c.fn}`);
  }
}

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (dt, type) => {
    const f32 = dt === 'f32';
    const arr = (values: Encoded[]) => new type(decode(values));
    const named = <C extends { name: string; f64only?: boolean }>(cases: C[]) =>
      cases.filter((c) => !(f32 && c.f64only)).map((c) => [c.name, c] as const);

    describe('information measures (SciPy)', () => {
      it.each(named(information))('%s', (name, c) => {
        const p = arr(c.p);
        const q = c.q === null ? null : arr(c.q);
        const opts = { cols: c.cols, normalize: c.normalize, ...(c.base === null ? {} : { base: c.base }) };
        const measure = (out?: FloatArray): FloatArray => {
          const o = out ? { ...opts, out } : opts;
          if (c.measure === 'entropy') return api.entropy(p, o);
          if (q === null) throw new Error(`${name}: ${c.measure} without q`);
          if (c.measure === 'crossEntropyProbs') return api.crossEntropyProbs(p, q, o);
          if (c.measure === 'klDivergence') return api.klDivergence(p, q, o);
          throw new Error(`unknown measure ${c.measure}`);
        };
        const out = poison(new type(c.rows));
        expect(measure(out)).toBe(out);
        expectLogs(out, decode(c.want), `${dt} ${name}`);
        // Without out: a new array of the input's type, one value per row.
        const fresh = measure();
        expect(fresh).toBeInstanceOf(type);
        expectLogs(fresh, decode(c.want), `${dt} ${name} (new array)`);
      });
    });

    describe('sigmoid, logSigmoid, sigmoidBackward (PyTorch)', () => {
      it.each(named(sigmoid))('%s', (name, c) => {
        const x = arr(c.x);
        const what = `${dt} ${name}`;
        const s = api.sigmoid(x, { out: poison(new type(x.length)) });
        // Relative, with float32's floor at 1e-30 (DESIGN.md's contract for probabilities) and
        // float64's at 1e-300 (a subnormal result may round to 0 or to the smallest subnormal).
        const ws = decode(c.sigmoid);
        expectClose(s, ws, (i) => eps(f32) * Math.max(Math.abs(ws[i]), f32 ? 1e-30 : 1e-300), `${what} sigmoid`, f32);
        expectLogs(api.logSigmoid(x, { out: poison(new type(x.length)) }), decode(c.logSigmoid), `${what} logSigmoid`);
        // sigmoidBackward takes sigmoid's output y (here PyTorch's, in the array's type).
        const back = api.sigmoidBackward(arr(c.sigmoid), arr(c.dy), { out: poison(new type(x.length)) });
        expectProducts(back, decode(c.sigmoidBackward), Math.max(x.length, 1), `${what} sigmoidBackward`);
      });
    });

    describe('binaryCrossEntropyWithLogits (PyTorch)', () => {
      it.each(named(bce))('%s', (name, c) => {
        const x = arr(c.x), t = arr(c.t);
        const what = `${dt} ${name}`;
        const reduction = c.reduction as Reduction;
        const posWeight = c.posWeight === null ? undefined : typeof c.posWeight === 'number' ? c.posWeight : arr(c.posWeight);
        const opts = { cols: c.cols, reduction, weight: c.weight === null ? undefined : arr(c.weight), posWeight };
        const out = reduction === 'none' ? poison(new type(x.length)) : undefined;
        const loss = api.binaryCrossEntropyWithLogits(x, t, out ? { ...opts, out } : opts);
        if (out) expect(loss).toBe(out);
        expectLossResult(loss, c.loss, f32, `${what} loss`);

        const want = decode(c.grad);
        const gradOut = poison(new type(x.length));
        const grad = api.binaryCrossEntropyWithLogitsBackward(x, t, { ...opts, out: gradOut });
        expect(grad).toBe(gradOut);
        expectLogs(grad, want, `${what} grad`);
        const half = api.binaryCrossEntropyWithLogitsBackward(x, t, { ...opts, gradOutput: 0.5, out: poison(new type(x.length)) });
        expectLogs(half, want.map((g) => g * 0.5), `${what} grad, gradOutput 0.5`);
        if (reduction === 'none') {
          const g = perElement(x.length);
          const each = api.binaryCrossEntropyWithLogitsBackward(x, t, { ...opts, gradOutput: g });
          expectLogs(each, want.map((v, i) => v * g[i]), `${what} grad, gradOutput per element`);
        }
      });
    });

    describe('regression losses (PyTorch)', () => {
      it.each(named(regression))('%s', (name, c) => {
        const x = arr(c.input), t = arr(c.target);
        const what = `${dt} ${name}`;
        const reduction = c.reduction as Reduction;
        const [loss, lossBackward] = regressionFns(api, c);
        const out = reduction === 'none' ? poison(new type(x.length)) : undefined;
        const got = loss(x, t, out ? { reduction, out } : { reduction });
        if (out) expect(got).toBe(out);
        expectLossResult(got, c.loss, f32, `${what} loss`);

        const want = decode(c.grad);
        const gradOut = poison(new type(x.length));
        const grad = lossBackward(x, t, { reduction, out: gradOut });
        expect(grad).toBe(gradOut);
        expectLogs(grad, want, `${what} grad`);
        const half = lossBackward(x, t, { reduction, gradOutput: 0.5, out: poison(new type(x.length)) });
        expectLogs(half, want.map((g) => g * 0.5), `${what} grad, gradOutput 0.5`);
        if (reduction === 'none') {
          const g = perElement(x.length);
          expectLogs(lossBackward(x, t, { reduction, gradOutput: g }), want.map((v, i) => v * g[i]), `${what} grad, gradOutput per element`);
        }
      });
    });

    describe('softmaxBackward, logSoftmaxBackward (closed forms, checked against autograd)', () => {
      it.each(named(backward))('%s', (name, c) => {
        const y = arr(c.y), dy = arr(c.dy);
        const out = poison(new type(y.length));
        let got: FloatArray;
        if (c.fn === 'softmaxBackward') got = api.softmaxBackward(y, dy, { cols: c.cols, out });
        else if (c.fn === 'logSoftmaxBackward') got = api.logSoftmaxBackward(y, dy, { cols: c.cols, out });
        else throw new Error(`unknown fn ${c.fn}`);
        expect(got).toBe(out);
        expectProducts(got, decode(c.want), c.cols, `${dt} ${name}`);
      });
    });
  });
});

describe('losses.json', () => {
  it('has every section, with float32-exact inputs outside the f64only cases', () => {
    expect(information.length).toBeGreaterThan(0);
    expect(sigmoid.length).toBeGreaterThan(0);
    expect(bce.length).toBeGreaterThan(0);
    expect(regression.length).toBeGreaterThan(0);
    expect(backward.length).toBeGreaterThan(0);
    const exact = (values: Encoded[]) => decode(values).every((v) => Number.isNaN(v) || Math.fround(v) === v);
    for (const c of information) if (!c.f64only) expect(exact(c.p) && (c.q === null || exact(c.q)), c.name).toBe(true);
    for (const c of sigmoid) expect(exact(c.x) && exact(c.dy), c.name).toBe(true);
    for (const c of bce) expect(exact(c.x) && exact(c.t) && (c.weight === null || exact(c.weight)), c.name).toBe(true);
    for (const c of regression) expect(exact(c.input) && exact(c.target), c.name).toBe(true);
    for (const c of backward) expect(exact(c.y) && exact(c.dy), c.name).toBe(true);
  });
});
