// The roof: the least work a kernel can do that still touches every logit once. Its bandwidth on
// an adapter is what a loss kernel (one read of the logits; one read and one write for the fused
// gradient) is measured against.
//
// Entry `roof_read`:  reads X once (vec4 loads, grid-stride) and writes one partial sum per
//   workgroup into S, so the compiler cannot drop the loads.
// Entry `roof_rw`: the same read and partial sums, and writes Y = 2·X (exact in float32), so
//   it reads the logits once and writes a logits-sized output once, as the fused gradient does.
// Entry `roof_exp` (a diagnostic, not a roof): the read of `roof_read` plus one exp per logit
//   (acc += exp(x)), the least arithmetic a softmax-based loss needs; where a loss kernel is far
//   below the read roof but near this one, the adapter's exp throughput bounds it, not memory.
// Steps per thread: 1. acc = sum of its vec4s i = gid, gid + stride, ... (stride = threads in the
//   grid); 2. the workgroup adds the lanes' sums in a tree (one barrier per level, once per
//   workgroup); 3. lane 0 writes S[s_base + workgroup].
// Pipeline key: WG (override). The grid (workgroup count) is chosen on the host per adapter.

override WG: u32 = 64u;

struct Params {
  n4: u32,      // vec4s in this dispatch's binding
  s_base: u32,  // first slot of S this dispatch writes
  _a: u32,
  _b: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<vec4<f32>>;

var<workgroup> part: array<f32, 256>;

fn tree(li: u32, v: f32, wid: u32) {
  part[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) {
      part[li] = part[li] + part[li + s];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    S[P.s_base + wid] = part[0];
  }
}

@compute @workgroup_size(WG)
fn roof_read(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  var acc = vec4<f32>(0.0);
  for (var i = wid.x * WG + li; i < P.n4; i = i + stride) {
    acc = acc + X[i];
  }
  tree(li, (acc.x + acc.y) + (acc.z + acc.w), wid.x);
}

@compute @workgroup_size(WG)
fn roof_rw(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  var acc = vec4<f32>(0.0);
  for (var i = wid.x * WG + li; i < P.n4; i = i + stride) {
    let v = X[i];
    acc = acc + v;
    Y[i] = v * 2.0;
  }
  tree(li, (acc.x + acc.y) + (acc.z + acc.w), wid.x);
}

@compute @workgroup_size(WG)
fn roof_exp(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  var acc = vec4<f32>(0.0);
  for (var i = wid.x * WG + li; i < P.n4; i = i + stride) {
    acc = acc + exp(X[i]);
  }
  tree(li, (acc.x + acc.y) + (acc.z + acc.w), wid.x);
}
