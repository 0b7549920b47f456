// Loads the built browser module (wasm-bindgen --target web) in Node: the same ES module the
// page imports, initialised synchronously from the .wasm bytes instead of a fetch.
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const wasmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const root = path.resolve(wasmDir, "..");
export const pkgDir = path.join(wasmDir, "pkg");

export async function loadModule() {
  const js = path.join(pkgDir, "skill_subsidy_wasm.js");
  const bytes = path.join(pkgDir, "skill_subsidy_wasm_bg.wasm");
  if (!existsSync(js) || !existsSync(bytes)) {
    throw new Error(`${pkgDir} has no built module: run scripts/test-browser (or wasm/build.sh) first`);
  }
  const mod = await import(js);
  mod.initSync({ module: readFileSync(bytes) });
  return mod;
}
