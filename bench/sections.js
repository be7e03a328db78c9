// The three smaller sections beside the tables: the −Inf cell (outputs only), the cols sweep for
// the chart, and the per-call time of small inputs. Each runs in the parent with the package's
// default entry ("native auto": the best ISA, or the JS path where the package picks it).
import { copyRunner, lineup, OPS } from './contenders.js';
import { DTYPES, evaluate, makeBuffers, measure, toRates } from './harness.js';
import { reference } from './reference.js';

/**
 * A 4×10 batch whose row 1 has a −Inf logit (a masked class) that is not its label, for every op
 * and dtype; only the outputs' errors, nothing timed. PyTorch gives 0 probability, −Inf
 * log-probability and 0 gradient there, and finite losses.
 */
export async function runEdge(ctx, config) {
  const [rows, cols, row] = [4, 10, 1];
  const cells = [];
  for (const dtype of DTYPES) {
    const set = makeBuffers(dtype, rows, cols, config.seed);
    set.xs.forEach((x, b) => {
      x[row * cols + ((set.labels[b][row] + 1) % cols)] = -Infinity;
    });
    for (const op of OPS) {
      const label = `${op} ${dtype} ${rows}x${cols} with -Inf`;
      const ref = reference(op, set);
      const { results, skipped } = await evaluate(lineup(ctx, op, set), { label, set, ref });
      cells.push({ op, dtype, shape: `${rows}x${cols}`, tolerance: ref.tolerance, contenders: results, skipped });
    }
  }
  return cells;
}

const SWEEP = { op: 'softmax', dtype: 'f32', elements: 2 ** 20, peers: ['ORT', 'tfjs-wasm', 'tfjs-cpu'] };

/** Softmax f32 throughput against the row length, rows × cols ≈ 2^20 elements (at least one row). */
export async function runSweep(ctx, config, progress) {
  const { op, dtype, elements } = SWEEP;
  const peers = ctx.peers.filter((p) => SWEEP.peers.includes(p.name));
  const points = [];
  for (const cols of config.sweepCols) {
    const rows = Math.max(1, Math.round(elements / cols));
    progress(`sweep: ${op} ${dtype} ${rows}x${cols}`);
    const set = makeBuffers(dtype, rows, cols, config.seed);
    const label = `${op} ${dtype} ${rows}x${cols}`;
    const { results, skipped } = await evaluate(lineup(ctx, op, set, { peers }), { label, set, ref: reference(op, set) }, config);
    results.copy = toRates(await measure(copyRunner(set), config), set.elements);
    points.push({ rows, cols, contenders: results, skipped });
  }
  return { op, dtype, elements, points };
}

const SMALL = { ops: ['softmax', 'logSumExp', 'crossEntropyWithGrad'], cols: [2, 4, 8, 10, 16, 32, 64], peersAt: 10, dtype: 'f32' };

/** Time per call of one short row (1×cols), f32: what the package's small-size threshold is chosen from. */
export async function runSmall(ctx, config, progress) {
  const { dtype } = SMALL;
  const rows = [];
  for (const op of SMALL.ops) {
    progress(`small inputs: ${op}${ctx.nativeName ? `, ${ctx.nativeName}` : ''}`);
    for (const cols of SMALL.cols) {
      const set = makeBuffers(dtype, 1, cols, config.seed);
      const peers = cols === SMALL.peersAt ? ctx.peers : [];
      const label = `${op} ${dtype} 1x${cols}`;
      const { results, skipped } = await evaluate(lineup(ctx, op, set, { peers }), { label, set, ref: reference(op, set) }, config);
      rows.push({ op, dtype, shape: `1x${cols}`, cols, contenders: results, skipped });
    }
  }
  return rows;
}
