import { datasetNames, loadDataset } from '../datasets/index.js';
import * as nn from '../index.js';
import { UsageError } from './args.js';

/** The examples `npm start` trains on. The caller owns `x` and `y`. */
export interface CliData {
  x: nn.Tensor;
  y: nn.Tensor;
  numClasses: number;
  classNames: string[];
  /** The name of each feature column. */
  featureNames: string[];
  /** What to print after "data:". */
  label: string;
}

/**
 * Why the label column of a parsed CSV cannot be used for classification, or null when it can:
 * it must hold class names or integer classes, and at least two distinct ones.
 */
export function labelProblem(csv: nn.data.ParsedCsv): string | null {
  const column = `the label column ${JSON.stringify(csv.labelName)}`;
  const values = csv.y.dataSync();
  if (csv.y.dtype !== 'int32') {
    const row = values.findIndex((v) => !Number.isInteger(v));
    return `${column} has non-integer values (e.g. ${values[row]} at row ${row + 1}); classification needs class names or integer classes: is it the label column? Choose another with --label`;
  }
  const present = [...new Set(values)];
  if (present.length < 2) {
    return `${column} has one class (${csv.classNames[present[0]]}); classification needs at least 2`;
  }
  return null;
}

/** Loads `--data`: an embedded data set by name, or a CSV file with `--label` as its label column. */
export async function loadData(data: string, label: string | number | null): Promise<CliData> {
  if ((datasetNames as readonly string[]).includes(data)) {
    if (label !== null) throw new UsageError(`--label applies to a CSV file, not to the built-in data set "${data}"`);
    const ds = await loadDataset(data as (typeof datasetNames)[number]);
    return {
      x: ds.x,
      y: ds.y,
      numClasses: ds.numClasses,
      classNames: ds.classNames,
      featureNames: ds.featureNames,
      label: `${ds.name} (${ds.description})`,
    };
  }
  if (!data.toLowerCase().endsWith('.csv')) {
    throw new UsageError(`--data: expected one of ${datasetNames.join(', ')} or a .csv file, got "${data}"`);
  }
  const csv = await nn.data.readCsv(data, label === null ? {} : { label });
  const problem = labelProblem(csv);
  if (problem !== null) {
    nn.dispose([csv.x, csv.y]);
    throw new nn.ValueError(`--data ${data}: ${problem}`);
  }
  return {
    x: csv.x,
    y: csv.y,
    numClasses: csv.classNames.length,
    classNames: csv.classNames,
    featureNames: csv.featureNames,
    label: `${data} (label column ${JSON.stringify(csv.labelName)})`,
  };
}
