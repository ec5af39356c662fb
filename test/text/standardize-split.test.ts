import { describe, expect, it } from 'vitest';
import { ngramsOf, splitText } from '../../src/text/split.js';
import { standardizeText } from '../../src/text/standardize.js';
import { MAX_TEXT_LENGTH, truncateText } from '../../src/text/texts.js';
import { compareCodePoints } from '../../src/text/vocabulary.js';
import { rng } from '../helpers/random.js';

const W = 'test';

describe('standardizeText', () => {
  it('lowercases and strips ASCII punctuation as Keras does', () => {
    expect(
      standardizeText(`It's "A" (test): 1+1=2, [ok]; {x|y} ~_^\`@#$%&*/\\<>?!`, 'lower_and_strip_punctuation', W),
    ).toBe('its a test 112 ok xy ');
    expect(standardizeText('Keep-Case.', 'strip_punctuation', W)).toBe('KeepCase');
    expect(standardizeText('Keep, Punct!', 'lower', W)).toBe('keep, punct!');
    expect(standardizeText(' As Is! ', null, W)).toBe(' As Is! ');
  });

  it('normalizes to NFKC and lowercases every script', () => {
    // e + combining acute composes; the ligature and full-width letters fold; ideographic space and NBSP become spaces
    expect(standardizeText('E\u0301COLE ﬁne Ｆｕｌｌ\u3000a\u00a0b', 'lower', W)).toBe('école fine full a b');
    expect(standardizeText('ПРИВЕТ ΟΔΟΣ İ', 'lower', W)).toBe('привет οδος i\u0307');
    expect(standardizeText('مرحبا', 'lower_and_strip_punctuation', W)).toBe('مرحبا');
  });

  it('strips Unicode punctuation but keeps emoji and other symbols', () => {
    expect(standardizeText('¿Qué? «Sí» — “ok” don’t 。、！', 'lower_and_strip_punctuation', W)).toBe(
      'qué sí  ok dont ',
    );
    expect(standardizeText('👍🏽 €5 © 👨‍👩‍👧 ＄', 'lower_and_strip_punctuation', W)).toBe('👍🏽 €5 © 👨‍👩‍👧 ');
  });

  it('runs a function of your own on the raw text, and names a result that is not a string', () => {
    expect(standardizeText('ABC', (s) => s.slice(1), W)).toBe('BC');
    expect(() => standardizeText('x', (() => 5) as never, W)).toThrow(
      'test: the standardize function must return a string, got 5',
    );
  });
});

describe('splitText', () => {
  it('splits on runs of Unicode whitespace and drops empty pieces', () => {
    expect(splitText('  a\tb\n\nc\u3000d\u00a0e\u2003f\u2028g\u0085h  ', 'whitespace', W)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
    ]);
    expect(splitText(' \t ', 'whitespace', W)).toEqual([]);
    // U+FEFF (zero width no-break space) and U+200B are not White_Space
    expect(splitText('a\ufeffb\u200bc', 'whitespace', W)).toEqual(['a\ufeffb\u200bc']);
  });

  it('splits characters by code point: CJK one by one, a one-code-point emoji whole, sequences by code point', () => {
    expect(splitText('日本語', 'character', W)).toEqual(['日', '本', '語']);
    expect(splitText('a😀b', 'character', W)).toEqual(['a', '😀', 'b']);
    expect(splitText('👍🏽', 'character', W)).toEqual(['👍', '🏽']);
    expect(splitText('', 'character', W)).toEqual([]);
  });

  it('keeps the text whole without a split, and checks what a function returns', () => {
    expect(splitText('a b', null, W)).toEqual(['a b']);
    const graphemes = (s: string) =>
      Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(s), (g) => g.segment);
    expect(splitText('👍🏽👨‍👩‍👧x', graphemes, W)).toEqual(['👍🏽', '👨‍👩‍👧', 'x']);
    expect(() => splitText('x', (() => 'x') as never, W)).toThrow(
      'test: the split function must return an array of strings, got "x"',
    );
    expect(() => splitText('x', (() => ['a', 3]) as never, W)).toThrow('got an array holding 3');
  });
});

describe('ngramsOf', () => {
  it('gives each width in order, each joined with a space, none for a text shorter than the width', () => {
    expect(ngramsOf(['a', 'b', 'c'], [1, 2, 3])).toEqual(['a', 'b', 'c', 'a b', 'b c', 'a b c']);
    expect(ngramsOf(['a', 'b', 'c'], [3, 1])).toEqual(['a b c', 'a', 'b', 'c']);
    expect(ngramsOf(['a'], [2])).toEqual([]);
  });
});

describe('compareCodePoints', () => {
  it('orders strings as their UTF-8 bytes are ordered (Keras sorts bytes)', () => {
    const alphabet = ['a', 'b', 'é', '本', '\ue000', '\uffff', '😀', '🏽', '\u{10ffff}', ''];
    const draw = rng(7);
    const pick = (n: number) => Math.floor(draw() * n);
    const words = Array.from({ length: 1000 }, () =>
      Array.from({ length: pick(4) }, () => alphabet[pick(alphabet.length)]).join(''),
    );
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareCodePoints)).toEqual(byBytes);
    // where UTF-16 order differs: U+E000 sorts before an emoji by code point, after it by code unit
    expect(compareCodePoints('\ue000', '😀')).toBeLessThan(0);
    expect('\ue000' < '😀').toBe(false);
  });
});

describe('truncateText', () => {
  it('cuts a text at MAX_TEXT_LENGTH code units without splitting a surrogate pair', () => {
    const short = 'x'.repeat(MAX_TEXT_LENGTH);
    expect(truncateText(short)).toBe(short);
    expect(truncateText(`${short}yz`)).toBe(short);
    const straddling = `${'x'.repeat(MAX_TEXT_LENGTH - 1)}😀tail`;
    expect(truncateText(straddling)).toBe('x'.repeat(MAX_TEXT_LENGTH - 1));
  });
});
