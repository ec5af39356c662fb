/**
 * Messages between `fitInWorker` (main thread) and `serveFit` (worker). Every message carries
 * `neurasm: <kind>` and the request id, so a worker can run other traffic beside it.
 * @module
 */
import {
  BackendError,
  DisposedError,
  DivergenceError,
  DTypeError,
  NeurasmError,
  ShapeError,
  ValueError,
} from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { tensor } from '../ops/create.js';
import { type DType, isTensor, type Tensor } from '../ops/tensor.js';
import { CALLBACK_HOOKS, type Logs } from '../training/callbacks.js';

/** What `serveFit` needs of the worker's global scope (`self` in a Web Worker). */
export interface WorkerScope {
  // transfer: Transferable[] in a browser, named without that DOM type so Node projects type-check
  postMessage(message: unknown, transfer?: object[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/**
 * Builds a compiled model for one fit that `fitInWorker` asks for, from the `init` value it was
 * given. It runs in the worker, so it is also where `await nn.ready(...)` and `nn.setSeed(...)` go.
 */
export type ModelBuilder = (init: unknown) => Sequential | Promise<Sequential>;

/** The worker failed outside of `fit`: it threw an uncaught error, or a message could not be read. */
export class WorkerError extends NeurasmError {}

/** A tensor's values in plain form, as posted between threads (structured-cloneable). */
export interface TensorData {
  shape: number[];
  dtype: DType;
  data: Float32Array | Int32Array | Uint8Array;
}

/** The callback hooks a worker fit reports back. */
export const HOOKS = CALLBACK_HOOKS;

/** One of HOOKS. */
export type Hook = (typeof HOOKS)[number];

/** Main thread -> worker: train. */
export interface FitRequest {
  neurasm: 'fit';
  id: number;
  /** Whatever the caller passed as `init`, for the worker's model builder. */
  init: unknown;
  x: unknown;
  y: unknown;
  validationData?: [unknown, unknown];
  /** fit arguments without callbacks and validationData. */
  args: Record<string, unknown>;
  /** The hooks the main thread listens to. */
  hooks: Hook[];
}

/** Main thread -> worker: end the fit after the current batch (as `model.stopTraining = true`). */
export interface StopRequest {
  neurasm: 'stop';
  id: number;
}

/** Worker -> main thread: a callback fired. */
export interface LogMessage {
  neurasm: 'log';
  id: number;
  hook: Hook;
  /** Epoch or batch index (absent for onTrainBegin/onTrainEnd). */
  index?: number;
  logs?: Logs;
}

/** Worker -> main thread: the fit finished. */
export interface DoneMessage {
  neurasm: 'done';
  id: number;
  history: { epoch: number[]; history: Record<string, number[]>; params: Record<string, unknown> };
  weights: TensorData[];
}

/** Worker -> main thread: the fit threw. */
export interface ErrorMessage {
  neurasm: 'error';
  id: number;
  name: string;
  message: string;
  stack?: string;
}

/** A message of this protocol. */
export type Message = FitRequest | StopRequest | LogMessage | DoneMessage | ErrorMessage;

/** Whether `v` is a message of this protocol. */
export function isMessage(v: unknown): v is Message {
  return v !== null && typeof v === 'object' && typeof (v as { neurasm?: unknown }).neurasm === 'string';
}

/** A copy of a tensor's values, or of each tensor's in a list (a tensor's memory cannot cross threads); other data goes as it is. */
export function toTransferable(v: unknown): unknown {
  if (Array.isArray(v) && v.some(isTensor)) return v.map(toTransferable);
  if (!isTensor(v)) return v;
  return { shape: [...v.shape], dtype: v.dtype, data: v.dataSync<typeof v.dtype>() } satisfies TensorData;
}

/** Whether `v` looks like a TensorData. */
export function isTensorData(v: unknown): v is TensorData {
  if (v === null || typeof v !== 'object') return false;
  const t = v as Partial<TensorData>;
  return (
    Array.isArray(t.shape) &&
    (t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool') &&
    ArrayBuffer.isView(t.data)
  );
}

/** A tensor made from a TensorData (other data is returned as it is); `owned` collects new tensors. */
export function fromTransferable(v: unknown, owned: Tensor[]): unknown {
  if (Array.isArray(v) && v.some(isTensorData)) return v.map((e) => fromTransferable(e, owned));
  if (!isTensorData(v)) return v;
  const t = tensor(v.data, v.shape, v.dtype);
  owned.push(t);
  return t;
}

/** The error classes that keep their type across the thread boundary. */
const ERRORS = new Map<string, new (message: string) => Error>(
  Object.entries({ NeurasmError, ShapeError, DTypeError, ValueError, DisposedError, BackendError, DivergenceError }),
);

/** The message that reports error `e` of request `id` to the main thread. */
export function errorMessage(id: number, e: unknown): ErrorMessage {
  const error = e instanceof Error ? e : new Error(String(e));
  return { neurasm: 'error', id, name: error.name, message: error.message, stack: error.stack };
}

/** The error an ErrorMessage describes, as the same neurasm error class where it is one. */
export function errorFrom(m: ErrorMessage): Error {
  const Ctor = ERRORS.get(m.name) ?? Error;
  const e = new Ctor(m.message);
  if (Ctor === Error && m.name) e.name = m.name;
  if (m.stack) e.stack = m.stack;
  return e;
}
