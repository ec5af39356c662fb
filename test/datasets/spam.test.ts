import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { trainTestIndices } from '../../src/data/index.js';
import { loadSpam } from '../../src/datasets/index.js';
import { ValueError } from '../../src/errors.js';

/** The corpus's groups and their sizes, as its source package documents them. */
const GROUPS = { 'easy-ham-1': 2500, 'easy-ham-2': 1400, 'hard-ham-1': 250, 'spam-1': 500, 'spam-2': 1396 };

const scratch = mkdtempSync(join(tmpdir(), 'neurasm-spam-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A brotli file of the given JSON lines in the scratch directory; returns its path. */
function corpusFile(name: string, lines: unknown[]): string {
  const path = join(scratch, name);
  const text = lines.map((l) => JSON.stringify(l)).join('\n');
  writeFileSync(path, brotliCompressSync(Buffer.from(text), { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }));
  return path;
}

describe('loadSpam', () => {
  it('loads 6,046 emails, 1,896 of them spam, labelled by their group', async () => {
    const corpus = await loadSpam();
    expect(corpus.texts).toHaveLength(6046);
    expect(corpus.labels).toBeInstanceOf(Int32Array);
    expect(corpus.labels).toHaveLength(6046);
    expect(corpus.ids).toHaveLength(6046);
    expect(corpus.labels.reduce((s, v) => s + v, 0)).toBe(1896);
    expect(corpus.classNames).toEqual(['ham', 'spam']);
    expect(corpus.description).toMatch(/SpamAssassin.*6,046 emails, 1,896 spam/);
    expect(new Set(corpus.ids).size).toBe(6046);
    const perGroup: Record<string, number> = {};
    corpus.ids.forEach((id, i) => {
      const [group, number] = id.split('/');
      expect(number).toMatch(/^\d{5}$/);
      perGroup[group] = (perGroup[group] ?? 0) + 1;
      expect(corpus.labels[i]).toBe(group.startsWith('spam') ? 1 : 0);
    });
    expect(perGroup).toEqual(GROUPS);
    for (const text of corpus.texts) expect(typeof text).toBe('string');
    expect(corpus.texts.filter((t) => t.trim() === '')).toHaveLength(0);
  });

  it('gives Subject and decoded body: encoded words, base64, charsets (checked against Python email)', async () => {
    const { texts, ids } = await loadSpam();
    const text = (id: string) => texts[ids.indexOf(id)];
    expect(ids[0]).toBe('easy-ham-1/00001');
    expect(texts[0].startsWith('Re: New Sequences Window\n    Date:        Wed, 21 Aug 2002 10:54:46 -0500')).toBe(
      true,
    );
    // RFC 2047 subjects in iso-8859-1 (Q), iso-2022-jp (B) and gb2312 (Q)
    expect(text('easy-ham-1/02434').split('\n')[0]).toBe('Re: RE: [zzzzteana] Sitting Bull über alles [Long]');
    expect(text('spam-1/00324').split('\n')[0]).toBe('しじみともものコラボレーション');
    expect(text('spam-2/00259').split('\n')[0]).toBe('汽车、交通行业MBA');
    // a base64 HTML body, decoded; headers other than Subject are gone
    const html = text('spam-1/00336');
    expect(html).toContain('<meta http-equiv="Content-Type" content="text/html; charset=windows-1254">');
    expect(html).not.toMatch(/^Content-Transfer-Encoding:/im);
    // 8-bit text without a charset is windows-1252 (byte 0x92 is a right quote, not a C1 control)
    expect(text('easy-ham-1/00114')).toContain('Join the world\u2019s largest e-mail service');
    expect(texts.some((t) => /[\u0080-\u009f]{3}/.test(t))).toBe(false);
  });

  it('returns new arrays on each call', async () => {
    const a = await loadSpam();
    a.labels[0] = 7;
    a.texts[0] = 'changed';
    a.classNames.push('x');
    const b = await loadSpam();
    expect(b.labels[0]).toBe(0);
    expect(b.texts[0]).not.toBe('changed');
    expect(b.classNames).toEqual(['ham', 'spam']);
  });

  it('splits 80/20 with stratification: both parts keep the spam share', async () => {
    const { labels } = await loadSpam();
    const { train, test } = trainTestIndices(labels, { testSize: 0.2, stratify: true, seed: 0 });
    expect(test).toHaveLength(1210);
    expect(train).toHaveLength(4836);
    const spamIn = (rows: Int32Array) => rows.reduce((s, r) => s + labels[r], 0);
    // 1896 * 1210 / 6046 = 379.4 and 4150 * 1210 / 6046 = 830.5: the leftover row goes to ham
    expect(spamIn(test)).toBe(379);
    expect(spamIn(train)).toBe(1517);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual([...Array(6046).keys()]);
    const other = trainTestIndices(labels, { testSize: 0.2, stratify: true, seed: 1 });
    expect(spamIn(other.test)).toBe(379);
    expect(Array.from(other.test)).not.toEqual(Array.from(test));
  });

  it('reads a file given by path, and rejects damaged files', async () => {
    const head = { name: 'spam-assassin', emails: 6046, spam: 1896 };
    const email = (i: number) => ({ id: `g/${i}`, label: i < 1896 ? 1 : 0, subject: i % 2 ? 's' : '', body: 'b' });
    const good = Array.from({ length: 6046 }, (_, i) => email(i));
    const fromFile = await loadSpam({ path: corpusFile('good.br', [head, ...good]) });
    expect(fromFile.texts.slice(0, 2)).toEqual(['b', 's\nb']);
    expect(fromFile.ids[5]).toBe('g/5');

    const cases: [string, unknown[], RegExp][] = [
      ['head.br', [{ ...head, spam: 1 }, ...good], /line 1 describes "spam-assassin" with 6046 emails, 1 spam/],
      ['short.br', [head, ...good.slice(1)], /line 6046 is the last; expected 6047 lines/],
      ['label.br', [head, { ...good[0], label: 2 }, ...good.slice(1)], /line 2 is not \{id: string, label: 0 \| 1/],
      ['count.br', [head, { ...good[0], label: 0 }, ...good.slice(1)], /promises 1896 spam, the lines hold 1895/],
    ];
    for (const [name, lines, message] of cases) {
      const path = corpusFile(name, lines);
      await expect(loadSpam({ path })).rejects.toThrow(ValueError);
      await expect(loadSpam({ path })).rejects.toThrow(message);
    }
    const notJson = join(scratch, 'not-json.br');
    const text = [head, ...good].map((l) => JSON.stringify(l)).join('\n');
    writeFileSync(notJson, brotliCompressSync(Buffer.from(text.replace('{"id":"g/0"', '{oops'))));
    await expect(loadSpam({ path: notJson })).rejects.toThrow(/line 2 is not JSON/);
    const notBrotli = join(scratch, 'plain.br');
    writeFileSync(notBrotli, 'plain text, not brotli');
    await expect(loadSpam({ path: notBrotli })).rejects.toThrow(/damaged: brotli cannot decompress it/);
  });

  it('explains a missing file and rejects bad options', async () => {
    const missing = join(scratch, 'nowhere.br');
    await expect(loadSpam({ path: missing })).rejects.toThrow(/not at ".*nowhere.br".*pass \{path\}/);
    await expect(loadSpam({ path: '' })).rejects.toThrow(
      /expected path to be a non-empty string or a file URL, got ""/,
    );
    await expect(loadSpam({ path: 3 as never })).rejects.toThrow(ValueError);
    await expect(loadSpam({ pth: 'x' } as never)).rejects.toThrow(/pth/);
  });
});
