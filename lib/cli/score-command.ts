// softmax-simd score LOGITS.npy [--labels LABELS.npy] [--top-k K] [--out FILE] [--threads N]
//   [--chunk-rows N] [--json] [--quiet]
// Streams the logits through scoreAsync chunk by chunk, writes each chunk's outputs, and sums the
// summary with the library's ScoreTally: rows, accuracy, mean NLL, perplexity, rows without a
// finite prediction by cause, rows/s.
import { resolve } from 'node:path';
import { backend, scoreAsync } from '../index.js';
import { ScoreTally } from '../score-summary.js';
import type { FloatArray } from '../types.js';
import { MAX_THREADS, parseCommand, positiveInteger } from './args.js';
import { defaultChunkRows, readChunks, type RowSource } from './chunks.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { int32Labels, openLabels, openLogits } from './inputs.js';
import { type NpyFile, dtypeName, itemSize } from './npy.js';
import { Progress, count, perSecond, progressMode } from './progress.js';
import { type OutputPlan, STDIO, planOutput } from './output.js';
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
  /** Mean of the per-row NLL (lse − logit of the label) over the nllRows rows with a finite prediction, with labels. */
  meanNll?: number;
  /** exp(meanNll). */
  perplexity?: number;
  /** Rows meanNll averages, with labels: rows − nanRows − infiniteRows − maskedRows. */
  nllRows?: number;
  /** Rows with no finite prediction: a NaN logit (prediction −1), a +Inf logit, every logit −Inf. */
  nanRows: number;
  infiniteRows: number;
  maskedRows: number;
  seconds: number;
  rowsPerSecond: number;
  backend: string;
  outputs?: string[];
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
  const threads = positiveInteger('score', 'threads', values.threads, MAX_THREADS);
  const chunkOption = positiveInteger('score', 'chunk-rows', values['chunk-rows']);
  const out = values.out as string | undefined;
  if (out !== undefined && out !== STDIO && outputFormat(out) === undefined) {
    throw new UsageError(`score: --out must name a .npy or .json file, or be '-', got '${out}'`, 'score');
  }
  const labelsPath = values.labels as string | undefined;
  if (positionals[0] === STDIO && labelsPath === STDIO) {
    throw new UsageError("score: only one input can be '-' (standard input)", 'score');
  }
  // Every output is checked before any input is read (the file names need only --top-k and
  // --labels: the shapes and the dtype do not change them).
  const names = out === undefined ? [] : outputPaths(out, { rows: 0, dtype: 'f4', k, labels: labelsPath !== undefined });
  for (const input of [positionals[0], labelsPath]) {
    if (input !== undefined && input !== STDIO && names.some((p) => p !== STDIO && resolve(p) === resolve(input))) {
      throw new UsageError(`score: --out would overwrite the input ${input}`, 'score');
    }
  }
  // One after another, so that a bad path is reported as the user named it (FILE.npy before FILE.confidence.npy).
  const plans: OutputPlan[] = [];
  for (const name of names) plans.push(await planOutput(name));
  // With the JSON document on standard output, the summary and progress go to standard error.
  const report = out === STDIO ? ctx.stderr : ctx.stdout;

  const logits = await openLogits(positionals[0]);
  let labels: NpyFile | undefined;
  let sink: ScoreSink | undefined;
  const progress = new Progress({ label: 'score', total: logits.rows, mode: progressMode(ctx.stderr, values.quiet === true), stream: ctx.stderr });
  try {
    if (k !== undefined && k > logits.cols) {
      throw new UsageError(`score: --top-k (${k}) must be at most the number of classes (${logits.cols}) in ${logits.file.path}`, 'score');
    }
    const outputs = { rows: logits.rows, dtype: logits.dtype, k, labels: labelsPath !== undefined };
    if (labelsPath !== undefined) labels = await openLabels(labelsPath, logits, ctx.signal);
    if (out !== undefined) sink = await createScoreSink(plans, outputs);

    const { rows, cols } = logits;
    const chunkRows = chunkOption ?? defaultChunkRows(cols, itemSize(logits.dtype));
    const sources: RowSource[] = [{ file: logits.file, perRow: cols }];
    if (labels) sources.push({ file: labels, perRow: 1 });
    const tally = new ScoreTally();
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
      tally.add(result.predictions, result.logSumExp, y ?? null, result.nll ?? null);
      await sink?.write(result);
      progress.update(tally.rows);
    }
    const seconds = (performance.now() - start) / 1000;

    const { nanRows, infiniteRows, maskedRows, ...byLabel } = tally.summary(labels !== undefined);
    const summary: RunSummary = {
      logits: logits.file.path,
      ...(labels && { labels: labels.path }),
      rows,
      cols,
      dtype: dtypeName(logits.dtype),
      ...(k !== undefined && { topK: k }),
      ...(labels && { accuracy: byLabel.accuracy, correct: tally.correct, meanNll: byLabel.meanNll, perplexity: byLabel.perplexity, nllRows: byLabel.nllRows }),
      nanRows,
      infiniteRows,
      maskedRows,
      seconds,
      rowsPerSecond: seconds > 0 ? rows / seconds : 0,
      backend: backend.isa,
      ...(sink && { outputs: [...sink.paths] }),
    };
    await sink?.commit(summary);
    progress.finish();
    report.write(values.json ? `${JSON.stringify(summary)}\n` : summaryText(summary));
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
      ['mean NLL', `${digits(s.meanNll)}${s.nllRows === s.rows ? '' : ` (over the ${count(s.nllRows ?? 0)} rows with a finite prediction)`}`],
      ['perplexity', digits(s.perplexity)],
    );
  }
  if (s.nanRows > 0) lines.push(['NaN rows', `${count(s.nanRows)} (a NaN logit: prediction -1)`]);
  if (s.infiniteRows > 0) lines.push(['+Inf rows', `${count(s.infiniteRows)} (a +Inf logit: no finite prediction)`]);
  if (s.maskedRows > 0) lines.push(['masked rows', `${count(s.maskedRows)} (every logit -Inf: no prediction)`]);
  lines.push(['time', `${s.seconds.toFixed(3)} s, ${perSecond(s.rowsPerSecond)} (${s.backend})`]);
  if (s.outputs) lines.push(['wrote', s.outputs.join(', ')]);
  return lines.map(([key, value]) => `${key.padEnd(12)}${value}\n`).join('');
}
