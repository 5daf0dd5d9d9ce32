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

const loaded = new Map<QuickJSVariantName, Promise<QuickJSWASMModule>>();

/** One WASM module per variant per thread; runtimes and contexts are created from it. */
export function loadQuickJS(variant: QuickJSVariantName = "quickjs-ng"): Promise<QuickJSWASMModule> {
  let module = loaded.get(variant);
  if (!module) {
    const [base, wasmPath] = variant === "quickjs-ng" ? [ngVariant, ngWasmPath] : [classicVariant, classicWasmPath];
    module = Bun.file(wasmPath)
      .arrayBuffer()
      .then((wasmBinary) => newQuickJSWASMModuleFromVariant(newVariant(base, { wasmBinary })));
    loaded.set(variant, module);
  }
  return module;
}
