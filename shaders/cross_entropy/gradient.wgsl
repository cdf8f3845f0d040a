// Cross-entropy's pass 2, the gradient (the header of main.wgsl, step 4; a second read of the
// row, each element written once): write_grad picks, by the row's gmode and the call's flags, the
// lean form of a clean row (write_grad_clean), the fast sparse form (write_grad_sparse) or the
// general loop.

// The gmode of a row whose fast pass saw no special or huge value: the lean form (the other
// modes are common.wgsl's GMODE_*).
const GMODE_CLEAN: u32 = 3u;

// A row's results from pass 1: its loss and what its gradient needs.
struct RowOut {
  loss: u32,    // bits of the row's loss
  gmode: u32,   // GMODE_*
  m: f32,       // row maximum (logits)
  ls: f32,      // ln of the rescaled sum: lse = m + ls
  inv_sum: f32, // 1 / rescaled sum: p_c = exp(z'_c - m) / s
  lse: f32,
  k: f32,       // sum_c a_c + 2·zl·lse (logits)
  corr: f32,    // sum_c q_c·g_c (probs, normalising)
  inv_s: f32,   // 1 / row sum (probs, normalising) or 1
  scale: f32,   // the reduction's and the base's factor for the gradient
}

// Gradient of one element from logits with sparse labels (main.wgsl's header, step 4):
// g = p_c·K - a_c with p_c = exp(z'_c - m) / s, a_c = (e/V)·w[c] + (1-e)·w[y]·[c = y]; a masked
// class has p_c = 0; times dz'/dz under the soft-cap (not for a masked class), times the scale.
// Four elements at once (c4: their classes).
fn sparse_grad4(b: vec4<u32>, c4: vec4<u32>, y: u32, ro: RowOut) -> vec4<u32> {
  let masked = b == vec4<u32>(BITS_NEG_INF);
  let z = capped4(bitcast<vec4<f32>>(select(b, vec4<u32>(0u), masked)));
  let far = z < vec4<f32>(ro.m + EXP_FLOOR);
  let p = select(exp(z - vec4<f32>(ro.m)), vec4<f32>(0.0), masked | far);
  var w = vec4<f32>(1.0);
  if (has(F_WEIGHT)) {
    w = vec4<f32>(Wt[c4.x], Wt[c4.y], Wt[c4.z], Wt[c4.w]);
  }
  let e = P.smoothing;
  let a = (e / f32(P.cols)) * w + select(vec4<f32>(0.0), (1.0 - e) * w, c4 == vec4<u32>(y));
  var g = p * ro.inv_sum * ro.k - a;
  if (has(F_SOFTCAP)) {
    let r = z / P.softcap;
    g *= select(1.0 - r * r, vec4<f32>(1.0), masked);
  }
  return bitcast<vec4<u32>>(g * ro.scale);
}

// Four gradient values of one step (columns c, c + stride, c + 2·stride, c + 3·stride): over the
// input itself (in place) or into G.
fn store_grad4(i: u32, j: u32, stride: u32, o: vec4<u32>) {
  if (has(F_INPLACE)) {
    X[i] = o.x;
    X[i + stride] = o.y;
    X[i + 2u * stride] = o.z;
    X[i + 3u * stride] = o.w;
  } else {
    G[j] = o.x;
    G[j + stride] = o.y;
    G[j + 2u * stride] = o.z;
    G[j + 3u * stride] = o.w;
  }
}

// The gradient's fast form (logits, sparse labels, a row to write in full): four elements per
// step, then the tail one by one; no per-element branch.
fn write_grad_sparse(x_row: u32, g_row: u32, y: u32, ro: RowOut, start: u32, stride: u32, end: u32) {
  var c = start;
  let s3 = 3u * stride;
  if (end > s3) {
    for (; c < end - s3; c += 4u * stride) {
      let i = x_row + c;
      let c4 = vec4<u32>(c, c + stride, c + 2u * stride, c + s3);
      let o = sparse_grad4(load4(i, stride), c4, y, ro);
      store_grad4(i, g_row + c, stride, o);
    }
  }
  for (; c < end; c += stride) {
    let o = sparse_grad4(vec4<u32>(load_X(x_row + c)), vec4<u32>(c), y, ro).x;
    if (has(F_INPLACE)) {
      X[x_row + c] = o;
    } else {
      G[g_row + c] = o;
    }
  }
}

// The gradient's lean form, for a row the fast pass found clean (no -Infinity, NaN, +Infinity or
// |z| >= 2^64; sparse labels, no smoothing): a_c is 0 but at the label, so every element is
// g_c = p_c·K·scale (times dz'/dz under the soft-cap), p_c = exp(z'_c - m) / s (eight a step,
// unclamped as in logits_fast: |z| < 2^64 here), with no select per element; then the thread
// whose slice holds the label writes that element again with its -a_y:
// (p_y·K - (1-e)·w[y])·dz'/dz·scale, from the label's logit read before any write (`by`).
fn write_grad_clean(x_row: u32, g_row: u32, y: u32, by: u32, ro: RowOut, start: u32, stride: u32, end: u32) {
  let f = ro.inv_sum * ro.k * ro.scale;
  var c = start;
  let s4 = 4u * stride;
  let s7 = 7u * stride;
  if (end > s7) {
    for (; c < end - s7; c += 8u * stride) {
      let i = x_row + c;
      let j = i + s4;
      let z = capped4(bitcast<vec4<f32>>(load4(i, stride)));
      let z2 = capped4(bitcast<vec4<f32>>(load4(j, stride)));
      var g = exp(z - vec4<f32>(ro.m)) * f;
      var g2 = exp(z2 - vec4<f32>(ro.m)) * f;
      if (has(F_SOFTCAP)) {
        let r = z / P.softcap;
        let r2 = z2 / P.softcap;
        g *= 1.0 - r * r;
        g2 *= 1.0 - r2 * r2;
      }
      store_grad4(i, g_row + c, stride, bitcast<vec4<u32>>(g));
      store_grad4(j, g_row + c + s4, stride, bitcast<vec4<u32>>(g2));
    }
  }
  for (; c < end; c += stride) {
    let z = capped(bitcast<f32>(load_X(x_row + c)));
    var g = exp(max(z - ro.m, EXP_FLOOR)) * f;
    if (has(F_SOFTCAP)) {
      let r = z / P.softcap;
      g *= 1.0 - r * r;
    }
    if (has(F_INPLACE)) {
      X[x_row + c] = bitcast<u32>(g);
    } else {
      G[g_row + c] = bitcast<u32>(g);
    }
  }
  if (y >= start && y < end && (y - start) % stride == 0u) {
    let z = capped(bitcast<f32>(by));
    var g = exp(max(z - ro.m, EXP_FLOOR)) * ro.inv_sum * ro.k - (1.0 - P.smoothing) * weight(y);
    if (has(F_SOFTCAP)) {
      let r = z / P.softcap;
      g *= 1.0 - r * r;
    }
    if (has(F_INPLACE)) {
      X[x_row + y] = bitcast<u32>(g * ro.scale);
    } else {
      G[g_row + y] = bitcast<u32>(g * ro.scale);
    }
  }
}

// Writes the gradient of one row slice (second read of the row).
fn write_grad(x_row: u32, g_row: u32, t_row: u32, y: u32, by: u32, ro: RowOut, start: u32, stride: u32, end: u32, live: bool) {
  // No barrier below: a thread with nothing to write leaves at once.
  if (!live) {
    return;
  }
  if (ro.gmode == GMODE_CLEAN) {
    write_grad_clean(x_row, g_row, y, by, ro, start, stride, end);
    return;
  }
  if (has(F_SPARSE) && !has(F_PROBS) && ro.gmode == GMODE_WRITE) {
    write_grad_sparse(x_row, g_row, y, ro, start, stride, end);
    return;
  }
  for (var c = start; c < end; c += stride) {
    let b = load_X(x_row + c);
    var o: u32;
    if (ro.gmode == GMODE_NAN) {
      o = BITS_NAN;
    } else if (ro.gmode == GMODE_ZEROS) {
      o = 0u;
    } else {
      let a = coef(c, y, t_row);
      var g: f32;
      if (has(F_PROBS)) {
        let q = prob_q(b, ro.inv_s);
        g = (prob_g(q, a) - ro.corr) * ro.inv_s;
      } else if (is_masked(b)) {
        g = -a;
      } else {
        let z = capped(bitcast<f32>(b));
        g = exp_sub(z, ro.m) * ro.inv_sum * ro.k - a;
        if (has(F_SOFTCAP)) {
          let r = z / P.softcap;
          g *= 1.0 - r * r;
        }
      }
      o = f32_bits(g * ro.scale);
    }
    if (live) {
      if (has(F_INPLACE)) {
        X[x_row + c] = o;
      } else {
        G[g_row + c] = o;
      }
    }
  }
}
