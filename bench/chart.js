// The sweep as an SVG line chart (bench/results/chart.svg), written by hand: throughput against
// the row length, log-log, one line per contender. A white background keeps it readable in dark mode.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const SIZE = { width: 800, height: 470 };
const PLOT = { left: 70, right: 590, top: 70, bottom: 410 }; // the legend goes right of the plot
const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const CEILING_COLOR = '#7f7f7f';

const escape = (text) => String(text).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
const round = (v) => Math.round(v * 10) / 10;

/** 2 … 512, 1K … 512K, 1M …: row lengths as people say them. */
function formatCols(n) {
  if (n >= 2 ** 20) return `${n / 2 ** 20}M`;
  if (n >= 2 ** 10) return `${n / 2 ** 10}K`;
  return String(n);
}

/** 1, 2, 5, 10, 20, 50, … up to "100k". */
function formatRate(v) {
  return v >= 1e3 ? `${v / 1e3}k` : String(v);
}

/** Ticks of a log10 axis over [lo, hi] (decade exponents): 1, 2, 5 × 10^d, the 1s marked major. */
function rateTicks(lo, hi) {
  const ticks = [];
  for (let d = lo; d <= hi; d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      if (Math.log10(v) <= hi + 1e-9) ticks.push({ value: v, major: m === 1 });
    }
  }
  return ticks;
}

/**
 * Writes the chart of `sweep` (runSweep's result) to `path`; `machine` and `date` make the subtitle.
 * Missing points (a contender skipped there) break its line.
 */
export function writeChart(path, sweep, machine, date) {
  const names = [...new Set(sweep.points.flatMap((p) => Object.keys(p.contenders)))];
  const rate = (p, name) => p.contenders[name]?.medianMelemPerSec;
  const all = sweep.points.flatMap((p) => names.map((n) => rate(p, n))).filter((v) => v > 0);
  const cols = sweep.points.map((p) => Math.log2(p.cols));
  const [x0, x1] = [Math.min(...cols), Math.max(...cols, Math.min(...cols) + 1)];
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...all))), Math.ceil(Math.log10(Math.max(...all)))];
  const x = (c) => PLOT.left + ((Math.log2(c) - x0) / (x1 - x0)) * (PLOT.right - PLOT.left);
  const y = (v) => PLOT.bottom - ((Math.log10(v) - y0) / Math.max(y1 - y0, 1)) * (PLOT.bottom - PLOT.top);

  const svg = [];
  const text = (tx, ty, content, attrs = '') => svg.push(`<text x="${round(tx)}" y="${round(ty)}" ${attrs}>${escape(content)}</text>`);
  svg.push(`<rect width="${SIZE.width}" height="${SIZE.height}" fill="#fff"/>`);

  // Grid and ticks: powers of two on x (at most ~10 labels, counted down from the longest row), 1-2-5 on y.
  const step = Math.max(1, Math.ceil((x1 - x0) / 10));
  for (let k = Math.floor(x1); k >= x0; k -= step) {
    const gx = round(x(2 ** k));
    svg.push(`<line x1="${gx}" y1="${PLOT.top}" x2="${gx}" y2="${PLOT.bottom}" stroke="#e4e4e4"/>`);
    text(gx, PLOT.bottom + 16, formatCols(2 ** k), 'text-anchor="middle"');
  }
  for (const { value, major } of rateTicks(y0, y1)) {
    const gy = round(y(value));
    svg.push(`<line x1="${PLOT.left}" y1="${gy}" x2="${PLOT.right}" y2="${gy}" stroke="${major ? '#c8c8c8' : '#ececec'}"/>`);
    text(PLOT.left - 6, gy + 4, formatRate(value), `text-anchor="end"${major ? '' : ' fill="#777"'}`);
  }
  svg.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#555"/>`);

  // Titles.
  const isa = machine.backend.native ? machine.backend.isa : 'js';
  text(SIZE.width / 2, 24, `${sweep.op} ${sweep.dtype === 'f32' ? 'float32' : 'float64'}: throughput against row length (rows × cols ≈ 2^${Math.log2(sweep.elements)} elements)`, 'text-anchor="middle" font-size="15" font-weight="bold"');
  text(SIZE.width / 2, 44, `${machine.cpu}, ${machine.cores} cores · Node ${machine.node} · ${date.toISOString().slice(0, 10)} · one thread, higher is better`, 'text-anchor="middle" fill="#444"');
  text((PLOT.left + PLOT.right) / 2, PLOT.bottom + 38, 'cols (row length), log scale', 'text-anchor="middle"');
  text(18, (PLOT.top + PLOT.bottom) / 2, 'million elements per second, log scale', `text-anchor="middle" transform="rotate(-90 18 ${(PLOT.top + PLOT.bottom) / 2})"`);

  // One line per contender; the legend lists them by their throughput at the longest row.
  const last = (name) => [...sweep.points].reverse().map((p) => rate(p, name)).find((v) => v > 0) ?? 0;
  const order = [...names].sort((a, b) => last(b) - last(a));
  order.forEach((name, i) => {
    const color = name === 'copy' ? CEILING_COLOR : COLORS[names.indexOf(name) % COLORS.length];
    const dash = name === 'copy' ? ' stroke-dasharray="6 4"' : '';
    const width = name === 'native auto' ? 2.5 : 1.6;
    let d = '';
    const dots = [];
    let pen = 'M';
    for (const p of sweep.points) {
      const v = rate(p, name);
      if (!(v > 0)) {
        pen = 'M';
        continue;
      }
      d += `${pen}${round(x(p.cols))},${round(y(v))}`;
      pen = 'L';
      dots.push(`<circle cx="${round(x(p.cols))}" cy="${round(y(v))}" r="2.5" fill="${color}"/>`);
    }
    svg.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}"${dash}/>`, ...dots);
    const ly = PLOT.top + 10 + i * 20;
    svg.push(`<line x1="${PLOT.right + 14}" y1="${ly}" x2="${PLOT.right + 40}" y2="${ly}" stroke="${color}" stroke-width="${width}"${dash}/>`);
    text(PLOT.right + 46, ly + 4, name === 'native auto' ? `softmax-simd (${isa})` : name === 'copy' ? 'copy (memcpy)' : name);
  });

  const body = svg.map((line) => `  ${line}`).join('\n');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE.width}" height="${SIZE.height}" viewBox="0 0 ${SIZE.width} ${SIZE.height}" font-family="Helvetica, Arial, sans-serif" font-size="12">\n${body}\n</svg>\n`,
  );
}
