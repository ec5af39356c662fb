// The standardize step of TextVectorization: NFKC, lowercasing and punctuation stripping over all
// of Unicode (Keras, through TensorFlow, lowercases and strips ASCII only).
import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';

/** The standardizations TextVectorization names, as Keras names them. */
export const STANDARDIZE_MODES = ['lower_and_strip_punctuation', 'lower', 'strip_punctuation'] as const;

/** A named standardization. */
export type StandardizeMode = (typeof STANDARDIZE_MODES)[number];

/** How texts are standardized: a named mode, none (null), or a function of your own. */
export type Standardize = StandardizeMode | null | ((text: string) => string);

/**
 * What 'strip_punctuation' removes: Keras's set (the ASCII punctuation of Python's
 * `string.punctuation`, which Keras strips with `[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']`) and every
 * Unicode punctuation character (general category P: «», ¿, ¡, “”, ’, 、, 。, ...). Symbols outside
 * Keras's set (emoji, €, ©) stay.
 */
const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~'\p{P}]/gu;

/**
 * Standardizes one text. The named modes first normalize it to NFKC (compatibility forms fold: `ﬁ`
 * → `fi`, full-width `Ｆ` → `F`, `e` + combining acute → `é`, no-break and ideographic spaces →
 * space), then lowercase every cased letter (`toLowerCase`, Unicode's default case mapping:
 * `É` → `é`, `Σ` → `σ`/`ς`) and/or strip punctuation (see PUNCTUATION). On ASCII text this is
 * exactly what Keras does. `null` leaves the text as it is; a function gets the raw text.
 */
export function standardizeText(text: string, mode: Standardize, where: string): string {
  if (mode === null) return text;
  if (typeof mode === 'function') {
    const out: unknown = mode(text);
    if (typeof out !== 'string') {
      throw new ValueError(`${where}: the standardize function must return a string, got ${describe(out)}`);
    }
    return out;
  }
  let s = text.normalize('NFKC');
  if (mode !== 'strip_punctuation') s = s.toLowerCase();
  if (mode !== 'lower') s = s.replace(PUNCTUATION, '');
  return s;
}
