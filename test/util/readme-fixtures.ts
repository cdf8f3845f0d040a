// What the README's examples use but leave to the reader's app, by name: small inputs of the
// right kinds. The README program (test/util/readme.ts) runs a fixture in the examples' scope just
// before the first block that names it; a fixture may use the examples' own variables (`wl`, from
// the quick start), other fixtures, and `page`: what the test page's area made once (so a pass of
// a loop makes nothing of its own that the examples could not free). No README block may declare
// a fixture's name.
export const FIXTURES: Record<string, string> = {
  rows: 'const rows = 2;',
  V: 'const V = 3;',
  studentLogits: 'const studentLogits = { data: new Float32Array([0.5, -1, 2, 1.5, 0.2, -0.3]), shape: [rows, V] };',
  teacherProbs: 'const teacherProbs = new Float32Array([0.7, 0.2, 0.1, 0.1, 0.8, 0.1]);',
  // The app's own buffers, on the examples' device.
  appBuffer: `const appBuffer = (data: Float32Array | Int32Array) => {
    const b = wl.device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    wl.device.queue.writeBuffer(b, 0, data);
    return b;
  };`,
  logitsBuffer: 'const logitsBuffer = appBuffer(studentLogits.data);',
  labelsBuffer: 'const labelsBuffer = appBuffer(new Int32Array([2, 0]));',
  scores: 'const scores = { data: new Float32Array([2, 1, 0.1, 0.5, 2.5, 0.3]), shape: [2, 3] };',
  targets01: 'const targets01 = { data: new Float32Array([1, 0, 0, 0, 1, 0]), shape: [2, 3] };',
  N: 'const N = 5;',
  D: 'const D = 4;',
  hidden: 'const hidden = Float32Array.from({ length: N * D }, (_, i) => Math.sin(i));',
  classifier: 'const classifier = Float32Array.from({ length: V * D }, (_, i) => Math.cos(i) / 2);',
  tokens: 'const tokens = new Int32Array([0, 2, 1, 1, -100]);',
  bias: 'const bias = new Float32Array([0.1, -0.2, 0.05]);',
  // Batches of [logits, labels] (the last row of the second batch ignored).
  evalBatches: 'const evalBatches = [[{ data: new Float32Array([2, 1, 0.1, 0.5, -1, 3]), shape: [2, 3] }, { data: new Int32Array([0, 1]), shape: [2] }], '
    + "[{ data: new Float32Array([0.2, 0.1, 2, 1, 1, 1]), shape: [2, 3] }, { data: new Int32Array([2, -100]), shape: [2] }]] as const;",
};

/** The TF.js examples' inputs: TF.js tensors and a one-layer model, made once by the page. */
export const TFJS_FIXTURES: Record<string, string> = {
  logits: 'const logits = page.logits;',
  labels: 'const labels = page.labels;',
  x: 'const x = page.x;',
  model: 'const model = page.model;',
};

/** The ONNX Runtime example's model (outputs `logits` and `labels`) and its inputs. */
export const ORT_FIXTURES: Record<string, string> = {
  modelBytes: 'const modelBytes = page.modelBytes;',
  x: 'const x = page.x;',
  y: 'const y = page.y;',
};
