/** Types shared by the benchmark harness and its benchmarks. */

/** One measured figure, as printed in the table and written to the JSON report. */
export interface Metric {
  name: string;
  /** Null when the benchmark ran but could not produce this figure. */
  value: number | null;
  unit: string;
  /** The same figure for the bare baseline, measured in the same run, or null when there is none. */
  baseline: number | null;
  /** Target for the value, for example "<= 100", or null when there is none. */
  goal: string | null;
}

/** A benchmark module: measures and returns its metrics, and never fails on a timing. */
export interface Benchmark {
  name: string;
  run(): Promise<Metric[]>;
}

/** Returns the nearest-rank percentile (0 < p <= 100) of unsorted samples, or null for none. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;

  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);

  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

/** Rounds to a fixed number of decimals, keeping null. */
export function round(value: number | null, decimals: number): number | null {
  if (value === null) return null;

  const factor = 10 ** decimals;

  return Math.round(value * factor) / factor;
}
