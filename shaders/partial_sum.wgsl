// A Kahan-compensated sum whose non-finite terms are kept as flags, decided on their bits (WGSL's
// float arithmetic need not be IEEE for them): binary cross-entropy's workgroup partials and the
// batch reduction (reduce.wgsl). Appended to those two families, which define WG.

const PART_NAN: u32 = 1u;
const PART_POS_INF: u32 = 2u;
const PART_NEG_INF: u32 = 4u;
const PART_BOTH_INF: u32 = 6u;  // +Infinity and -Infinity: NaN

struct Part {
  s: f32,
  c: f32,      // Kahan compensation
  flags: u32,  // PART_*
}

fn part_push(p: ptr<function, Part>, bits: u32) {
  if ((bits & EXP_MASK) == EXP_MASK) {
    if (bits == BITS_POS_INF) {
      (*p).flags |= PART_POS_INF;
    } else if (bits == BITS_NEG_INF) {
      (*p).flags |= PART_NEG_INF;
    } else {
      (*p).flags |= PART_NAN;
    }
    return;
  }
  let y = bitcast<f32>(bits) - (*p).c;
  let t = (*p).s + y;
  (*p).c = (t - (*p).s) - y;
  (*p).s = t;
}

fn part_merge(a: Part, b: Part) -> Part {
  return Part(a.s + b.s, a.c + b.c, a.flags | b.flags);
}

// NaN or both infinities: the sum is NaN.
fn part_is_nan(p: Part) -> bool {
  return (p.flags & PART_NAN) != 0u || (p.flags & PART_BOTH_INF) == PART_BOTH_INF;
}

var<workgroup> red: array<Part, WG>;

// Merges the partials of the workgroup's WG threads by a tree, in a fixed order (deterministic);
// the total is then in red[0].
fn part_tree(lid: u32, p: Part) {
  red[lid] = p;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (lid < k) {
      red[lid] = part_merge(red[lid], red[lid + k]);
    }
    workgroupBarrier();
  }
}
