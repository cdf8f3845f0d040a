// Typed errors. Each names the argument at fault and what was expected, so a caller can branch on
// `err.code` or `instanceof` and a person can read `err.message`.

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

export class WebGPULossError extends Error {
  readonly code: ErrorCode;
  /** The argument (or option) the error is about, e.g. `'labels'` or `'options.weight'`. */
  readonly argument: string | undefined;
  constructor(code: ErrorCode, message: string, argument?: string) {
    super(argument ? `${argument}: ${message}` : message);
    // Named literally, not from the constructor, so a minified build still prints 'ShapeError'.
    this.name = 'WebGPULossError';
    this.code = code;
    this.argument = argument;
  }
}

export class ShapeError extends WebGPULossError {
  override readonly name = 'ShapeError';
  constructor(argument: string, message: string, code: 'SHAPE_MISMATCH' | 'INVALID_SHAPE' = 'SHAPE_MISMATCH') {
    super(code, message, argument);
  }
}
export class DTypeError extends WebGPULossError {
  override readonly name = 'DTypeError';
  constructor(argument: string, message: string) {
    super('INVALID_DTYPE', message, argument);
  }
}
export class OptionError extends WebGPULossError {
  override readonly name = 'OptionError';
  constructor(argument: string, message: string) {
    super('INVALID_OPTION', message, argument);
  }
}
export class LabelRangeError extends WebGPULossError {
  override readonly name = 'LabelRangeError';
  constructor(argument: string, message: string) {
    super('LABEL_OUT_OF_RANGE', message, argument);
  }
}
export class BufferError extends WebGPULossError {
  override readonly name = 'BufferError';
  constructor(argument: string, message: string, code: 'BUFFER_TOO_SMALL' | 'BUFFER_USAGE' | 'TOO_LARGE' = 'BUFFER_TOO_SMALL') {
    super(code, message, argument);
  }
}
export class DeviceError extends WebGPULossError {
  override readonly name = 'DeviceError';
  constructor(code: 'DEVICE_MISMATCH' | 'DEVICE_LOST' | 'DISPOSED' | 'NO_WEBGPU' | 'OUT_OF_MEMORY' | 'GPU_ERROR', message: string, argument?: string) {
    super(code, message, argument);
  }
}
