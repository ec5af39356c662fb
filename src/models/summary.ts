import { ValueError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { checkInt, describe } from '../ops/validate.js';

/** What a summary prints: the model's name and layers, and its parameter counts. */
export interface SummaryModel {
  readonly name: string;
  readonly layers: readonly Layer[];
  countParams(): number;
  readonly trainableWeights: ReadonlyArray<{ size: number }>;
}

/** Prints one line of the summary table. */
export type PrintFn = (line: string, ...rest: unknown[]) => void;

const HEADER = ['Layer (type)', 'Output shape', 'Param #'];
// tfjs's table for a sequential model: an input shape column too, 90 characters, columns ending at
// 32%, 61%, 89% and 100%. Three positions give Keras's table (no input shape column).
const TFJS_HEADER = ['Layer (type)', 'Input shape', 'Output shape', 'Param #'];
const DEFAULT_LINE_LENGTH = 90;
const DEFAULT_POSITIONS = [0.32, 0.61, 0.89, 1];

/** Where the columns end, and the length of the rules, for fixed columns. */
interface Columns {
  ends: number[];
  length: number;
}

/**
 * Column end positions for tfjs's `summary(lineLength?, positions?, printFn?)`: fractions of the line
 * (all <= 1) or absolute character positions, increasing; 4 (tfjs's columns) or 3 (Keras's).
 * Undefined when neither is given (the columns are then as wide as their contents).
 */
function columnEnds(lineLength: unknown, positions: unknown): Columns | undefined {
  if (lineLength === undefined && positions === undefined) return undefined;
  const length = lineLength === undefined ? undefined : checkInt('Sequential.summary', 'lineLength', lineLength, 1);
  if (positions === undefined) {
    const line = length ?? DEFAULT_LINE_LENGTH;
    return { ends: DEFAULT_POSITIONS.map((p) => Math.floor(line * p)), length: line };
  }
  const wrong = (why: string) =>
    new ValueError(
      `Sequential.summary: expected positions to be 4 increasing column ends (layer, input shape, output shape, parameters) or 3 (without the input shape), as fractions of lineLength (e.g. [0.32, 0.61, 0.89, 1]) or character positions (e.g. [30, 55, 80, 90]); ${why}`,
    );
  if (!Array.isArray(positions) || (positions.length !== 3 && positions.length !== 4)) {
    throw wrong(`got ${describe(positions)}`);
  }
  if (positions.some((p) => typeof p !== 'number' || !Number.isFinite(p) || p <= 0)) {
    throw wrong(`got [${positions.map((p) => (typeof p === 'number' ? String(p) : describe(p))).join(', ')}]`);
  }
  if (positions.some((p, i) => i > 0 && p <= positions[i - 1])) throw wrong(`got [${positions.join(', ')}]`);
  const fractions = positions[positions.length - 1] <= 1;
  if (!fractions && positions.some((p) => !Number.isInteger(p))) {
    throw wrong(`got [${positions.join(', ')}], neither all fractions nor all whole numbers`);
  }
  const line = length ?? (fractions ? DEFAULT_LINE_LENGTH : positions[positions.length - 1]);
  return { ends: fractions ? positions.map((p) => Math.floor(line * p)) : positions.slice(), length: line };
}

/** A row of fields, each cut to end at its column (one space kept between columns), as tfjs prints it. */
function fixedRow(fields: string[], ends: number[]): string {
  let line = '';
  fields.forEach((field, i) => {
    if (i > 0) line = `${line.slice(0, -1)} `;
    line = (line + field).slice(0, ends[i]);
    line += ' '.repeat(Math.max(0, ends[i] - line.length));
  });
  return line;
}

/**
 * For a model with quantized layers: which layers compute in int8, and which layers with weights
 * stay in float32 because they have no int8 kernel. Nothing for a float model.
 */
function precisionNotes(layers: readonly Layer[]): string[] {
  const int8 = layers.filter((l) => l.computePrecision === 'int8');
  if (int8.length === 0) return [];
  const named = (l: Layer) => (l.precisionNote ? `${l.name} (${l.precisionNote})` : l.name);
  const notes = [`Int8 layers: ${int8.map(named).join(', ')}`];
  const float = layers.filter((l) => l.computePrecision === 'float32' && l.countParams() > 0);
  if (float.length) notes.push(`Kept in float32 (no int8 kernel): ${float.map((l) => l.name).join(', ')}`);
  return notes;
}

/**
 * Prints a model's summary table as `model.summary` does; the arguments are tfjs's
 * `(lineLength?, positions?, printFn?)`, or a printFn alone.
 */
export function printSummary(model: SummaryModel, lineLength?: unknown, positions?: unknown, printFn?: unknown): void {
  if (typeof lineLength === 'function' && positions === undefined && printFn === undefined) {
    printFn = lineLength;
    lineLength = undefined;
  }
  if (printFn !== undefined && typeof printFn !== 'function') {
    throw new ValueError(`Sequential.summary: expected printFn to be a function, got ${describe(printFn)}`);
  }
  const print = (printFn ?? console.log) as PrintFn;
  const fixed = columnEnds(lineLength, positions);
  const withInput = fixed?.ends.length === TFJS_HEADER.length;
  const header = withInput ? TFJS_HEADER : HEADER;
  const shapeText = (shape: readonly (number | null)[] | null) =>
    shape ? `[${shape.map((d) => d ?? 'null').join(',')}]` : 'unbuilt';
  const rows = model.layers.map((l) => [
    `${l.name} (${l.className})`,
    ...(withInput ? [shapeText(l.inputShape)] : []),
    shapeText(l.outputShape),
    String(l.countParams()),
  ]);
  let line: (cells: string[]) => string;
  let width: number;
  if (fixed) {
    line = (cells) => fixedRow(cells, fixed.ends);
    width = fixed.length;
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
    line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('');
    width = widths.reduce((a, b) => a + b, 0);
  }
  const trainable = model.trainableWeights.reduce((n, w) => n + w.size, 0);
  const total = model.countParams();
  print(`Model: "${model.name}"`);
  print('_'.repeat(width));
  print(line(header));
  print('='.repeat(width));
  rows.forEach((r, i) => {
    print(line(r));
    print((i === rows.length - 1 ? '=' : '_').repeat(width));
  });
  print(`Total params: ${total}`);
  print(`Trainable params: ${trainable}`);
  print(`Non-trainable params: ${total - trainable}`);
  for (const note of precisionNotes(model.layers)) print(note);
  print('_'.repeat(width));
}
