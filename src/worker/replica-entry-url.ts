// The URL of the module the threads of fit({ workers }) import: neurasm's entry, which registers
// itself here when it loads (a module of its own, so that the start file carries only this).

let entryUrl: string | null = null;

/** @internal index.ts gives the URL of the module it is (src/index.ts, dist/index.js or dist/index.cjs); the browser bundle's entry, its own. */
export function registerReplicaEntry(url: string | undefined): void {
  if (url) entryUrl = url;
}

/** The registered URL, or null. */
export function replicaEntry(): string | null {
  return entryUrl;
}
