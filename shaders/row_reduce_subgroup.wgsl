// Row reduction across a workgroup with subgroup operations (used when the device has the
// `subgroups` feature and a fixed subgroup size SG): two barriers per row instead of
// log2(WG) + 1, which matters most where barriers are dear (CPU adapters).
// 1. Butterfly inside each subgroup: log2(SG) shuffles of the stats' words; stats_merge is
//    commutative bit for bit, so every lane ends with the same subgroup total.
// 2. The subgroup's elected lane (its lowest) stores the total at its own index.
// 3. Thread 0 merges the stored totals in index order (fixed, so results are deterministic).
// Needs from the family: `Stats`, `stats_merge`, `STATS_WORDS`, `stats_words`, `stats_unwords`.

override SG: u32 = 32u;

var<workgroup> red: array<Stats, WG>;
var<workgroup> lead: array<u32, WG>;
var<workgroup> total: Stats;

fn reduce_row(lid: u32, st0: Stats) -> Stats {
  if (!WG_PER_ROW) {
    return st0;
  }
  var st = st0;
  for (var k = 1u; k < SG; k = k * 2u) {
    let w = stats_words(st);
    var o: array<u32, STATS_WORDS>;
    for (var i = 0u; i < STATS_WORDS; i++) {
      o[i] = subgroupShuffleXor(w[i], k);
    }
    st = stats_merge(st, stats_unwords(o));
  }
  let leader = subgroupElect();
  red[lid] = st;
  lead[lid] = select(0u, 1u, leader);
  workgroupBarrier();
  if (lid == 0u) {
    var t = red[0];
    for (var i = 1u; i < WG; i++) {
      if (lead[i] != 0u) {
        t = stats_merge(t, red[i]);
      }
    }
    total = t;
  }
  workgroupBarrier();
  // The next row's writes to `total` come after its first barrier, which every thread reaches
  // only after this read: no third barrier needed.
  return total;
}
