// Typed errors. Each names the argument at fault and what was expected, so a caller can branch on
// `err.code` or `instanceof` and a person can read `err.message`.

/**
 * What went wrong, as {@link WebGPULossError.code}: one code per kind of fault, so that a caller
 * can branch on it without parsing messages.
 */
export type ErrorCode =
  | 'SHAPE_MISMATCH'
  | 'INVALID_SHAPE'
  | 'INVALID_DTYPE'
  | 'INVALID_OPTION'
  | 'LABEL_OUT_OF_RANGE'
  | 'BUFFER_TOO_SMALL'
  | 'BUFFER_USAGE'
  | 'DEVICE_MISMATCH'
  | 'DEVICE_LOST'
  | 'DISPOSED'
  | 'TOO_LARGE'
  | 'NO_WEBGPU'
  | 'OUT_OF_MEMORY'
  | 'GPU_ERROR';

/**
 * The base class of the library's typed errors: a machine-readable `code`, the `argument` at
 * fault and a message that says what was expected. Subclasses group the codes by kind.
 *
 * @example
 * try {
 *   await wl.crossEntropy(logits, labels);
 * } catch (e) {
 *   if (e instanceof WebGPULossError && e.code === 'SHAPE_MISMATCH') console.error(e.argument, e.message);
 *   else throw e;
 * }
 */
export class WebGPULossError extends Error {
  /** The kind of fault, e.g. `'SHAPE_MISMATCH'` or `'DEVICE_LOST'`. */
  readonly code: ErrorCode;
  /** The argument (or option) the error is about, e.g. `'labels'` or `'options.weight'`. */
  readonly argument: string | undefined;
  /** An error with `code`; the message is prefixed with `argument: ` when one is given. */
  constructor(code: ErrorCode, message: string, argument?: string) {
    super(argument ? `${argument}: ${message}` : message);
    // Named literally, not from the constructor, so a minified build still prints 'ShapeError'.
    this.name = 'WebGPULossError';
    this.code = code;
    this.argument = argument;
  }
}

/**
 * A tensor's shape is wrong: it does not match another argument's (`SHAPE_MISMATCH`) or is not a
 * valid shape for the argument (`INVALID_SHAPE`, e.g. a 3-D input or data of the wrong length).
 *
 * @example
 * try {
 *   await wl.softmax({ data: [1, 2, 3], shape: [2, 2] });   // 3 values for 4 elements
 * } catch (e) {
 *   if (e instanceof ShapeError) console.error(e.code, e.argument);   // 'INVALID_SHAPE' 'input'
 * }
 */
export class ShapeError extends WebGPULossError {
  /** `'ShapeError'`, also in a minified build. */
  override readonly name = 'ShapeError';
  /** An error about `argument`'s shape; `code` defaults to `SHAPE_MISMATCH`. */
  constructor(argument: string, message: string, code: 'SHAPE_MISMATCH' | 'INVALID_SHAPE' = 'SHAPE_MISMATCH') {
    super(code, message, argument);
  }
}
/**
 * An argument has the wrong type (`INVALID_DTYPE`): e.g. float labels where int32 is needed, or
 * tensor data that are not numbers.
 *
 * @example
 * try {
 *   await wl.crossEntropy(logits, { data: new Float32Array([0, 2]), shape: [2] });   // labels must be integers
 * } catch (e) {
 *   if (e instanceof DTypeError) console.error(e.argument);   // 'target'
 * }
 */
export class DTypeError extends WebGPULossError {
  /** `'DTypeError'`, also in a minified build. */
  override readonly name = 'DTypeError';
  /** An `INVALID_DTYPE` error about `argument`. */
  constructor(argument: string, message: string) {
    super('INVALID_DTYPE', message, argument);
  }
}
/**
 * An option is unknown or has a value out of its range (`INVALID_OPTION`); `argument` names it,
 * e.g. `'options.labelSmoothing'`.
 *
 * @example
 * try {
 *   await wl.crossEntropy(logits, labels, { labelSmoothing: 2 });   // must be in [0, 1]
 * } catch (e) {
 *   if (e instanceof OptionError) console.error(e.argument);      // 'options.labelSmoothing'
 * }
 */
export class OptionError extends WebGPULossError {
  /** `'OptionError'`, also in a minified build. */
  override readonly name = 'OptionError';
  /** An `INVALID_OPTION` error about the option `argument`. */
  constructor(argument: string, message: string) {
    super('INVALID_OPTION', message, argument);
  }
}
/**
 * A sparse label is outside `[0, classes)` and not the ignore index (`LABEL_OUT_OF_RANGE`). Host
 * labels are checked before the call; labels already on the GPU are counted by the kernel and
 * reported by {@link WebGPULoss.checkLabels}.
 *
 * @example
 * const out = await wl.crossEntropy(logits, gpuLabels);
 * try {
 *   await wl.checkLabels(out, classes);
 * } catch (e) {
 *   if (e instanceof LabelRangeError) console.error(e.message);   // how many labels, and the range
 * }
 */
export class LabelRangeError extends WebGPULossError {
  /** `'LabelRangeError'`, also in a minified build. */
  override readonly name = 'LabelRangeError';
  /** A `LABEL_OUT_OF_RANGE` error about the labels `argument`. */
  constructor(argument: string, message: string) {
    super('LABEL_OUT_OF_RANGE', message, argument);
  }
}
/**
 * A GPU buffer cannot serve: smaller than the shape needs (`BUFFER_TOO_SMALL`), without the usage
 * the library needs (`BUFFER_USAGE`, e.g. no `STORAGE`), or larger than the device allows in one
 * buffer or binding (`TOO_LARGE`: split the batch).
 *
 * @example
 * try {
 *   wl.wrap(buffer, [rows, classes]);
 * } catch (e) {
 *   if (e instanceof BufferError && e.code === 'BUFFER_USAGE') console.error('create the buffer with GPUBufferUsage.STORAGE');
 * }
 */
export class BufferError extends WebGPULossError {
  /** `'BufferError'`, also in a minified build. */
  override readonly name = 'BufferError';
  /** An error about the buffer `argument`; `code` defaults to `BUFFER_TOO_SMALL`. */
  constructor(argument: string, message: string, code: 'BUFFER_TOO_SMALL' | 'BUFFER_USAGE' | 'TOO_LARGE' = 'BUFFER_TOO_SMALL') {
    super(code, message, argument);
  }
}
/**
 * The device cannot run the call: no WebGPU here (`NO_WEBGPU`), a tensor of another device
 * (`DEVICE_MISMATCH`), a lost device (`DEVICE_LOST`), a disposed library or tensor (`DISPOSED`),
 * or an error WebGPU reported (`OUT_OF_MEMORY`, `GPU_ERROR`).
 *
 * @example
 * const wl = await WebGPULoss.create().catch((e) => {
 *   if (e instanceof DeviceError && e.code === 'NO_WEBGPU') return null;   // no WebGPU here
 *   throw e;
 * });
 */
export class DeviceError extends WebGPULossError {
  /** `'DeviceError'`, also in a minified build. */
  override readonly name = 'DeviceError';
  /** An error with one of the device codes, about `argument` when given. */
  constructor(code: 'DEVICE_MISMATCH' | 'DEVICE_LOST' | 'DISPOSED' | 'NO_WEBGPU' | 'OUT_OF_MEMORY' | 'GPU_ERROR', message: string, argument?: string) {
    super(code, message, argument);
  }
}
