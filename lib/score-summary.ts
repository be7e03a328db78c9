// The batch summary of `score`, tallied row by row so that the CLI can add chunk after chunk and
// get what one call over every row would give. Every row is accounted for: rows with no finite
// prediction are counted by cause and left out of the mean NLL, which averages the others.
import { CompensatedSum } from './sum.js';
import type { FloatArray, ScoreSummary } from './types.js';

export class ScoreTally {
  rows = 0;
  correct = 0;
  nanRows = 0;
  infiniteRows = 0;
  maskedRows = 0;
  private readonly nll = new CompensatedSum();

  /** A batch's rows: the argmax, log-sum-exp and (with labels) NLL of each. */
  add(predictions: Int32Array, logSumExp: FloatArray, labels: Int32Array | null, nll: FloatArray | null): void {
    this.rows += predictions.length;
    for (let i = 0; i < predictions.length; i++) {
      // The log-sum-exp tells the cause: NaN (a NaN logit), +Inf (a +Inf logit), −Inf (all −Inf).
      const lse = logSumExp[i];
      // A row of all −Inf predicts 0 only by argmax's convention: it is never a correct prediction.
      if (labels && predictions[i] === labels[i] && lse !== -Infinity) this.correct++;
      if (lse !== lse) this.nanRows++;
      else if (lse === Infinity) this.infiniteRows++;
      else if (lse === -Infinity) this.maskedRows++;
      else if (nll) this.nll.add(nll[i]);
    }
  }

  /** Rows whose prediction is a finite distribution: the rows the mean NLL averages. */
  get finiteRows(): number {
    return this.rows - this.nanRows - this.infiniteRows - this.maskedRows;
  }

  summary(withLabels: boolean): ScoreSummary {
    const { rows, nanRows, infiniteRows, maskedRows } = this;
    const summary: ScoreSummary = { rows, nanRows, infiniteRows, maskedRows };
    if (!withLabels) return summary;
    const meanNll = this.nll.value() / this.finiteRows; // NaN (0/0) when no row has a prediction
    return { ...summary, accuracy: this.correct / rows, meanNll, perplexity: Math.exp(meanNll), nllRows: this.finiteRows };
  }
}
