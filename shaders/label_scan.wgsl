// The label scan of both cross-entropy families (their entry `prepare`, before the rows), into
// four META words:
//   META[0] = the mean's denominator: Σ w[y_i] over kept rows (sparse) or the row count (dense);
//   META[1] = W = Σ_c w[c] (read only by label smoothing's term);
//   META[2] = labels outside [0, V) that are not the ignore index;
//   META[3] = kept rows (an empty batch is told apart from kept rows whose weights sum to 0).
// Appended to those families, which define `weight(c)` (the class weight) and `WG`.

struct Prep {
  denom: f32,
  comp: f32,  // Kahan compensation of denom
  wsum: f32,
  bad: u32,
  kept: u32,
}

fn prep_empty() -> Prep {
  return Prep(0.0, 0.0, 0.0, 0u, 0u);
}

// One label y of a batch over `classes` classes.
fn prep_label(st: ptr<function, Prep>, y: i32, ignore_index: i32, classes: u32) {
  if (y == ignore_index) {
    return;
  }
  if (y < 0 || u32(y) >= classes) {
    (*st).bad += 1u;
    return;
  }
  (*st).kept += 1u;
  // Kahan: keeps the count of a long batch exact in f32 well past 2^24 rows of weight 1.
  let v = weight(u32(y)) - (*st).comp;
  let t = (*st).denom + v;
  (*st).comp = (t - (*st).denom) - v;
  (*st).denom = t;
}

var<workgroup> prep_red: array<Prep, WG>;

// Merges the workgroup's scans by a tree; the total is then in prep_red[0].
fn prep_tree(lid: u32, st: Prep) {
  prep_red[lid] = st;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (lid < k) {
      let a = prep_red[lid];
      let b = prep_red[lid + k];
      prep_red[lid] = Prep(a.denom + b.denom, a.comp + b.comp, a.wsum + b.wsum, a.bad + b.bad, a.kept + b.kept);
    }
    workgroupBarrier();
  }
}

// META[0..4) of a whole batch's scan.
fn prep_meta(r: Prep) -> vec4<u32> {
  return vec4<u32>(bitcast<u32>(r.denom - r.comp), bitcast<u32>(r.wsum), r.bad, r.kept);
}
