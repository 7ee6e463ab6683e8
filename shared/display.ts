// How figures are shown on a screen, once for every view: a rate over too few cases is not a result.

/**
 * A rate over fewer cases than this is shown greyed with its n ("3/3 · 样本不足"), never as a
 * headline "100%": three reviews that all say "resolved" tell little.
 */
export const MIN_RATE_SAMPLE = 10

/** Whether a rate over `n` cases has too few to be shown as a result. */
export function isThinSample(n: number | null | undefined): boolean {
  return n === null || n === undefined || !Number.isFinite(n) || n < MIN_RATE_SAMPLE
}
