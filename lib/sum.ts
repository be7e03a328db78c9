// Shared by the pure-TS kernels (lib/js/) and the API's own reductions (nll.ts, reduce.ts, the
// entropy checks, the score summary), so it sits below both.

/**
 * Compensated (Kahan–Babuška–Neumaier) summation: the error stays near one rounding whatever the
 * number of terms, so rows of 2^20 classes meet the same bounds as short ones.
 */
export class CompensatedSum {
  private sum = 0;
  private carry = 0;

  add(v: number): void {
    const t = this.sum + v;
    this.carry += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }

  /** An infinite or NaN sum makes the carry NaN; the plain sum is the answer then. */
  value(): number {
    return Number.isFinite(this.sum) ? this.sum + this.carry : this.sum;
  }
}
