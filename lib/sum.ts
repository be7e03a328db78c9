// Shared by the pure-TS kernels (lib/js/) and the API's own reductions (nll.ts, reduce.ts, the
// entropy checks, the score summary), so it sits below both.

/**
 * Compensated (Kahan–Babuška–Neumaier) summation: the error stays near one rounding whatever the
 * number of terms, so rows of 2^20 classes meet the same bounds as short ones.
 *
 * The pure-TS kernels add whole blocks to it (`SUM_BLOCK` terms summed in a plain double each),
 * not single terms: the compensation costs more than the exp per element in a loop of its own.
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

  /** Back to 0, so one instance serves every row of a call (no allocation per row). */
  reset(): void {
    this.sum = 0;
    this.carry = 0;
  }
}

/**
 * How many terms the pure-TS kernels add in one plain double before folding that block into a
 * CompensatedSum. A block of n terms errs by at most about n·2⁻⁵³ of the sum of their magnitudes
 * (5.7e-14 at 512, far inside float64's 1e-12), and the fold keeps the error from growing with
 * the number of blocks: DESIGN.md's "summation error must not grow with cols".
 */
export const SUM_BLOCK = 512;
