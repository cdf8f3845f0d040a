// The entry point of the row families whose rows need nothing beyond their own do_row(r, live,
// lid) (entropy, focal, jsd): a workgroup per row (WG_PER_ROW, its threads read the row together),
// or a thread per row with every thread of the workgroup in the loop (`live` false past the last
// row, which is read again so that barriers stay uniform). Grid-stride: any number of rows.

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  if (P.rows == 0u) {
    return;
  }
  if (WG_PER_ROW) {
    for (var r = wid.x; r < P.rows; r += nwg.x) {
      do_row(r, true, lid);
    }
  } else {
    // A thread per row; the loop bound is the same for the whole workgroup.
    for (var r0 = wid.x * WG; r0 < P.rows; r0 += nwg.x * WG) {
      let r = r0 + lid;
      do_row(min(r, P.rows - 1u), r < P.rows, 0u);
    }
  }
}
