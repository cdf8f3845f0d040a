// Cross-entropy's entry `prepare` (one workgroup, before the rows): the label scan of
// label_scan.wgsl over the batch, into META. Its threads stride over the labels (and, with
// F_LINEAR, the classes for W), then merge by a tree. `main` may run it itself (folded prepare,
// P.fold_prep): as prepare_body in its workgroup 0, or serially in one thread (CPU_ROWS).

@compute @workgroup_size(WG)
fn prepare(@builtin(local_invocation_index) lid: u32) {
  prepare_body(lid);
}

fn prepare_body(lid: u32) {
  prep_tree(lid, prepare_slice(lid, WG));
  if (lid == 0u) {
    prepare_write(prep_red[0]);
  }
}

// Rows first, first + step, ... and classes likewise.
fn prepare_slice(first: u32, step: u32) -> Prep {
  var st = prep_empty();
  if (has(F_SPARSE)) {
    for (var i = first; i < P.total_rows; i += step) {
      prep_label(&st, bitcast<i32>(T[P.t_base + i]), P.ignore_index, P.cols);
    }
  } else {
    st.denom = select(0.0, f32(P.total_rows), first == 0u);
    st.kept = select(0u, P.total_rows, first == 0u);
  }
  // W = sum_c w[c] is read only by smoothing's term (F_LINEAR): no loop over the classes
  // otherwise (it would run alone, serially, in a folded prepare).
  if (has(F_LINEAR)) {
    for (var c = first; c < P.cols; c += step) {
      st.wsum += weight(c);
    }
  }
  return st;
}

fn prepare_write(r: Prep) {
  let m = prep_meta(r);
  for (var i = 0u; i < META_WORDS; i++) {
    META[i] = m[i];
  }
}
