/**
 * The Theil–Sen trend of a short daily series: the median of the slopes between every pair of
 * points. Up to 29% of the points can be arbitrary (a one-day burst, a cleanup that was undone)
 * before the slope moves, unlike a least-squares fit, where one outlier pulls the whole line.
 * Pure and allocation-free on the hot path: a scan of 100,000 resources fits 100,000 series.
 */

/**
 * z for a two-sided 90% interval. The interval decides whether growth is real: usage whose slope
 * interval includes zero is reported as flat, never "full in 40,000 days".
 */
const Z_90 = 1.6449;

export interface TrendFit {
  /** Median pairwise slope, per unit of x (addresses per day). */
  slope: number;
  /** Lower and upper bound of the 90% confidence interval of the slope (Sen, 1968). */
  lower: number;
  upper: number;
}

/**
 * Scratch space for the pairwise slopes, grown when a longer series arrives. One per process is
 * enough: the fit is synchronous.
 */
let scratch = new Float64Array(64 * 63);

/**
 * The k-th smallest of values[from..to] (0-based ranks, both ends included), partially reordering
 * them so that everything before position k is at most the result and everything after at least:
 * Hoare's selection, linear on average. Sorting every series' slopes instead costs 3–4 times as much
 * at 30 points.
 */
function select(values: Float64Array, from: number, to: number, k: number): number {
  let left = from;
  let right = to;
  while (right > left) {
    const pivot = values[(left + right) >>> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** The median of values[0..n), n ≥ 1; the mean of the two middle values when n is even. */
function median(values: Float64Array, n: number): number {
  const upper = select(values, 0, n - 1, n >>> 1);
  if (n % 2 === 1) return upper;
  // After selecting the upper middle, everything left of it is at most it: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < n >>> 1; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/**
 * Fits the trend of the points (x[i], y[i]) for i < n. Points must have distinct x (one point per
 * day); returns undefined for fewer than two points.
 */
export function theilSen(x: ArrayLike<number>, y: ArrayLike<number>, n: number): TrendFit | undefined {
  if (n < 2) return undefined;
  const pairs = (n * (n - 1)) / 2;
  if (scratch.length < pairs) scratch = new Float64Array(pairs);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    for (let j = i + 1; j < n; j++) {
      const dx = x[j]! - xi;
      if (dx !== 0) scratch[m++] = (y[j]! - yi) / dx;
    }
  }
  if (m === 0) return undefined;

  // Sen's interval: the ranks C = z·sqrt(Var S) either side of the middle of the sorted slopes,
  // where Var S = n(n−1)(2n+5)/18 is the variance of Kendall's S without ties. Leaving out the
  // tie correction widens the interval a little: a series with many equal values is called flat sooner.
  const c = Z_90 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lowerRank = Math.max(0, Math.floor((m - c) / 2));
  const upperRank = Math.min(m - 1, Math.ceil((m + c) / 2));
  // The median first: it leaves the smaller slopes before it and the larger after, so each bound is
  // then selected from one half only.
  const slope = median(scratch, m);
  const middle = m >>> 1;
  const lower = lowerRank < middle ? select(scratch, 0, middle - 1, lowerRank) : scratch[lowerRank]!;
  const upper = upperRank > middle ? select(scratch, middle + 1, m - 1, upperRank) : scratch[upperRank]!;
  return { slope, lower, upper };
}

/** Scratch space for levelAt's projections: a forecast of 100,000 resources allocates none. */
let projected = new Float64Array(3);

/**
 * Where the trend puts y at `at`: the median of the last `recent` points carried forward along the
 * slope. The median of three ignores a burst on the last day; taking only recent points follows a
 * lasting step (a cleanup, a new workload) within two days instead of half the window.
 */
export function levelAt(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  slope: number,
  at: number,
  recent = 3,
): number {
  const k = Math.min(recent, n);
  if (projected.length < k) projected = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const p = n - k + i;
    projected[i] = y[p]! + slope * (at - x[p]!);
  }
  return median(projected, k);
}
