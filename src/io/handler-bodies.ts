// What the IOHandlers of handlers.ts do when they save or load, imported on first use (see there).
// Nothing here or below imports the rest of the library at run time: only linked.ts, types, and
// each other.
export { loadIndexedDB, loadLocalStorage, saveIndexedDB, saveLocalStorage } from './browser.js';
export { loadFiles, saveFiles } from './file-system.js';
export { loadHTTP, saveHTTP } from './http.js';
export { link } from './linked.js';
