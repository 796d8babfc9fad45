/**
 * Build-time GB18030 encoding of the message catalogue.
 *   npx tsx tools/gb18030/generate.ts          write firmware/ui/messages.gen.ts
 *   npx tsx tools/gb18030/generate.ts --check  exit 1 if it is stale (nothing written)
 * The generated module is committed: the bundle and the Node tests import the same bytes.
 */
import { readFileSync } from "node:fs";
import { writeOrCheck } from "../generated-module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { parseCatalogue } from "./catalogue";
import { renderModule, GENERATED_PATH, CATALOGUE_PATH } from "./render";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

/** The generated module's text as the catalogue says it should be now. */
export function expectedModule(root = ROOT): string {
  const json = readFileSync(resolve(root, CATALOGUE_PATH), "utf8");
  return renderModule(parseCatalogue(json, CATALOGUE_PATH));
}

function main(): void {
  writeOrCheck(resolve(ROOT, GENERATED_PATH), GENERATED_PATH, expectedModule(), "npx tsx tools/gb18030/generate.ts", process.argv.includes("--check"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
