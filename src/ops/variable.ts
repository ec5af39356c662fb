import { copy } from '../backend/kernels/elementwise.js';
import { hostStep, isRecording, undoIfRecordingFails } from '../backend/trace.js';
import { DTypeError, formatShape, ShapeError, ValueError } from '../errors.js';
import { PackedMatrix } from './packed-matrix.js';
import { Tensor } from './tensor.js';
import { checkTensor, describe, sameShape } from './validate.js';

// Weak, so that a model dropped without dispose() can be collected and the tensor backstop
// (FinalizationRegistry) frees its weights; the entry of a collected variable is dropped with it.
const registry = new Map<string, WeakRef<Variable>>();
const collected = new FinalizationRegistry<string>((name) => {
  if (registry.get(name)?.deref() === undefined) registry.delete(name);
});
let unnamed = 0;

/** The live (not collected, not disposed) variable of that name, pruning a dead entry. */
function liveVariable(name: string): Variable | undefined {
  const v = registry.get(name)?.deref();
  if (v && !v.isDisposed) return v;
  registry.delete(name);
  return undefined;
}

/**
 * A mutable tensor: its values change through `assign` (and optimizers), never through tidy.
 * Trainable variables are what `variableGrads` differentiates by default.
 */
export class Variable extends Tensor {
  /** Unique name. */
  readonly name: string;
  /** Whether optimizers and `variableGrads` consider it. */
  trainable: boolean;
  /**
   * @internal Counts the writes of the values (assign, optimizer updates): copies derived from them
   * (the packed matrix) compare it to know they are stale.
   */
  version = 0;
  private packed: PackedMatrix | null = null;

  /** @internal Use `nn.variable(initialValue)`. */
  constructor(initial: Tensor, trainable: boolean, name: string) {
    if (isRecording()) {
      throw new ValueError(
        `variable "${name}": cannot be made while a pass is traced (in a layer's call); make weights in createWeights with addWeight`,
      );
    }
    super(initial.shape, initial.dtype, false);
    copy(initial.ptr(), this.ptr(), this.size);
    this.trainable = trainable;
    this.name = name;
    registry.set(name, new WeakRef(this));
    collected.register(this, name, this);
  }

  /**
   * Replaces the values with those of `value`, which must have the same shape (ShapeError) and
   * dtype (DTypeError), as in TensorFlow.js.
   */
  assign(value: Tensor): void {
    const op = `Variable "${this.name}".assign`;
    checkTensor(op, 'value', value);
    this.ptr(op);
    if (!sameShape(value.shape, this.shape)) {
      throw new ShapeError(
        `${op}: expected value of shape ${formatShape(this.shape)} (the variable's shape), got ${formatShape(value.shape)}`,
      );
    }
    if (value.dtype !== this.dtype) {
      throw new DTypeError(`${op}: expected value of dtype ${this.dtype} (the variable's dtype), got ${value.dtype}`);
    }
    // a kernel copy: a layer that assigns in its call is replayed with the new values
    copy(value.ptr(op), this.ptr(op), this.size);
    this.markWritten();
  }

  /**
   * @internal Notes that the values were written (by a kernel the caller ran): bumps `version`, and
   * again at every replay when a trace is being recorded. Every writer of a variable calls it.
   */
  markWritten(): void {
    if (isRecording()) hostStep(() => this.version++);
    else this.version++;
  }

  /**
   * @internal The values of this [k, n] float32 variable packed for `gemmPacked` (inference), made on
   * first use; call its `refresh` before reading it (a host step, in a trace), which re-packs it when
   * the values changed. Freed with the variable.
   */
  packedMatrix(): PackedMatrix {
    if (this.packed?.generation === this.generation) return this.packed;
    const packed = new PackedMatrix(this);
    this.packed = packed;
    // a failed first call leaves memory as it was
    undoIfRecordingFails(() => {
      packed.free();
      if (this.packed === packed) this.packed = null;
    });
    return packed;
  }

  override dispose(): void {
    this.packed?.free();
    this.packed = null;
    collected.unregister(this);
    if (registry.get(this.name)?.deref() === this) registry.delete(this.name);
    super.dispose();
  }
}

/** Makes a variable holding a copy of `initialValue`. Names must be unique among live variables. */
export function variable(initialValue: Tensor, trainable = true, name?: string): Variable {
  checkTensor('variable', 'initialValue', initialValue);
  if (typeof trainable !== 'boolean') {
    throw new ValueError(`variable: expected trainable to be a boolean, got ${describe(trainable)}`);
  }
  let n = name;
  if (n === undefined) {
    do n = `variable_${unnamed++}`;
    while (liveVariable(n));
  } else if (typeof n !== 'string' || n.length === 0) {
    throw new ValueError(`variable: expected name to be a non-empty string, got ${describe(name)}`);
  } else if (liveVariable(n)) {
    throw new ValueError(`variable: a variable named "${n}" already exists`);
  }
  return new Variable(initialValue, trainable, n);
}

/** The live trainable variables, in creation order. */
export function trainableVariables(): Variable[] {
  const out: Variable[] = [];
  for (const name of [...registry.keys()]) {
    const v = liveVariable(name);
    if (v?.trainable) out.push(v);
  }
  return out;
}
