// The digits classifier: softmax regression on 8x8 handwritten digits, trained twice from the
// same seed, once on the package root (the native addon, unless it is unavailable or
// SOFTMAX_SIMD_BACKEND=js) and once on the pure-TS build, then scored with score().
// Build the package first (`npm run build`), then: node examples/digits/main.js [--help]
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as root from '../../dist/index.js';
import * as pure from '../../dist/js.js';
import { CLASSES, PIXELS, loadDigits, mulberry32, splitDigits } from './data.js';
import { accuracy, createTrainer, forward } from './model.js';
import { asciiPlot, lossSvg } from './plot.js';

const DEFAULT_SEED = 2024;
const DEFAULT_EPOCHS = 30;
const DEFAULT_SVG = join(tmpdir(), 'softmax-simd-digits-loss.svg');
// Chosen on seeds 1..40: every one reaches >= 95% test accuracy in 20 to 40 epochs.
const TRAINING = { learningRate: 0.2, batchSize: 32, weightDecay: 1e-3 };

const USAGE = `usage: node examples/digits/main.js [options]

Trains a softmax regression (W [64x10] + b [10]) on the UCI handwritten digits, once with the
package root (${root.backend.isa}) and once with the pure-TS build, and compares them.

  --seed N     seed of the train/test split and the batch order (default ${DEFAULT_SEED})
  --epochs N   passes over the training set (default ${DEFAULT_EPOCHS})
  --svg PATH   where to write the loss curve as SVG (default ${DEFAULT_SVG};
               with --json, only written when --svg is given)
  --json       print one JSON object instead of the report
  -h, --help   print this and exit`;

function main() {
  const args = parseOptions(process.argv.slice(2));
  if (args.help) return console.log(USAGE);
  if (typeof root.score !== 'function') throw new Error('this build of softmax-simd has no score(): rebuild it (npm run build)');

  const all = loadDigits();
  const data = splitDigits(all, { seed: args.seed });
  const shape = { features: PIXELS, classes: CLASSES, ...TRAINING };
  // The same batch order for both runs: each gets its own generator from the same seed
  // (seed + 1, a different stream from the split's).
  const runs = {
    native: createTrainer(root, data, { ...shape, random: mulberry32(args.seed + 1) }),
    js: createTrainer(pure, data, { ...shape, random: mulberry32(args.seed + 1) }),
  };
  // Epochs alternate between the two runs, so JIT warm-up and machine noise fall on both alike.
  for (let e = 0; e < args.epochs; e++) for (const run of Object.values(runs)) run.epoch();

  const { model, history } = runs.native;
  const trainLogits = forward(model, data.train.x, data.train.rows);
  const testLogits = forward(model, data.test.x, data.test.rows);
  const scored = root.score(testLogits, { cols: CLASSES, labels: data.test.y });
  const last = history[history.length - 1];
  const result = {
    backend: root.backend.isa,
    seed: args.seed,
    epochs: args.epochs,
    sizes: { train: data.train.rows, test: data.test.rows },
    trainAccuracy: accuracy(trainLogits, data.train.y, CLASSES),
    testAccuracy: accuracy(testLogits, data.test.y, CLASSES),
    finalLoss: last.loss,
    finalTestLoss: last.testLoss,
    msPerEpoch: { native: medianOf(runs.native, 'ms'), js: medianOf(runs.js, 'ms') },
    lossMsPerEpoch: { native: medianOf(runs.native, 'lossMs'), js: medianOf(runs.js, 'lossMs') },
    maxLossDifference: Math.max(...history.map((h, e) => Math.abs(h.loss - runs.js.history[e].loss))),
    summary: scored.summary,
    confusion: confusionMatrix(data.test.y, scored.predictions, CLASSES),
  };

  const series = [
    { name: 'train', values: history.map((h) => h.loss), mark: '*', color: '#1f77b4' },
    { name: 'test', values: history.map((h) => h.testLoss), mark: 'o', color: '#d62728' },
  ];
  const svgPath = args.svg ?? (args.json ? null : DEFAULT_SVG);
  if (svgPath) writeFileSync(svgPath, lossSvg(series, { title: `Softmax regression on the digits (seed ${args.seed})` }));

  if (args.json) console.log(JSON.stringify(result));
  else report(result, all.rows, series, svgPath);
}

function report(r, images, series, svgPath) {
  const pct = (v) => `${(100 * v).toFixed(1)}%`;
  const b = root.backend;
  console.log(`backend: ${b.native ? `native addon, ${b.isa} (supported: ${b.supported.join(', ')})` : `pure TS (${b.reason})`}`);
  console.log(`data: ${images} images of 8x8 pixels, ${CLASSES} classes; train ${r.sizes.train}, test ${r.sizes.test} (stratified split, seed ${r.seed})`);
  console.log(
    `model: softmax regression, W [${PIXELS}x${CLASSES}] + b [${CLASSES}]; mini-batch SGD, batch ${TRAINING.batchSize}, ` +
      `learning rate ${TRAINING.learningRate}, weight decay ${TRAINING.weightDecay}, ${r.epochs} epochs`,
  );

  console.log('\ncross-entropy per epoch (train: mean over the epoch\'s batches; test: after the epoch):');
  for (const line of asciiPlot(series)) console.log(`  ${line}`);
  console.log(`  final: train ${r.finalLoss.toFixed(4)}, test ${r.finalTestLoss.toFixed(4)}${svgPath ? `   (SVG: ${svgPath})` : ''}`);

  console.log(`\naccuracy: train ${pct(r.trainAccuracy)}, test ${pct(r.testAccuracy)}`);

  const rootName = b.native ? `root: native, ${b.isa}` : 'root: pure TS';
  const cell = (text) => text.padStart(14);
  const row = (name, whole, loss) => console.log(`  ${name.padEnd(22)}${cell(whole)}${cell(loss)}`);
  console.log(`\ntime per epoch (median of ${r.epochs} epochs):`);
  row('', 'whole epoch', 'in the loss');
  const ms = (v) => `${v.toFixed(2)} ms`;
  row(rootName, ms(r.msPerEpoch.native), ms(r.lossMsPerEpoch.native));
  row('pure TS', ms(r.msPerEpoch.js), ms(r.lossMsPerEpoch.js));
  const ratio = (a, d) => `${(a / d).toFixed(2)}x`;
  row('pure TS / root', ratio(r.msPerEpoch.js, r.msPerEpoch.native), ratio(r.lossMsPerEpoch.js, r.lossMsPerEpoch.native));
  console.log(`  (in the loss: the ${Math.ceil(r.sizes.train / TRAINING.batchSize)} calls of crossEntropyWithGrad; the rest is the linear layer in plain JS loops, the same code in both runs)`);
  console.log(`  the two runs' epoch losses differ by at most ${r.maxLossDifference.toExponential(2)}`);

  const s = r.summary;
  console.log(`\nthe test set, scored by score(): rows ${s.rows}, accuracy ${s.accuracy.toFixed(4)}, mean NLL ${s.meanNll.toFixed(4)}, perplexity ${s.perplexity.toFixed(4)}`);
  console.log('confusion matrix (rows: true digit, columns: predicted):');
  console.log(`       ${r.confusion.map((_, c) => String(c).padStart(4)).join('')}`);
  r.confusion.forEach((counts, t) => console.log(`    ${String(t).padStart(2)} ${counts.map((n) => (n === 0 ? '.' : String(n)).padStart(4)).join('')}`));
}

/** counts[t][p]: how many rows labelled t were predicted p (a prediction of −1, a NaN row, is not counted). */
function confusionMatrix(labels, predictions, classes) {
  const counts = Array.from({ length: classes }, () => Array(classes).fill(0));
  labels.forEach((t, i) => {
    if (predictions[i] >= 0) counts[t][predictions[i]]++;
  });
  return counts;
}

/** The median over a run's epochs of one field of its history. */
function medianOf({ history }, field) {
  const s = history.map((h) => h[field]).sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seed: { type: 'string' },
        epochs: { type: 'string' },
        svg: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    usageError(error.message);
  }
  return {
    seed: integer('--seed', values.seed, DEFAULT_SEED, 0, 2 ** 32 - 2),
    epochs: integer('--epochs', values.epochs, DEFAULT_EPOCHS, 1, 10_000),
    svg: values.svg === undefined ? undefined : resolve(values.svg),
    json: values.json,
    help: values.help,
  };
}

function integer(name, raw, fallback, min, max) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) usageError(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return n;
}

function usageError(message) {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

main();
