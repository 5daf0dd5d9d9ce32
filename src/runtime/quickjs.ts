// Loads the QuickJS WASM module for a variant, in a worker or on the main thread.
// The .wasm files are imported `with { type: "file" }` so `bun build --compile`
// embeds them; emscripten's own lookup next to node_modules fails inside the
// binary (ENOENT /$bunfs/root/emscripten-module.wasm, DESIGN §1).
import ngVariant from "@jitl/quickjs-ng-wasmfile-release-sync";
import ngWasmPath from "@jitl/quickjs-ng-wasmfile-release-sync/wasm" with { type: "file" };
import classicVariant from "@jitl/quickjs-wasmfile-release-sync";
import classicWasmPath from "@jitl/quickjs-wasmfile-release-sync/wasm" with { type: "file" };
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";

export type QuickJSVariantName = "quickjs" | "quickjs-ng";

const loaded = new Map<string, Promise<QuickJSWASMModule>>();

const PAGE = 64 * 1024;

/**
 * One WASM module per variant per thread; runtimes and contexts are created from it.
 * `maxMemoryMb` caps the instance's linear memory (the build imports its memory,
 * so we hand it one with a maximum): QuickJS's per-runtime limit does not sum
 * allocations, and this is the hard ceiling that keeps one runaway script from
 * growing a worker to gigabytes. Past it, allocations fail as "out of memory".
 */
export function loadQuickJS(variant: QuickJSVariantName = "quickjs-ng", opts: { maxMemoryMb?: number } = {}): Promise<QuickJSWASMModule> {
  const key = `${variant}:${opts.maxMemoryMb ?? ""}`;
  let module = loaded.get(key);
  if (!module) {
    const [base, wasmPath] = variant === "quickjs-ng" ? [ngVariant, ngWasmPath] : [classicVariant, classicWasmPath];
    const maxPages = opts.maxMemoryMb ? Math.min(65536, Math.ceil((opts.maxMemoryMb * 1024 * 1024) / PAGE)) : undefined;
    module = Bun.file(wasmPath)
      .arrayBuffer()
      .then((wasmBinary) =>
        newQuickJSWASMModuleFromVariant(
          newVariant(base, {
            wasmBinary,
            ...(maxPages ? { wasmMemory: new WebAssembly.Memory({ initial: Math.min(256, maxPages), maximum: maxPages }) } : {}),
          }),
        ),
      );
    loaded.set(key, module);
  }
  return module;
}
