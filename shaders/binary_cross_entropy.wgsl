// Binary cross-entropy, elementwise over a [rows, cols] input, fused with its gradient.
//
// Per element: input x, target t, positive weight pw and element weight w of its column;
// a = pw·t (coefficient of the positive term), b = 1 − t (of the negative term).
//
// From logits:
//   1. e = exp(−|x|) (exp_neg below: Cody–Waite range reduction, so its error does not grow
//      with |x| as the builtin's may), L = log1p(e) (log1p_series, in common.wgsl).
//   2. softplus(x) = max(x, 0) + L and softplus(−x) = max(−x, 0) + L: no overflow for any x.
//   3. loss = w·[a·softplus(−x) + b·softplus(x)], since ln σ(x) = −softplus(−x) and
//      ln(1 − σ(x)) = −softplus(x). This is PyTorch's (1−t)·x + (1+(pw−1)·t)·softplus(−x)
//      (softplus(x) = x + softplus(−x)), but for 0 ≤ t ≤ 1 it adds two non-negative terms
//      instead of cancelling large ones (x = −30, t = 0: 9.4e−14, not 0).
//   4. σ(x) = 1/(1+e) and σ(−x) = e/(1+e) for x ≥ 0, swapped for x < 0: no overflow, and the
//      small one keeps its relative precision.
//   5. softplus' = σ, so dL/dx = w·[b·σ(x) − a·σ(−x)] = w·[(1−t) − (1+(pw−1)·t)·σ(−x)].
// From probabilities, x̂ = clip(x, ε, 1−ε):
//   1. loss = −w·[a·ln x̂ + b·ln(1 − x̂)]. ln x̂ is log1p_series(x̂ − 1) for x̂ ≥ 1/2 (x̂ − 1 exact),
//      the builtin log below; ln(1 − x̂) is log1p_series(−x̂) for x̂ ≤ 1/2, log(1 − x̂) above
//      (1 − x̂ exact). Clipped at 1 − ε, ln(1 − x̂) is ln ε itself (1 − x̂ would lose ε's digits).
//   2. dL/dx = w·[−a/x̂ + b/(1 − x̂)] strictly inside (ε, 1−ε), 0 where the clip is active. The
//      host passes the float32 bounds LO_IN (smallest float32 > ε) and HI_IN (largest < 1−ε), so
//      "inside" is exactly the oracle's float64 test ε < x < 1−ε.
// Then loss and gradient · scale (1/ln 2 for bits, times 1/n for the mean).
// 'none' writes each element's loss. 'sum'/'mean' (SUMS) never write the elementwise losses:
// each thread keeps a Kahan sum, a tree merges the workgroup's threads and one partial per
// workgroup goes to OUT, for reduce.wgsl to add in a fixed order (deterministic).
//
// Non-finite values, decided on bits and written as bits (SwiftShader's inf/NaN arithmetic is not
// IEEE), reproducing the float64 oracle's IEEE results:
//   - x NaN, or t NaN: NaN loss and gradient. (Probs with x outside the clip: gradient 0.)
//   - t = ±Infinity: NaN loss (the two terms are ±Infinity of opposite signs, or 0·Infinity).
//     Gradient: −sign(t)·Infinity when the oracle's terms are both infinite with the same sign;
//     NaN when pw = 0 (a = 0·Infinity), w = 0 (0·Infinity), x is ±Infinity, or (logits)
//     |x| ≥ 745.13324, where exp(−|x|) underflows in float64 and one σ is exactly 0.
//     From probs with x outside the clip: gradient 0.
//   - Logits x = +Infinity, finite t: softplus(−x) = 0, softplus(x) = +Infinity, σ(x) = 1:
//     loss 0 if b = 0, NaN if w = 0, else sign(b)·Infinity; gradient w·b.
//   - Logits x = −Infinity, finite t: loss 0 if a = 0, NaN if w = 0, else sign(a)·Infinity;
//     gradient −w·a.
//   - Probs x = ±Infinity: clipped like any value (to 1−ε, ε); gradient 0.
//
// Pipeline key: WG, SUMS ('none' writes elements; 'sum'/'mean' write workgroup partials) and FLAGS
// (F_*: probabilities, per-column weights, the gradient). Shapes, ε, scales and scalar weights are
// in the uniform block; Params, the bindings and F_* are generated from
// src/kernels/layouts/binary-cross-entropy.ts.

override WG: u32 = 256u;
override SUMS: bool = false;
// The float32 745.13324: at or above it exp(−|x|) is 0 in float64, so one of the oracle's σ(±x)
// is exactly 0 (and 0·Infinity is NaN for an infinite target).
const BITS_SIGMOID_ZERO: u32 = 0x443a4887u;

fn pos_weight(c: u32) -> f32 {
  if (has(F_PW_COL)) {
    return PW[c];
  }
  return P.pos_weight;
}

fn weight(c: u32) -> f32 {
  if (has(F_W_COL)) {
    return WT[c];
  }
  return P.weight;
}

fn inf_bits(negative: bool) -> u32 {
  return select(BITS_POS_INF, BITS_NEG_INF, negative);
}

// exp_neg and ln_unit: unit_math.wgsl.

// Bits of one element's loss and gradient, unscaled: finite results as float bits, the rest as
// the bit patterns of the rules above.
struct Elem {
  loss: u32,
  grad: u32,
}

// dL/dx for an infinite target and finite x with a live term on each side: the oracle adds two
// infinities of sign −sign(t), unless one is 0·Infinity (pw = 0, w = 0).
fn inf_target_grad(tb: u32, pw: f32, w: f32) -> u32 {
  if (pw == 0.0 || w == 0.0) {
    return BITS_NAN;
  }
  return inf_bits((tb & SIGN) == 0u);
}

fn logits_elem(xb: u32, tb: u32, pw: f32, w: f32) -> Elem {
  if (is_nan_bits(xb) || is_nan_bits(tb)) {
    return Elem(BITS_NAN, BITS_NAN);
  }
  if (is_inf_bits(tb)) {
    if (is_inf_bits(xb) || (xb & ABS_MASK) >= BITS_SIGMOID_ZERO) {
      return Elem(BITS_NAN, BITS_NAN);
    }
    return Elem(BITS_NAN, inf_target_grad(tb, pw, w));
  }
  let t = bitcast<f32>(tb);
  let a = pw * t;
  let b = 1.0 - t;
  if (xb == BITS_POS_INF) {
    var l = 0u;
    if (b != 0.0) {
      l = select(inf_bits(b < 0.0), BITS_NAN, w == 0.0);
    }
    return Elem(l, bitcast<u32>(w * b));
  }
  if (xb == BITS_NEG_INF) {
    var l = 0u;
    if (a != 0.0) {
      l = select(inf_bits(a < 0.0), BITS_NAN, w == 0.0);
    }
    return Elem(l, bitcast<u32>(-(w * a)));
  }
  let x = bitcast<f32>(xb);
  let e = exp_neg(-abs(x));
  let lg = log1p_series(e);
  let sp_pos = max(x, 0.0) + lg;   // softplus(x)
  let sp_neg = max(-x, 0.0) + lg;  // softplus(−x)
  let loss = w * (a * sp_neg + b * sp_pos);
  let big = 1.0 / (1.0 + e);
  let small = e * big;
  let sig = select(small, big, x >= 0.0);     // σ(x)
  let sig_neg = select(big, small, x >= 0.0); // σ(−x)
  let g = w * (b * sig - a * sig_neg);
  return Elem(bitcast<u32>(loss), bitcast<u32>(g));
}

fn probs_elem(xb: u32, tb: u32, pw: f32, w: f32) -> Elem {
  if (is_nan_bits(xb)) {
    return Elem(BITS_NAN, BITS_NAN);
  }
  // Clip side: 1 below ε, 2 above 1 − ε, 0 inside. Infinities by their bits.
  var side = 0u;
  var x = 0.0;
  if (is_inf_bits(xb)) {
    side = select(2u, 1u, xb == BITS_NEG_INF);
  } else {
    x = bitcast<f32>(xb);
    if (x < P.lo_in) {
      side = 1u;
    } else if (x > P.hi_in) {
      side = 2u;
    }
  }
  if (is_nan_bits(tb) || is_inf_bits(tb)) {
    if (side != 0u) {
      return Elem(BITS_NAN, 0u);
    }
    if (is_nan_bits(tb)) {
      return Elem(BITS_NAN, BITS_NAN);
    }
    return Elem(BITS_NAN, inf_target_grad(tb, pw, w));
  }
  let t = bitcast<f32>(tb);
  let a = pw * t;
  let b = 1.0 - t;
  var lx: f32;     // ln x̂
  var l1mx: f32;   // ln(1 − x̂)
  var g = 0.0;
  if (side == 1u) {
    lx = log(P.eps);
    l1mx = log1p_series(-P.eps);
  } else if (side == 2u) {
    lx = log1p_series(-P.eps);
    l1mx = log(P.eps);
  } else {
    lx = ln_unit(x);
    if (x <= 0.5) {
      l1mx = log1p_series(-x);
    } else {
      l1mx = log(1.0 - x);
    }
    g = w * (b / (1.0 - x) - a / x);
  }
  let loss = -(w * (a * lx + b * l1mx));
  return Elem(bitcast<u32>(loss), bitcast<u32>(g));
}

// Finite values times the scale; non-finite bits as they are.
fn scaled(bits: u32, k: f32) -> u32 {
  if ((bits & EXP_MASK) == EXP_MASK) {
    return bits;
  }
  return bitcast<u32>(bitcast<f32>(bits) * k);
}

// ---- partial sums (SUMS; Part and part_push come from partial_sum.wgsl) -------------------

// A partial as one value for reduce.wgsl: NaN for a NaN or both infinities, else an infinity,
// else the compensated sum.
fn part_bits(p: Part) -> u32 {
  if (part_is_nan(p)) {
    return BITS_NAN;
  }
  if ((p.flags & PART_POS_INF) != 0u) {
    return BITS_POS_INF;
  }
  if ((p.flags & PART_NEG_INF) != 0u) {
    return BITS_NEG_INF;
  }
  return bitcast<u32>(p.s - p.c);
}

// ---- main --------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  var part = Part(0.0, 0.0, 0u);
  let stride = nwg.x * WG;
  for (var i = wid.x * WG + lid; i < P.n; i += stride) {
    let c = i % P.cols;
    let xb = load_X(P.x_base + i);
    let tb = load_T(P.t_base + i);
    var el: Elem;
    if (has(F_PROBS)) {
      el = probs_elem(xb, tb, pos_weight(c), weight(c));
    } else {
      el = logits_elem(xb, tb, pos_weight(c), weight(c));
    }
    let lb = scaled(el.loss, P.scale);
    if (SUMS) {
      part_push(&part, lb);
    } else {
      OUT[P.out_base + i] = lb;
    }
    if (has(F_GRAD)) {
      G[P.g_base + i] = scaled(el.grad, P.scale);
    }
  }
  if (SUMS) {
    part_tree(lid, part);
    if (lid == 0u) {
      OUT[P.out_base + wid.x] = part_bits(red[0]);
    }
  }
}
