// Throughput benchmark of softmax-simd: native kernels (one child process per ISA, since
// SOFTMAX_SIMD_ISA is read once at load), the pure-TS path, hand-written JS loops and the copy /
// read ceilings, for each op, dtype and shape. Needs dist/ (npx tsc -p tsconfig.json) and, for the
// native columns, the built addon. Usage and columns: bench/README.md.
//
//   node bench/run.js                  the full run (a few minutes)
//   BENCH_QUICK=1 node bench/run.js    a smoke run
//   node bench/run.js --child <isa>    internal: measure the native path only, print JSON on stdout
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { copyRunner, libraryRunner, OPS, plainRunner, readRunner, runOnce } from './contenders.js';
import { check, makeBuffers, measure, toRates } from './harness.js';
import { machineInfo, printMachine, printTables, ratios, writeJson } from './report.js';

const DTYPES = ['f32', 'f64'];
const DEFAULT_SHAPES = '1x10,4096x10,1024x1000,256x32000,8x256000,65536x128';
const RESULTS_PATH = fileURLToPath(new URL('./results/latest.json', import.meta.url));

// ---------------------------------------------------------------- configuration

function positiveInt(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench: ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

function parseShapes(text) {
  return text.split(',').map((s) => {
    const m = s.trim().match(/^(\d+)\s*[x×]\s*(\d+)$/);
    if (!m || +m[1] < 1 || +m[2] < 1) throw new Error(`bench: BENCH_SHAPES wants "ROWSxCOLS,…", got ${JSON.stringify(s)}`);
    return { rows: +m[1], cols: +m[2] };
  });
}

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

function readConfig(env = process.env) {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  return {
    quick,
    samples: positiveInt(env, 'BENCH_SAMPLES', quick ? 3 : 7),
    sampleMs: quick ? 5 : 20, // each sample runs the op for at least this long
    warmupMs: quick ? 20 : 100, // calibration and warm-up together, before the samples (see harness.measure)
    seed: positiveInt(env, 'BENCH_SEED', 1),
    filter: env.BENCH_FILTER ?? '',
    shapes: parseShapes(env.BENCH_SHAPES || DEFAULT_SHAPES),
  };
}

/** The (op, dtype, shape) cells the filter keeps, grouped by input (dtype, shape) so buffers are shared. */
function selectGroups(config) {
  const keep = parseFilter(config.filter);
  const groups = [];
  for (const dtype of DTYPES) {
    for (const { rows, cols } of config.shapes) {
      const shape = `${rows}x${cols}`;
      const cells = OPS.map((op) => ({ op, dtype, shape, rows, cols, label: `${op} ${dtype} ${shape}`, contenders: {} }));
      const kept = cells.filter((c) => keep(c.label));
      if (kept.length) groups.push({ dtype, shape, rows, cols, cells: kept });
    }
  }
  return groups;
}

async function loadPackage() {
  try {
    const native = await import(new URL('../dist/index.js', import.meta.url).href);
    const pure = await import(new URL('../dist/js/index.js', import.meta.url).href);
    return { native, pure };
  } catch (error) {
    if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(`bench: cannot load dist/ (build it first: npx tsc -p tsconfig.json): ${error.message}`);
  }
}

const childAt = process.argv.indexOf('--child');
// Progress shows the time since the parent started (a child gets it in BENCH_T0).
const startedAt = (childAt >= 0 && Number(process.env.BENCH_T0)) || Date.now();
const progress = (text) => process.stderr.write(`  [${((Date.now() - startedAt) / 1e3).toFixed(1)} s] ${text}\n`);

// ---------------------------------------------------------------- child: the native path for one ISA

async function childMain(isa, config) {
  const { native, pure } = await loadPackage();
  const b = native.backend;
  if (!b.native || b.isa !== isa) {
    throw new Error(`bench: SOFTMAX_SIMD_ISA=${isa} but the package loaded ${JSON.stringify(b)}`);
  }
  const results = {};
  for (const group of selectGroups(config)) {
    progress(`native ${isa}: ${group.dtype} ${group.shape}`);
    const set = makeBuffers(group.dtype, group.rows, group.cols, config.seed);
    for (const cell of group.cells) {
      const want = runOnce(libraryRunner(pure, cell.op, set), cell.op, set);
      const run = libraryRunner(native, cell.op, set);
      check(`native ${isa} ${cell.label}`, cell.dtype, runOnce(run, cell.op, set), want);
      results[cell.label] = toRates(measure(run, config), set.elements);
    }
  }
  process.stdout.write(`${JSON.stringify({ isa, backend: { ...b }, results })}\n`);
}

/** Runs one child per ISA, one after the other (two at once would share the cores and caches). */
function measureNative(isa) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', isa], {
    env: { ...process.env, SOFTMAX_SIMD_ISA: isa, SOFTMAX_SIMD_BACKEND: 'native', BENCH_T0: String(startedAt) },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (child.error) throw child.error;
  if (child.status !== 0) throw new Error(`bench: the native ${isa} child failed (exit ${child.status ?? child.signal}); see its message above`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

// ---------------------------------------------------------------- parent

/** Pure TS, plain JS and the ceilings for one input group, measured in this process. */
function measureGroup(group, pure, plain, config) {
  const set = makeBuffers(group.dtype, group.rows, group.cols, config.seed);
  const rates = (run) => toRates(measure(run, config), set.elements);
  // The ceilings depend only on the input bytes: measured once, shown in every op's table.
  const copy = rates(copyRunner(set));
  const read = group.cells.some((c) => c.op === 'logSumExp') ? rates(readRunner(plain, set)) : undefined;
  for (const cell of group.cells) {
    const pureRun = libraryRunner(pure, cell.op, set);
    const want = runOnce(pureRun, cell.op, set); // the reference every contender is checked against
    const plainRun = plainRunner(plain, cell.op, set);
    check(`plain JS ${cell.label}`, cell.dtype, runOnce(plainRun, cell.op, set), want);
    cell.contenders['pure TS'] = rates(pureRun);
    cell.contenders['plain JS'] = rates(plainRun);
    cell.contenders.copy = copy;
    if (cell.op === 'logSumExp') cell.contenders.read = read;
    cell.inputBuffers = set.xs.length;
  }
}

async function parentMain(config) {
  const { native, pure } = await loadPackage();
  const b = native.backend;
  const isas = b.native ? (b.supported ?? [b.isa]) : [];
  const machine = machineInfo(b, isas);
  printMachine(machine, config);
  if (!b.native) console.log(`(native addon not in use: ${b.reason}; no native columns)`);

  const groups = selectGroups(config);
  const cells = groups.flatMap((g) => g.cells);
  if (cells.length === 0) throw new Error(`bench: BENCH_FILTER ${JSON.stringify(config.filter)} matches nothing (labels look like "softmax f32 1024x1000")`);

  for (const isa of isas) {
    const { results } = measureNative(isa);
    for (const cell of cells) cell.contenders[`native ${isa}`] = results[cell.label];
  }
  // A fresh module instance per dtype keeps each hand-written loop monomorphic (see plain.js).
  const plainFor = {};
  for (const dtype of new Set(groups.map((g) => g.dtype))) {
    plainFor[dtype] = await import(new URL(`./plain.js?dtype=${dtype}`, import.meta.url).href);
  }
  for (const group of groups) {
    progress(`pure TS, plain JS, ceilings: ${group.dtype} ${group.shape}`);
    measureGroup(group, pure, plainFor[group.dtype], config);
  }

  for (const cell of cells) cell.ratios = ratios(cell, isas);
  printTables(cells, isas);
  const seconds = (Date.now() - startedAt) / 1e3;
  writeJson(RESULTS_PATH, {
    timestamp: new Date(startedAt).toISOString(),
    durationSec: seconds,
    machine,
    config: { ...config, shapes: config.shapes.map((s) => `${s.rows}x${s.cols}`) },
    results: cells.map(({ label, ...cell }) => cell),
  });
  console.log(`\n${cells.length} cells in ${seconds.toFixed(1)} s; raw results in ${RESULTS_PATH}`);
}

// ---------------------------------------------------------------- entry

try {
  const config = readConfig();
  if (childAt >= 0) await childMain(process.argv[childAt + 1], config);
  else await parentMain(config);
} catch (error) {
  console.error(error instanceof Error && error.message.startsWith('bench:') ? error.message : error);
  process.exitCode = 1;
}
