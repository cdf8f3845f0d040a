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
    var ii: array<u32, 4>;
    var jj: array<u32, 4>;
    for (var q = 0u; q < 4u; q++) {
      ii[q] = min(i0 + q, P.m - 1u);
      jj[q] = min(j0 + q, P.n - 1u);
    }
    var acc = array<f32, 16>();  // explicit zeros: a bare declaration in a loop kept the last iteration's values on SwiftShader
    for (var k = 0u; k < P.k; k++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var q = 0u; q < 4u; q++) {
        a[q] = A[ii[q] * P.a_i + k * P.a_k];
        b[q] = B[k * P.b_k + jj[q] * P.b_j];
      }
      for (var x = 0u; x < 4u; x++) {
        for (var y = 0u; y < 4u; y++) {
          acc[x * 4u + y] = fma(a[x], b[y], acc[x * 4u + y]);
        }
      }
    }
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
