import { SPARSE_MODE, type SparseScratch, sparseUpdate } from '../backend/kernels/optimizers.js';
import { formatShape, ShapeError, ValueError } from '../errors.js';
import { clone, fill } from '../ops/create.js';
import { keep } from '../ops/engine.js';
import { variableGrads } from '../ops/gradients.js';
import { isRowSparse, type RowSparse, rowSizeOf } from '../ops/row-sparse.js';
import { isTensor, Tensor } from '../ops/tensor.js';
import { checkFloat, checkTensor, describe } from '../ops/validate.js';
import { trainableVariables, type Variable } from '../ops/variable.js';
import { isSchedule, type LearningRateSchedule } from './schedules.js';

/** Checks a hyperparameter: a finite number within [min, max] (exclusive bounds where stated). */
export function checkHyper(
  op: string,
  arg: string,
  v: unknown,
  min: number,
  max = Infinity,
  minExclusive = false,
): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max;
  if (!ok) {
    const range = `${minExclusive ? '>' : '>='} ${min}${max === Infinity ? '' : ` and <= ${max}`}`;
    throw new ValueError(`${op}: expected ${arg} to be a number ${range}, got ${describe(v)}`);
  }
  return v as number;
}

/** Checks a flag: true or false (a string such as 'false' is not read as true). */
export function checkFlag(op: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ValueError(`${op}: expected ${arg} to be true or false, got ${describe(v)}`);
  return v;
}

/** What `sparseUpdate` runs for an optimizer: its dense kernel and that kernel's arguments after n. */
export interface SparseKernel {
  kind: number;
  params: number[];
  flags?: number[];
}

/** The scratch of a variable's row-sparse updates: map (rows), and blocks sized for `capacity` indices. */
interface SparseState {
  tensors: Tensor[];
  scratch: SparseScratch;
  capacity: number;
}

/**
 * Base of the optimizers: keeps per-variable state tensors and applies one in-place kernel per
 * variable. A row-sparse gradient (an embedding's, from fit) updates the weights as its dense form
 * would (bit for bit), without making the dense form; Adam can instead update only the rows present
 * (`lazy`). `fit` calls `applyGradientList` with the gradients a train step left in its buffers; users call
 * `minimize` or `applyGradients` with tensors, as in TensorFlow.js.
 */
export abstract class Optimizer {
  /** Keras class name. */
  abstract readonly className: string;
  /** Current learning rate; schedules and callbacks may change it between steps. */
  learningRate: number;
  /** The step-based schedule that sets the learning rate before each step, if one was given. */
  readonly schedule: LearningRateSchedule | null;
  /** Number of update steps taken. */
  iterations = 0;
  // each variable's state tensors, with their pointers cached for the per-step update
  private readonly state = new Map<Variable, { tensors: Tensor[]; pointers: number[] }>();
  private spec: Readonly<{ count: number; initial: number }> | null = null;
  private readonly sparseState = new Map<Variable, SparseState>();

  constructor(learningRate: number | LearningRateSchedule, op: string) {
    if (isSchedule(learningRate)) {
      if (learningRate.unit !== 'step') {
        throw new ValueError(
          `${op}: an optimizer takes a per-step schedule; give ${learningRate.className} to callbacks.learningRateScheduler`,
        );
      }
      this.schedule = learningRate;
      this.learningRate = learningRate.at(0);
      return;
    }
    this.schedule = null;
    this.learningRate = checkHyper(op, 'learningRate', learningRate, 0, Infinity, true);
  }

  /** How many state slots one variable needs, and their initial value. */
  protected abstract slots(): { count: number; initial: number };

  /** Applies the update of one variable; `step` is 1-based. */
  protected abstract update(w: number, g: number, slots: number[], n: number, step: number): void;

  /** The dense kernel and arguments of the update of a row-sparse gradient at `step` (1-based). */
  protected abstract sparseKernel(step: number): SparseKernel;

  /**
   * Which rows a row-sparse gradient updates: every row, as its dense form would (`dense`, the
   * default), only those present (`lazy`), or the blocks holding them (`blocks`: for SGD, where a
   * zero gradient changes nothing).
   */
  protected sparseMode(): keyof typeof SPARSE_MODE {
    return 'dense';
  }

  /** Keras config (for model files). */
  abstract getConfig(): Record<string, unknown>;

  /** The pointers of a variable's state tensors, made (and cached) on its first update. */
  private slotsOf(v: Variable): number[] {
    const s = this.state.get(v);
    if (s) return s.pointers;
    const { count, initial } = this.slotSpec;
    // state outlives any tidy scope the update runs in (e.g. fit's tape step)
    const tensors = Array.from({ length: count }, () => keep(fill([...v.shape], initial)));
    return this.setState(v, tensors);
  }

  /** Replaces a variable's state (freeing the old one) and returns the new pointers. */
  private setState(v: Variable, tensors: Tensor[]): number[] {
    const old = this.state.get(v);
    if (old) for (const t of old.tensors) t.dispose();
    const pointers = tensors.map((t) => t.ptr());
    this.state.set(v, { tensors, pointers });
    return pointers;
  }

  /** Starts an update step (advances the step counter used by Adam's bias correction). */
  beginStep(): void {
    if (this.schedule) this.learningRate = this.schedule.at(this.iterations);
    this.iterations++;
  }

  /** Updates one variable in place from a gradient block of the same size (internal, unchecked). */
  updateRaw(v: Variable, gradPtr: number): void {
    this.update(v.ptr(), gradPtr, this.slotsOf(v), v.size, this.iterations);
    v.markWritten();
  }

  /**
   * Updates one variable in place from a row-sparse gradient (internal, unchecked): the rows of
   * repeated indices are summed in order of occurrence, then each weight gets the dense kernel's
   * arithmetic with its row's sum (or 0), for the rows `sparseMode` selects.
   */
  updateSparseRaw(v: Variable, g: RowSparse): void {
    const slots = this.slotsOf(v);
    const rows = v.shape[0];
    const rowSize = rowSizeOf(g);
    const { scratch } = this.sparseScratchOf(v, rows, rowSize, g.indices.size);
    const { kind, params, flags } = this.sparseKernel(this.iterations);
    const mode = SPARSE_MODE[this.sparseMode()];
    sparseUpdate(
      kind,
      mode,
      v.ptr(),
      slots,
      g.indices.ptr(),
      g.values.ptr(),
      g.indices.size,
      rows,
      rowSize,
      scratch,
      params,
      flags,
    );
    v.markWritten();
  }

  /** A variable's sparse-update scratch, made on first use and remade only for more indices than ever before. */
  private sparseScratchOf(v: Variable, rows: number, rowSize: number, count: number): SparseState {
    const had = this.sparseState.get(v);
    if (had && had.capacity >= count) return had;
    const capacity = Math.max(count, had?.capacity ?? 0);
    // dense-mode blocks of about 1024 values, a multiple of 4 rows (4-lane groups start on a row)
    const blockRows = Math.max(4, Math.floor(1024 / Math.max(rowSize, 1) / 4) * 4);
    const map = had?.tensors[0] ?? keep(fill([rows], 0, 'int32'));
    const made: Tensor[] = [];
    try {
      made.push(keep(new Tensor([Math.max(capacity, 1)], 'int32', false)));
      made.push(keep(new Tensor([Math.max(capacity * rowSize, 1)], 'float32', false)));
      made.push(keep(new Tensor([blockRows * Math.max(rowSize, 1)], 'float32', false)));
    } catch (e) {
      for (const t of made) t.dispose();
      if (!had) map.dispose();
      throw e;
    }
    if (had) for (const t of had.tensors.slice(1)) t.dispose();
    const [uniq, accum, block] = made;
    const state: SparseState = {
      tensors: [map, ...made],
      scratch: { map: map.ptr(), uniq: uniq.ptr(), accum: accum.ptr(), block: block.ptr(), blockRows },
      capacity,
    };
    this.sparseState.set(v, state);
    return state;
  }

  /** Applies gradients given by variable name (as `variableGrads` returns them) or as a list. */
  applyGradients(grads: Record<string, Tensor> | Array<{ name: string; tensor: Tensor }>): void {
    const list = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    const byName = new Map(trainableVariables().map((v) => [v.name, v]));
    const pairs = list.map(({ name, tensor }) => {
      const v = byName.get(name);
      if (!v) throw new ValueError(`${this.className}.applyGradients: no trainable variable named "${name}"`);
      checkTensor(`${this.className}.applyGradients`, `gradient of "${name}"`, tensor);
      checkFloat(`${this.className}.applyGradients`, `gradient of "${name}"`, tensor);
      if (tensor.size !== v.size || tensor.rank !== v.rank || tensor.shape.some((d, i) => d !== v.shape[i])) {
        throw new ShapeError(
          `${this.className}.applyGradients: gradient of "${name}" has shape ${formatShape(tensor.shape)}, the variable ${formatShape(v.shape)}`,
        );
      }
      return { v, g: tensor };
    });
    this.beginStep();
    for (const { v, g } of pairs) this.updateRaw(v, g.ptr());
  }

  /**
   * @internal One update step of `variables` with their gradients in the same order (fit: no
   * lookup among all variables, no checks; the gradients may be a trace's buffers).
   */
  applyGradientList(variables: readonly Variable[], gradients: ReadonlyArray<Tensor | RowSparse>): void {
    this.beginStep();
    for (let i = 0; i < variables.length; i++) {
      const g = gradients[i];
      if (isRowSparse(g)) this.updateSparseRaw(variables[i], g);
      else this.updateRaw(variables[i], g.ptr());
    }
  }

  /**
   * Computes the gradients of the scalar `f()` with respect to `varList` (default: every trainable
   * variable), applies them, and returns the cost if asked.
   */
  minimize(f: () => Tensor, returnCost = false, varList?: Variable[]): Tensor | null {
    const { value, grads } = variableGrads(f, varList);
    try {
      this.applyGradients(grads);
    } finally {
      for (const g of Object.values(grads)) g.dispose();
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  /** Frees the state tensors. */
  dispose(): void {
    for (const { tensors } of this.state.values()) for (const t of tensors) t.dispose();
    this.state.clear();
    for (const { tensors } of this.sparseState.values()) for (const t of tensors) t.dispose();
    this.sparseState.clear();
  }

  /** Forgets the state of variables that were disposed (called by models when they change). */
  pruneState(): void {
    for (const [v, { tensors }] of this.state) {
      if (v.isDisposed) {
        for (const t of tensors) t.dispose();
        this.state.delete(v);
      }
    }
    for (const [v, { tensors }] of this.sparseState) {
      if (v.isDisposed) {
        for (const t of tensors) t.dispose();
        this.sparseState.delete(v);
      }
    }
  }

  /** The state tensors of a variable, if any (for saving optimizer state); the optimizer owns them. */
  getSlots(v: Variable): readonly Tensor[] | undefined {
    return this.state.get(v)?.tensors;
  }

  /** How many state tensors each variable has, and their starting value (for saving state). */
  get slotSpec(): Readonly<{ count: number; initial: number }> {
    this.spec ??= Object.freeze(this.slots());
    return this.spec;
  }

  /** Replaces the state of a variable with copies of `values` (float32, the variable's shape), to resume training. */
  setSlots(v: Variable, values: readonly Tensor[]): void {
    const op = `${this.className}.setSlots`;
    const { count } = this.slotSpec;
    if (!Array.isArray(values) || values.length !== count) {
      throw new ValueError(`${op}: expected ${count} state tensors for "${v.name}", got ${describe(values)}`);
    }
    for (const t of values) {
      checkTensor(op, 'values', t);
      if (
        t.dtype !== 'float32' ||
        t.size !== v.size ||
        t.rank !== v.rank ||
        t.shape.some((d: number, i: number) => d !== v.shape[i])
      ) {
        throw new ShapeError(`${op}: state of "${v.name}" must be float32 ${formatShape(v.shape)}, got ${describe(t)}`);
      }
    }
    const copies = values.map((t) => keep(clone(t)));
    this.setState(v, copies);
  }
}

/** Whether a value is an optimizer. */
export function isOptimizer(v: unknown): v is Optimizer {
  return v instanceof Optimizer && !isTensor(v);
}
