import { ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import { checkOptionKeys } from '../ops/options.js';
import type { Tensor } from '../ops/tensor.js';
import { checkInt, describe } from '../ops/validate.js';

/** How `parseCsv` and `readCsv` read a table. */
export interface CsvOptions {
  /** The label column: a header name, or a 0-based index (negative counts from the end). Default: the last column. */
  label?: string | number;
  /**
   * Whether the first row names the columns. Default: detected, a header when none of its feature
   * cells is a number, or scikit-learn's first line `rows,features,class names...` (as in its
   * iris.csv and wine_data.csv: the class indices in the last column then name those classes).
   */
  header?: boolean;
  /** The cell separator, one character. Default `','`. */
  delimiter?: string;
}

/** A table split into features and labels. */
export interface ParsedCsv {
  /** Features, float32 [rows, columns - 1]. */
  x: Tensor;
  /**
   * Labels, [rows]: int32 class indices, except for a label column of numbers that are not all
   * integers, which is kept as float32 values (a regression target; `classNames` is then empty).
   */
  y: Tensor;
  /** Names of the feature columns, from the header, else `col0`, `col1`, ... by column index. */
  featureNames: string[];
  /** Name of the label column. */
  labelName: string;
  /** The class of each index in `y`: `'0'`, `'1'`, ... for integer labels, the sorted distinct labels for strings. */
  classNames: string[];
}

/** One non-empty record of the text, with the 1-based line it starts on. */
interface CsvRecord {
  cells: string[];
  line: number;
}

/** Most classes an integer label column may imply (its largest value + 1). */
const MAX_CLASSES = 1 << 20;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a cell holds, or NaN when it is not a plain decimal number. */
function parseNumber(cell: string): number {
  return NUMBER.test(cell) ? Number(cell) : Number.NaN;
}

/**
 * Splits text into records of cells. Quoted cells (`"a, b"`, `""` for a quote) may hold the
 * delimiter and newlines; unquoted cells are trimmed. Blank lines are skipped.
 */
function splitRecords(op: string, text: string, delimiter: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false; // the current cell was quoted
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  const endCell = () => {
    cells.push(quoted ? cell : cell.trim());
    cell = '';
    quoted = false;
  };
  const endRecord = () => {
    endCell();
    out.push({ cells, line: recordLine });
    cells = [];
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch !== '"') {
        if (ch === '\n') line++;
        cell += ch;
      } else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else inQuotes = false;
    } else if (ch === delimiter) endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (cells.length > 0 || quoted || cell.trim() !== '') endRecord();
      else cell = '';
      line++;
      recordLine = line;
    } else if (ch === '"' && !quoted && cell.trim() === '') {
      inQuotes = true;
      quoted = true;
      cell = '';
    } else if (quoted) {
      if (ch.trim() !== '') {
        throw new ValueError(`${op}: line ${line}: unexpected ${JSON.stringify(ch)} after a quoted cell`);
      }
    } else cell += ch;
  }
  if (inQuotes) throw new ValueError(`${op}: line ${recordLine}: a quoted cell is never closed`);
  if (cells.length > 0 || quoted || cell.trim() !== '') endRecord();
  return out;
}

function checkOptions(op: string, options: unknown): Required<Pick<CsvOptions, 'delimiter'>> & CsvOptions {
  const {
    label,
    header,
    delimiter = ',',
  } = checkOptionKeys(op, options, ['label', 'header', 'delimiter']) as CsvOptions;
  if (label !== undefined && typeof label !== 'string' && typeof label !== 'number') {
    throw new ValueError(`${op}: expected label to be a column name or index, got ${describe(label)}`);
  }
  if (header !== undefined && typeof header !== 'boolean') {
    throw new ValueError(`${op}: expected header to be a boolean, got ${describe(header)}`);
  }
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || '"\r\n'.includes(delimiter)) {
    throw new ValueError(
      `${op}: expected delimiter to be one character other than a quote or newline, got ${describe(delimiter)}`,
    );
  }
  if (typeof label === 'string' && header === false) {
    throw new ValueError(
      `${op}: label ${JSON.stringify(label)} names a column, which needs a header (header is false)`,
    );
  }
  return { label, header, delimiter };
}

/**
 * The class names of scikit-learn's layout for its bundled CSV files: a first record
 * `rows,features,name0,name1,...` whose counts match the records after it. Null for other texts.
 */
function sklearnClassNames(records: CsvRecord[]): string[] | null {
  if (records.length < 2) return null;
  const [rows, features, ...names] = records[0].cells;
  const count = /^\d+$/;
  // names, not numbers: a numeric data row that happens to match the counts stays data
  if (names.length === 0 || !count.test(rows) || !count.test(features)) return null;
  if (names.some((name) => name === '' || !Number.isNaN(parseNumber(name)))) return null;
  if (Number(rows) !== records.length - 1 || Number(features) !== records[1].cells.length - 1) return null;
  return names;
}

/** Class indices of the label cells into the names of a scikit-learn first line; throws on any other value. */
function indexLabels(
  op: string,
  cells: string[],
  classNames: string[],
  where: (row: number) => string,
): { y: Tensor; classNames: string[] } {
  const y = cells.map((c, r) => {
    if (!/^\d+$/.test(c) || Number(c) >= classNames.length) {
      throw new ValueError(
        `${op}: ${where(r)}: expected a class index in [0, ${classNames.length}) as the first line names ${classNames.length} classes, got ${JSON.stringify(c)}`,
      );
    }
    return Number(c);
  });
  return { y: fromFlat([cells.length], 'int32', y), classNames: [...classNames] };
}

/** Finds the label column's index from the option, the header and the width. */
function labelColumn(op: string, label: string | number | undefined, names: string[] | null, width: number): number {
  if (label === undefined) return width - 1;
  if (typeof label === 'number') {
    const j = checkInt(op, 'label', label, -width, width - 1);
    return j < 0 ? j + width : j;
  }
  const found = names?.indexOf(label) ?? -1;
  if (found < 0) {
    throw new ValueError(
      `${op}: label column ${JSON.stringify(label)} not found; the columns are ${names?.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  if (names?.indexOf(label, found + 1) !== -1) {
    throw new ValueError(`${op}: label ${JSON.stringify(label)} names more than one column; pass its index instead`);
  }
  return found;
}

/** Turns label cells into int32 class indices (or float32 values) and class names. */
function encodeLabels(
  op: string,
  cells: string[],
  where: (row: number) => string,
): { y: Tensor; classNames: string[] } {
  const nums = cells.map(parseNumber);
  if (nums.every((v) => !Number.isNaN(v))) {
    if (!nums.every(Number.isInteger)) return { y: fromFlat([cells.length], 'float32', nums), classNames: [] };
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of nums) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (lo >= 0) {
      if (hi >= MAX_CLASSES) {
        const row = nums.indexOf(hi);
        throw new ValueError(
          `${op}: ${where(row)}: label ${hi} is too large for a class index (at most ${MAX_CLASSES - 1}); is this the label column?`,
        );
      }
      const classNames = Array.from({ length: hi + 1 }, (_, k) => String(k));
      return { y: fromFlat([cells.length], 'int32', nums), classNames };
    }
    // negative integers: encode the sorted distinct values
    const distinct = [...new Set(nums)].sort((a, b) => a - b);
    const index = new Map(distinct.map((v, k) => [v, k]));
    return {
      y: fromFlat(
        [cells.length],
        'int32',
        nums.map((v) => index.get(v)!),
      ),
      classNames: distinct.map(String),
    };
  }
  const empty = cells.indexOf('');
  if (empty >= 0) throw new ValueError(`${op}: ${where(empty)}: the label is empty`);
  const classNames = [...new Set(cells)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classNames.map((c, k) => [c, k]));
  return {
    y: fromFlat(
      [cells.length],
      'int32',
      cells.map((c) => index.get(c)!),
    ),
    classNames,
  };
}

/** @internal `parseCsv` with the op name that error messages start with. */
export function parseCsvAs(op: string, text: string, options: CsvOptions = {}): ParsedCsv {
  if (typeof text !== 'string')
    throw new ValueError(`${op}: expected the CSV text to be a string, got ${describe(text)}`);
  const { label, header, delimiter } = checkOptions(op, options);
  const records = splitRecords(op, text, delimiter);
  if (records.length === 0) throw new ValueError(`${op}: the CSV text has no rows`);
  const sklearnNames = header === false ? null : sklearnClassNames(records);
  const first = sklearnNames ? records[1] : records[0];
  const width = first.cells.length;
  if (width < 2) {
    throw new ValueError(
      `${op}: line ${first.line}: expected at least 2 columns (features and a label), got 1; is the delimiter ${JSON.stringify(delimiter)} right?`,
    );
  }
  let hasHeader = header ?? typeof label === 'string';
  if (header === undefined && !hasHeader && !sklearnNames) {
    const j = labelColumn(op, label, null, width);
    hasHeader = first.cells.every((c, k) => k === j || Number.isNaN(parseNumber(c)));
  }
  const names = hasHeader && !sklearnNames ? first.cells : first.cells.map((_, k) => `col${k}`);
  const labelIndex = labelColumn(op, label, names, width);
  if (sklearnNames && labelIndex !== width - 1) {
    throw new ValueError(
      `${op}: the first line names classes as scikit-learn's files do, so the label is the last column; got label ${JSON.stringify(label)}`,
    );
  }
  const rows = hasHeader || sklearnNames ? records.slice(1) : records;
  if (rows.length === 0) throw new ValueError(`${op}: the CSV text has a header but no data rows`);

  const featureColumns = names.map((_, k) => k).filter((k) => k !== labelIndex);
  const column = (k: number) => `column ${JSON.stringify(names[k])} (index ${k})`;
  const where = (r: number) => `row ${r + 1} (line ${rows[r].line})`;
  const nf = featureColumns.length;
  const x = new Float32Array(rows.length * nf);
  const labels: string[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const cells = rows[r].cells;
    if (cells.length !== width) {
      throw new ValueError(
        `${op}: ${where(r)} has ${cells.length} cells, expected ${width} like the ${hasHeader && !sklearnNames ? 'header' : 'first row'}`,
      );
    }
    for (let f = 0; f < nf; f++) {
      const k = featureColumns[f];
      const v = parseNumber(cells[k]);
      if (Number.isNaN(v)) {
        const hint =
          r === 0 && !hasHeader && header === undefined ? ' (if the first row is a header, pass header: true)' : '';
        throw new ValueError(
          `${op}: ${where(r)}, ${column(k)}: expected a number, got ${JSON.stringify(cells[k])}${hint}`,
        );
      }
      x[r * nf + f] = v;
    }
    labels[r] = cells[labelIndex];
  }
  const labelWhere = (r: number) => `${where(r)}, ${column(labelIndex)}`;
  const { y, classNames } = sklearnNames
    ? indexLabels(op, labels, sklearnNames, labelWhere)
    : encodeLabels(op, labels, labelWhere);
  return {
    x: fromFlat([rows.length, nf], 'float32', x),
    y,
    featureNames: featureColumns.map((k) => names[k]),
    labelName: names[labelIndex],
    classNames,
  };
}

/**
 * Parses CSV text into a float32 feature matrix `x` [rows, features] and a label vector `y`.
 * Integer labels (0, 1, 2, ...) are class indices; string labels are encoded as indices into their
 * sorted distinct values (`classNames`). Blank lines are skipped, cells are trimmed, quoted cells
 * may hold the delimiter. A ragged row or a feature cell that is not a number throws a ValueError
 * naming the 1-based data row, its line, and the column's name and index.
 *
 * @example
 * const { x, y, classNames } = nn.data.parseCsv('a,b,kind\n1,2,cat\n3,4,dog\n');
 */
export function parseCsv(text: string, options: CsvOptions = {}): ParsedCsv {
  return parseCsvAs('parseCsv', text, options);
}
