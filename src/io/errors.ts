import { NeurasmError } from '../errors.js';

/** A model file is malformed, inconsistent, or uses something neurasm does not support. */
export class ModelFormatError extends NeurasmError {}

/** A model could not be read from or written to where it was asked (file, URL, browser storage). */
export class ModelIOError extends NeurasmError {}
