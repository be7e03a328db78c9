// The kernel surface is written once per side (lib/surface.ts; the `surface` the addon exports from
// native/src/node/addon.cc), and every other copy is checked here: the addon's description against
// the TS one, the loader's calls against the argument lists, the TS constants against the C enums.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Kernels, RowCall } from '../lib/kernels.js';
import { type Addon, isasOf, nativeKernels } from '../lib/load.js';
import { surface } from '../lib/surface.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const addon = (() => {
  try {
    return createRequire(import.meta.url)('node-gyp-build')(repo) as Addon & { surface: unknown };
  } catch {
    return undefined; // no addon here (the pure-TS CI run still checks the loader's calls)
  }
})();

/** An addon that records the arguments each function gets, by name. */
function recorder() {
  const calls: Record<string, unknown[]> = {};
  const fake = new Proxy({}, {
    get: (_t, name: string) => (...args: unknown[]) => {
      calls[name] = args;
      return 0;
    },
  }) as Addon;
  return { calls, kernels: nativeKernels(fake) };
}

/** A call object whose every field holds its own name: what the loader passes on shows by name. */
const named = (...fields: readonly string[]): Record<string, string> => Object.fromEntries(fields.map((f) => [f, f]));

describe('the kernel surface', () => {
  it.runIf(addon)("is the addon's own description, function by function and constant by constant", () => {
    const arch = process.arch === 'x64' || process.arch === 'arm64' ? process.arch : 'other';
    expect(addon!.surface).toEqual({
      functions: surface.functions,
      measures: Object.fromEntries(surface.measures.map((m, i) => [m, i])),
      regressionKinds: Object.fromEntries(surface.regressionKinds.map((k, i) => [k, i])),
      chunkElements: surface.chunkElements,
      isas: surface.isas[arch],
    });
    expect(isasOf(process.arch)).toEqual(surface.isas[arch]);
  });

  it("is what the loader passes to each of the addon's functions, in order", () => {
    const { calls, kernels } = recorder();
    const rowCalls: [keyof typeof surface.functions, RowCall][] = [
      ['softmaxRows', { ...named('x', 'out', 'cols', 'temperature', 'allMaskedZero'), op: 'softmax' } as never],
      ['logSoftmaxRows', { ...named('x', 'out', 'cols', 'temperature', 'allMaskedZero'), op: 'logSoftmax' } as never],
      ['logSumExpRows', { ...named('x', 'out', 'cols'), op: 'logSumExp' } as never],
      ['crossEntropyRows', { op: 'crossEntropy', call: named(...surface.functions.crossEntropyRows.slice(0, -1)) } as never],
      ['scoreRows', { op: 'score', call: named(...surface.functions.scoreRows.slice(0, -1)) } as never],
    ];
    for (const [name, call] of rowCalls) {
      kernels.runRows(call, 'run' as never);
      expect(calls[name], name).toEqual(surface.functions[name]);
    }
    kernels.binaryCrossEntropyRows(named(...surface.functions.binaryCrossEntropyRows) as never);
    expect(calls.binaryCrossEntropyRows).toEqual(surface.functions.binaryCrossEntropyRows);
    // Enums go over as their numbers.
    kernels.informationRows({ ...named(...surface.functions.informationRows), measure: 'klDivergence' } as never);
    expect(calls.informationRows).toEqual([2, ...surface.functions.informationRows.slice(1)]);
    kernels.regression({ ...named(...surface.functions.regression), kind: 'huber' } as never);
    expect(calls.regression).toEqual([3, ...surface.functions.regression.slice(1)]);
    // The functions the loader hands over as they are take the Kernels interface's parameters.
    const source = readFileSync(new URL('../lib/kernels.ts', import.meta.url), 'utf8');
    const direct: (keyof Kernels & keyof typeof surface.functions)[] = ['sigmoid', 'logSigmoid', 'softmaxBackwardRows', 'logSoftmaxBackwardRows'];
    for (const name of direct) {
      const params = new RegExp(`\\n  ${name}\\(([^)]*)\\): void;`).exec(source)?.[1];
      expect(params?.split(',').map((p) => p.trim().split(':')[0]), name).toEqual(surface.functions[name]);
      expect(kernels[name]).toBeTypeOf('function');
    }
  });
});
