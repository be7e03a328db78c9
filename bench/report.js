// What the benchmark prints and saves: the machine, one table per op and dtype, the JSON file.
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
    `backend   native=${m.backend.native} isa=${m.backend.isa}${m.backend.reason ? ` (${m.backend.reason})` : ''}; native ISAs measured: ${m.supported.join(', ') || 'none'}`,
    `settings  ${config.samples} samples of >= ${config.sampleMs} ms after >= ${config.warmupMs} ms of calibration and warm-up; seed ${config.seed}` +
      `${config.quick ? '; QUICK' : ''}${config.filter ? `; filter /${config.filter}/` : ''}`,
  ];
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

/** "1234 ±2%": the median and half the min–max range, as a share of the median. */
function formatStat(s) {
  if (!s) return '—';
  const half = ((s.maxMelemPerSec - s.minMelemPerSec) / 2 / s.medianMelemPerSec) * 100;
  return `${formatRate(s.medianMelemPerSec)} ±${half < 9.95 ? half.toFixed(1) : half.toFixed(0)}%`;
}

const formatRatio = (r, unit = '×') => (r === undefined ? '—' : `${r.toFixed(2)}${unit}`);

/** Best native over plain JS and pure TS (throughput ratios), and native time over copy time. */
export function ratios(cell, isas) {
  const natives = isas.map((isa) => [isa, cell.contenders[`native ${isa}`]]).filter(([, s]) => s);
  if (natives.length === 0) return {};
  const [bestIsa, best] = natives.reduce((a, b) => (b[1].medianMelemPerSec > a[1].medianMelemPerSec ? b : a));
  const over = (name) => {
    const s = cell.contenders[name];
    return s ? best.medianMelemPerSec / s.medianMelemPerSec : undefined;
  };
  const copy = cell.contenders.copy;
  return {
    bestNative: bestIsa,
    nativeOverPlainJS: over('plain JS'),
    nativeOverPureTS: over('pure TS'),
    timeVsCopy: copy ? copy.medianMelemPerSec / best.medianMelemPerSec : undefined,
  };
}

/** Prints aligned columns: the first left-aligned, the rest right-aligned. */
function printTable(title, header, rows) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** One table per op and dtype: rows are shapes, columns Melem/s per contender, then the ratios. */
export function printTables(cells, isas) {
  const groups = new Map();
  for (const cell of cells) {
    const key = `${cell.op} ${cell.dtype}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(cell);
  }
  for (const [key, group] of groups) {
    const withRead = group.some((c) => c.contenders.read);
    const rates = [...isas.map((isa) => `native ${isa}`), 'pure TS', 'plain JS', 'copy', ...(withRead ? ['read'] : [])];
    const header = ['shape', ...rates, 'native/plain', 'native/pureTS', 'time vs copy'];
    const rows = group.map((cell) => [
      cell.shape,
      ...rates.map((name) => formatStat(cell.contenders[name])),
      formatRatio(cell.ratios.nativeOverPlainJS),
      formatRatio(cell.ratios.nativeOverPureTS),
      formatRatio(cell.ratios.timeVsCopy, ''),
    ]);
    printTable(`${key}  (Melem/s, median ±half the min–max range)`, header, rows);
  }
}

export function writeJson(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
