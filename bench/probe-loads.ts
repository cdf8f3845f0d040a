// Diagnostic (bench/profile.mjs --loads): how fast this adapter reads the same bytes through
// different load patterns, each a trivial sum kernel on 16 workgroups of 64 threads (the library's
// grid on a CPU adapter). It tells which access pattern a row kernel should use:
//   vec4        array<vec4<f32>>, thread i reads vec4 i, i + T, ... (the roof's pattern)
//   scalar      array<f32>, thread i reads element i, i + T, ... (consecutive threads, consecutive words)
//   scalar4     the same, four loads per step (i, i + T, i + 2T, i + 3T)
//   scalar4-rw  scalar4 through a read_write binding (the cross-entropy X binding)
//   rowwise4    thread-per-row: thread r reads its row's 4 consecutive words per step (rows of V)
//   rowvec4     thread-per-row through array<vec4<f32>>
//   exp4        thread-per-row, one exp per element and a sum (no max: the least a softmax needs)
//   lse4-*, lse8-*  thread-per-row online log-sum-exp: four or eight elements a step; -plain / lse8
//               with nothing else, -pv with the kernel's bit check for special values, -lib the
//               kernel's old loop (clamped exp, exact rescale)
const HEAD = `
struct Params { n: u32, cols: u32, rows: u32, _p: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
var<workgroup> part: array<f32, 64>;
fn finish(li: u32, wid: u32, v: f32) {
  part[li] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s = s >> 1u) {
    if (li < s) { part[li] = part[li] + part[li + s]; }
    workgroupBarrier();
  }
  if (li == 0u) { S[wid] = part[0]; }
}
`;
const ARGS = `@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>`;

export const LOAD_KERNELS: Record<string, string> = {
  vec4: `@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = vec4<f32>(0.0);
  for (var i = wid.x * 64u + li; i < P.n / 4u; i += T) { acc += X[i]; }
  finish(li, wid.x, (acc.x + acc.y) + (acc.z + acc.w));
}`,
  scalar: `@group(0) @binding(1) var<storage, read> X: array<f32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = 0.0;
  for (var i = wid.x * 64u + li; i < P.n; i += T) { acc += X[i]; }
  finish(li, wid.x, acc);
}`,
  scalar4: `@group(0) @binding(1) var<storage, read> X: array<f32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = vec4<f32>(0.0);
  for (var i = wid.x * 64u + li; i + 3u * T < P.n; i += 4u * T) { acc += vec4<f32>(X[i], X[i + T], X[i + 2u * T], X[i + 3u * T]); }
  finish(li, wid.x, (acc.x + acc.y) + (acc.z + acc.w));
}`,
  'scalar4-rw': `@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = vec4<f32>(0.0);
  for (var i = wid.x * 64u + li; i + 3u * T < P.n; i += 4u * T) { acc += vec4<f32>(X[i], X[i + T], X[i + 2u * T], X[i + 3u * T]); }
  finish(li, wid.x, (acc.x + acc.y) + (acc.z + acc.w));
}`,
  rowwise4: `@group(0) @binding(1) var<storage, read> X: array<f32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = vec4<f32>(0.0);
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let b = r * P.cols;
    for (var c = 0u; c + 3u < P.cols; c += 4u) { acc += vec4<f32>(X[b + c], X[b + c + 1u], X[b + c + 2u], X[b + c + 3u]); }
  }
  finish(li, wid.x, (acc.x + acc.y) + (acc.z + acc.w));
}`,
  rowvec4: `@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = vec4<f32>(0.0);
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let b = r * (P.cols / 4u);
    for (var c = 0u; c < P.cols / 4u; c++) { acc += X[b + c]; }
  }
  finish(li, wid.x, (acc.x + acc.y) + (acc.z + acc.w));
}`,
  lse4: `@group(0) @binding(1) var<storage, read_write> X: array<u32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = 0.0;
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let x_row = r * P.cols; var m = -3e38; var s = 0.0; var pv = vec4<u32>(0u);
    for (var c = 0u; c + 3u < P.cols; c += 4u) {
      let i = x_row + c;
      let b = vec4<u32>(X[i], X[i + 1u], X[i + 2u], X[i + 3u]);
      let mag = b & vec4<u32>(0x7fffffffu);
      let special = mag >= vec4<u32>(0x7f800000u);
      pv = max(pv, select(mag, vec4<u32>(0u), b == vec4<u32>(0xff800000u)));
      let z = select(bitcast<vec4<f32>>(b), vec4<f32>(-3e38), special);
      let mn = max(m, max(max(z.x, z.y), max(z.z, z.w)));
      s *= select(select(0.0, exp(m - mn), m >= mn - 104.0), 1.0, mn == m);
      let keep = !special & (z >= vec4<f32>(mn - 104.0));
      let e = select(vec4<f32>(0.0), exp(z - vec4<f32>(mn)), keep);
      s += (e.x + e.y) + (e.z + e.w);
      m = mn;
    }
    acc += m + log(s) + f32(pv.x);
  }
  finish(li, wid.x, acc);
}`,
  'lse4-plain': `@group(0) @binding(1) var<storage, read_write> X: array<u32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = 0.0;
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let x_row = r * P.cols; var m = -3e38; var s = 0.0;
    for (var c = 0u; c + 3u < P.cols; c += 4u) {
      let i = x_row + c;
      let z = bitcast<vec4<f32>>(vec4<u32>(X[i], X[i + 1u], X[i + 2u], X[i + 3u]));
      let mn = max(m, max(max(z.x, z.y), max(z.z, z.w)));
      s = s * exp(m - mn);
      let e = exp(z - vec4<f32>(mn));
      s += (e.x + e.y) + (e.z + e.w);
      m = mn;
    }
    acc += m + log(s);
  }
  finish(li, wid.x, acc);
}`,
  'exp4': `@group(0) @binding(1) var<storage, read_write> X: array<u32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = 0.0;
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let x_row = r * P.cols; var s = 0.0;
    for (var c = 0u; c + 3u < P.cols; c += 4u) {
      let i = x_row + c;
      let z = bitcast<vec4<f32>>(vec4<u32>(X[i], X[i + 1u], X[i + 2u], X[i + 3u]));
      let e = exp(z);
      s += (e.x + e.y) + (e.z + e.w);
    }
    acc += log(s);
  }
  finish(li, wid.x, acc);
}`,
  // The library's fast loop as it is (four a step: bit check, clamp, rescale every step) and
  // forms of it, to price each part.
  'lse4-lib': `@group(0) @binding(1) var<storage, read_write> X: array<u32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = 0.0;
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let x_row = r * P.cols; var m = -3e38; var s = 0.0; var pv = vec4<u32>(0u);
    for (var c = 0u; c + 3u < P.cols; c += 4u) {
      let i = x_row + c;
      let b = vec4<u32>(X[i], X[i + 1u], X[i + 2u], X[i + 3u]);
      pv = max(pv, b & vec4<u32>(0x7fffffffu));
      let z = bitcast<vec4<f32>>(b);
      let mn = max(m, max(max(z.x, z.y), max(z.z, z.w)));
      s *= select(exp(max(m - mn, -104.0)), 1.0, mn == m);
      let e = exp(max(z - vec4<f32>(mn), vec4<f32>(-104.0)));
      s += (e.x + e.y) + (e.z + e.w);
      m = mn;
    }
    acc += m + log(s) + f32(max(max(pv.x, pv.y), max(pv.z, pv.w)));
  }
  finish(li, wid.x, acc);
}`,
  'lse4-pv': `@group(0) @binding(1) var<storage, read_write> X: array<u32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = 0.0;
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let x_row = r * P.cols; var m = -3e38; var s = 0.0; var pv = vec4<u32>(0u);
    for (var c = 0u; c + 3u < P.cols; c += 4u) {
      let i = x_row + c;
      let b = vec4<u32>(X[i], X[i + 1u], X[i + 2u], X[i + 3u]);
      pv = max(pv, b & vec4<u32>(0x7fffffffu));
      let z = bitcast<vec4<f32>>(b);
      let mn = max(m, max(max(z.x, z.y), max(z.z, z.w)));
      s = s * exp(m - mn);
      let e = exp(z - vec4<f32>(mn));
      s += (e.x + e.y) + (e.z + e.w);
      m = mn;
    }
    acc += m + log(s) + f32(max(max(pv.x, pv.y), max(pv.z, pv.w)));
  }
  finish(li, wid.x, acc);
}`,
  'lse8': `@group(0) @binding(1) var<storage, read_write> X: array<u32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = 0.0;
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let x_row = r * P.cols; var m = -3e38; var s = 0.0;
    for (var c = 0u; c + 7u < P.cols; c += 8u) {
      let i = x_row + c;
      let z = bitcast<vec4<f32>>(vec4<u32>(X[i], X[i + 1u], X[i + 2u], X[i + 3u]));
      let z2 = bitcast<vec4<f32>>(vec4<u32>(X[i + 4u], X[i + 5u], X[i + 6u], X[i + 7u]));
      let zm = max(z, z2);
      let mn = max(m, max(max(zm.x, zm.y), max(zm.z, zm.w)));
      s = s * exp(m - mn);
      let e = exp(z - vec4<f32>(mn)) + exp(z2 - vec4<f32>(mn));
      s += (e.x + e.y) + (e.z + e.w);
      m = mn;
    }
    acc += m + log(s);
  }
  finish(li, wid.x, acc);
}`,
  'lse8-pv': `@group(0) @binding(1) var<storage, read_write> X: array<u32>;
@compute @workgroup_size(64) fn main(${ARGS}) {
  let T = nwg.x * 64u; var acc = 0.0;
  for (var r = wid.x * 64u + li; r < P.rows; r += T) {
    let x_row = r * P.cols; var m = -3e38; var s = 0.0; var pv = vec4<u32>(0u);
    for (var c = 0u; c + 7u < P.cols; c += 8u) {
      let i = x_row + c;
      let b = vec4<u32>(X[i], X[i + 1u], X[i + 2u], X[i + 3u]);
      let b2 = vec4<u32>(X[i + 4u], X[i + 5u], X[i + 6u], X[i + 7u]);
      pv = max(pv, max(b & vec4<u32>(0x7fffffffu), b2 & vec4<u32>(0x7fffffffu)));
      let z = bitcast<vec4<f32>>(b);
      let z2 = bitcast<vec4<f32>>(b2);
      let zm = max(z, z2);
      let mn = max(m, max(max(zm.x, zm.y), max(zm.z, zm.w)));
      s = s * exp(m - mn);
      let e = exp(z - vec4<f32>(mn)) + exp(z2 - vec4<f32>(mn));
      s += (e.x + e.y) + (e.z + e.w);
      m = mn;
    }
    acc += m + log(s) + f32(max(max(pv.x, pv.y), max(pv.z, pv.w)));
  }
  finish(li, wid.x, acc);
}`,
};

/** Median ms per dispatch (k dispatches in one submit, then a readback) of each load kernel. */
export async function probeLoads(device: GPUDevice, rows: number, cols: number, rounds: number, k: number): Promise<Record<string, number>> {
  const n = rows * cols;
  const X = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (i % 7) * 0.25;
  device.queue.writeBuffer(X, 0, data);
  const S = device.createBuffer({ size: 4096, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const U = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(U, 0, new Uint32Array([n, cols, rows, 0]));
  const staging = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const runs: Record<string, { pipe: GPUComputePipeline; bg: GPUBindGroup }> = {};
  for (const [name, body] of Object.entries(LOAD_KERNELS)) {
    const module = device.createShaderModule({ code: HEAD + body });
    const pipe = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bg = device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [
      { binding: 0, resource: { buffer: U } }, { binding: 1, resource: { buffer: X } }, { binding: 2, resource: { buffer: S } }] });
    runs[name] = { pipe, bg };
  }
  const times: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, { pipe, bg }] of Object.entries(runs)) {
      const t0 = performance.now();
      const enc = device.createCommandEncoder();
      for (let i = 0; i < k; i++) {
        const pass = enc.beginComputePass();
        pass.setPipeline(pipe);
        pass.setBindGroup(0, bg);
        pass.dispatchWorkgroups(16);
        pass.end();
      }
      enc.copyBufferToBuffer(S, 0, staging, 0, 16);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      staging.unmap();
      (times[name] ??= []).push((performance.now() - t0) / k);
    }
  }
  for (const b of [X, S, U, staging]) b.destroy();
  return Object.fromEntries(Object.entries(times).map(([n2, t]) => [n2, [...t].sort((a, b) => a - b)[0]]));
}
