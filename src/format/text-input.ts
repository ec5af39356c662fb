// A model that takes strings, in model files. Its first layer, a TextVectorization, is not a tfjs
// layer: the topology holds the numeric model after it (tfjs loads that as it is, a model of token
// indices), and the text layer, vocabulary included, is kept under the file's `neurasm` key.
import { ModelFormatError } from '../io/errors.js';
import type { Layer } from '../layers/layer.js';
import { TextVectorization } from '../layers/text-vectorization.js';
import type { TextVectorizationFunctions } from '../text/config.js';

/** The text layer of a model, as the `neurasm.textInput` entry: `{class_name, config}`. */
export function writeTextInput(layer: Layer): { class_name: string; config: Record<string, unknown> } {
  return { class_name: layer.className, config: layer.getConfig() };
}

/**
 * The text layer from a `neurasm.textInput` entry; `functions` gives back a custom standardize,
 * split or tokenizer the config names.
 */
export function readTextInput(value: unknown, where: string, functions?: TextVectorizationFunctions): Layer {
  const at = `${where}: neurasm.textInput`;
  const entry = value as { class_name?: unknown; config?: unknown } | null;
  if (typeof entry !== 'object' || entry === null || entry.class_name !== TextVectorization.className) {
    throw new ModelFormatError(
      `${at}: expected {class_name: 'TextVectorization', config}, got ${JSON.stringify(value)}`,
    );
  }
  if (typeof entry.config !== 'object' || entry.config === null) {
    throw new ModelFormatError(`${at}.config: expected an object, got ${JSON.stringify(entry.config)}`);
  }
  try {
    return TextVectorization.fromConfig(entry.config as Record<string, unknown>, functions);
  } catch (e) {
    throw new ModelFormatError(`${at}: ${(e as Error).message}`);
  }
}
