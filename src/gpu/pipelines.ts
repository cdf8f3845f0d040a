// Shader modules, bind-group layouts and compute pipelines of one device, each built once and
// looked up by its key: family, subgroup variant, entry point and override constants.
import { DeviceError } from '../contract/errors';
import { show } from '../contract/show';
import { FAMILIES, type Family } from './shaders';

export interface Layout {
  bgl: GPUBindGroupLayout;
  pl: GPUPipelineLayout;
}

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<Family, Layout>();
  private readonly pending = new Map<string, Promise<GPUComputePipeline>>();
  private readonly ready = new Map<string, GPUComputePipeline>();

  constructor(
    private readonly device: GPUDevice,
    /** Subgroup size the row reductions are built for; 0 when they use the workgroup tree. */
    private readonly subgroupSize: number,
    private readonly debug: boolean,
    private readonly checkAlive: () => void,
  ) {}

  /** Compiled pipelines (stats()). */
  get count(): number {
    return this.ready.size;
  }

  /** Binding 0 is the family's uniform block; its storage bindings follow in FAMILIES order. */
  layout(family: Family): Layout {
    let l = this.layouts.get(family);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
        ...FAMILIES[family].bindings.map((kind, i): GPUBindGroupLayoutEntry => ({
          binding: i + 1,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind === 'read' ? 'read-only-storage' : 'storage' },
        })),
      ];
      const bgl = this.device.createBindGroupLayout({ label: `webgpu-loss:${family}`, entries });
      l = { bgl, pl: this.device.createPipelineLayout({ label: `webgpu-loss:${family}`, bindGroupLayouts: [bgl] }) };
      this.layouts.set(family, l);
    }
    return l;
  }

  /** Whether `family` runs its subgroup variant here. */
  usesSubgroups(family: Family): boolean {
    return this.subgroupSize > 0 && Boolean((FAMILIES[family] as { sgCode?: string }).sgCode);
  }

  /**
   * The pipeline for a family's entry point and constants, in its subgroup variant where this
   * device uses one; compiled once (asynchronously) and shared by every call that needs it.
   */
  get(family: Family, entry: string, constants?: Record<string, number>): Promise<GPUComputePipeline> {
    const sg = this.usesSubgroups(family);
    if (sg) constants = { ...constants, SG: this.subgroupSize };
    const key = pipelineKey(family, entry, constants, sg);
    let p = this.pending.get(key);
    if (!p) {
      p = this.device.createComputePipelineAsync({
        label: `webgpu-loss:${key}`,
        layout: this.layout(family).pl,
        compute: { module: this.module(family, sg), entryPoint: entry, constants },
      }).then((pl) => {
        this.ready.set(key, pl);
        return pl;
      }, async (e: unknown) => {
        // A device lost while compiling fails here too (and getCompilationInfo with it).
        this.checkAlive();
        let info: GPUCompilationInfo;
        try {
          info = await this.module(family, sg).getCompilationInfo();
        } catch (e2) {
          throw new DeviceError('DEVICE_LOST', `the device went away while pipeline ${key} compiled (${e2 instanceof Error ? e2.message : show(e2)})`);
        }
        // Name the shader's own compile messages, not just "invalid module".
        const msgs = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
        throw new DeviceError('GPU_ERROR', `pipeline ${key} failed: ${msgs.join('; ') || (e instanceof Error ? e.message : String(e))}`);
      });
      p.catch(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  clear(): void {
    this.pending.clear();
    this.ready.clear();
    this.modules.clear();
    this.layouts.clear();
  }

  private module(family: Family, sg: boolean): GPUShaderModule {
    const name = sg ? `${family}+sg` : family;
    let m = this.modules.get(name);
    if (!m) {
      const spec: { code: string; sgCode?: string } = FAMILIES[family];
      const code = sg ? spec.sgCode : spec.code;
      if (!code) throw new Error(`family ${family} has no subgroup variant`);
      if (this.debug) console.log(`[webgpu-loss] WGSL for ${name}:\n${code}`);
      m = this.device.createShaderModule({ label: `webgpu-loss:${name}`, code });
      this.modules.set(name, m);
    }
    return m;
  }
}

function pipelineKey(family: Family, entry: string, constants: Record<string, number> | undefined, sg: boolean): string {
  return `${family}${sg ? '+sg' : ''}:${entry}:${constants ? Object.entries(constants).map(([k, v]) => `${k}=${v}`).join(',') : ''}`;
}
