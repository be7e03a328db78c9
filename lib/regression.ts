// Regression losses over element pairs: l1Loss, l2Loss (½d²), mseLoss, huberLoss, smoothL1Loss,
// each with a …Backward twin (PyTorch's gradients, sign(0) = 0). They cost one or two flops an
// element, so a native call would add its crossing cost and nothing else: both backends share
// these TS loops.
import { CompensatedSum } from './js/sum.js';
import type { BackwardOptions, FloatArray, HuberOptions, RegressionOptions, SmoothL1Options } from './types.js';
import * as check from './validate.js';

/** The loss family, with its parameter (delta or beta) where it has one. */
type Kind = 'l1' | 'l2' | 'mse' | 'huber' | 'smoothL1';

// Loss and gradient of one difference d = input − target; `a` is delta (huber) or beta (smoothL1).
function lossOf(kind: Kind, d: number, a: number): number {
  switch (kind) {
    case 'l1':
      return Math.abs(d);
    case 'l2':
      return 0.5 * d * d;
    case 'mse':
      return d * d;
    case 'huber':
      return Math.abs(d) < a ? 0.5 * d * d : a * (Math.abs(d) - 0.5 * a);
    case 'smoothL1':
      return Math.abs(d) < a ? (0.5 * d * d) / a : Math.abs(d) - 0.5 * a;
  }
}

function gradOf(kind: Kind, d: number, a: number): number {
  switch (kind) {
    case 'l1':
      return d > 0 ? 1 : d < 0 ? -1 : d * 0; // sign, with sign(0) = 0 and NaN kept
    case 'l2':
      return d;
    case 'mse':
      return 2 * d;
    case 'huber':
      return d > a ? a : d < -a ? -a : d;
    case 'smoothL1':
      return d > a ? 1 : d < -a ? -1 : a === 0 ? gradOf('l1', d, 0) : d / a;
  }
}

export interface RegressionLossFn<O extends RegressionOptions> {
  <T extends FloatArray>(input: T, target: T, options: O & { reduction: 'none'; out?: T }): T;
  <T extends FloatArray>(input: T, target: T, options?: O & { reduction?: 'mean' | 'sum'; out?: undefined }): number;
  <T extends FloatArray>(input: T, target: T, options?: O & { out?: T }): number | T;
}

export type RegressionBackwardFn<O extends RegressionOptions> = <T extends FloatArray>(
  input: T,
  target: T,
  options?: O & BackwardOptions<T>,
) => T;

interface Family {
  name: string;
  kind: Kind;
  /** The parameter's option name, its default and whether 0 is allowed. */
  param?: { key: 'delta' | 'beta'; fallback: number; zeroOk: boolean };
}

function regressionPair<O extends RegressionOptions>({ name, kind, param }: Family) {
  const extra = param ? [param.key] : [];
  const lossKeys = ['reduction', 'out', ...extra];
  const backwardKeys = ['reduction', 'gradOutput', 'out', ...extra];
  const prepare = (fn: string, input: unknown, target: unknown, o: Partial<Record<string, unknown>>) => {
    const x = check.floatArray(fn, 'input', input);
    const t = check.partner(fn, 'target', target, x, 'input');
    const reduction = check.reduction(fn, o.reduction);
    const a = param ? check.finiteAbove(fn, param.key, o[param.key], param.fallback, 0, param.zeroOk) : 0;
    return { x, t, reduction, a };
  };

  function loss(input: FloatArray, target: FloatArray, options?: O & { out?: FloatArray }): number | FloatArray {
    const o = check.options(name, options, lossKeys);
    const { x, t, reduction, a } = prepare(name, input, target, o);
    const out = check.lossOut(name, reduction, o.out, x, x.length, { alias: [x, t] });
    const total = new CompensatedSum();
    for (let i = 0; i < x.length; i++) {
      const l = lossOf(kind, x[i] - t[i], a);
      if (out) out[i] = l;
      else total.add(l);
    }
    if (out) return out;
    return reduction === 'sum' ? total.value() : total.value() / x.length;
  }

  function backward(input: FloatArray, target: FloatArray, options?: O & BackwardOptions): FloatArray {
    const fn = `${name}Backward`;
    const o = check.options(fn, options, backwardKeys);
    const { x, t, reduction, a } = prepare(fn, input, target, o);
    const upstream = check.gradOutput(fn, o.gradOutput, reduction, x.length, x, 'element');
    const each = upstream.rowScale;
    const out = check.outArray(fn, 'out', o.out, x, x.length, { alias: [x, t], disjoint: each ? [each] : [] });
    const scale = upstream.scale * (reduction === 'mean' ? 1 / x.length : 1);
    for (let i = 0; i < x.length; i++) out[i] = gradOf(kind, x[i] - t[i], a) * scale * (each ? each[i] : 1);
    return out;
  }

  return { loss: loss as RegressionLossFn<O>, backward: backward as RegressionBackwardFn<O> };
}

const l1 = regressionPair<RegressionOptions>({ name: 'l1Loss', kind: 'l1' });
const l2 = regressionPair<RegressionOptions>({ name: 'l2Loss', kind: 'l2' });
const mse = regressionPair<RegressionOptions>({ name: 'mseLoss', kind: 'mse' });
const huber = regressionPair<HuberOptions>({ name: 'huberLoss', kind: 'huber', param: { key: 'delta', fallback: 1, zeroOk: false } });
const smoothL1 = regressionPair<SmoothL1Options>({
  name: 'smoothL1Loss',
  kind: 'smoothL1',
  param: { key: 'beta', fallback: 1, zeroOk: true },
});

export const regressionFunctions = {
  l1Loss: l1.loss,
  l1LossBackward: l1.backward,
  l2Loss: l2.loss,
  l2LossBackward: l2.backward,
  mseLoss: mse.loss,
  mseLossBackward: mse.backward,
  huberLoss: huber.loss,
  huberLossBackward: huber.backward,
  smoothL1Loss: smoothL1.loss,
  smoothL1LossBackward: smoothL1.backward,
};
