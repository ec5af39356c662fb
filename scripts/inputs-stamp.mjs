// Lets a build step skip itself when nothing it reads has changed: a SHA-256 over the contents of
// its input files (and any extra text, e.g. a compiler version) is written on the first line of the
// generated file; the next run compares it. Contents, not times, decide, so a checkout or `touch`
// of an unchanged file costs nothing while any edit triggers the rebuild.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `path` (or `path` itself if it is a file), sorted, as paths relative to `root`. */
function listFiles(root, path) {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return [relative(root, full)];
  return readdirSync(full, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => listFiles(root, join(path, e.name)));
}

/**
 * The stamp line for a build step: `// inputs: <sha256>` over each input's relative path and bytes,
 * the files under each input directory included, then each extra string.
 */
export function inputsStamp(root, inputs, extras = []) {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((p) => listFiles(root, p))) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  for (const extra of extras) hash.update(`${extra}\0`);
  return `// inputs: ${hash.digest('hex')}`;
}

/** Whether `generated` starts with `stamp` and every file in `outputs` exists: the step can be skipped. */
export function isFresh(generated, stamp, outputs = []) {
  if (!existsSync(generated) || !outputs.every((f) => existsSync(f))) return false;
  const text = readFileSync(generated, 'utf8');
  return text.slice(0, text.indexOf('\n')) === stamp;
}
