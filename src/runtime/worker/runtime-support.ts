// Per-runtime plumbing the sandbox needs: the module loader over a resolved
// module bundle, heap measurement, and the worker's WASM memory size.
import type { QuickJSContext, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten-core";
import type { ModuleBundle } from "../protocol.ts";

/** Modules resolved on the main thread (ModuleResolver is async there; QuickJS loads synchronously here). */
export function installModuleLoader(runtime: QuickJSRuntime, bundle: ModuleBundle | null) {
  runtime.setModuleLoader(
    (name) => {
      const code = bundle?.modules[name];
      if (code === undefined) return { error: new Error(`module "${name}" is not available in PiCloud`) };
      return code;
    },
    (base, requested) => {
      const name = bundle?.links[base]?.[requested];
      if (name === undefined) {
        return { error: new Error(`cannot import "${requested}": only modules of the same app can be imported`) };
      }
      return name;
    },
  );
}

/** The worker's WASM linear memory, to notice growth cheaply (one property read). */
export function wasmHeap(qjs: QuickJSWASMModule): { readonly byteLength: number } {
  const module = (qjs as unknown as { module?: { HEAP8?: Int8Array } }).module;
  return {
    get byteLength() {
      return module?.HEAP8?.buffer.byteLength ?? 0;
    },
  };
}

export function measure(ctx: QuickJSContext, runtime: QuickJSRuntime): number {
  const h = runtime.computeMemoryUsage();
  try {
    const usage = ctx.dump(h) as { memory_used_size?: number; malloc_size?: number };
    return usage.malloc_size || usage.memory_used_size || 256 * 1024;
  } finally {
    h.dispose();
  }
}
