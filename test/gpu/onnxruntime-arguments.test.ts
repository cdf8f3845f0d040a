// The ONNX Runtime Web adapter's argument checks through the shared bad-input battery, on the
// real ORT (its WebGPU execution provider) in the page's onnxruntime area.
import { useGpuPage } from './harness';
import type { Case } from '../battery/case';
import type { Batch } from '../battery/run';
import { describeBattery } from '../battery/expect';
import { ORT_CASES } from '../battery/onnxruntime';

const gpu = useGpuPage('onnxruntime');

describeBattery('OrtLoss and fromOrtTensor arguments', ORT_CASES, 'onnxruntime', (cases: Case[]) => gpu.call<Batch>('battery', cases));
