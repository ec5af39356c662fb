/**
 * Where the browser build puts the packed Wasm modules: tsup.config.ts replaces this module's
 * contents with the packed bytes and the call that unpacks them into the loader's module of Wasm
 * bytes. src/browser/index.ts imports it last, so the bytes end the bundle. Unbundled, the generated
 * module carries the bytes itself and this module does nothing.
 * @module
 */
export {};
