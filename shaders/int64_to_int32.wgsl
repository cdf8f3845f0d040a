// int64 labels (ONNX's usual label type) to int32, one label per thread, grid-stride.
// An int64 fits in int32 exactly when its high word is the sign extension of its low word; then
// the low word is the value, else `sentinel` (a label the loss kernels count as out of range).
//
// Pipeline key: none (one pipeline). Params and the bindings are generated from
// src/kernels/layouts/int64-to-int32.ts.

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  for (var i = gid.x; i < P.n; i += groups.x * 64u) {
    let v = SRC[i];
    let sign_ext = select(0u, 0xffffffffu, (v.x & SIGN) != 0u);
    DST[i] = select(P.sentinel, bitcast<i32>(v.x), v.y == sign_ext);
  }
}
