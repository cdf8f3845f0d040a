// Generalized Jensen–Shannon divergence between a teacher and a student, from logits with a
// temperature T, over the rows of [rows, V] inputs, fused with the gradient with respect to the
// student logits z (the teacher's logits y get none):
//
//   P = softmax(y/T) (teacher),  Q = softmax(z/T) (student),  M = β·P + (1 − β)·Q,
//   0 < β < 1:  JSD_β = β·KL(P‖M) + (1 − β)·KL(Q‖M) = Σ_c β·P_c·(ln P_c − ln M_c) + (1 − β)·Q_c·(ln Q_c − ln M_c),
//   β = 0 (FORWARD): KL(P‖Q) = Σ_c P_c·(ln P_c − ln Q_c),
//   β = 1 (REVERSE): KL(Q‖P) = Σ_c Q_c·(ln Q_c − ln P_c),
// Liger-Kernel's LigerJSD convention (the general form tends to 0 at both ends; the end points
// are the two KLs). No T² factor.
//
// Gradient. d ln Q_c/d z_j = (δ_cj − Q_j)/T, so for any f(Q): df/dz_j = Q_j·(g_j − Σ_c Q_c·g_c)/T
// with g_c = df/dQ_c.
//   0 < β < 1: JSD = Σ β·P ln P + (1 − β)·Q ln Q − M ln M (dM/dQ = 1 − β), so
//              g_c = (1 − β)·(ln Q_c + 1) − (1 − β)·(ln M_c + 1) = (1 − β)·(ln Q_c − ln M_c),
//              Σ_c Q_c·g_c = (1 − β)·KL(Q‖M) = (1 − β)·k, and
//              dJSD/dz_j = (1 − β)/T · Q_j·((ln Q_j − ln M_j) − k).
//   FORWARD:   g_c = −P_c/Q_c, Σ Q·g = −1: dKL/dz_j = (Q_j − P_j)/T.
//   REVERSE:   g_c = ln Q_c − ln P_c + 1, Σ Q·g = KL + 1: dKL/dz_j = Q_j·((ln Q_j − ln P_j) − k)/T, k = KL(Q‖P).
//
// Entry `main` (the rows), three reads of each row (sums.wgsl), each in blocks of ROW_BLOCK
// merged in groups (common.wgsl) and across the workgroup by reduce_row:
//   1. Both softmax states: raw maxima qm, pm and scaled sums qs = Σ exp((z − qm)/T), ps likewise
//      (online, merged by rescaling to the larger maximum). Invalid and singular classes flagged.
//   2. With ln Q_c = (z_c − qm)/T − ln qs, ln P_c likewise, and δ_c = ln Q_c − ln P_c, the terms:
//        ln M − ln P = log1p((1 − β)·expm1(δ)) for δ <= 0, and ln M − ln Q = log1p(β·expm1(−δ))
//        for δ > 0 (each >= ln β, resp. ln(1 − β), clamped there), so that equal rows give
//        exactly 0 and nothing cancels. A class one side masks: M = β·P (term β·P·(−ln β)) or
//        M = (1 − β)·Q (term (1 − β)·Q·(−ln(1 − β))). Sums: the loss, and k.
//   3. The gradient, times 1/T and 1/(kept rows) for 'mean' (MEAN_KEPT: the count from META).
//
// Edge cases, as the float64 oracle (src/reference/jsd.ts):
//   - A row whose label is ignore_index (LABELS): loss 0, gradient 0.
//   - NaN or +Infinity in either row: loss and gradient NaN.
//   - Either side with every class masked (-Infinity): loss +Infinity, gradient 0.
//   - FORWARD: a class the student masks where the teacher has mass (P_c > 0 in float64: its log
//     above −745.13, decided from the largest such teacher logit) makes the loss +Infinity, the
//     gradient stays (Q − P)/T. REVERSE: the same with the roles swapped, gradient NaN.
//   - The loss is >= 0 by Gibbs' inequality; a float32 sum that rounds below 0 is written as 0.
//   - Logit differences past float32 (|z| near 3e38, or (z − m)/T overflowing): that class's
//     probability is 0 (sdiff gives NEG_BIG, a finite log).
//
// Entry `count` (LABELS with 'mean'): one workgroup counts the kept rows into META before the rows.
//
// Files: main.wgsl (this: one row, the entries), sums.wgsl (the passes and per-class values).
// Params, the bindings and F_* are generated from src/kernels/layouts/jsd.ts.
//
// Pipeline key: WG and WG_PER_ROW (a workgroup per row, or a thread per row for short rows), FLAGS,
// and the row-reduction variant (tree, or subgroups with SG).

override WG: u32 = 64u;
override WG_PER_ROW: bool = true;

fn write_grad(s_row: u32, t_row: u32, g_row: u32, rw: Row, gmode: u32, start: u32, stride: u32, live: bool) {
  var scale = P.grad_scale;
  if (has(F_MEAN_KEPT)) {
    scale = scale / f32(max(META[3], 1u));
  }
  for (var c = start; c < P.cols; c += stride) {
    var o = 0u;
    if (gmode == GMODE_NAN) {
      o = BITS_NAN;
    } else if (gmode == GMODE_WRITE) {
      let v = class_terms(load_S(s_row + c), load_TE(t_row + c), rw);
      var g: f32;
      if (has(F_FORWARD)) {
        g = v.q - v.p;
      } else if (has(F_REVERSE)) {
        g = v.q * (v.d - rw.k);
      } else {
        g = P.omb * v.q * (v.qlm - rw.k);
      }
      o = bitcast<u32>(g * scale);
    }
    if (live) {
      G[g_row + c] = o;
    }
  }
}

// One row. `r` is clamped to a real row so every thread of a workgroup walks the same barriers;
// `live` guards the writes.
fn do_row(r: u32, live: bool, lid: u32) {
  var start = 0u;
  var stride = 1u;
  if (WG_PER_ROW) {
    start = lid;
    stride = WG;
  }
  let s_row = P.s_base + r * P.cols;
  let t_row = P.t_base + r * P.cols;
  var rw = Row(0.0, 0.0, 0.0, 0.0, 0.0);
  let a = reduce_row(lid, row_pass(1u, s_row, t_row, rw, start, stride));
  rw.qm = a.qm;
  rw.pm = a.pm;
  if (a.qs > 0.0) {
    rw.lsq = log_sum(a.qs);
  }
  if (a.ps > 0.0) {
    rw.lsp = log_sum(a.ps);
  }
  let b = reduce_row(lid, row_pass(2u, s_row, t_row, rw, start, stride));
  rw.k = b.k;

  var gmode = GMODE_WRITE;
  var loss = bitcast<u32>(max(b.sum, 0.0));
  if ((a.flags & J_SING) != 0u) {
    if (has(F_FORWARD) && sdiff(a.mx, a.pm) - rw.lsp > LN_F64_MIN) {
      loss = BITS_POS_INF;
    }
    if (has(F_REVERSE) && sdiff(a.mx, a.qm) - rw.lsq > LN_F64_MIN) {
      loss = BITS_POS_INF;
      gmode = GMODE_NAN;
    }
  }
  if (a.qs == 0.0 || a.ps == 0.0) {
    loss = BITS_POS_INF;
    gmode = GMODE_ZEROS;
  }
  if ((a.flags & J_INVALID) != 0u) {
    loss = BITS_NAN;
    gmode = GMODE_NAN;
  }
  if (has(F_LABELS) && LAB[P.row0 + r] == P.ignore_index) {
    loss = 0u;
    gmode = GMODE_ZEROS;
  }
  if (live && lid == 0u) {
    LOSS[P.row0 + r] = loss;
  }
  if (has(F_GRAD)) {
    write_grad(s_row, t_row, P.g_base + r * P.cols, rw, gmode, start, stride, live);
  }
}

// The entry point `main`: row_main.wgsl.

var<workgroup> kept_part: array<u32, WG>;

// Kept rows of the whole batch (P.rows here is every row): a strided count, then a tree.
@compute @workgroup_size(WG)
fn count(@builtin(local_invocation_index) lid: u32) {
  var n = 0u;
  for (var i = lid; i < P.rows; i += WG) {
    if (LAB[i] != P.ignore_index) {
      n += 1u;
    }
  }
  kept_part[lid] = n;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (lid < k) {
      kept_part[lid] += kept_part[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    META[0] = bitcast<u32>(f32(kept_part[0]));
    META[3] = kept_part[0];
  }
}
