// The main tables: every op, dtype and shape (a *cell*). The native kernels are measured per ISA in
// child processes (nativeCells); pure TS, plain JS, the peers and the ceilings in the parent (measureCells).
import { copyRunner, libraryContender, lineup, OPS, readRunner } from './contenders.js';
import { DTYPES, evaluate, makeBuffers, measure, toRates } from './harness.js';
import { reference } from './reference.js';

/** BENCH_FILTER as a (case-sensitive) regular expression, or as a plain substring if it is not one. */
function parseFilter(text) {
  if (!text) return () => true;
  try {
    const re = new RegExp(text);
    return (label) => re.test(label);
  } catch {
    return (label) => label.includes(text);
  }
}

/** The (op, dtype, shape) cells the filter keeps, grouped by input (dtype, shape) so buffers are shared. */
export function selectGroups(config) {
  const keep = parseFilter(config.filter);
  const groups = [];
  for (const dtype of DTYPES) {
    for (const { rows, cols } of config.shapes) {
      const shape = `${rows}x${cols}`;
      const cells = OPS.map((op) => ({ op, dtype, shape, rows, cols, label: `${op} ${dtype} ${shape}`, contenders: {}, skipped: {} }));
      const kept = cells.filter((c) => keep(c.label));
      if (kept.length) groups.push({ dtype, shape, rows, cols, cells: kept });
    }
  }
  return groups;
}

/** In a child: the package (`native`, loaded with one ISA) on every cell; results by cell label. */
export async function nativeCells(native, isa, config, progress) {
  const results = {};
  for (const group of selectGroups(config)) {
    progress(`native ${isa}: ${group.dtype} ${group.shape}`);
    const set = makeBuffers(group.dtype, group.rows, group.cols, config.seed);
    for (const cell of group.cells) {
      const contender = libraryContender(`native ${isa}`, native, cell.op, set);
      const cellInfo = { label: cell.label, set, ref: reference(cell.op, set) };
      results[cell.label] = (await evaluate([contender], cellInfo, config)).results[contender.name];
    }
  }
  return results;
}

/** In the parent: pure TS, plain JS, the peers and the ceilings on every cell of `groups`. */
export async function measureCells(groups, ctx, config, progress) {
  for (const group of groups) {
    const set = makeBuffers(group.dtype, group.rows, group.cols, config.seed);
    const rates = async (run) => toRates(await measure(run, config), set.elements);
    // The ceilings depend only on the input bytes: measured once, shown in every op's table.
    progress(`ceilings: ${group.dtype} ${group.shape}`);
    const copy = await rates(copyRunner(set));
    const read = group.cells.some((c) => c.op === 'logSumExp') ? await rates(readRunner(ctx.plainFor[group.dtype], set)) : undefined;
    for (const cell of group.cells) {
      progress(`pure TS, plain JS${ctx.peers.length ? ', peers' : ''}: ${cell.label}`);
      const cellInfo = { label: cell.label, set, ref: reference(cell.op, set) };
      const { results, skipped } = await evaluate(lineup(ctx, cell.op, set, { native: false }), cellInfo, config);
      Object.assign(cell.contenders, results, { copy }, cell.op === 'logSumExp' ? { read } : {});
      Object.assign(cell.skipped, skipped);
      cell.inputBuffers = set.xs.length;
    }
  }
}
