// Binary focal loss (torchvision's sigmoid_focal_loss), elementwise over a [rows, cols] input of
// logits x and targets t in [0, 1], fused with its gradient.
//
// Per element:
//   σ = σ(x), σ' = σ(−x) = 1 − σ, sp = softplus(x), sp' = softplus(−x) (ln σ = −sp', ln σ' = −sp).
//   ce   = t·sp' + (1 − t)·sp                      BCE with logits, two non-negative terms
//   q    = 1 − p_t = t·σ' + (1 − t)·σ              (p_t = σ·t + (1 − σ)·(1 − t))
//   a_t  = α·t + (1 − α)·(1 − t), or 1 when α < 0 (no α)
//   loss = a_t·ce·q^γ
// q^γ is exp(γ·ln q), 1 for γ = 0 (0^0 = 1), with ln q from the logit so that neither p_t ≈ 1 nor
// |x| up to 3.4e38 loses it:
//   t = 1: ln q = −sp;  t = 0: ln q = −sp';
//   else:  ln q = logaddexp(ln t − sp, ln(1 − t) − sp')   (both terms finite for 0 < t < 1).
// Gradient: dce/dx = σ − t, dq/dx = (1 − 2t)·σ·σ', so
//   dL/dx = a_t·q^γ·[(σ − t) + γ·(1 − 2t)·ce·r],   r = σ·σ'/q (<= 1),  σ − t = (1 − t)·σ − t·σ'
// with r = σ (t = 1), σ' (t = 0), else exp(−sp − sp' − ln q): q^(γ−1) never appears, so γ < 1 and
// q → 0 stay finite.
// The loss and the gradient are then · scale (1/ln 2 for bits, times 1/n for the mean).
//
// Special values (the oracle's, src/reference/focal.ts), decided on bits:
//   - t NaN, or outside [0, 1] (±Infinity included), or x NaN: NaN loss and gradient.
//   - x = ±Infinity is the limit x → ±∞: x = +∞ gives q = 1 − t, loss +Infinity where
//     t < 1 and a_t > 0, else 0, gradient a_t·(1 − t)^(γ+1); x = −∞ gives q = t, loss +Infinity
//     where t > 0 and a_t > 0, else 0, gradient −a_t·t^(γ+1).
// 'none' writes each element's loss; 'sum'/'mean' (SUMS) keep a Kahan sum per thread, merged by a
// tree into one partial per workgroup for reduce.wgsl (partial_sum.wgsl), in a fixed order.
//
// Pipeline key: WG, SUMS and FLAGS (F_ALPHA, F_GRAD). Params, the bindings and F_* are generated
// from src/kernels/layouts/focal.ts.

override WG: u32 = 256u;
override SUMS: bool = false;

struct Elem {
  loss: u32,
  grad: u32,
}

fn alpha_t(t: f32) -> f32 {
  if (has(F_ALPHA)) {
    return P.alpha * t + (1.0 - P.alpha) * (1.0 - t);
  }
  return 1.0;
}

// t^(γ+1) for 0 <= t <= 1 (0^0 = 1 inside pow_unit).
fn pow_t1(t: f32) -> f32 {
  if (t == 0.0) {
    return 0.0;
  }
  return t * pow_unit(ln_unit(t), P.gamma, false);
}

fn logaddexp(a: f32, b: f32) -> f32 {
  let m = max(a, b);
  return m + log1p_series(exp_neg(-abs(a - b)));
}

fn focal_elem(xb: u32, tb: u32) -> Elem {
  let t = bitcast<f32>(tb);
  // NaN fails both comparisons only if compared as a float; decide it on its bits first.
  if (is_nan_bits(xb) || is_nan_bits(tb) || is_inf_bits(tb) || t < 0.0 || t > 1.0) {
    return Elem(BITS_NAN, BITS_NAN);
  }
  let at = alpha_t(t);
  if (is_inf_bits(xb)) {
    let pos = xb == BITS_POS_INF;
    let live = select(t > 0.0, t < 1.0, pos) && at > 0.0;
    let l = select(0u, BITS_POS_INF, live);
    let u = select(t, 1.0 - t, pos);
    let g = at * pow_t1(u);
    return Elem(l, bitcast<u32>(select(-g, g, pos)));
  }
  let x = bitcast<f32>(xb);
  let e = exp_neg(-abs(x));
  let lg = log1p_series(e);
  let sp = max(x, 0.0) + lg;    // softplus(x)
  let spn = max(-x, 0.0) + lg;  // softplus(−x)
  let big = 1.0 / (1.0 + e);
  let small = e * big;
  let sig = select(small, big, x >= 0.0);     // σ(x)
  let sign = select(big, small, x >= 0.0);    // σ(−x)
  var ce = 0.0;
  if (t != 0.0) {
    ce = t * spn;
  }
  if (t != 1.0) {
    ce += (1.0 - t) * sp;
  }
  var lnq: f32;
  var r: f32;
  if (t == 1.0) {
    lnq = -sp;
    r = sig;
  } else if (t == 0.0) {
    lnq = -spn;
    r = sign;
  } else {
    var ln1mt: f32;  // ln(1 − t): 1 − t is exact for t >= 1/2
    if (t <= 0.5) {
      ln1mt = log1p_series(-t);
    } else {
      ln1mt = log(1.0 - t);
    }
    lnq = logaddexp(ln_unit(t) - sp, ln1mt - spn);
    r = exp_neg(min((-sp - spn) - lnq, 0.0));
  }
  let qg = pow_unit(lnq, P.gamma, false);
  let loss = at * ce * qg;
  var g = 0.0;
  if (has(F_GRAD)) {
    // σ − t as (1 − t)·σ − t·σ': no cancellation for 0/1 targets (σ(20) − 1 would be 0).
    g = at * qg * (((1.0 - t) * sig - t * sign) + P.gamma * (1.0 - 2.0 * t) * (ce * r));
  }
  return Elem(bitcast<u32>(loss), bitcast<u32>(g));
}

// Finite values times the scale; non-finite bits as they are.
fn scaled(bits: u32, k: f32) -> u32 {
  if ((bits & EXP_MASK) == EXP_MASK) {
    return bits;
  }
  return bitcast<u32>(bitcast<f32>(bits) * k);
}

// A partial as one value for reduce.wgsl: NaN for a NaN or both infinities, else an infinity,
// else the compensated sum.
fn part_bits(p: Part) -> u32 {
  if (part_is_nan(p)) {
    return BITS_NAN;
  }
  if ((p.flags & PART_POS_INF) != 0u) {
    return BITS_POS_INF;
  }
  return bitcast<u32>(p.s - p.c);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  var part = Part(0.0, 0.0, 0u);
  let stride = nwg.x * WG;
  for (var i = wid.x * WG + lid; i < P.n; i += stride) {
    let el = focal_elem(load_X(P.x_base + i), load_T(P.t_base + i));
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
