// Regression losses over element pairs: l1Loss, l2Loss (½d²), mseLoss, huberLoss, smoothL1Loss,
// each with a …Backward twin (PyTorch's gradients, sign(0) = 0), over one backend's kernels.
// A flop or two an element: the native kernels run at memory speed, where a JS loop (with the
// compensated sum a long reduction needs) runs at a fraction of it.
import type { Kernels, RegressionKind } from './kernels.js';
import { backwardOutput, byReduction, reduced } from './reduce.js';
import type { BackwardOptions, FloatArray, HuberOptions, RegressionOptions, SmoothL1Options } from './types.js';
import * as check from './validate.js';

/** {@link RegressionLossFn} for any `reduction`: one loss per element with `'none'`, else a number. */
export type RegressionLossGeneral<O extends RegressionOptions> = <T extends FloatArray>(input: T, target: T, options?: O & { out?: T }) => number | T;

export interface RegressionLossFn<O extends RegressionOptions> extends RegressionLossGeneral<O> {
  <T extends FloatArray>(input: T, target: T, options: O & { reduction: 'none'; out?: T }): T;
  <T extends FloatArray>(input: T, target: T, options?: O & { reduction?: 'mean' | 'sum'; out?: undefined }): number;
}

export type RegressionBackwardFn<O extends RegressionOptions> = <T extends FloatArray>(
  input: T,
  target: T,
  options?: O & BackwardOptions<T>,
) => T;

interface Family {
  name: string;
  kind: RegressionKind;
  /** The parameter's option name, its default and whether 0 is allowed. */
  param?: { key: 'delta' | 'beta'; fallback: number; zeroOk: boolean };
}

function regressionPair<O extends RegressionOptions>(
  k: Kernels,
  { name, kind, param }: Family,
): { loss: RegressionLossFn<O>; backward: RegressionBackwardFn<O> } {
  const extra = param ? [param.key] : [];
  const lossKeys = ['reduction', 'out', ...extra];
  const backwardKeys = ['reduction', 'gradOutput', 'out', ...extra];
  const prepare = <T extends FloatArray>(fn: string, input: T, target: T, o: Partial<Record<string, unknown>>) => {
    const x = check.floatArray(fn, 'input', input);
    const t = check.partner(fn, 'target', target, x, 'input');
    const reduction = check.reduction(fn, o.reduction);
    const a = param ? check.finiteAbove(fn, param.key, o[param.key], param.fallback, 0, param.zeroOk) : 0;
    return { x, t, reduction, a };
  };

  // smoothL1 with beta 0 is l1 (PyTorch's later versions dispatch it so; its gradient at 0 is 0).
  const kindFor = (a: number): RegressionKind => (kind === 'smoothL1' && a === 0 ? 'l1' : kind);
  // A plain object literal: spreads cost microseconds on small calls.
  const run = (x: FloatArray, t: FloatArray, a: number, lossOut: FloatArray | null, gradOut: FloatArray | null, gradScale: number, each: FloatArray | null) =>
    k.regression({ kind: kindFor(a), input: x, target: t, param: a, lossOut, gradOut, gradScale, gradElementScale: each });

  function loss<T extends FloatArray>(input: T, target: T, options?: O & { out?: T }): number | T {
    const o = check.options(name, options, lossKeys);
    const { x, t, reduction, a } = prepare(name, input, target, o);
    const out = check.lossOut(name, reduction, o.out, x, x.length, { alias: [x, t] });
    const total = run(x, t, a, out, null, 1, null);
    return out ?? reduced(reduction, total, x.length);
  }

  function backward<T extends FloatArray>(input: T, target: T, options?: O & BackwardOptions<T>): T {
    const fn = `${name}Backward`;
    const o = check.options(fn, options, backwardKeys);
    const { x, t, reduction, a } = prepare(fn, input, target, o);
    const n = x.length;
    const { out, scale, each } = backwardOutput(fn, o, reduction, x, { alias: [x, t] }, { count: n, unit: 'element', denominator: n });
    run(x, t, a, null, out, scale, each);
    return out;
  }

  return { loss: byReduction<RegressionLossFn<O>, RegressionLossGeneral<O>>(loss), backward };
}

export function regressionFunctions(k: Kernels) {
  const l1 = regressionPair<RegressionOptions>(k, { name: 'l1Loss', kind: 'l1' });
  const l2 = regressionPair<RegressionOptions>(k, { name: 'l2Loss', kind: 'l2' });
  const mse = regressionPair<RegressionOptions>(k, { name: 'mseLoss', kind: 'mse' });
  const huber = regressionPair<HuberOptions>(k, { name: 'huberLoss', kind: 'huber', param: { key: 'delta', fallback: 1, zeroOk: false } });
  const smoothL1 = regressionPair<SmoothL1Options>(k, {
    name: 'smoothL1Loss',
    kind: 'smoothL1',
    param: { key: 'beta', fallback: 1, zeroOk: true },
  });
  return {
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
}
