// The unfused baseline's plain matmul: C[M, N] = Σ_k A(i, k)·B(k, j) (+ bias[j]), A and B read
// through element strides (so one kernel serves H·Wᵀ, G·W and Gᵀ·H). Each thread computes a 4×4
// block straight from the storage buffers (no workgroup memory, no barrier): the same structure as
// the library's direct tiles, so the comparison is of the fusion, not of matmul quality.

struct Params {
  m: u32, n: u32, k: u32, has_bias: u32,
  a_i: u32, a_k: u32, b_k: u32, b_j: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let mg = (P.m + 3u) / 4u;
  let ng = (P.n + 3u) / 4u;
  let stride = nwg.x * 64u;
  for (var t = gid.x; t < mg * ng; t += stride) {
    let i0 = (t / ng) * 4u;
    let j0 = (t % ng) * 4u;
    let ii = min(vec4<u32>(i0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(P.m - 1u));
    let jj = min(vec4<u32>(j0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(P.n - 1u));
    // The 4×4 sums in four vec4 rows (registers), as the library's direct tiles keep them.
    var c0 = vec4<f32>();
    var c1 = vec4<f32>();
    var c2 = vec4<f32>();
    var c3 = vec4<f32>();
    for (var k = 0u; k < P.k; k++) {
      let b = vec4<f32>(B[k * P.b_k + jj.x * P.b_j], B[k * P.b_k + jj.y * P.b_j], B[k * P.b_k + jj.z * P.b_j], B[k * P.b_k + jj.w * P.b_j]);
      c0 = fma(vec4<f32>(A[ii.x * P.a_i + k * P.a_k]), b, c0);
      c1 = fma(vec4<f32>(A[ii.y * P.a_i + k * P.a_k]), b, c1);
      c2 = fma(vec4<f32>(A[ii.z * P.a_i + k * P.a_k]), b, c2);
      c3 = fma(vec4<f32>(A[ii.w * P.a_i + k * P.a_k]), b, c3);
    }
    let acc = array<f32, 16>(c0.x, c0.y, c0.z, c0.w, c1.x, c1.y, c1.z, c1.w, c2.x, c2.y, c2.z, c2.w, c3.x, c3.y, c3.z, c3.w);
    for (var x = 0u; x < 4u; x++) {
      for (var y = 0u; y < 4u; y++) {
        let i = i0 + x;
        let j = j0 + y;
        if (i < P.m && j < P.n) {
          var v = acc[x * 4u + y];
          if (P.has_bias != 0u) {
            v += Bias[j];
          }
          C[i * P.n + j] = v;
        }
      }
    }
  }
}
