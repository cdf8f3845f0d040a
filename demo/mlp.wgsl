// The demo's tiny MLP: dense layers, their backward passes and SGD with momentum, on the same
// GPUDevice as webgpu-loss. The loss and d loss / d logits come from the library's fused
// cross-entropy kernel; everything else is here.
//
// Layout, in vec4s (every width is padded to a multiple of 4 with zeros):
// - P holds every layer's W transposed, [in4·4 rows (inputs), out4 vec4s (outputs)], then b
//   [out4]; G (gradients) and V (momentum) use the same offsets. Padding weights start at 0 and
//   stay 0: their gradients are sums of products with a padded input or output, which are 0.
// - Hidden activations and their gradients are [rows, width/4] vec4 rows; the input x is padded
//   from 2 to 4 columns. The logits layer writes plain f32 [rows, K] (what crossEntropy reads)
//   and its backward reads d logits as f32 [rows, K] (what crossEntropy writes): the override
//   SCALAR_OUT picks that at pipeline creation, so each pipeline holds only its own branch
//   (a uniform flag cost ~4x on SwiftShader, which runs both sides of a branch masked).
//
// Pipeline key: entry point × SCALAR_OUT. Sizes, offsets and the learning rate are uniforms.
//
// Each thread computes 4 outputs from vec4 loads, so a load feeds 4 multiply-adds: on a CPU
// adapter (SwiftShader) every load is the expensive part, and this is ~3.5x faster than one
// output per thread. Every kernel is a grid-stride loop without barriers, and every output is a
// sum in a fixed order: the same seed gives the same bits on every run.

struct Layer {
  rows: u32,       // batch rows (training points, or grid points for the decision regions)
  n_out: u32,      // true output width (K for the logits layer)
  in4: u32,        // input width / 4 (padded)
  out4: u32,       // output width / 4 (padded)
  act: u32,        // forward activation of this layer's output: 0 none (logits), 1 tanh, 2 relu
  act_in: u32,     // activation that produced this layer's input (backward_input)
  w_off: u32,      // offset of W (transposed) in P / G / V, in vec4s
  b_off: u32,      // offset of b, in vec4s
  _pad: u32,
  count: u32,      // sgd: number of parameter vec4s
  lr: f32,         // sgd: learning rate
  momentum: f32,   // sgd: momentum coefficient
}

@group(0) @binding(0) var<uniform> L: Layer;
@group(0) @binding(1) var<storage, read_write> P: array<vec4f>;      // parameters
@group(0) @binding(2) var<storage, read_write> act_in: array<vec4f>; // layer input h [rows, in4]
@group(0) @binding(3) var<storage, read_write> act_out: array<vec4f>; // hidden output [rows, out4]
@group(0) @binding(4) var<storage, read_write> d_out: array<vec4f>;  // dL/dz of a hidden output [rows, out4]
@group(0) @binding(5) var<storage, read_write> d_in: array<vec4f>;   // dL/dz of the layer input [rows, in4]
@group(0) @binding(6) var<storage, read_write> G: array<vec4f>;      // parameter gradients
@group(0) @binding(7) var<storage, read_write> V: array<vec4f>;      // momentum
@group(0) @binding(8) var<storage, read_write> logits: array<f32>;   // logits output [rows, n_out]
@group(0) @binding(9) var<storage, read_write> d_logits: array<f32>; // dL/d logits [rows, n_out]

const WG: u32 = 64u;

// true for the logits layer: its outputs and their gradients are f32 [rows, n_out].
override SCALAR_OUT: bool = false;

fn activate(z: vec4f, kind: u32) -> vec4f {
  if (kind == 1u) { return tanh(z); }
  if (kind == 2u) { return max(z, vec4f(0.0)); }
  return z;
}

// Derivative of the activation, from its output h = act(z): tanh' = 1 − h², relu' = [h > 0].
fn activate_grad(h: vec4f, kind: u32) -> vec4f {
  if (kind == 1u) { return 1.0 - h * h; }
  if (kind == 2u) { return select(vec4f(0.0), vec4f(1.0), h > vec4f(0.0)); }
  return vec4f(1.0);
}

// dL/dz of outputs 4·j4 .. 4·j4 + 3 of row n (0 for padded outputs).
fn load_d_out(n: u32, j4: u32) -> vec4f {
  if (!SCALAR_OUT) { return d_out[n * L.out4 + j4]; }
  var d = vec4f(0.0);
  for (var c = 0u; c < 4u; c++) {
    let j = j4 * 4u + c;
    if (j < L.n_out) { d[c] = d_logits[n * L.n_out + j]; }
  }
  return d;
}

// 1. forward: out[n, j] = act(b[j] + Σ_i W[j, i] · h[n, i]). Thread (n, j4): outputs 4·j4 .. +3,
//    reading 4 rows of Wᵀ per input vec4.
@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let total = L.rows * L.out4;
  for (var t = gid.x; t < total; t += nwg.x * WG) {
    let n = t / L.out4;
    let j4 = t % L.out4;
    var z = P[L.b_off + j4];
    for (var i4 = 0u; i4 < L.in4; i4++) {
      let h = act_in[n * L.in4 + i4];
      let w = L.w_off + i4 * 4u * L.out4 + j4;
      z += P[w] * h.x + P[w + L.out4] * h.y + P[w + 2u * L.out4] * h.z + P[w + 3u * L.out4] * h.w;
    }
    let y = activate(z, L.act);
    if (!SCALAR_OUT) {
      act_out[t] = y;
    } else {
      for (var c = 0u; c < 4u; c++) {
        let j = j4 * 4u + c;
        if (j < L.n_out) { logits[n * L.n_out + j] = y[c]; }
      }
    }
  }
}

// 2. backward through the weights and the input's activation:
//    dL/dh[n, i] = Σ_j W[j, i] · dL/dz[n, j]    (through z = W h + b)
//    d_in[n, i]  = dL/dh[n, i] · act'(h[n, i])  (through h = act(z_prev))
//    Thread (n, i4): inputs 4·i4 .. +3, a dot product of each Wᵀ row with the output gradient.
@compute @workgroup_size(WG)
fn backward_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let total = L.rows * L.in4;
  for (var t = gid.x; t < total; t += nwg.x * WG) {
    let n = t / L.in4;
    let i4 = t % L.in4;
    var s = vec4f(0.0);
    for (var j4 = 0u; j4 < L.out4; j4++) {
      let d = load_d_out(n, j4);
      let w = L.w_off + i4 * 4u * L.out4 + j4;
      s += vec4f(dot(P[w], d), dot(P[w + L.out4], d), dot(P[w + 2u * L.out4], d), dot(P[w + 3u * L.out4], d));
    }
    d_in[t] = s * activate_grad(act_in[t], L.act_in);
  }
}

// 3. parameter gradients, summed over the batch in row order:
//    dL/dW[j, i] = Σ_n dL/dz[n, j] · h[n, i],   dL/db[j] = Σ_n dL/dz[n, j].
//    The output gradient already carries the 1/rows of the mean loss (the library's 'mean').
//    Thread (i4, j4): a 4×4 block of Wᵀ; then one thread per bias vec4.
@compute @workgroup_size(WG)
fn backward_params(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let blocks = L.in4 * L.out4;
  for (var t = gid.x; t < blocks + L.out4; t += nwg.x * WG) {
    if (t < blocks) {
      let i4 = t / L.out4;
      let j4 = t % L.out4;
      var g0 = vec4f(0.0);
      var g1 = vec4f(0.0);
      var g2 = vec4f(0.0);
      var g3 = vec4f(0.0);
      for (var n = 0u; n < L.rows; n++) {
        let h = act_in[n * L.in4 + i4];
        let d = load_d_out(n, j4);
        g0 += h.x * d;
        g1 += h.y * d;
        g2 += h.z * d;
        g3 += h.w * d;
      }
      let w = L.w_off + i4 * 4u * L.out4 + j4;
      G[w] = g0;
      G[w + L.out4] = g1;
      G[w + 2u * L.out4] = g2;
      G[w + 3u * L.out4] = g3;
    } else {
      let j4 = t - blocks;
      var s = vec4f(0.0);
      for (var n = 0u; n < L.rows; n++) {
        s += load_d_out(n, j4);
      }
      G[L.b_off + j4] = s;
    }
  }
}

// 4. SGD with (heavy-ball) momentum over every parameter: v ← μ·v + g, p ← p − lr·v.
@compute @workgroup_size(WG)
fn sgd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  for (var t = gid.x; t < L.count; t += nwg.x * WG) {
    let v = L.momentum * V[t] + G[t];
    V[t] = v;
    P[t] = P[t] - L.lr * v;
  }
}
