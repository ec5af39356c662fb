import { BackendError, ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';
import { type CsvOptions, type ParsedCsv, parseCsvAs } from './csv.js';

const FS_MODULE = 'node:fs/promises';

/**
 * Reads a CSV file (Node only) and parses it as `parseCsv` does; errors name the file.
 * `node:fs/promises` is imported lazily, so bundles for the browser stay clean: there, fetch
 * the text yourself and call `parseCsv`.
 *
 * @example
 * const { x, y, classNames } = await nn.data.readCsv('iris.csv', { label: 'species' });
 */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<ParsedCsv> {
  if (typeof path !== 'string' || path === '') {
    throw new ValueError(`readCsv: expected path to be a non-empty string, got ${describe(path)}`);
  }
  let fs: typeof import('node:fs/promises');
  try {
    // a specifier in a variable: browser bundlers leave the import alone instead of failing to resolve it
    fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ FS_MODULE)) as typeof import('node:fs/promises');
  } catch {
    throw new BackendError(
      'readCsv: reading files needs Node (node:fs/promises); elsewhere fetch the text and call parseCsv',
    );
  }
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new ValueError(`readCsv: file not found: ${JSON.stringify(path)}`);
    if (code === 'EISDIR') throw new ValueError(`readCsv: ${JSON.stringify(path)} is a directory, expected a CSV file`);
    throw new ValueError(`readCsv: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  return parseCsvAs(`readCsv ${JSON.stringify(path)}`, text, options);
}
