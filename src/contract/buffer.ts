// The caller's GPUBuffer checked as an argument, before the library uses it.
import { BufferError } from './errors';
import { show } from './show';
import { branded } from './brand';

/**
 * A buffer of the caller's, as the library takes it: a real GPUBuffer (not an object with its
 * fields, nor a Proxy of one, which WebGPU would refuse only inside a call with a TypeError), and
 * not mapped (WebGPU would fail the call only at submit).
 */
export function checkCallerBuffer(buffer: unknown, name: string): asserts buffer is GPUBuffer {
  const b = buffer as GPUBuffer;
  let isBuffer = false;
  try {
    // The brand first: a Proxy's reads of the fields would throw (or answer anything).
    isBuffer = typeof b === 'object' && b !== null && branded(b, globalThis.GPUBuffer, 'size') && typeof b.usage === 'number' && typeof b.size === 'number';
  } catch {
    // a look-alike whose fields throw
  }
  if (!isBuffer) throw new BufferError(name, `must be a GPUBuffer, got ${show(buffer)}`, 'BUFFER_USAGE');
  if (b.mapState !== undefined && b.mapState !== 'unmapped') {
    throw new BufferError(name, `is ${b.mapState === 'mapped' ? 'mapped' : 'being mapped'}; unmap() it before handing it to the library`, 'BUFFER_USAGE');
  }
}
