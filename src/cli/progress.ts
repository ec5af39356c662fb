import { formatLogs, type Logs } from '../training/callbacks.js';

/** A progress bar of `width` characters for done/total. */
export function bar(done: number, total: number, width = 24): string {
  const filled = Math.round((width * done) / Math.max(1, total));
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${'.'.repeat(width - filled)}]`;
}

/**
 * Callbacks that print one line per epoch, and in a terminal a live bar over the batches.
 * `write` receives whole lines; `live` (TTY only) rewrites the current line.
 */
export function progressCallbacks(
  epochs: number,
  batches: number,
  write: (line: string) => void,
  live: ((text: string) => void) | null,
) {
  let started = 0;
  const width = String(epochs).length;
  return {
    onEpochBegin: () => {
      started = performance.now();
    },
    onBatchEnd: live
      ? (batch: number) => {
          if (batch % 8 === 0 || batch === batches - 1) live(`${bar(batch + 1, batches)} ${batch + 1}/${batches}`);
        }
      : undefined,
    onEpochEnd: (epoch: number, logs?: Logs) => {
      const ms = Math.round(performance.now() - started);
      const head = `Epoch ${String(epoch + 1).padStart(width)}/${epochs}`;
      write(`${head} ${live ? `${bar(batches, batches)} ` : ''}${ms}ms - ${formatLogs(logs ?? {})}`);
    },
  };
}
