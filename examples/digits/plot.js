// The loss curves, drawn two ways: as text for the terminal and as an SVG file.
// A series is `{ name, values, mark, color }`: `values[e]` is the loss after epoch e + 1.
// The loss axis is logarithmic: a loss falls fast at first and slowly after, and on a linear
// axis the first epoch would squash the rest of the curve into the bottom rows.

/** The range of the finite, positive values of all series, and a map from a value to [0, 1] (0 at the bottom) on a log scale. */
function logScale(series) {
  const values = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v) && v > 0));
  const lo = values.length ? Math.min(...values) : 0.1;
  const hi = values.length ? Math.max(...values) : 1;
  const [a, b] = lo === hi ? [lo / 2, hi * 2] : [lo, hi];
  const toUnit = (v) => (Math.log(Math.min(Math.max(v, a), b)) - Math.log(a)) / (Math.log(b) - Math.log(a));
  return { lo: a, hi: b, toUnit, fromUnit: (u) => a * (b / a) ** u };
}

const plotted = (v) => Number.isFinite(v) && v > 0;
const fmt = (v) => (v >= 0.01 ? v.toFixed(3) : v.toExponential(1));

/**
 * A text plot with `height` rows of plot area and at most `width` columns, epochs across, loss
 * up (log scale), one mark character per series (a later series draws over an earlier one
 * where they meet). Returns the lines.
 */
export function asciiPlot(series, { width = 60, height = 12 } = {}) {
  const epochs = Math.max(...series.map((s) => s.values.length));
  const scale = logScale(series);
  // Whole columns per epoch when the epochs fit, else several epochs share a column.
  const step = Math.max(1, Math.floor(width / epochs));
  const cols = epochs <= width ? (epochs - 1) * step + 1 : width;
  const column = (e) => (epochs <= width ? e * step : Math.round((e / (epochs - 1)) * (width - 1)));
  const row = (v) => height - 1 - Math.round(scale.toUnit(v) * (height - 1));
  const grid = Array.from({ length: height }, () => Array(cols).fill(' '));
  for (const { values, mark } of series) values.forEach((v, e) => plotted(v) && (grid[row(v)][column(e)] = mark));
  const middle = (height - 1) >> 1;
  const label = (r) => (r === 0 || r === middle || r === height - 1 ? fmt(scale.fromUnit(1 - r / (height - 1))) : '');
  const pad = Math.max(...grid.map((_, r) => label(r).length));
  const lines = grid.map((cells, r) => `${label(r).padStart(pad)} │${cells.join('').trimEnd()}`);
  lines.push(`${' '.repeat(pad)} └${'─'.repeat(cols)}`);
  lines.push(`${' '.repeat(pad)}  ${epochs === 1 ? '1' : `1${String(epochs).padStart(cols - 1)}`}  epoch`);
  lines.push(`${' '.repeat(pad)}  ${series.map((s) => `${s.mark} ${s.name}`).join('   ')}   (log scale)`);
  return lines;
}

/** The loss values 1, 2, 5 × 10^k that lie in [lo, hi], for gridlines; at least the two ends. */
function logTicks(lo, hi) {
  const ticks = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** k;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  return ticks.length >= 2 ? ticks : [lo, hi];
}

/** The same plot as a standalone SVG document (a string): axes, gridlines, one polyline per series, a legend. */
export function lossSvg(series, { width = 640, height = 360, title = 'Loss' } = {}) {
  const epochs = Math.max(...series.map((s) => s.values.length));
  const scale = logScale(series);
  const m = { left: 64, right: 16, top: 36, bottom: 44 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const x = (e) => (m.left + (epochs === 1 ? 0 : (e / (epochs - 1)) * w)).toFixed(1);
  const y = (v) => (m.top + h - scale.toUnit(v) * h).toFixed(1);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (const v of logTicks(scale.lo, scale.hi)) {
    out.push(`<line x1="${m.left}" y1="${y(v)}" x2="${m.left + w}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${(+y(v) + 4).toFixed(1)}" text-anchor="end">${+v.toPrecision(3)}</text>`);
  }
  const every = Math.max(1, Math.ceil(epochs / 10));
  const epochTicks = [];
  for (let e = 0; e < epochs; e += every) if (epochs - 1 - e >= every / 2 || e === 0) epochTicks.push(e);
  if (epochs > 1) epochTicks.push(epochs - 1);
  for (const e of epochTicks) out.push(`<text x="${x(e)}" y="${m.top + h + 16}" text-anchor="middle">${e + 1}</text>`);
  out.push(`<text x="${m.left + w / 2}" y="${height - 8}" text-anchor="middle">epoch</text>`);
  out.push(`<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">cross-entropy (log scale)</text>`);
  out.push(`<path d="M${m.left} ${m.top}V${m.top + h}H${m.left + w}" fill="none" stroke="black"/>`);
  series.forEach(({ name, values, color }, i) => {
    const points = values.flatMap((v, e) => (plotted(v) ? [`${x(e)},${y(v)}`] : [])).join(' ');
    out.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const ly = m.top + 14 + i * 18;
    out.push(`<line x1="${m.left + w - 110}" y1="${ly - 4}" x2="${m.left + w - 86}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${m.left + w - 80}" y="${ly}">${escapeXml(name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function escapeXml(s) {
  return String(s).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
}
