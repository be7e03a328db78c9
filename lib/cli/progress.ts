// Progress on stderr: on a terminal a bar redrawn in place (percent, rows, rows/s, ETA) at most
// ten times a second; elsewhere (a log, CI) a plain line at most every 5 s or at each further
// 10%; nothing with --quiet.

export type ProgressMode = 'bar' | 'lines' | 'none';

/** The part of a stream progress writes to (process.stderr, or a fake in tests). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** What is running, shown first: 'score', 'softmax'. */
  label: string;
  /** Rows in all. */
  total: number;
  mode: ProgressMode;
  stream: ProgressStream;
  /** Milliseconds (performance.now by default; tests pass a fake clock). */
  now?: () => number;
}

/** 'bar' on a terminal, 'lines' elsewhere, 'none' when quiet. */
export function progressMode(stream: ProgressStream, quiet: boolean): ProgressMode {
  if (quiet) return 'none';
  return stream.isTTY ? 'bar' : 'lines';
}

const BAR_INTERVAL_MS = 100;
const LINE_INTERVAL_MS = 5000;

export class Progress {
  private readonly start: number;
  private readonly now: () => number;
  private last = -Infinity;
  private lastTenth = 0;
  private drawn = false;
  private done = 0;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
  }

  /** Rows done so far; redraws when the mode's interval allows. */
  update(done: number): void {
    this.done = done;
    const { mode, total } = this.options;
    if (mode === 'none') return;
    const t = this.now();
    if (mode === 'bar') {
      if (t - this.last < BAR_INTERVAL_MS && done < total) return;
      this.last = t;
      this.drawBar(t);
      return;
    }
    const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
    if (tenth > this.lastTenth || t - this.last >= LINE_INTERVAL_MS) {
      this.lastTenth = tenth;
      this.last = t;
      this.options.stream.write(`softmax-simd: ${this.options.label}: ${this.status(t, false)}\n`);
    }
  }

  /** Ends the bar's line (its last state stays on screen), before the summary or an error. */
  finish(): void {
    if (this.drawn) {
      this.options.stream.write('\n');
      this.drawn = false;
    }
  }

  private status(t: number, compact: boolean): string {
    const { total } = this.options;
    const done = this.done;
    const seconds = (t - this.start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const percent = total > 0 ? (100 * done) / total : 100;
    const eta = done >= total ? `in ${clock(seconds)}` : rate > 0 ? `ETA ${clock((total - done) / rate)}` : 'ETA --:--';
    const rows = `${count(done)}/${count(total)} rows`;
    return compact
      ? `${percent.toFixed(1).padStart(5)}%  ${rows}  ${perSecond(rate)}  ${eta}`
      : `${percent.toFixed(0)}% (${rows}, ${perSecond(rate)}, ${eta})`;
  }

  private drawBar(t: number): void {
    const { stream, label, total } = this.options;
    const text = this.status(t, true);
    const columns = stream.columns || 80;
    const room = columns - label.length - text.length - 6;
    let bar = '';
    if (room >= 10) {
      const width = Math.min(40, room);
      const filled = total > 0 ? Math.round((width * this.done) / total) : width;
      bar = ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    }
    stream.write(`\r${label}${bar} ${text}\x1b[K`);
    this.drawn = true;
  }
}

/** 1234567 → '1,234,567'. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Rows per second: '850 rows/s', '12.3k rows/s', '1.23M rows/s'. */
export function perSecond(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toPrecision(3)}M rows/s`;
  if (rate >= 1e3) return `${(rate / 1e3).toPrecision(3)}k rows/s`;
  return `${Math.round(rate)} rows/s`;
}

/** Seconds as m:ss or h:mm:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}
