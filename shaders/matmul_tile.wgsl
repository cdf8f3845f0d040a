// One product tile C = A·B over a reduction of length K, shared by the families that form a
// classifier head's products (linear_cross_entropy/, linear_jsd.wgsl): staged through workgroup
// memory (mm_tile, a 32×32 tile per workgroup) or read straight from the buffers (mm_direct, a
// thread's 4×4 block; what a CPU adapter runs, where barriers are dear).
//
// The including family defines the roles (each a constant per pipeline, so the branches fold):
//   dim_m(), dim_n(), dim_k()   C is [M, N], the reduction K long
//   load_a(i, k), load_b(k, j)  A's and B's elements, f32, in range
//   a_along_k(), b_along_k()    whether A's rows / B's columns are contiguous along k (the staging
//                               reads consecutive addresses with consecutive threads)
//   skips_dead()                whether the reduction leaves out dead TILE×TILE blocks of A, and
//   tile_live(i, k)             if so, whether the block holding A's element (i, k) is live
//   emit(i, j, v)               what C's element (i, j) becomes (past C's edges: nothing)
// and the layout gives WG (64 = 8×8 threads), TILE (BM = BN) and TM (each thread's 4×4 block).
//
// 1. For each step of BK along K, the 64 threads stage A's 32×BK and B's BK×32 slices in
//    workgroup memory (zeros outside the matrix), reading along each matrix's contiguous axis.
// 2. Each thread accumulates its 4×4 outputs in f32 (fma) over the staged slice: C[i0 + ty + 8m,
//    j0 + tx + 8q] for tx = lid % 8, ty = lid / 8. The order of the sum is fixed: deterministic.

const BM: u32 = TILE;
const BN: u32 = TILE;
const BK: u32 = 16u;        // reduction depth staged per step: 2 × 16 × 32 f32 = 4 KiB

var<workgroup> As: array<f32, BK * BM>;  // As[k·BM + i]
var<workgroup> Bs: array<f32, BK * BN>;  // Bs[k·BN + j]
var<workgroup> live_wg: u32;             // skips_dead(): the current block's live word

fn mm_tile(i0: u32, j0: u32, lid: u32) -> array<f32, 16> {
  let M = dim_m();
  let N = dim_n();
  let K = dim_k();
  let tx = lid % 8u;
  let ty = lid / 8u;
  var acc = array<f32, 16>();  // explicit zeros: a bare declaration in a loop kept the last iteration's values on SwiftShader
  var live = 1u;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    // One thread reads the block's live word at each TILE boundary of K (BK divides TILE);
    // workgroupUniformLoad makes it uniform, so the whole workgroup skips the slices of a dead
    // block together (loads, barriers and FMAs).
    if (skips_dead()) {
      if (k0 % TILE == 0u) {
        if (lid == 0u) {
          live_wg = tile_live(i0, k0);
        }
        live = workgroupUniformLoad(&live_wg);
      }
      if (live == 0u) {
        continue;
      }
    }
    for (var e = lid; e < BK * BM; e += WG) {
      var ii = e / BK;
      var kk = e % BK;
      if (!a_along_k()) {
        ii = e % BM;
        kk = e / BM;
      }
      var a = 0.0;
      if (i0 + ii < M && k0 + kk < K) {
        a = load_a(i0 + ii, k0 + kk);
      }
      As[kk * BM + ii] = a;
      var jj = e % BN;
      var kb = e / BN;
      if (b_along_k()) {
        jj = e / BK;
        kb = e % BK;
      }
      var b = 0.0;
      if (j0 + jj < N && k0 + kb < K) {
        b = load_b(k0 + kb, j0 + jj);
      }
      Bs[kb * BN + jj] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var m = 0u; m < TM; m++) {
        a[m] = As[kk * BM + ty + 8u * m];
        b[m] = Bs[kk * BN + tx + 8u * m];
      }
      for (var m = 0u; m < TM; m++) {
        for (var q = 0u; q < TM; q++) {
          acc[m * TM + q] = fma(a[m], b[q], acc[m * TM + q]);
        }
      }
    }
    workgroupBarrier();
  }
  return acc;
}

// C[i0 .. i0+4, j0 .. j0+4] from the storage buffers; rows and columns past the matrix are
// clamped to its last one (their results are not stored). The 4×4 sums are four vec4 rows, not
// an indexed array: a CPU adapter's compiler keeps them in registers (an array indexed in a loop
// it does not unroll lives in memory, a load and a store per FMA).
fn mm_direct(i0: u32, j0: u32) -> array<f32, 16> {
  let K = dim_k();
  let mLast = dim_m() - 1u;
  let nLast = dim_n() - 1u;
  let ii = min(vec4<u32>(i0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(mLast));
  let jj = min(vec4<u32>(j0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(nLast));
  var c0 = vec4<f32>();
  var c1 = vec4<f32>();
  var c2 = vec4<f32>();
  var c3 = vec4<f32>();
  for (var k = 0u; k < K; k++) {
    // A dead block of A (ii all lie in one TILE block of rows) is stepped over whole.
    if (skips_dead() && k % TILE == 0u && tile_live(ii.x, k) == 0u) {
      k += TILE - 1u;
      continue;
    }
    let b = vec4<f32>(load_b(k, jj.x), load_b(k, jj.y), load_b(k, jj.z), load_b(k, jj.w));
    c0 = fma(vec4<f32>(load_a(ii.x, k)), b, c0);
    c1 = fma(vec4<f32>(load_a(ii.y, k)), b, c1);
    c2 = fma(vec4<f32>(load_a(ii.z, k)), b, c2);
    c3 = fma(vec4<f32>(load_a(ii.w, k)), b, c3);
  }
  return array<f32, 16>(c0.x, c0.y, c0.z, c0.w, c1.x, c1.y, c1.z, c1.w, c2.x, c2.y, c2.z, c2.w, c3.x, c3.y, c3.z, c3.w);
}

// Every 4×4 block of C, one per thread, grid-stride from `first` by `stride` threads: mm_direct,
// then emit for each of its 16 elements (emit drops those past C's edges).
fn direct_blocks(first: u32, stride: u32) {
  let nGroups = (dim_n() + TM - 1u) / TM;
  let tasks = ((dim_m() + TM - 1u) / TM) * nGroups;
  for (var t = first; t < tasks; t += stride) {
    let i0 = (t / nGroups) * TM;
    let j0 = (t % nGroups) * TM;
    let acc = mm_direct(i0, j0);
    for (var m = 0u; m < TM; m++) {
      for (var q = 0u; q < TM; q++) {
        emit(i0 + m, j0 + q, acc[m * TM + q]);
      }
    }
  }
}
