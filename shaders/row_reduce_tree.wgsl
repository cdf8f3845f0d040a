// Row reduction across a workgroup, portable version: a tree in workgroup memory
// (log2(WG) + 1 barriers per row). Appended to row families, which define `Stats`,
// `stats_merge` (associative and commutative, bit for bit), `WG` and `WG_PER_ROW`.

var<workgroup> red: array<Stats, WG>;

// Every thread returns the merged stats of the whole row (a thread per row: its own).
fn reduce_row(lid: u32, st: Stats) -> Stats {
  if (!WG_PER_ROW) {
    return st;
  }
  red[lid] = st;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (lid < k) {
      red[lid] = stats_merge(red[lid], red[lid + k]);
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
