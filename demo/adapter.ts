// Part 3: what this page runs on, stated plainly, so a visitor on a CPU adapter knows why it is slow.
import type { WebGPULoss } from '../src/index';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** isFallbackAdapter, or a known CPU implementation by name (SwiftShader, llvmpipe, WARP). */
  fallback: boolean;
  features: string[];
  limits: Record<string, number>;
  subgroups: boolean;
  timestampQuery: boolean;
}

const LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension'] as const;

export function summarize(adapter: GPUAdapter, wl: WebGPULoss): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  for (const k of LIMITS) limits[k] = adapter.limits[k];
  return {
    vendor: info.vendor || '(not reported)',
    architecture: info.architecture || '(not reported)',
    device: info.device || '(not reported)',
    description: info.description || '(not reported)',
    fallback: wl.adapter.isFallback,
    features: [...adapter.features].sort(),
    limits,
    subgroups: wl.adapter.subgroups,
    timestampQuery: wl.adapter.timestampQuery,
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const bytes = (n: number) => (n >= 2 ** 30 ? `${n / 2 ** 30} GiB` : n >= 2 ** 20 ? `${n / 2 ** 20} MiB` : n >= 1024 ? `${n / 1024} KiB` : String(n));

export function renderAdapter(el: HTMLElement, s: AdapterSummary): void {
  const verdict = s.fallback
    ? `<p class="verdict cpu"><b>CPU adapter.</b> This is a software implementation of the GPU (${esc(s.architecture)}): every kernel on this page runs on your CPU cores, a few threads wide instead of thousands. Expect milliseconds per training step where a GPU takes microseconds; the numbers are the same, only slower. The library sizes its grids for this case (a few fat workgroups).</p>`
    : `<p class="verdict gpu"><b>Hardware GPU.</b> The kernels run on your graphics processor. The demo's model is tiny, so time per step is mostly dispatch and submit overhead, not arithmetic.</p>`;
  const row = (k: string, v: string) => `<tr><th>${k}</th><td>${v}</td></tr>`;
  el.innerHTML = verdict + '<div class="adapter-grid"><table>' +
    row('vendor', esc(s.vendor)) + row('architecture', esc(s.architecture)) + row('device', esc(s.device)) +
    row('description', esc(s.description)) + row('fallback / CPU', s.fallback ? 'yes' : 'no') +
    row('subgroups', s.subgroups ? 'yes (row reductions use subgroup shuffles)' : 'no (workgroup-memory tree)') +
    row('timestamp-query', s.timestampQuery ? 'yes' : 'no') +
    '</table><table>' +
    Object.entries(s.limits).map(([k, v]) => row(k, k.includes('Size') && !k.includes('Invocations') ? bytes(v) : String(v))).join('') +
    '</table></div>' +
    `<p class="features"><span>features</span> ${s.features.map((f) => `<code>${esc(f)}</code>`).join(' ') || '(none)'}</p>`;
}
