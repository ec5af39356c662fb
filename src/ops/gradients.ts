import { formatShape, ShapeError, ValueError } from '../errors.js';
import { add } from './arithmetic.js';
import { clone, onesLike, zerosLike } from './create.js';
import { tidy } from './engine.js';
import { concatFlat, densify, isRowSparse, ownRowSparse, type RowSparse, rowSparse } from './row-sparse.js';
import { type Tape, withoutTape, withTape } from './tape.js';
import { isTensor, type Tensor } from './tensor.js';
import { checkFloat, checkTensor, describe, sameShape } from './validate.js';
import { trainableVariables, type Variable } from './variable.js';

/**
 * Walks the tape backwards from `y` and returns d(sum(y·dy))/d(source) for every source: a dense
 * tensor, or for a source in `sparseFor` a row-sparse gradient when every contribution to it is
 * row-sparse (gathered rows of a table).
 */
function backprop(
  tape: Tape,
  y: Tensor,
  sources: readonly Tensor[],
  dy: Tensor | undefined,
  sparseFor: ReadonlySet<Tensor> = new Set(),
): Array<Tensor | RowSparse> {
  return withoutTape(() => {
    const gradOf = new Map<number, Tensor | RowSparse>();
    gradOf.set(y.id, dy ?? onesLike(y));
    for (let i = tape.nodes.length - 1; i >= 0; i--) {
      const node = tape.nodes[i];
      const held = gradOf.get(node.output.id);
      if (!held) continue;
      const g = isRowSparse(held) ? densify(held) : held;
      const inputGrads = node.backward(
        g,
        node.inputs.map((t) => tape.isTracked(t)),
      );
      node.inputs.forEach((input, j) => {
        const gi = inputGrads[j];
        if (!gi || !tape.isTracked(input)) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new ShapeError(
            `internal error: gradient of shape ${formatShape(gi.shape)} for an input of shape ${formatShape(input.shape)}`,
          );
        }
        const prev = gradOf.get(input.id);
        gradOf.set(input.id, prev ? addGradients(prev, gi) : gi);
      });
    }
    // Every gradient handed out is a tensor of its own (never an input, dy, or another gradient).
    const handedOut = new Set<Tensor>([y, ...sources, ...(dy ? [dy] : [])]);
    return sources.map((s) => {
      const held = gradOf.get(s.id);
      if (held && isRowSparse(held)) {
        if (!sparseFor.has(s)) {
          const dense = densify(held);
          handedOut.add(dense);
          return dense;
        }
        const own = ownRowSparse(held, handedOut);
        handedOut.add(own.values);
        return own;
      }
      let g = held ?? zerosLike(s);
      if (handedOut.has(g)) g = clone(g);
      handedOut.add(g);
      return g;
    });
  });
}

/** The sum of two gradients of the same tensor: rows concatenated, or dense when either is. */
function addGradients(a: Tensor | RowSparse, b: Tensor | RowSparse): Tensor | RowSparse {
  if (isRowSparse(a) && isRowSparse(b)) {
    return rowSparse(a.shape, concatFlat(a.indices, b.indices), concatFlat(a.values, b.values));
  }
  return add(isRowSparse(a) ? densify(a) : a, isRowSparse(b) ? densify(b) : b);
}

function checkFn(op: string, f: unknown): void {
  if (typeof f !== 'function') throw new ValueError(`${op}: expected a function, got ${describe(f)}`);
}

function checkResult(op: string, y: unknown): Tensor {
  if (!isTensor(y)) throw new ValueError(`${op}: the function must return a Tensor, got ${describe(y)}`);
  checkFloat(op, 'the function result', y);
  return y;
}

function checkDy(op: string, dy: Tensor | undefined, y: Tensor): void {
  if (dy === undefined) return;
  checkTensor(op, 'dy', dy);
  if (!sameShape(dy.shape, y.shape)) {
    throw new ShapeError(
      `${op}: expected dy of shape ${formatShape(y.shape)} (the result's), got ${formatShape(dy.shape)}`,
    );
  }
}

/** Runs `f` on a fresh tape watching `sources`, then backpropagates; intermediates are freed. */
function valueAndGradients(
  op: string,
  f: () => unknown,
  sources: readonly Tensor[],
  dy: Tensor | undefined,
): { value: Tensor; grads: Tensor[] } {
  return valueAndSomeSparse(op, f, sources, dy, new Set()) as { value: Tensor; grads: Tensor[] };
}

/** valueAndGradients, where the gradients of sources in `sparseFor` may be row-sparse. */
function valueAndSomeSparse(
  op: string,
  f: () => unknown,
  sources: readonly Tensor[],
  dy: Tensor | undefined,
  sparseFor: ReadonlySet<Tensor>,
): { value: Tensor; grads: Array<Tensor | RowSparse> } {
  sources.forEach((s, i) => {
    checkTensor(op, `x[${i}]`, s);
    checkFloat(op, `x[${i}]`, s);
  });
  return tidy(() =>
    withTape((tape) => {
      for (const s of sources) tape.watch(s);
      const value = checkResult(op, f());
      checkDy(op, dy, value);
      return { value, grads: backprop(tape, value, sources, dy, sparseFor) };
    }),
  );
}

/** d f(x) / dx: returns a function of (x, dy?) giving a tensor of x's shape. */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor {
  checkFn('grad', f);
  return (x, dy) => {
    const { value, grads } = valueAndGradients('grad', () => f(x), [x], dy);
    if (value !== x) value.dispose();
    return grads[0];
  };
}

/** Gradients of f with respect to each of its arguments. */
export function grads(f: (...args: Tensor[]) => Tensor): (args: Tensor[], dy?: Tensor) => Tensor[] {
  checkFn('grads', f);
  return (args, dy) => {
    if (!Array.isArray(args)) throw new ValueError(`grads: expected an array of tensors, got ${describe(args)}`);
    const { value, grads: g } = valueAndGradients('grads', () => f(...args), args, dy);
    if (!args.includes(value)) value.dispose();
    return g;
  };
}

/** Like `grad`, also returning f(x). */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => { value: Tensor; grad: Tensor } {
  checkFn('valueAndGrad', f);
  return (x, dy) => {
    const { value, grads: g } = valueAndGradients('valueAndGrad', () => f(x), [x], dy);
    return { value, grad: g[0] };
  };
}

/** Like `grads`, also returning f(...args). */
export function valueAndGrads(
  f: (...args: Tensor[]) => Tensor,
): (args: Tensor[], dy?: Tensor) => { value: Tensor; grads: Tensor[] } {
  checkFn('valueAndGrads', f);
  return (args, dy) => {
    if (!Array.isArray(args))
      throw new ValueError(`valueAndGrads: expected an array of tensors, got ${describe(args)}`);
    return valueAndGradients('valueAndGrads', () => f(...args), args, dy);
  };
}

/**
 * Gradients of the scalar f() with respect to variables (all trainable ones by default), keyed by
 * variable name. The result must be a scalar.
 */
export function variableGrads(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  const op = 'variableGrads';
  checkFn(op, f);
  const vars = varList ?? trainableVariables();
  if (!Array.isArray(vars) || vars.length === 0) {
    throw new ValueError(`${op}: there are no variables to differentiate (pass varList or make trainable variables)`);
  }
  const { value, grads: g } = valueAndGradients(
    op,
    () => {
      const y = checkResult(op, f());
      if (y.rank !== 0) throw new ShapeError(`${op}: f must return a scalar, got shape ${formatShape(y.shape)}`);
      return y;
    },
    vars,
    undefined,
  );
  const out: Record<string, Tensor> = {};
  vars.forEach((v, i) => {
    out[v.name] = g[i];
  });
  return { value, grads: out };
}

/**
 * @internal The model's train pass: f() (a scalar) and its gradients for `vars` in their order, where
 * the gradient of a variable in `sparseFor` is row-sparse when it only reaches the variable through
 * gathered rows (an embedding's table without a penalty), else dense.
 */
export function valueAndVariableGrads(
  f: () => Tensor,
  vars: readonly Variable[],
  sparseFor: ReadonlySet<Variable>,
): { value: Tensor; grads: Array<Tensor | RowSparse> } {
  return valueAndSomeSparse('variableGrads', f, vars, undefined, sparseFor);
}
