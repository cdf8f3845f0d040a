// Numbers to 16-bit float patterns, round to nearest even: the oracle's encoders
// (src/reference/half.ts), under the names the tests import.
export { toBfloat16Bits, toFloat16Bits, toHalfBits } from '../../src/reference/half';
