import { named } from './layout';

/** Constants of shaders/matmul_tile.wgsl, the product tile linear cross-entropy and linear JSD share. */
export const MATMUL_TILE_CONSTS = {
  WG: named(64, 'threads of every entry point: 8×8'),
  TILE: named(32, 'edge of a staged tile (BM = BN)'),
  TM: named(4, "each thread's block: 4 rows × 4 columns"),
} as const;
