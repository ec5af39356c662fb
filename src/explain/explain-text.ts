import { ValueError } from '../errors.js';
import { Embedding } from '../layers/embedding.js';
import { TextVectorization } from '../layers/text-vectorization.js';
import { mul } from '../ops/arithmetic.js';
import { fromFlat } from '../ops/create.js';
import { tidy } from '../ops/engine.js';
import { grad } from '../ops/gradients.js';
import { optionsObject } from '../ops/options.js';
import { sum } from '../ops/sum.js';
import type { Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';
import { limeText } from './lime-text.js';
import { type ExplainedModel, explainedOutput } from './model-checks.js';
import { quadrature } from './quadrature.js';
import { checkTextModel } from './text-model.js';

/** Options of `explainText`. */
export interface ExplainTextOptions {
  /** 'lime' (default; any model that takes strings) or 'integratedGradients' (text layer, then an embedding). */
  method?: 'lime' | 'integratedGradients';
  /** Integration points of integrated gradients (Gauss–Legendre; default 50). */
  steps?: number;
  /** The output explained (default: the text's largest output, its predicted class). */
  output?: number;
  /** LIME: perturbed texts (default 5000). */
  numSamples?: number;
  /** LIME: seed of the sampling. */
  seed?: number;
}

/** One token of the text and its share of the explained output. */
export interface TokenAttribution {
  token: string;
  attribution: number;
}

const OPTIONS: ReadonlyArray<keyof ExplainTextOptions> = ['method', 'steps', 'output', 'numSamples', 'seed'];

/** Interpolated inputs per gradient pass. */
const STEP_BATCH = 256;

/** Integrated gradients of one text on its embedding output (see `embeddingIntegratedGradients`). */
export interface EmbeddingAttributions {
  /** The token ids of the text as the text layer makes them (0 pads). */
  ids: Int32Array;
  /** The vocabulary entry of each id. */
  tokens: string[];
  /** One attribution per position (padding included). */
  attributions: Float64Array;
  /** The explained output at the text and at the zero-embedding baseline. */
  value: number;
  baselineValue: number;
  /** Completeness error: Σ attributions − (value − baselineValue). */
  delta: number;
  output: number;
}

/** The text layer and the embedding after it, or a clear error. */
function textAndEmbedding(op: string, model: ExplainedModel): { text: TextVectorization; embedding: Embedding } {
  const [text, embedding] = model.layers;
  if (!(text instanceof TextVectorization) || text.outputMode !== 'int' || !(embedding instanceof Embedding)) {
    throw new ValueError(
      `${op}: integrated gradients needs a textVectorization in 'int' mode followed by an embedding, got layers ${model.layers
        .slice(0, 2)
        .map((l) => `"${l.name}" (${l.className})`)
        .join(', ')}; use method 'lime'`,
    );
  }
  return { text, embedding };
}

/**
 * Integrated gradients of one output with respect to the embedding output of a text, with the zero
 * embedding as baseline, Gauss–Legendre quadrature over `steps` points (all of them in batched
 * gradient passes through the model's layers after the embedding), summed over the embedding
 * dimension per token position.
 */
export function embeddingIntegratedGradients(
  model: ExplainedModel,
  textValue: string,
  steps: number,
  requested: number | undefined,
): EmbeddingAttributions {
  const op = 'explainText';
  const { text, embedding } = textAndEmbedding(op, model);
  const later = model.layers.slice(2);
  const outputs = model.outputWidth;
  if (requested !== undefined) checkInt(op, 'output', requested, 0, outputs - 1);
  return tidy(() => {
    const idTensor = text.vectorize([textValue]);
    const ids = idTensor.dataSync<'int32'>().slice();
    if (!ids.some((id) => id !== 0)) {
      throw new ValueError(`${op}: expected text to hold at least one token, got ${describe(textValue)}`);
    }
    const vocabulary = text.getVocabulary();
    const length = ids.length;
    const embedded = embedding.callMasked(idTensor, false, null);
    const values = embedded.output.dataSync<'float32'>();
    const width = values.length / length;
    const maskValues = embedded.mask?.dataSync<'float32'>();

    /** The model's outputs for rows of embedding outputs [rows, length, width]. */
    const forward = (z: Tensor): Tensor => {
      const rows = z.shape[0];
      let mask: Tensor | null = null;
      if (maskValues) {
        const m = new Float32Array(rows * length);
        for (let r = 0; r < rows; r++) m.set(maskValues, r * length);
        mask = fromFlat([rows, length], 'float32', m);
      }
      let h = z;
      for (const layer of later) ({ output: h, mask } = layer.callMasked(h, false, mask));
      return h;
    };
    /** Rows of α · embedding for the given αs. */
    const scaled = (alphas: ArrayLike<number>): Tensor => {
      const z = new Float32Array(alphas.length * values.length);
      for (let r = 0; r < alphas.length; r++) {
        for (let k = 0; k < values.length; k++) z[r * values.length + k] = alphas[r] * values[k];
      }
      return fromFlat([alphas.length, length, width], 'float32', z);
    };

    const ends = forward(scaled([0, 1])).dataSync<'float32'>();
    const output = explainedOutput(ends.subarray(outputs, 2 * outputs), requested);
    const baselineValue = ends[output];
    const value = ends[outputs + output];

    const { alphas: nodes, weights } = quadrature('gausslegendre', steps);
    // Σ_s w_s ∂f/∂z at α_s · embedding, over batches of the integration points
    const averaged = new Float64Array(values.length);
    for (let start = 0; start < steps; start += STEP_BATCH) {
      const rows = Math.min(STEP_BATCH, steps - start);
      tidy(() => {
        const pick = new Float32Array(rows * outputs);
        for (let r = 0; r < rows; r++) pick[r * outputs + output] = 1;
        const selector = fromFlat([rows, outputs], 'float32', pick);
        const gradient = grad((z) => sum(mul(forward(z), selector)))(scaled(nodes.subarray(start, start + rows)));
        const g = gradient.dataSync<'float32'>();
        for (let r = 0; r < rows; r++) {
          const w = weights[start + r];
          for (let k = 0; k < values.length; k++) averaged[k] += w * g[r * values.length + k];
        }
      });
    }
    const attributions = new Float64Array(length);
    for (let p = 0; p < length; p++) {
      let s = 0;
      for (let k = p * width; k < (p + 1) * width; k++) s += values[k] * averaged[k];
      attributions[p] = s;
    }
    const total = attributions.reduce((a, b) => a + b, 0);
    return {
      ids,
      tokens: Array.from(ids, (id) => vocabulary[id] ?? '[UNK]'),
      attributions,
      value,
      baselineValue,
      delta: total - (value - baselineValue),
      output,
    };
  });
}

function checkOptions(op: string, options: ExplainTextOptions | undefined) {
  const args = optionsObject(op, options, "{method: 'integratedGradients'}", OPTIONS);
  const method = args.method ?? 'lime';
  if (method !== 'lime' && method !== 'integratedGradients') {
    throw new ValueError(`${op}: expected method to be 'lime' or 'integratedGradients', got ${describe(args.method)}`);
  }
  const steps = checkInt(op, 'steps', args.steps ?? 50, 1);
  if (method === 'lime' && args.steps !== undefined) {
    throw new ValueError(`${op}: steps is an option of method 'integratedGradients', not of 'lime'`);
  }
  if (method === 'integratedGradients' && (args.numSamples !== undefined || args.seed !== undefined)) {
    throw new ValueError(`${op}: numSamples and seed are options of method 'lime', not of 'integratedGradients'`);
  }
  return { args, method, steps };
}

/**
 * Per-token attributions of a model that takes strings: with method 'lime', each word of the text
 * gets its word's LIME weight (lime's LimeTextExplainer, every word in the explanation); with
 * 'integratedGradients', each token the text layer makes gets the integrated gradients of the
 * explained output on its embedding (zero-embedding baseline), summed over the embedding dimension.
 */
export async function explainText(
  model: ExplainedModel,
  text: string,
  options?: ExplainTextOptions,
): Promise<TokenAttribution[]> {
  const op = 'explainText';
  checkTextModel(op, model, text);
  const { args, method, steps } = checkOptions(op, options);
  if (method === 'lime') {
    const words = text.split(/[^\p{L}\p{N}_]+/u).filter((w) => w.length > 0);
    const e = await limeText(model, text, {
      numFeatures: Math.max(1, new Set(words).size),
      ...(args.output === undefined ? {} : { output: args.output }),
      ...(args.numSamples === undefined ? {} : { numSamples: args.numSamples }),
      ...(args.seed === undefined ? {} : { seed: args.seed }),
    });
    const weightOf = new Map(e.words.map((w, i) => [w, e.weights[i]]));
    return words.map((token) => ({ token, attribution: weightOf.get(token) ?? 0 }));
  }
  const result = embeddingIntegratedGradients(model, text, steps, args.output);
  const out: TokenAttribution[] = [];
  result.ids.forEach((id, p) => {
    if (id !== 0) out.push({ token: result.tokens[p], attribution: result.attributions[p] });
  });
  return out;
}
