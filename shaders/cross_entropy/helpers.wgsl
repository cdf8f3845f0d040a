// Cross-entropy's shared pieces: the pipeline's overrides, the row Stats and their merge, the
// per-class coefficient, the argmax, and how a row and a thread's share of it are found.
//
// Pipeline key: WG, WG_PER_ROW (a workgroup per row, or a thread per row for short rows), CPU_ROWS,
// FLAGS (the call's features; on SwiftShader a uniform branch in the inner loop cost several times
// the loop's arithmetic, hence overrides), and the row reduction: a workgroup tree, or subgroups
// (module variant, override SG). Shapes and option values live in the uniform block; Params, the
// bindings, F_*, META_WORDS and STATS_WORDS are generated from src/kernels/layouts/cross-entropy.ts.

override WG: u32 = 64u;
override WG_PER_ROW: bool = true;
// A thread per row on a CPU adapter: `main` holds no barrier (a folded prepare runs serially in
// one thread), since SwiftShader runs each subgroup of an entry point with one as a coroutine.
override CPU_ROWS: bool = false;

// Stats.flags bits.
const ROW_POISON: u32 = 1u;  // NaN or +Infinity seen
const ROW_MASKED: u32 = 2u;  // a masked class with a non-zero coefficient
const ROW_REDO: u32 = 4u;    // the fast pass saw a special or huge value: the careful pass redid the row

// Argmax categories (Stats.acat): NaN counts as the maximum, then +Infinity.
const CAT_FINITE: u32 = 0u;
const CAT_POS_INF: u32 = 1u;
const CAT_NAN: u32 = 2u;
// Stats.aidx of a slice with no element yet.
const NO_INDEX: u32 = 0xffffffffu;

fn weight(c: u32) -> f32 {
  if (has(F_WEIGHT)) {
    return Wt[c];
  }
  return 1.0;
}

fn capped(x: f32) -> f32 {
  if (has(F_SOFTCAP)) {
    return soft_cap(x, P.softcap);
  }
  return x;
}

fn capped4(x: vec4<f32>) -> vec4<f32> {
  if (has(F_SOFTCAP)) {
    return soft_cap4(x, P.softcap);
  }
  return x;
}

struct Stats {
  on: Online,
  az: f32,     // sum_c a'_c·(z'_c - m) (logits, relative to the running max) or sum_c a_c·(-log q̂_c) (probs)
  acc: f32,    // sum_c a'_c over the classes in az (logits): rescales az when m moves
  asum: f32,   // sum_c a'_c (dense logits) or sum_c q_c·g_c (probs, normalising)
  xsum: f32,   // sum_c p_c (probs, normalising)
  amax: f32,
  aidx: u32,
  acat: u32,   // argmax category: CAT_*
  flags: u32,  // ROW_*
}

fn stats_empty() -> Stats {
  return Stats(online_empty(), 0.0, 0.0, 0.0, 0.0, NEG_BIG, NO_INDEX, CAT_FINITE, 0u);
}

fn stats_merge(a: Stats, b: Stats) -> Stats {
  var r = a;
  r.on = online_merge(a.on, b.on);
  // Both linear sums moved to the merged maximum (empty sides have nothing to move).
  var az_a = a.az;
  var az_b = b.az;
  if (a.acc != 0.0) {
    az_a += (a.on.m - r.on.m) * a.acc;
  }
  if (b.acc != 0.0) {
    az_b += (b.on.m - r.on.m) * b.acc;
  }
  r.az = az_a + az_b;
  r.acc = a.acc + b.acc;
  r.asum = a.asum + b.asum;
  r.xsum = a.xsum + b.xsum;
  // argmax: the higher category, then the larger value, then the first index.
  if (b.aidx != NO_INDEX && (a.aidx == NO_INDEX || argmax_before(b, a))) {
    r.amax = b.amax;
    r.aidx = b.aidx;
    r.acat = b.acat;
  }
  r.flags = a.flags | b.flags;
  return r;
}

// Stats as STATS_WORDS words, for subgroup shuffles (row_reduce_subgroup.wgsl) and split rows' PART.

fn stats_words(s: Stats) -> array<u32, STATS_WORDS> {
  return array<u32, STATS_WORDS>(bitcast<u32>(s.on.m), bitcast<u32>(s.on.s), bitcast<u32>(s.az), bitcast<u32>(s.acc),
    bitcast<u32>(s.asum), bitcast<u32>(s.xsum), bitcast<u32>(s.amax), s.aidx, s.acat, s.flags);
}

fn stats_unwords(w: array<u32, STATS_WORDS>) -> Stats {
  return Stats(Online(bitcast<f32>(w[0]), bitcast<f32>(w[1])), bitcast<f32>(w[2]), bitcast<f32>(w[3]),
    bitcast<f32>(w[4]), bitcast<f32>(w[5]), bitcast<f32>(w[6]), w[7], w[8], w[9]);
}

// reduce_row(lid, st) comes from row_reduce_tree.wgsl or row_reduce_subgroup.wgsl.

// Per-class coefficient a_c of -log p_c in the loss, for class c of a row.
// Sparse: (1-e)·w[y]·[c = y] + (e/V)·w[c]. Dense: w[c]·((1-e)·t_c + e/V).
fn coef(c: u32, y: u32, t_row: u32) -> f32 {
  let e = P.smoothing;
  let inv_v = 1.0 / f32(P.cols);
  if (has(F_SPARSE)) {
    var a = e * inv_v * weight(c);
    if (c == y) {
      a += (1.0 - e) * weight(c);
    }
    return a;
  }
  let t = bitcast<f32>(load_T(t_row + c));
  return weight(c) * ((1.0 - e) * t + e * inv_v);
}

fn argmax_before(b: Stats, a: Stats) -> bool {
  if (b.acat != a.acat) {
    return b.acat > a.acat;
  }
  if (b.acat == CAT_FINITE && b.amax != a.amax) {
    return b.amax > a.amax;
  }
  return b.aidx < a.aidx;
}

// Elements arrive in increasing c within a thread, so only a strictly better one replaces.
fn track_argmax(st: ptr<function, Stats>, bits: u32, c: u32) {
  var cat = CAT_FINITE;
  if (is_poison(bits)) {
    cat = select(CAT_NAN, CAT_POS_INF, bits == BITS_POS_INF);
  }
  let v = select(NEG_BIG, bitcast<f32>(bits), cat == CAT_FINITE && !is_masked(bits));
  if ((*st).aidx == NO_INDEX || cat > (*st).acat || (cat == CAT_FINITE && (*st).acat == CAT_FINITE && v > (*st).amax)) {
    (*st).amax = v;
    (*st).aidx = c;
    (*st).acat = cat;
  }
}

fn f32_bits(x: f32) -> u32 {
  return bitcast<u32>(x);
}

// A thread's share of columns [c0, c1): (start, stride, end).
// A thread per row: all of them. A workgroup per row on a GPU (P.slicing 0): every WG-th column
// from c0 + lid, so a warp's loads are coalesced. On a CPU adapter (P.slicing 1): a contiguous
// slice per thread, a multiple of 4 long, which its core's caches and prefetcher stream through
// (measured on SwiftShader: 1.3-1.6x faster reads than the strided form).
fn slice_of(lid: u32, c0: u32, c1: u32) -> vec3<u32> {
  if (!WG_PER_ROW) {
    return vec3<u32>(c0, 1u, c1);
  }
  if (P.slicing == 1u) {
    let span = (((c1 - c0 + WG - 1u) / WG) + 3u) & ~3u;
    let a = min(c0 + lid * span, c1);
    return vec3<u32>(a, 1u, min(a + span, c1));
  }
  return vec3<u32>(c0 + lid, WG, c1);
}

// The label of row r: (label, ignored, out of range).
fn row_label(t_row: u32) -> vec3<u32> {
  if (!has(F_SPARSE)) {
    return vec3<u32>(0u, 0u, 0u);
  }
  let yi = bitcast<i32>(T[t_row]);
  let ignored = yi == P.ignore_index;
  let bad = !ignored && (yi < 0 || u32(yi) >= P.cols);
  return vec3<u32>(select(0u, u32(yi), !ignored && !bad), select(0u, 1u, ignored), select(0u, 1u, bad));
}

fn t_row_of(r: u32) -> u32 {
  return P.t_base + select(r * P.cols, r, has(F_SPARSE));
}
