// Throughput benchmark of softmax-simd against plain JS, its pure-TS path, the copy / read ceilings
// and the peers (ONNX Runtime, TensorFlow.js, when installed in bench/node_modules). Needs dist/
// (npx tsc -p tsconfig.json) and, for the native columns, the built addon. Usage, sections and
// columns: bench/README.md.
//
//   node bench/run.js                  the full run (about 8 minutes on 2 cores)
//   node bench/run.js --quick          a smoke run (under a minute); BENCH_QUICK=1 does the same
//   node bench/run.js --only=async     the threads / async section (opt-in, about a minute; async.js)
//   node bench/run.js --child <isa>    internal: one ISA's part of a section (--only), JSON on stdout
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printAsync, runAsyncSection } from './async.js';
import { writeChart } from './chart.js';
import { readConfig } from './config.js';
import { DTYPES } from './harness.js';
import { LOSS_OP_SHORT, LOSS_SHAPE, lossCells, measureLossCells, nativeLossCells } from './losses.js';
import { INSTALL_PEERS, loadPeers } from './peers/index.js';
import { machineInfo, printEdge, printLosses, printMachine, printSmall, printSweep, printTables, ratios, writeJson } from './report.js';
import { runEdge, runSmall, runSweep } from './sections.js';
import { measureCells, nativeCells, selectGroups } from './tables.js';

const RESULTS_PATH = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const CHART_PATH = fileURLToPath(new URL('./results/chart.svg', import.meta.url));
const ASYNC_PATH = fileURLToPath(new URL('./results/async-latest.json', import.meta.url));

async function loadPackage() {
  try {
    const native = await import(new URL('../dist/index.js', import.meta.url).href);
    const pure = await import(new URL('../dist/js.js', import.meta.url).href);
    return { native, pure };
  } catch (error) {
    if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(`bench: cannot load dist/ (build it first: npx tsc -p tsconfig.json): ${error.message}`);
  }
}

// Progress shows the time since the parent started (a child gets it in BENCH_T0).
const startedAt = (process.argv.includes('--child') && Number(process.env.BENCH_T0)) || Date.now();
const progress = (text) => process.stderr.write(`  [${((Date.now() - startedAt) / 1e3).toFixed(1)} s] ${text}\n`);

// ---------------------------------------------------------------- child: the native path for one ISA

const NATIVE_KERNELS = 'native kernels';

/** The child's part of each section it is given: the tables' native cells, or the small inputs without the JS path. */
async function childMain(isa, config) {
  const { native } = await loadPackage();
  const b = native.backend;
  if (!b.native || b.isa !== isa) {
    throw new Error(`bench: SOFTMAX_SIMD_ISA=${isa} but the package loaded ${JSON.stringify(b)}`);
  }
  const smallMax = process.env.SOFTMAX_SIMD_SMALL_MAX;
  if (smallMax && b.smallMax !== undefined && b.smallMax !== Number(smallMax)) {
    throw new Error(`bench: SOFTMAX_SIMD_SMALL_MAX=${smallMax} but the package loaded ${JSON.stringify(b)}`);
  }
  const out = { isa, backend: { ...b } };
  if (config.sections.includes('tables')) out.tables = await nativeCells(native, isa, config, progress);
  if (config.sections.includes('small')) out.small = await runSmall({ native, nativeName: NATIVE_KERNELS }, config, progress);
  if (config.sections.includes('losses')) out.losses = await nativeLossCells(native, isa, config, progress);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * Runs a child for one ISA and one section, waiting for it (two at once would share the cores and
 * caches). The ISA is fixed when the package loads, hence a process each.
 */
function runChild(isa, section, env = {}) {
  const args = [fileURLToPath(import.meta.url), ...process.argv.slice(2), `--only=${section}`, '--child', isa];
  const child = spawnSync(process.execPath, args, {
    env: { ...process.env, SOFTMAX_SIMD_ISA: isa, SOFTMAX_SIMD_BACKEND: 'native', BENCH_T0: String(startedAt), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (child.error) throw child.error;
  if (child.status !== 0) throw new Error(`bench: the native ${isa} child failed (exit ${child.status ?? child.signal}); see its message above`);
  return JSON.parse(child.stdout.trim().split('\n').pop())[section];
}

// ---------------------------------------------------------------- parent

/**
 * A section's cells measured: each ISA's native results from its child (by cell label), then the
 * parent's contenders (`measureHere`), then the ratios of the best native ISA.
 */
async function measureSection(section, cells, isas, measureHere) {
  for (const isa of isas) {
    const results = runChild(isa, section);
    for (const cell of cells) cell.contenders[`native ${isa}`] = results[cell.label];
  }
  await measureHere();
  for (const cell of cells) cell.ratios = ratios(cell, isas);
}

async function tables(ctx, isas, config) {
  const groups = selectGroups(config);
  const cells = groups.flatMap((g) => g.cells);
  if (cells.length === 0) throw new Error(`bench: BENCH_FILTER ${JSON.stringify(config.filter)} matches nothing (labels look like "softmax f32 1024x1000")`);
  await measureSection('tables', cells, isas, () => measureCells(groups, ctx, config, progress));
  printTables(cells, isas);
  return cells.map(({ label, ...cell }) => cell);
}

/**
 * The small inputs in the parent, with a column from a child where SOFTMAX_SIMD_SMALL_MAX=0 sends
 * every size to the native kernels: the other side of the package's small-size threshold.
 */
async function small(ctx, b, config) {
  const kernels = b.native ? runChild(b.isa, 'small', { SOFTMAX_SIMD_SMALL_MAX: '0' }) : [];
  const rows = await runSmall(ctx, config, progress);
  rows.forEach((row, i) => {
    const { 'native auto': auto, ...rest } = row.contenders;
    row.contenders = { ...(auto && { 'native auto': auto }), ...kernels[i]?.contenders, ...rest };
  });
  return rows;
}

/**
 * The losses section (losses.js): native per ISA from the children, the rest here; printed, and
 * returned with the settings and machine it was measured with (a run of this section alone merges
 * it into the existing results file, whose other keys come from another run).
 */
async function losses(ctx, isas, config, machine) {
  const t0 = Date.now();
  const cells = lossCells();
  await measureSection('losses', cells, isas, () => measureLossCells(cells, ctx, config, progress));
  printLosses(cells, isas, LOSS_OP_SHORT);
  const { child, filter, shapes, sweepCols, sections, peers, ...settings } = config;
  return {
    timestamp: new Date(t0).toISOString(),
    durationSec: (Date.now() - t0) / 1e3,
    machine,
    settings,
    shape: `${LOSS_SHAPE.rows}x${LOSS_SHAPE.cols}`,
    cells: cells.map(({ label, ...cell }) => cell),
  };
}

/** The results file as it is, or undefined when missing or unreadable. */
function readResults(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

async function parentMain(config) {
  const { native, pure } = await loadPackage();
  const b = native.backend;
  // A quick run measures the ISA the package picked only, and leaves out tfjs' op-only variants;
  // so does the async section (in the parent, as loaded).
  const onlyAsync = config.sections.every((s) => s === 'async');
  const isas = !b.native ? [] : config.quick || onlyAsync ? [b.isa] : (b.supported ?? [b.isa]);
  // The async section alone needs no peers (nor their memory and load time).
  const { peers: allPeers, info, missing } = config.peers && !onlyAsync ? await loadPeers() : { peers: [], info: {}, missing: [] };
  const peers = allPeers.filter((p) => !(config.quick && p.opOnly));
  const machine = { ...machineInfo(b, isas), peers: info };
  printMachine(machine, config);
  if (!b.native) console.log(`(native addon not in use: ${b.reason}; no native columns)`);
  if (missing.length) console.log(`peers     not installed (${missing.join(', ')}): measuring without them; to add them: ${INSTALL_PEERS}`);

  // A fresh module instance per dtype keeps each hand-written loop monomorphic (see plain.js).
  const plainFor = {};
  for (const dtype of DTYPES) plainFor[dtype] = await import(new URL(`./plain.js?dtype=${dtype}`, import.meta.url).href);
  const plainLossesFor = {};
  for (const dtype of DTYPES) plainLossesFor[dtype] = await import(new URL(`./plain-losses.js?dtype=${dtype}`, import.meta.url).href);
  const ctx = { native: b.native ? native : undefined, pure, plainFor, plainLossesFor, peers };

  const out = {};
  if (config.sections.includes('tables')) out.results = await tables(ctx, isas, config);
  if (config.sections.includes('edge')) printEdge((out.edge = await runEdge(ctx, config)));
  if (config.sections.includes('sweep')) {
    printSweep((out.sweep = await runSweep(ctx, config, progress)));
    writeChart(CHART_PATH, out.sweep, machine, new Date(startedAt));
  }
  if (config.sections.includes('small')) printSmall((out.small = await small(ctx, b, config)));
  if (config.sections.includes('losses')) out.losses = await losses(ctx, isas, config, machine);
  // The async section (opt-in) has a results file of its own, and leaves latest.json alone.
  if (config.sections.includes('async')) {
    const result = await runAsyncSection(ctx, b, config, machine, progress);
    printAsync(result);
    writeJson(ASYNC_PATH, result);
    console.log(`\nasync in ${result.durationSec.toFixed(1)} s; raw results in ${ASYNC_PATH}`);
    if (onlyAsync) return;
  }

  const seconds = (Date.now() - startedAt) / 1e3;
  const { child, ...settings } = config;
  const sections = config.sections.filter((s) => s !== 'async');
  // The losses section alone replaces the `losses` key of the results file and keeps the rest.
  const previous = sections.length === 1 && out.losses ? readResults(RESULTS_PATH) : undefined;
  writeJson(
    RESULTS_PATH,
    previous
      ? { ...previous, losses: out.losses }
      : {
          timestamp: new Date(startedAt).toISOString(),
          durationSec: seconds,
          machine,
          config: { ...settings, sections, shapes: config.shapes.map((s) => `${s.rows}x${s.cols}`) },
          ...out,
        },
  );
  const where = previous ? `${RESULTS_PATH} (its "losses" key; the rest kept)` : RESULTS_PATH;
  console.log(`\n${sections.join(', ')} in ${seconds.toFixed(1)} s; raw results in ${where}` + (out.sweep ? `, chart in ${CHART_PATH}` : ''));
}

// ---------------------------------------------------------------- entry

try {
  const config = readConfig();
  if (config.child) await childMain(config.child, config);
  else await parentMain(config);
} catch (error) {
  console.error(error instanceof Error && error.message.startsWith('bench:') ? error.message : error);
  process.exitCode = 1;
}
