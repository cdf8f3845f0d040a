// Softmax focal loss's row sums (main.wgsl's header): pass 1, the online maximum and the sum of
// the other classes; pass 2 (dense targets), the loss and Σ g_c. Both in blocks of ROW_BLOCK
// elements merged in groups of ROW_GROUP (common.wgsl), then across the workgroup by reduce_row.

const ST_BAD: u32 = 1u;   // NaN or +Infinity logit, or a non-finite dense target: NaN row
const ST_PINF: u32 = 2u;  // a +Infinity loss term (a target on a masked class)
const ST_NINF: u32 = 4u;  // a -Infinity loss term (a negative dense target on a masked class)

struct Stats {
  m: f32,       // pass 1: the running maximum
  r: f32,       //   Σ exp(z − m) over the classes but one instance of the maximum
  live: u32,    //   1 once a class that is not masked was seen
  a: f32,       // pass 2: Σ loss terms (finite ones)
  b: f32,       //   Σ g_c
  flags: u32,   // ST_*
}

fn stats_empty() -> Stats {
  return Stats(NEG_BIG, 0.0, 0u, 0.0, 0.0, 0u);
}

// Step 1 for one logit.
fn stats_push(st: ptr<function, Stats>, zb: u32) {
  if (is_poison(zb)) {
    (*st).flags |= ST_BAD;
    return;
  }
  if (is_masked(zb)) {
    return;
  }
  let z = bitcast<f32>(zb);
  if ((*st).live == 0u) {
    (*st).m = z;
    (*st).live = 1u;
  } else if (z > (*st).m) {
    // The old maximum joins the rest, all rescaled to the new one.
    (*st).r = (1.0 + (*st).r) * exp_sub((*st).m, z);
    (*st).m = z;
  } else {
    (*st).r += exp_sub(z, (*st).m);
  }
}

// Commutative bit for bit (the subgroup butterfly needs it): equal maxima add both rests and 1.
fn stats_merge(x: Stats, y: Stats) -> Stats {
  var o = Stats(x.m, x.r, x.live | y.live, x.a + y.a, x.b + y.b, x.flags | y.flags);
  if (x.live == 0u) {
    o.m = y.m;
    o.r = y.r;
  } else if (y.live != 0u) {
    if (x.m > y.m) {
      o.r = x.r + (1.0 + y.r) * exp_sub(y.m, x.m);
    } else if (y.m > x.m) {
      o.m = y.m;
      o.r = y.r + (1.0 + x.r) * exp_sub(x.m, y.m);
    } else {
      o.r = (x.r + y.r) + 1.0;
    }
  }
  return o;
}

const STATS_WORDS: u32 = 6u;

fn stats_words(s: Stats) -> array<u32, STATS_WORDS> {
  return array<u32, STATS_WORDS>(bitcast<u32>(s.m), bitcast<u32>(s.r), s.live, bitcast<u32>(s.a), bitcast<u32>(s.b), s.flags);
}

fn stats_unwords(w: array<u32, STATS_WORDS>) -> Stats {
  return Stats(bitcast<f32>(w[0]), bitcast<f32>(w[1]), w[2], bitcast<f32>(w[3]), bitcast<f32>(w[4]), w[5]);
}

fn block_max(x_row: u32, start: u32, stride: u32, end: u32) -> Stats {
  var st = stats_empty();
  for (var c = start; c < end; c += stride) {
    stats_push(&st, load_X(x_row + c));
  }
  return st;
}

// Pass 1 over a thread's columns start, start + stride, ...
fn row_max(x_row: u32, start: u32, stride: u32) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = start; g < P.cols; g = block_end(g, gspan, P.cols)) {
    let g1 = block_end(g, gspan, P.cols);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, block_max(x_row, b, stride, block_end(b, span, g1)));
    }
    total = stats_merge(total, grp);
  }
  return total;
}

// Pass 2 (dense): the loss term and g_c of each class, summed.
fn block_terms(x_row: u32, t_row: u32, start: u32, stride: u32, end: u32, row: RowState) -> Stats {
  var st = stats_empty();
  for (var c = start; c < end; c += stride) {
    let tb = load_T(t_row + c);
    if ((tb & EXP_MASK) == EXP_MASK) {
      st.flags |= ST_BAD;
      continue;
    }
    let k = weight(c) * bitcast<f32>(tb);
    if (k == 0.0) {
      continue;
    }
    let cl = class_of(load_X(x_row + c), row);
    if (cl.masked) {
      st.flags |= select(ST_NINF, ST_PINF, k > 0.0);
    } else {
      st.a += k * cl.qg * -cl.lp;
    }
    st.b += k * cl.gf;
  }
  return st;
}

fn row_terms(x_row: u32, t_row: u32, start: u32, stride: u32, row: RowState) -> Stats {
  let span = ROW_BLOCK * stride;
  let gspan = ROW_GROUP * span;
  var total = stats_empty();
  for (var g = start; g < P.cols; g = block_end(g, gspan, P.cols)) {
    let g1 = block_end(g, gspan, P.cols);
    var grp = stats_empty();
    for (var b = g; b < g1; b = block_end(b, span, g1)) {
      grp = stats_merge(grp, block_terms(x_row, t_row, b, stride, block_end(b, span, g1), row));
    }
    total = stats_merge(total, grp);
  }
  return total;
}
