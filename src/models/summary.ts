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
// tfjs's defaults for a sequential model: 65 characters, columns ending at 45%, 85% and 100%
const DEFAULT_LINE_LENGTH = 65;
const DEFAULT_POSITIONS = [0.45, 0.85, 1];

/**
 * Column end positions for tfjs's `summary(lineLength?, positions?, printFn?)`: fractions of the line
 * (all <= 1) or absolute character positions, increasing. Undefined when neither is given (the
 * columns are then as wide as their contents).
 */
function columnEnds(lineLength: unknown, positions: unknown): { ends: number[]; length: number } | undefined {
  if (lineLength === undefined && positions === undefined) return undefined;
  const length = lineLength === undefined ? undefined : checkInt('Sequential.summary', 'lineLength', lineLength, 1);
  if (positions === undefined) {
    const line = length ?? DEFAULT_LINE_LENGTH;
    return { ends: DEFAULT_POSITIONS.map((p) => Math.floor(line * p)), length: line };
  }
  const wrong = (why: string) =>
    new ValueError(
      `Sequential.summary: expected positions to be ${HEADER.length} increasing column ends, as fractions of lineLength (e.g. [0.45, 0.85, 1]) or character positions (e.g. [30, 55, 65]); ${why}`,
    );
  if (!Array.isArray(positions) || positions.length !== HEADER.length) throw wrong(`got ${describe(positions)}`);
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
  const rows = model.layers.map((l) => [
    `${l.name} (${l.className})`,
    l.outputShape ? `[${l.outputShape.map((d) => d ?? 'null').join(',')}]` : 'unbuilt',
    String(l.countParams()),
  ]);
  let line: (cells: string[]) => string;
  let width: number;
  if (fixed) {
    line = (cells) => fixedRow(cells, fixed.ends);
    width = fixed.length;
  } else {
    const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
    line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('');
    width = widths.reduce((a, b) => a + b, 0);
  }
  const trainable = model.trainableWeights.reduce((n, w) => n + w.size, 0);
  const total = model.countParams();
  print(`Model: "${model.name}"`);
  print('_'.repeat(width));
  print(line(HEADER));
  print('='.repeat(width));
  rows.forEach((r, i) => {
    print(line(r));
    print((i === rows.length - 1 ? '=' : '_').repeat(width));
  });
  print(`Total params: ${total}`);
  print(`Trainable params: ${trainable}`);
  print(`Non-trainable params: ${total - trainable}`);
  print('_'.repeat(width));
}
