// The digits classifier example (examples/digits/main.js), run as a user runs it, in a child
// process with this suite's environment, so it trains on whichever backend the suite exercises.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const forcedJs = process.env.SOFTMAX_SIMD_BACKEND === 'js';
const main = fileURLToPath(new URL('../examples/digits/main.js', import.meta.url));
const SEED = 2024;

interface Result {
  backend: string;
  seed: number;
  epochs: number;
  sizes: { train: number; test: number };
  trainAccuracy: number;
  testAccuracy: number;
  finalLoss: number;
  finalTestLoss: number;
  msPerEpoch: { native: number; js: number };
  lossMsPerEpoch: { native: number; js: number };
  maxLossDifference: number;
  summary: { rows: number; accuracy?: number; meanNll?: number; perplexity?: number };
  confusion: number[][];
}

const run = (...args: string[]): Result =>
  JSON.parse(execFileSync(process.execPath, [main, '--json', ...args], { env: process.env, encoding: 'utf8' }));

describe('examples/digits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softmax-simd-digits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const svg = join(dir, 'loss.svg');
  let r: Result;
  beforeAll(() => {
    r = run('--seed', String(SEED), '--svg', svg);
  }, 60_000);

  it(`trains to at least 95% test accuracy on seed ${SEED}`, () => {
    if (forcedJs) expect(r.backend).toBe('js');
    else expect(r.backend).not.toBe('js');
    expect(r).toMatchObject({ seed: SEED, epochs: 30, sizes: { train: 1438, test: 359 } });
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.trainAccuracy).toBeLessThanOrEqual(1);
    expect(r.finalLoss).toBeGreaterThan(0);
    expect(r.finalLoss).toBeLessThan(0.2);
  });

  it('trains the same model on the package root and on the pure-TS build', () => {
    expect(r.maxLossDifference).toBeLessThan(1e-5);
    if (forcedJs) expect(r.maxLossDifference).toBe(0); // the same code twice
    for (const ms of [r.msPerEpoch.native, r.msPerEpoch.js, r.lossMsPerEpoch.native, r.lossMsPerEpoch.js]) expect(ms).toBeGreaterThan(0);
  });

  it("agrees with score()'s summary of the test set", () => {
    const s = r.summary;
    expect(s.rows).toBe(r.sizes.test);
    expect(s.accuracy).toBe(r.testAccuracy);
    expect(Number.isFinite(s.meanNll)).toBe(true);
    // The mean NLL is the test loss crossEntropy computed, to float32 rounding.
    expect(Math.abs(s.meanNll! - r.finalTestLoss)).toBeLessThan(1e-5);
    expect(Math.abs(s.perplexity! - Math.exp(s.meanNll!))).toBeLessThanOrEqual(1e-12 * Math.exp(s.meanNll!));
  });

  it('prints a confusion matrix that counts every test image once', () => {
    const m = r.confusion;
    expect(m).toHaveLength(10);
    const total = m.flat().reduce((a, b) => a + b, 0);
    const diagonal = m.reduce((a, row, i) => a + row[i], 0);
    expect(total).toBe(r.sizes.test);
    expect(diagonal / total).toBe(r.testAccuracy);
  });

  it('writes the loss curve as SVG where --svg says', () => {
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(text.trimEnd().endsWith('</svg>')).toBe(true);
    const curves = [...text.matchAll(/<polyline points="([^"]*)"/g)];
    expect(curves).toHaveLength(2); // train and test
    for (const [, points] of curves) expect(points.split(' ')).toHaveLength(r.epochs);
  });

  it('is repeatable from its seed, and follows --epochs', { timeout: 60_000 }, () => {
    const a = run('--seed', '7', '--epochs', '3');
    const b = run('--seed', '7', '--epochs', '3');
    expect(a.epochs).toBe(3);
    expect(b.finalLoss).toBe(a.finalLoss);
    expect(b.testAccuracy).toBe(a.testAccuracy);
  });

  it('rejects a bad option with exit code 2 and the usage', () => {
    const bad = spawnSync(process.execPath, [main, '--epochs', '0'], { env: process.env, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--epochs must be an integer in \[1, 10000\], got "0"/);
    expect(bad.stderr).toMatch(/usage: node examples\/digits\/main.js/);
  });
});
