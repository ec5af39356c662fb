// Timing helpers shared by the benchmark suites.
//
// The clock is the CPU time of this process (user + system), not wall time: on a shared machine,
// time slices given to other processes then do not count against us. For a single-threaded
// benchmark on an idle machine the two agree. BENCH_CLOCK=wall switches to wall time.

/** Milliseconds on the benchmark clock (see above). */
export const now: () => number =
  process.env.BENCH_CLOCK === 'wall'
    ? () => performance.now()
    : () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      };

/** Name of the clock in use, for the report. */
export const clockName = process.env.BENCH_CLOCK === 'wall' ? 'wall time' : 'process CPU time';

/** What `measure` found. */
export interface Timing {
  /** Median time of one call over the timed batches, in milliseconds. */
  medianMs: number;
  /** Calls per timed batch. */
  reps: number;
  /** Number of timed batches. */
  batches: number;
  /** Time of one call in each batch, in milliseconds. */
  times: number[];
}

/** Options of `measure`. */
export interface MeasureOptions {
  /** Wall time a batch should last (reps are chosen to reach it). Default 100 ms. */
  batchMs?: number;
  /** Number of timed batches (the median is reported). Default 5. */
  batches?: number;
  /** Minimum warm-up time before timing. Default 50 ms. */
  warmupMs?: number;
  /** Minimum warm-up calls (they also size the batches). Default 2; 0 times a single call per batch. */
  warmupCalls?: number;
}

/**
 * Times `fn`: warms it up, picks a number of calls per batch so that a batch lasts about
 * `batchMs`, runs `batches` timed batches and returns the median time per call.
 */
export function measure(fn: () => void, options: MeasureOptions = {}): Timing {
  const { batchMs = 100, batches = 5, warmupMs = 50, warmupCalls = 2 } = options;
  let calls = 0;
  const warmStart = now();
  while (calls < warmupCalls || (calls > 0 && now() - warmStart < warmupMs)) {
    fn();
    calls++;
  }
  const perCall = calls > 0 ? (now() - warmStart) / calls : Number.POSITIVE_INFINITY;
  const reps = Math.max(1, Math.round(batchMs / perCall));
  const times: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const start = now();
    for (let r = 0; r < reps; r++) fn();
    times.push((now() - start) / reps);
  }
  return { medianMs: median(times), reps, batches, times };
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `n` uniform floats in [-1, 1) from a small seeded generator (mulberry32). */
export function randomFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Prints a markdown table. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
