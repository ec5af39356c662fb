// How errors name the worker threads of a call.

/** Worker threads by number, for an error: "worker thread 2", "worker threads 1, 2". */
export function workerThreads(threads: Iterable<number>): string {
  const list = [...threads];
  return `worker thread${list.length === 1 ? '' : 's'} ${list.join(', ')}`;
}
