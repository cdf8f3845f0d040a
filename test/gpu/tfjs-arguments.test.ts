// The TF.js adapter's argument checks through the shared bad-input battery, on the real TF.js
// (its WebGPU backend) in the page's tfjs area.
import { useGpuPage } from './harness';
import type { Case } from '../battery/case';
import type { Batch } from '../battery/run';
import { describeBattery } from '../battery/expect';
import { TFJS_CASES } from '../battery/tfjs';

const gpu = useGpuPage('tfjs');

describeBattery('TfjsLoss arguments', TFJS_CASES, 'tfjs', (cases: Case[]) => gpu.call<Batch>('battery', cases));
