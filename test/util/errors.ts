// What a thrown error looks like once it has crossed to the test: class name, code, argument and
// message, as the library's typed errors carry them.
import { GpuTensor } from '../../src/index';

export interface ErrorInfo {
  name: string;
  code?: string;
  argument?: string;
  message: string;
}

export function errorInfo(e: unknown): ErrorInfo {
  const err = e as Error & { code?: string; argument?: string };
  return { name: err.name, code: err.code, argument: err.argument, message: err.message };
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
