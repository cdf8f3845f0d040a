// The float16 read roof: bench/roof.wgsl's `roof_read` over float16 logits, packed two per word
// (as the library reads them): each thread loads vec4<u32> (eight values), unpacks them with
// unpack2x16float and adds them; the workgroup's tree and S as in roof.wgsl. The roof of a loss
// that reads float16 logits once.
// Pipeline key: WG (override). The grid is chosen on the host per adapter.

override WG: u32 = 64u;

struct Params {
  n4: u32,      // vec4<u32>s in this dispatch's binding
  s_base: u32,  // first slot of S this dispatch writes
  _a: u32,
  _b: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(WG)
fn roof_read16(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  var acc = vec4<f32>(0.0);
  for (var i = wid.x * WG + li; i < P.n4; i = i + stride) {
    let w = X[i];
    acc = acc + vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)) + vec4<f32>(unpack2x16float(w.z), unpack2x16float(w.w));
  }
  part[li] = (acc.x + acc.y) + (acc.z + acc.w);
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) {
      part[li] = part[li] + part[li + s];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    S[P.s_base + wid.x] = part[0];
  }
}
