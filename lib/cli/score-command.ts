// softmax-simd score LOGITS.npy [--labels LABELS.npy] [--top-k K] [--out FILE] [--threads N]
//   [--chunk-rows N] [--json] [--quiet]
// Streams the logits through scoreAsync chunk by chunk, writes each chunk's outputs, and sums the
// summary itself: rows, accuracy, mean NLL (compensated sum), perplexity, rows/s.
import { resolve } from 'node:path';
import { backend, scoreAsync } from '../index.js';
import { CompensatedSum } from '../js/sum.js';
import type { FloatArray } from '../types.js';
import { parseCommand, positiveInteger } from './args.js';
import { defaultChunkRows, readChunks, type RowSource } from './chunks.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { int32Labels, openLabels, openLogits } from './inputs.js';
import { type NpyFile, dtypeName, itemSize } from './npy.js';
import { Progress, count, perSecond, progressMode } from './progress.js';
import { type ScoreSink, createScoreSink, outputFormat, outputPaths } from './score-output.js';
import { scoreUsage } from './usage.js';

/** What `score` prints at the end (`--json`: this object as one line). */
export interface RunSummary {
  logits: string;
  labels?: string;
  rows: number;
  cols: number;
  dtype: string;
  topK?: number;
  /** correct / rows, with labels. */
  accuracy?: number;
  correct?: number;
  /** Mean of the per-row NLL (lse − logit of the label), with labels; NaN (null) if a row is NaN. */
  meanNll?: number;
  /** exp(meanNll). */
  perplexity?: number;
  /** Rows whose logits hold a NaN (prediction −1). */
  nanRows: number;
  seconds: number;
  rowsPerSecond: number;
  backend: string;
  outputs?: string[];
}

/** Sums of the per-row results over every chunk. */
class Totals {
  rows = 0;
  correct = 0;
  nanRows = 0;
  readonly nll = new CompensatedSum();

  add(predictions: Int32Array, labels: Int32Array | undefined, nll: FloatArray | undefined): void {
    this.rows += predictions.length;
    for (let i = 0; i < predictions.length; i++) {
      if (predictions[i] < 0) this.nanRows++;
      if (labels && predictions[i] === labels[i]) this.correct++;
    }
    if (nll) for (let i = 0; i < nll.length; i++) this.nll.add(nll[i]);
  }
}

export async function scoreCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, help } = parseCommand(
    'score',
    args,
    {
      labels: { type: 'string' },
      'top-k': { type: 'string' },
      out: { type: 'string' },
      threads: { type: 'string' },
      'chunk-rows': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
    ['LOGITS.npy'],
  );
  if (help) {
    ctx.stdout.write(scoreUsage);
    return 0;
  }
  const k = positiveInteger('score', 'top-k', values['top-k']);
  const threads = positiveInteger('score', 'threads', values.threads);
  const chunkOption = positiveInteger('score', 'chunk-rows', values['chunk-rows']);
  const out = values.out as string | undefined;
  if (out !== undefined && outputFormat(out) === undefined) {
    throw new UsageError(`score: --out must name a .npy or .json file, got '${out}'`, 'score');
  }
  const labelsPath = values.labels as string | undefined;

  const logits = await openLogits(positionals[0]);
  let labels: NpyFile | undefined;
  let sink: ScoreSink | undefined;
  const progress = new Progress({ label: 'score', total: logits.rows, mode: progressMode(ctx.stderr, values.quiet === true), stream: ctx.stderr });
  try {
    if (k !== undefined && k > logits.cols) {
      throw new UsageError(`score: --top-k (${k}) must be at most the number of classes (${logits.cols}) in ${logits.file.path}`, 'score');
    }
    const outputs = { rows: logits.rows, dtype: logits.dtype, k, labels: labelsPath !== undefined };
    if (out !== undefined) {
      const paths = outputPaths(out, outputs).map((p) => resolve(p));
      for (const input of [logits.file.path, labelsPath]) {
        if (input !== undefined && paths.includes(resolve(input))) {
          throw new UsageError(`score: --out would overwrite the input ${input}`, 'score');
        }
      }
    }
    if (labelsPath !== undefined) labels = await openLabels(labelsPath, logits, ctx.signal);
    if (out !== undefined) sink = await createScoreSink(out, outputs);

    const { rows, cols } = logits;
    const chunkRows = chunkOption ?? defaultChunkRows(cols, itemSize(logits.dtype));
    const sources: RowSource[] = [{ file: logits.file, perRow: cols }];
    if (labels) sources.push({ file: labels, perRow: 1 });
    const totals = new Totals();
    const start = performance.now();
    for await (const chunk of readChunks(sources, rows, chunkRows, ctx.signal)) {
      const x = chunk.arrays[0] as FloatArray;
      const y = chunk.arrays[1] === undefined ? undefined : int32Labels(chunk.arrays[1]);
      const result = await scoreAsync(x, {
        cols,
        ...(y && { labels: y }),
        ...(k !== undefined && { topK: k }),
        ...(threads !== undefined && { threads }),
        signal: ctx.signal,
      });
      totals.add(result.predictions, y, result.nll);
      await sink?.write(result);
      progress.update(totals.rows);
    }
    const seconds = (performance.now() - start) / 1000;

    const summary: RunSummary = {
      logits: logits.file.path,
      ...(labels && { labels: labels.path }),
      rows,
      cols,
      dtype: dtypeName(logits.dtype),
      ...(k !== undefined && { topK: k }),
      ...(labels && {
        accuracy: totals.correct / rows,
        correct: totals.correct,
        meanNll: totals.nll.value() / rows,
        perplexity: Math.exp(totals.nll.value() / rows),
      }),
      nanRows: totals.nanRows,
      seconds,
      rowsPerSecond: seconds > 0 ? rows / seconds : 0,
      backend: backend.isa,
      ...(sink && { outputs: [...sink.paths] }),
    };
    await sink?.commit(summary);
    progress.finish();
    ctx.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : summaryText(summary));
    return 0;
  } catch (error) {
    await sink?.abort();
    throw error;
  } finally {
    progress.finish();
    await logits.file.close();
    await labels?.close();
  }
}

/** The human block. */
export function summaryText(s: RunSummary): string {
  const digits = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? String(v ?? 'n/a') : v === 0 ? '0' : v.toPrecision(6));
  const lines: [string, string][] = [['logits', `${s.logits}: ${count(s.rows)} x ${count(s.cols)} ${s.dtype}`]];
  if (s.labels !== undefined) {
    lines.push(
      ['labels', s.labels],
      ['accuracy', `${digits(s.accuracy)} (${count(s.correct ?? 0)} of ${count(s.rows)})`],
      ['mean NLL', digits(s.meanNll)],
      ['perplexity', digits(s.perplexity)],
    );
  }
  if (s.nanRows > 0) lines.push(['NaN rows', count(s.nanRows)]);
  lines.push(['time', `${s.seconds.toFixed(3)} s, ${perSecond(s.rowsPerSecond)} (${s.backend})`]);
  if (s.outputs) lines.push(['wrote', s.outputs.join(', ')]);
  return lines.map(([key, value]) => `${key.padEnd(12)}${value}\n`).join('');
}
