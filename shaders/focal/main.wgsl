// Softmax focal loss over the rows of a [rows, V] logits input z, against sparse labels (int32,
// [rows]) or dense targets ([rows, V]), fused with its gradient with respect to the logits.
//
// Per row, with p = softmax(z), lp = ln p, q_c = 1 − p_c and per-class weights α_c:
//   loss = −Σ_c C_c·q_c^γ·lp_c,   C_c = α_c·t_c (dense), C_c = α_y·[c = y] (label y)
// Gradient. d lp_c/dz_j = δ_cj − p_j and dq_c/dz_j = −p_c·(δ_cj − p_j), so with
//   f(p) = q^γ·ln p,  p·f'(p) = q^γ − γ·p·q^(γ−1)·ln p = q^γ·(1 − γ·h),  h = p·ln p / q (<= 0),
//   dL/dz_j = −Σ_c C_c·p_c·f'(p_c)·(δ_cj − p_j) = p_j·G − g_j,
//   g_c = C_c·q_c^γ·(1 − γ·h_c),  G = Σ_c g_c.
// A label y: dL/dz_j = g_y·(p_j − δ_jy), and at j = y that is −g_y·q_y (no 1 − p cancellation).
// γ = 0 gives g_c = C_c: cross-entropy's p_j·Σ C − C_j. h → −1 as q → 0 (ln p ≈ −q), so
// q^(γ−1) never appears and γ < 1 stays finite; h = 0 where p = 0.
//
// Pass 1 (sums.wgsl), one read of the row: the maximum m and r = Σ exp(z_c − m) over every class
// but one instance of the maximum (online, blockwise; a new maximum moves the old one into r).
// Then ln s = ln(1 + r) = log1p(r), lp_c = (z_c − m) − ln s, p_c = exp(lp_c), and q_c without
// cancellation: at the maximum (z_c = m) q_c = r / (1 + r), ln q_c = ln r − ln s; elsewhere
// p_c < 1/2 and q_c = 1 − p_c, ln q_c = log1p(−p_c). q^γ = exp(γ·ln q) (math.wgsl), exactly 1
// for γ = 0.
// Pass 2, dense targets only: Σ loss terms and G over the row (blockwise as pass 1).
// Last pass (GRAD): the gradient, times 1/META[0] for the mean. Loss and gradient times 1/ln 2 for bits.
//
// Rows: an ignored label gives loss 0 and gradient 0 (ignore wins over NaN logits); a label
// outside [0, V) that is not ignored (labels on the GPU) gives NaN and is counted in META[2] by
// prepare. NaN or +Infinity in a row, or a non-finite dense target: NaN loss and gradient.
// -Infinity logits are masked classes (p = 0, q = 1): a target on one makes the loss +Infinity
// (C < 0: -Infinity) while the gradient stays finite (g = C). Every class masked: +Infinity,
// gradient 0. Logit differences past the float32 range (|z| near 3e38) are outside the contract.
//
// Entry `prepare` (one workgroup, first): label_scan.wgsl over the batch into META (the mean's
// denominator Σ α_y over kept rows, or the row count for dense targets). Entry `main`: the rows.
//
// Pipeline key: WG and WG_PER_ROW (launch.ts's rowLaunch), FLAGS (F_SPARSE, F_ALPHA_COL, F_GRAD,
// F_MEAN), and the row-reduction variant. Params, the bindings and F_* are generated from
// src/kernels/layouts/focal.ts.

override WG: u32 = 64u;
override WG_PER_ROW: bool = true;

fn weight(c: u32) -> f32 {
  if (has(F_ALPHA_COL)) {
    return AL[c];
  }
  return P.alpha;
}

// What a row's classes need from pass 1.
struct RowState {
  m: f32,
  r: f32,
  lns: f32,  // ln(1 + r)
}

struct Cls {
  masked: bool,
  p: f32,
  lp: f32,
  q: f32,
  qg: f32,  // q^γ
  gf: f32,  // q^γ·(1 − γ·h): g_c / C_c
}

fn class_of(zb: u32, row: RowState) -> Cls {
  if (is_masked(zb)) {
    return Cls(true, 0.0, 0.0, 1.0, 1.0, 1.0);
  }
  let z = bitcast<f32>(zb);
  let lp = (z - row.m) - row.lns;
  let p = exp_neg(lp);
  var q: f32;
  var lnq = 0.0;
  if (z >= row.m) {
    q = row.r / (1.0 + row.r);
    if (row.r != 0.0) {
      lnq = log(row.r) - row.lns;
    }
  } else {
    q = 1.0 - p;
    lnq = select(log(q), log1p_series(-p), p <= 0.5);
  }
  let qg = pow_unit(lnq, P.gamma, q == 0.0);
  var h = 0.0;
  if (q == 0.0) {
    h = -1.0;
  } else if (p != 0.0) {
    h = p * lp / q;
  }
  return Cls(false, p, lp, q, qg, qg * (1.0 - P.gamma * h));
}

// ---- prepare --------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn prepare(@builtin(local_invocation_index) lid: u32) {
  var st = prep_empty();
  if (has(F_SPARSE)) {
    for (var i = lid; i < P.total_rows; i += WG) {
      prep_label(&st, bitcast<i32>(load_T(P.t_base + i)), P.ignore_index, P.cols);
    }
  } else if (lid == 0u) {
    st.denom = f32(P.total_rows);
    st.kept = P.total_rows;
  }
  prep_tree(lid, st);
  if (lid == 0u) {
    let m = prep_meta(prep_red[0]);
    for (var i = 0u; i < 4u; i++) {
      META[i] = m[i];
    }
  }
}

// ---- rows -----------------------------------------------------------------------------------

const ROW_WRITE: u32 = 0u;
const ROW_ZEROS: u32 = 1u;
const ROW_NAN: u32 = 2u;

fn do_row(rr: u32, live: bool, lid: u32) {
  var start = 0u;
  var stride = 1u;
  if (WG_PER_ROW) {
    start = lid;
    stride = WG;
  }
  let x_row = P.x_base + rr * P.cols;
  let t_row = P.t_base + rr * P.cols;
  let a = reduce_row(lid, row_max(x_row, start, stride));
  var lns = 0.0;
  if (a.r < 1.0) {
    lns = log1p_series(a.r);
  } else {
    lns = log(1.0 + a.r);
  }
  let row = RowState(a.m, a.r, lns);
  var mode = ROW_WRITE;
  var loss = 0u;
  // Sparse: the label's class; dense: pass 2.
  var y = 0u;
  var gy = 0.0;   // g_y
  var qy = 0.0;   // q_y
  var gsum = 0.0; // G (dense)
  if (has(F_SPARSE)) {
    let label = bitcast<i32>(load_T(P.t_base + rr));
    if (label == P.ignore_index) {
      mode = ROW_ZEROS;
    } else if (label < 0 || u32(label) >= P.cols) {
      mode = ROW_NAN;
    } else if ((a.flags & ST_BAD) != 0u) {
      mode = ROW_NAN;
    } else if (a.live == 0u) {
      mode = ROW_ZEROS;
      loss = BITS_POS_INF;
    } else {
      y = u32(label);
      let k = weight(y);
      let cl = class_of(load_X(x_row + y), row);
      if (cl.masked) {
        loss = select(0u, BITS_POS_INF, k != 0.0);
      } else {
        loss = bitcast<u32>(k * cl.qg * -cl.lp);
      }
      gy = k * cl.gf;
      qy = cl.q;
    }
  } else {
    let b = reduce_row(lid, row_terms(x_row, t_row, start, stride, row));
    let flags = a.flags | b.flags;
    if ((flags & ST_BAD) != 0u) {
      mode = ROW_NAN;
    } else if (a.live == 0u) {
      mode = ROW_ZEROS;
      loss = BITS_POS_INF;
    } else if ((flags & (ST_PINF | ST_NINF)) == (ST_PINF | ST_NINF)) {
      loss = BITS_NAN;  // +Infinity and -Infinity terms; the gradient stays finite
    } else if ((flags & ST_PINF) != 0u) {
      loss = BITS_POS_INF;
    } else if ((flags & ST_NINF) != 0u) {
      loss = BITS_NEG_INF;
    } else {
      loss = bitcast<u32>(b.a);
    }
    gsum = b.b;
  }
  if (mode == ROW_NAN) {
    loss = BITS_NAN;
  }
  if (live && lid == 0u) {
    // Finite values times 1/ln 2 for bits; non-finite bits as they are.
    if ((loss & EXP_MASK) != EXP_MASK) {
      loss = bitcast<u32>(bitcast<f32>(loss) * P.out_scale);
    }
    LOSS[P.row0 + rr] = loss;
  }
  if (!has(F_GRAD)) {
    return;
  }
  var scale = P.out_scale;
  if (has(F_MEAN)) {
    scale = P.out_scale / bitcast<f32>(META[0]);
  }
  let g_row = P.g_base + rr * P.cols;
  for (var c = start; c < P.cols; c += stride) {
    var o = 0u;
    if (mode == ROW_NAN) {
      o = BITS_NAN;
    } else if (mode == ROW_WRITE) {
      let cl = class_of(load_X(x_row + c), row);
      var g: f32;
      if (has(F_SPARSE)) {
        g = select(gy * cl.p, -gy * qy, c == y);
      } else {
        var k = 0.0;
        let tb = load_T(t_row + c);
        k = weight(c) * bitcast<f32>(tb);
        g = cl.p * gsum - select(k * cl.gf, 0.0, k == 0.0);
      }
      o = bitcast<u32>(g * scale);
    }
    if (live) {
      G[g_row + c] = o;
    }
  }
}

// The entry point `main`: row_main.wgsl.
