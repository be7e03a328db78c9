// The handwritten digits: load the CSV, split it into train and test sets with a seeded
// shuffle, and standardize the pixels with the training set's statistics.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export const PIXELS = 64; // 8x8 images, row-major
export const CLASSES = 10;
const MAX_PIXEL = 16;

/**
 * Reads digits.csv.gz: one image a line, 64 pixel counts in 0..16 then the label in 0..9, no header.
 * Returns `{ pixels: Float32Array(rows * 64), labels: Int32Array(rows), rows }`.
 */
export function loadDigits(path = new URL('./digits.csv.gz', import.meta.url)) {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((line) => line.trim() !== '');
  const rows = lines.length;
  const pixels = new Float32Array(rows * PIXELS);
  const labels = new Int32Array(rows);
  lines.forEach((line, i) => {
    const fields = line.split(',').map(Number);
    const bad = (why) => new Error(`${path}: line ${i + 1}: ${why}`);
    if (fields.length !== PIXELS + 1) throw bad(`expected ${PIXELS + 1} values, got ${fields.length}`);
    for (let p = 0; p < PIXELS; p++) {
      const v = fields[p];
      if (!Number.isInteger(v) || v < 0 || v > MAX_PIXEL) throw bad(`pixel ${p} is ${line.split(',')[p]}, not an integer in 0..${MAX_PIXEL}`);
      pixels[i * PIXELS + p] = v;
    }
    const label = fields[PIXELS];
    if (!Number.isInteger(label) || label < 0 || label >= CLASSES) throw bad(`label ${label} is not an integer in 0..${CLASSES - 1}`);
    labels[i] = label;
  });
  return { pixels, labels, rows };
}

/** mulberry32: a small seeded generator of uniform numbers in [0, 1), enough for shuffling. */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `a` in place, drawing from `random`. */
export function shuffle(a, random) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * A stratified split: from each class, `testFraction` of its images (rounded) go to the test set,
 * the rest to the training set, chosen by a shuffle seeded with `seed`; both sets are then
 * shuffled so the classes are mixed. Pixels are standardized per pixel with the training set's
 * mean and standard deviation (a pixel that is constant over the training set gets std 1), so
 * no statistic of the test set leaks into the model.
 * Returns `{ train, test, mean, std }`, each set `{ x: Float32Array(rows * 64), y: Int32Array(rows), rows }`.
 */
export function splitDigits({ pixels, labels, rows }, { seed, testFraction = 0.2 }) {
  const random = mulberry32(seed);
  const byClass = Array.from({ length: CLASSES }, () => []);
  for (let i = 0; i < rows; i++) byClass[labels[i]].push(i);
  const trainIdx = [];
  const testIdx = [];
  for (const members of byClass) {
    shuffle(members, random);
    const nTest = Math.round(members.length * testFraction);
    testIdx.push(...members.slice(0, nTest));
    trainIdx.push(...members.slice(nTest));
  }
  shuffle(trainIdx, random);
  shuffle(testIdx, random);

  const take = (idx) => {
    const x = new Float32Array(idx.length * PIXELS);
    const y = new Int32Array(idx.length);
    idx.forEach((src, dst) => {
      x.set(pixels.subarray(src * PIXELS, (src + 1) * PIXELS), dst * PIXELS);
      y[dst] = labels[src];
    });
    return { x, y, rows: idx.length };
  };
  const train = take(trainIdx);
  const test = take(testIdx);
  const { mean, std } = pixelStats(train);
  standardize(train, mean, std);
  standardize(test, mean, std);
  return { train, test, mean, std };
}

/** Per-pixel mean and (population) standard deviation over a set, in float64; std 1 where a pixel is constant. */
function pixelStats({ x, rows }) {
  const mean = new Float64Array(PIXELS);
  const std = new Float64Array(PIXELS);
  for (let i = 0; i < rows; i++) for (let p = 0; p < PIXELS; p++) mean[p] += x[i * PIXELS + p];
  for (let p = 0; p < PIXELS; p++) mean[p] /= rows;
  for (let i = 0; i < rows; i++)
    for (let p = 0; p < PIXELS; p++) {
      const d = x[i * PIXELS + p] - mean[p];
      std[p] += d * d;
    }
  for (let p = 0; p < PIXELS; p++) std[p] = std[p] > 0 ? Math.sqrt(std[p] / rows) : 1;
  return { mean, std };
}

/** x ← (x − mean) / std, pixel by pixel, in place. */
function standardize({ x, rows }, mean, std) {
  for (let i = 0; i < rows; i++)
    for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = (x[i * PIXELS + p] - mean[p]) / std[p];
}
