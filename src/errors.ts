/** Base class of every error neurasm throws on purpose; catch this to catch them all. */
export class NeurasmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor's shape does not fit what an op or layer expects. */
export class ShapeError extends NeurasmError {}

/** A tensor's dtype does not fit what an op expects. */
export class DTypeError extends NeurasmError {}

/** An argument has the wrong type or an invalid value (NaN, out of range, unknown name, ...). */
export class ValueError extends NeurasmError {}

/** A disposed tensor was used again. */
export class DisposedError extends NeurasmError {}

/** The backend is not ready, or the platform lacks a feature it needs. */
export class BackendError extends NeurasmError {}

/** Training stopped because the loss is no longer a finite number. */
export class DivergenceError extends NeurasmError {}

/** Formats a shape the way messages show it: `[32, 10]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
