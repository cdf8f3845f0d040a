// What a thrown error looks like once it has crossed to the test: class name, code, argument and
// message, as the library's typed errors carry them, and whether it is one of them.
import { GpuTensor, WebGPULossError } from '../../src/index';

export interface ErrorInfo {
  name: string;
  code?: string;
  argument?: string;
  message: string;
  /** A WebGPULossError: not a TypeError (or anything else) escaping from inside the library. */
  typed?: boolean;
}

export function errorInfo(e: unknown): ErrorInfo {
  const err = e as Error & { code?: string; argument?: string };
  if (typeof e !== 'object' || e === null) return { name: typeof e, message: String(e), typed: false };
  return { name: err.name, code: err.code, argument: err.argument, message: String(err.message), typed: e instanceof WebGPULossError };
}

/**
 * The error `f` throws or rejects with, or null. A call that resolves may still fail on the GPU,
 * so the GPU tensors it returns are read first (their read() rejects then).
 */
export async function errorOf(f: () => unknown): Promise<ErrorInfo | null> {
  try {
    const r = await f();
    if (r instanceof GpuTensor) await r.read();
    else if (r && typeof r === 'object') for (const v of Object.values(r)) if (v instanceof GpuTensor) await v.read();
    return null;
  } catch (e) {
    return errorInfo(e);
  }
}
