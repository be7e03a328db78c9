// What the benchmark prints and saves: the machine, one table per op and dtype, the −Inf cell, the
// sweep, the small-input times, the JSON file.
import { BASELINE_TOLERANCE } from './reference.js';
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';

function readOr(path, fallback) {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** CPU model, cores, caches and SIMD flags (Linux /proc and /sys where present, else os.cpus()). */
export function machineInfo(backend, supported) {
  const cpuinfo = readOr('/proc/cpuinfo', '');
  const field = (name) => cpuinfo.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1];
  const flags = new Set((field('flags') ?? field('Features') ?? '').split(/\s+/));
  const cacheDir = '/sys/devices/system/cpu/cpu0/cache';
  const caches = listCaches(cacheDir);
  return {
    cpu: field('model name') ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    caches,
    simdFlags: ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'asimd', 'sve'].filter((f) => flags.has(f)),
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadAverage: +os.loadavg()[0].toFixed(2), // at the start: other work on the machine skews timings
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    node: process.version,
    v8: process.versions.v8,
    backend: { ...backend },
    supported,
  };
}

function listCaches(dir) {
  try {
    return readdirSync(dir)
      .filter((d) => d.startsWith('index'))
      .map((d) => `L${readOr(`${dir}/${d}/level`, '?')} ${readOr(`${dir}/${d}/type`, '?')} ${readOr(`${dir}/${d}/size`, '?')}`)
      .sort();
  } catch {
    return [];
  }
}

export function printMachine(m, config) {
  const lines = [
    `cpu       ${m.cpu} (${m.cores} cores${m.caches.length ? `; ${m.caches.join(', ')}` : ''})`,
    `simd      ${m.simdFlags.join(' ') || '(none reported)'}`,
    `node      ${m.node} (V8 ${m.v8}), ${m.platform}, ${m.memoryGiB} GiB`,
    `backend   native=${m.backend.native} isa=${m.backend.isa}${m.backend.smallMax ? ` smallMax=${m.backend.smallMax}` : ''}` +
      `${m.backend.reason ? ` (${m.backend.reason})` : ''}; native ISAs measured: ${m.supported.join(', ') || 'none'}`,
    `settings  ${config.samples} samples of >= ${config.sampleMs} ms after >= ${config.warmupMs} ms of calibration and warm-up (fewer past ${config.budgetMs} ms); seed ${config.seed}` +
      `${config.quick ? '; QUICK' : ''}${config.filter ? `; filter /${config.filter}/` : ''}; sections ${config.sections.join(', ')}`,
  ];
  if (Object.keys(m.peers).length) lines.push(`peers     ${Object.entries(m.peers).map(([k, v]) => `${k} ${v}`).join('; ')}`);
  if (m.loadAverage > m.cores / 4) {
    lines.push(`warning   load average ${m.loadAverage} on ${m.cores} cores: other processes are running and will disturb the timings`);
  }
  console.log(lines.join('\n'));
}

// ---------------------------------------------------------------- tables

/** Melem/s with 3–4 significant digits. */
function formatRate(x) {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** Half the min–max range as a share of the median, shown only when it is large (≥ 5%): a noisy figure. */
function formatSpread(s) {
  const half = ((s.maxMelemPerSec - s.minMelemPerSec) / 2 / s.medianMelemPerSec) * 100;
  return half >= 5 ? ` ±${half.toFixed(0)}%` : '';
}

const formatStat = (s) => (s ? `${formatRate(s.medianMelemPerSec)}${formatSpread(s)}` : '—');
const formatRatio = (r, unit = '×') => (r === undefined ? '—' : `${r.toFixed(2)}${unit}`);
const formatNs = (ns) => (ns === undefined ? '—' : ns < 10 ? ns.toFixed(1) : Math.round(ns).toLocaleString('en-US'));

/** An output's error: "NaN! ×3 values" (or Infinity…) where the reference is finite, "length!" for values of the wrong length, else the max error. */
function formatError(e) {
  if (!e || e.maxError === undefined) return '—';
  if (e.mismatch) return 'length!';
  if (e.nonFinite) return `${e.badValues.join('/')}! ×${e.nonFinite} ${e.badIn.join('+')}`;
  return e.maxError === 0 ? '0' : e.maxError.toExponential(1);
}

/** The worst error of one contender over several cells (a non-finite output wins). */
function worstError(stats) {
  const all = stats.filter((s) => s?.maxError !== undefined);
  if (all.length === 0) return undefined;
  return all.reduce((a, b) => (b.nonFinite > a.nonFinite || (b.nonFinite === a.nonFinite && !(b.maxError <= a.maxError)) ? b : a));
}

/** Column headers: the ISAs and the tfjs op-only variants shortened, so a table fits a wide terminal. */
const HEADERS = { 'tfjs-wasm op': 'wasm op', 'tfjs-cpu op': 'cpu op' };
const header = (name) => HEADERS[name] ?? name.replace(/^native /, '');

/** The contenders that ran in any of these cells, in lineup order (those skipped everywhere get a note instead). */
const ranIn = (cells) => [...new Set(cells.flatMap((c) => Object.keys(c.contenders)))];
/** The peers' columns, in this order, between plain JS and the ceilings. */
const PEERS = ['ORT', 'tfjs-wasm', 'tfjs-wasm op', 'tfjs-cpu', 'tfjs-cpu op'];

/** Best native over plain JS, pure TS and the peers (throughput ratios), and native time over copy time. */
export function ratios(cell, isas) {
  const natives = isas.map((isa) => [isa, cell.contenders[`native ${isa}`]]).filter(([, s]) => s);
  if (natives.length === 0) return {};
  const [bestIsa, best] = natives.reduce((a, b) => (b[1].medianMelemPerSec > a[1].medianMelemPerSec ? b : a));
  const over = (name) => {
    const s = cell.contenders[name];
    return s ? best.medianMelemPerSec / s.medianMelemPerSec : undefined;
  };
  return {
    bestNative: bestIsa,
    nativeOverPlainJS: over('plain JS'),
    nativeOverPureTS: over('pure TS'),
    nativeOverORT: over('ORT'),
    nativeOverTfjsWasm: over('tfjs-wasm'),
    nativeOverTfjsCpu: over('tfjs-cpu'),
    timeVsCopy: cell.contenders.copy ? cell.contenders.copy.medianMelemPerSec / best.medianMelemPerSec : undefined,
  };
}

/** Prints aligned columns: the first left-aligned, the rest right-aligned. */
export function printTable(title, head, rows) {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** Why contenders were left out, once per reason: "tfjs-wasm, tfjs-cpu: …". */
function printSkipped(cells) {
  const byReason = new Map();
  for (const cell of cells) {
    for (const [name, why] of Object.entries(cell.skipped ?? {})) byReason.set(why, (byReason.get(why) ?? new Set()).add(name));
  }
  for (const [why, names] of byReason) console.log(`  — ${[...names].join(', ')}: ${why}`);
}

function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) {
    const k = key(item);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(item);
  }
  return groups;
}

/**
 * One table per op and dtype: rows are shapes, columns Melem/s per contender, then the ratios of
 * the best native ISA; a last row gives each contender's largest error against the reference.
 */
export function printTables(cells, isas) {
  for (const [key, group] of groupBy(cells, (c) => `${c.op} ${c.dtype}`)) {
    const withRead = group.some((c) => c.contenders.read);
    const ran = ranIn(group);
    const peers = PEERS.filter((p) => ran.includes(p));
    const names = [...isas.map((isa) => `native ${isa}`), 'pure TS', 'plain JS', ...peers, 'copy', ...(withRead ? ['read'] : [])];
    const ratioColumns = [
      ['×plain', 'nativeOverPlainJS'],
      ['×pureTS', 'nativeOverPureTS'],
      ...[['×ORT', 'nativeOverORT', 'ORT'], ['×wasm', 'nativeOverTfjsWasm', 'tfjs-wasm'], ['×cpu', 'nativeOverTfjsCpu', 'tfjs-cpu']].filter(([, , p]) => peers.includes(p)),
    ];
    const rows = group.map((cell) => [
      cell.shape,
      ...names.map((name) => formatStat(cell.contenders[name])),
      ...ratioColumns.map(([, field]) => formatRatio(cell.ratios[field])),
      formatRatio(cell.ratios.timeVsCopy, ''),
    ]);
    const errors = names.map((name) => formatError(worstError(group.map((c) => c.contenders[name]))));
    rows.push(['max error', ...errors, ...ratioColumns.map(() => ''), '']);
    const head = ['shape', ...names.map(header), ...ratioColumns.map(([h]) => h), 'vs copy'];
    printTable(`${key}  (Melem/s; ×: best native over that contender; max error vs the float64 reference)`, head, rows);
    printSkipped(group);
  }
}

/** softmax-simd's tolerance of one output, per part: "1.0e-6", "loss 1.0e-6", "1.0e-4, loss 1.0e-6". */
const formatTolerance = (t) =>
  Object.entries(t)
    .map(([part, v]) => `${part === 'values' ? '' : `${part} `}${v.toExponential(1)}`)
    .join(', ');

/** How the contenders are checked, for the titles. */
const checkedBy = (dtype) => `softmax-simd is held to "tolerance" (DESIGN.md's contract), plain JS to ${BASELINE_TOLERANCE[dtype].toExponential(0)}, peers only reported`;

/**
 * The −Inf cell: per dtype, one row per contender and one column per op, the error or the NaN/Inf
 * it returned; a last row gives softmax-simd's tolerance.
 */
export function printEdge(cells) {
  for (const [dtype, group] of groupBy(cells, (c) => c.dtype)) {
    const rows = ranIn(group).map((name) => [name, ...group.map((c) => formatError(c.contenders[name]))]);
    rows.push(['tolerance', ...group.map((c) => formatTolerance(c.tolerance))]);
    printTable(
      `−Inf cell, ${dtype} 4x10: one non-target logit of row 1 is −Inf  (max error vs the float64 reference; "NaN!": NaN where it is finite; ${checkedBy(dtype)})`,
      ['contender', ...group.map((c) => c.op)],
      rows,
    );
    printSkipped(group);
  }
}

/** The sweep as a table: one row per row length, Melem/s per contender. */
export function printSweep(sweep) {
  const names = ranIn(sweep.points);
  const rows = sweep.points.map((p) => [`${p.rows}x${p.cols}`, ...names.map((name) => formatStat(p.contenders[name]))]);
  printTable(`sweep: ${sweep.op} ${sweep.dtype}, rows × cols ≈ ${sweep.elements} elements  (Melem/s)`, ['shape', ...names], rows);
}

/** Small inputs: ns per call (median) per contender, and plain JS time over the package's. */
export function printSmall(rows) {
  const names = ranIn(rows);
  const ratio = (r) => {
    const [pkg, plain] = [r.contenders['native auto'] ?? r.contenders['pure TS'], r.contenders['plain JS']];
    return pkg && plain ? formatRatio(plain.medianNsPerCall / pkg.medianNsPerCall) : '—';
  };
  const lines = rows.map((r) => [`${r.op} ${r.shape}`, ...names.map((name) => formatNs(r.contenders[name]?.medianNsPerCall)), ratio(r)]);
  printTable(`small inputs, ${rows[0]?.dtype}: ns per call (median; ×plain: plain JS time over the package's, below 1× the loop wins)`, ['op shape', ...names, '×plain'], lines);
}

/**
 * The losses section: per dtype, one row per op with Melem/s per contender and of the copy ceiling,
 * the ratios of the best native ISA and the bytes it moves, then a table of each contender's error
 * against the reference and softmax-simd's tolerance.
 */
export function printLosses(cells, isas, opShort) {
  for (const [dtype, group] of groupBy(cells, (c) => c.dtype)) {
    const ran = ranIn(group);
    const names = [...isas.map((isa) => `native ${isa}`), 'pure TS', 'plain JS', 'copy'].filter((n) => ran.includes(n) || n.startsWith('native '));
    const label = (c) => opShort[c.op] ?? c.op;
    const mb = (c) => ((c.bytesRead + c.bytesWritten) / 1e6).toFixed(1);
    const rows = group.map((c) => [
      label(c),
      ...names.map((name) => formatStat(c.contenders[name])),
      formatRatio(c.ratios.nativeOverPlainJS),
      formatRatio(c.ratios.nativeOverPureTS),
      formatRatio(c.ratios.timeVsCopy, ''),
      mb(c),
    ]);
    const head = ['op', ...names.map(header), '×plain', '×pureTS', 'vs copy', 'MB r+w'];
    printTable(
      `losses ${dtype} ${group[0].shape}  (Melem/s; ×: best native over that contender; vs copy: best native time over a memcpy of half the bytes it reads + writes)`,
      head,
      rows,
    );
    printSkipped(group);
    const checked = names.filter((n) => n !== 'copy');
    printTable(
      `losses ${dtype}: max error vs the float64 reference (relative, gradients against 1% of their largest entry; ${checkedBy(dtype)})`,
      ['op', ...checked.map(header), 'tolerance'],
      group.map((c) => [label(c), ...checked.map((name) => formatError(c.contenders[name])), formatTolerance(c.tolerance)]),
    );
  }
}

export function writeJson(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
