// What `npm start` prints after training: the model quantized to int8 (dynamic and static), its
// held-out accuracy next to the float model's, how often both predict the same class, and the size
// of both model files' weights.
import * as nn from '../index.js';

/** The class each row of predictions picks: the largest output, or output > 0.5 for one sigmoid output. */
function classesOf(predictions: nn.Tensor): Int32Array {
  const values = predictions.dataSync();
  const width = predictions.shape[1] ?? 1;
  const out = new Int32Array(predictions.shape[0]);
  for (let r = 0; r < out.length; r++) {
    if (width === 1) {
      out[r] = values[r] > 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let j = 1; j < width; j++) if (values[r * width + j] > values[r * width + best]) best = j;
    out[r] = best;
  }
  return out;
}

/** Bytes of a model's weights in its model file. */
async function weightBytes(model: nn.Sequential): Promise<number> {
  const artifacts = await nn.io.modelArtifacts(model);
  return (artifacts.weightData as ArrayBuffer).byteLength;
}

const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Quantizes `model` (dynamic, then static with `calibration`), and prints per mode the held-out
 * accuracy (the metric compile named second), the top-1 agreement with the float model and the
 * weight sizes. `x` may be a tensor or a list of strings, as the model takes.
 */
export async function reportInt8(
  model: nn.Sequential,
  x: nn.Tensor | string[],
  y: nn.Tensor | Float32Array,
  calibration: nn.Tensor | string[],
  write: (line: string) => void,
): Promise<void> {
  const floatPredictions = model.predict(x, { batchSize: 256 });
  const floatClasses = classesOf(floatPredictions);
  floatPredictions.dispose();
  const floatBytes = await weightBytes(model);
  for (const mode of ['dynamic', 'static'] as const) {
    const int8 = await nn.quantize(model, mode === 'static' ? { mode, calibrationData: calibration } : { mode });
    const scores = int8.evaluate(x, y, { batchSize: 256 }) as nn.Tensor[];
    const accuracy = scores[1].dataSync()[0];
    const predictions = int8.predict(x, { batchSize: 256 });
    const classes = classesOf(predictions);
    let same = 0;
    for (let i = 0; i < classes.length; i++) if (classes[i] === floatClasses[i]) same++;
    write(
      `int8 (${mode}): accuracy ${percent(accuracy)}, same class as the float model on ${percent(same / classes.length)}, weights ${kb(await weightBytes(int8))} (float32 ${kb(floatBytes)})`,
    );
    nn.dispose([scores, predictions]);
    int8.dispose();
  }
}
