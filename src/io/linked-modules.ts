/**
 * The bundle's own modules, by path, for the browser chunk of lazy.ts: tsup.config.ts fills this
 * in for the browser bundle, so that the chunk uses the bundle's classes and functions instead of
 * copies of them. Empty in every other build, where lazy.ts imports its modules as usual.
 */
export const linkedModules: Record<string, object> = {};
