// What the page exposes on `window.__demo` for the tests (and for a curious console user).
import type { PlaygroundState } from './playground';
import type { TrainConfig, TrainState } from './trainer';
import type { AdapterSummary } from './adapter';

export interface DemoApi {
  adapter: AdapterSummary;
  /** WebGPU errors: uncapturederror events and errors the library reported for a call. */
  errors: string[];
  presets: string[];
  /** The library's wl.stats(): tensors and bytes it holds (flat while training: nothing leaks). */
  stats(): { tensors: number; bytes: number; pipelines: number };
  playground: {
    load(id: string): Promise<PlaygroundState>;
    /** Drags bar `index` of the probability or logit chart to `value`. */
    set(which: 'probs' | 'logits', index: number, value: number): Promise<PlaygroundState>;
    /** Picks the true class and the label smoothing ε of the target. */
    target(trueClass: number, smoothing: number): Promise<PlaygroundState>;
    state(): PlaygroundState;
    /** Resolves once the evaluations a UI event started have finished. */
    settled(): Promise<PlaygroundState>;
  };
  trainer: {
    configure(c?: Partial<TrainConfig>): Promise<TrainState>;
    runSteps(n: number, perFrame?: number): Promise<TrainState>;
    start(): void;
    pause(): void;
    state(): TrainState;
  };
}

/** Set once the page is ready: the adapter, or the reason there is none. */
export type DemoReady = { ok: true; adapter: AdapterSummary } | { ok: false; error: string };

declare global {
  interface Window {
    __demo?: DemoApi;
    __demoReady?: DemoReady;
  }
}
