// serveReplica's body (replica-serve.ts) is loaded on first use, in the chunk of code fit's worker
// threads need (src/lazy-import.ts), not with the start file.
import { loadedOnFirstUse } from '../lazy-import.js';
import type { serveReplica as serveReplicaBody } from './replica-serve.js';

/** What the worker threads of a data-parallel fit take from the chunk loaded on first use (src/lazy.ts). */
export interface ReplicaServeBodies {
  serveReplica: typeof serveReplicaBody;
}

/** What each worker thread of `fit({ workers })` runs (replica-threads.ts starts it); not for direct use. */
export const serveReplica: typeof serveReplicaBody = loadedOnFirstUse<ReplicaServeBodies>('serveReplica', 'fit');
