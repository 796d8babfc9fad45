// npm run build: rollup the firmware (rollup.config.js), then refuse a bundle Espruino could not
// run (tools/es5-guard.ts) and print the bundle sizes.
//
// Each output also gets a hidden source map (dist/<name>.js.map, no reference comment in the
// bundle) so the guard can name the source file of a violation.
//
// Options (for tests; `npm run build` needs none):
//   --config <rollup.config.js>  --input <entry .ts>  --out-dir <dir>
import { readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { rollup, type OutputOptions, type RollupLog, type RollupOptions } from "rollup";
import { checkBundleFile, formatViolation, type Es5Violation } from "./es5-guard";
import { writeTokenisedBundles } from "./pretokenise";

export interface BuildOptions {
  /** Rollup config module; default ./rollup.config.js. */
  config?: string;
  /** Build only the first config entry (the firmware), from this file instead (tests plant one). */
  input?: string;
  /** Write the outputs here instead of the config's paths (same file names). */
  outDir?: string;
  /** Called with each rollup warning that matters. */
  warn?: (message: string) => void;
}

export interface BuiltFile {
  file: string;
  bytes: number;
  gzipped: number;
}

export interface BuildResult {
  files: BuiltFile[];
  violations: Es5Violation[];
}

/** The hidden source maps make the TypeScript plugin say its own maps are off; that is known. */
const EXPECTED_WARNING = /Typescript 'sourceMap' compiler option must be set/;

async function loadConfig(path: string): Promise<RollupOptions[]> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { default: unknown };
  let cfg = mod.default;
  if (typeof cfg === "function") cfg = await (cfg as (a: object) => unknown)({});
  return Array.isArray(cfg) ? (cfg as RollupOptions[]) : [cfg as RollupOptions];
}

/** Bundle every config entry, write outputs with hidden source maps, and run the ES5 guard. */
export async function buildFirmware(opts: BuildOptions = {}): Promise<BuildResult> {
  const all = await loadConfig(opts.config || "rollup.config.js");
  const configs = opts.input ? all.slice(0, 1) : all;
  const warn = opts.warn || ((m: string) => console.warn("rollup: " + m));
  const files: BuiltFile[] = [];
  const violations: Es5Violation[] = [];
  for (const cfg of configs) {
    const onwarn = (w: RollupLog) => {
      if (!EXPECTED_WARNING.test(w.message)) warn(w.message);
    };
    const bundle = await rollup({ ...cfg, input: opts.input || cfg.input, onwarn });
    try {
      const outputs: OutputOptions[] = Array.isArray(cfg.output) ? cfg.output : cfg.output ? [cfg.output] : [];
      for (const o of outputs) {
        if (!o.file) throw new Error("build: each rollup output needs `file`");
        const file = opts.outDir ? join(opts.outDir, basename(o.file)) : o.file;
        await bundle.write({ ...o, file, sourcemap: o.sourcemap || "hidden" });
        const text = readFileSync(file);
        files.push({ file, bytes: statSync(file).size, gzipped: gzipSync(text).length });
        violations.push(...checkBundleFile(file));
      }
    } finally {
      await bundle.close();
    }
  }
  return { files, violations };
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (!v || v.startsWith("--")) throw new Error(`build: ${name} needs a value`);
  return v;
}

async function main(argv: string[]): Promise<number> {
  let result: BuildResult;
  try {
    result = await buildFirmware({ config: argValue(argv, "--config"), input: argValue(argv, "--input"), outDir: argValue(argv, "--out-dir") });
  } catch (e) {
    const err = e as { message?: string; frame?: string; id?: string; loc?: { file?: string; line: number; column: number } };
    console.error("build failed: " + (err.message || String(e)));
    if (err.loc) console.error(`  at ${err.loc.file || err.id}:${err.loc.line}:${err.loc.column + 1}`);
    if (err.frame) console.error(err.frame);
    return 1;
  }
  for (const f of result.files) console.log(`${f.file}: ${f.bytes} bytes (${f.gzipped} gzipped)`);
  if (result.violations.length) {
    console.error(`\nES5 guard: ${result.violations.length} problem(s); this bundle would not run on Espruino (see shared/ESPRUINO.md):`);
    for (const v of result.violations) console.error("  " + formatViolation(v));
    return 1;
  }
  // dist/<name>.tok beside each flashed bundle: what npm run flash and the interpreter rigs load
  return writeTokenisedBundles(result.files.map((f) => f.file)) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // Exit explicitly: after a failed build the TypeScript plugin's watch program can keep Node alive.
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
