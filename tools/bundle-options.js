// How the firmware bundle is minified, in one place for every build of firmware code:
// rollup.config.js (dist/firmware.js), the bench's marked build (bench/espruino/module-costs.ts),
// the bench entries (bench/espruino/entries/build.ts) and the interpreter tests' replay bundle
// (test/engine/espruino/build.ts). Plain JS so rollup.config.js can import it; it loads
// tools/mangle-plan.ts, which the build's tsx loader compiles.
import terser from "@rollup/plugin-terser";
import { writeFileSync } from "node:fs";
import { cachedManglePlan, propertyMangleOptions, summarisePlan } from "./mangle-plan.ts";

/** Terser options that keep the output ES5 and keep what Espruino needs (no property renaming). */
export const ES5_TERSER = {
  ecma: 5,
  compress: { passes: 2, unsafe_arrows: false, reduce_funcs: true },
  mangle: { toplevel: true },
  format: { comments: false, ascii_only: true },
};

/** ES5_TERSER plus `mangle.properties` from a plan (tools/mangle-plan.ts); `nameCache` receives the renames. */
export function firmwareTerserOptions(plan, nameCache) {
  const props = plan ? propertyMangleOptions(plan) : false;
  const opts = { ...ES5_TERSER, mangle: { ...ES5_TERSER.mangle, properties: props } };
  if (nameCache) opts.nameCache = nameCache;
  return opts;
}

const logged = new Set();

/**
 * Rollup output plugin: terser with the firmware's options and its property-renaming plan,
 * computed (or read from its cache) when the first chunk is rendered.
 *   plan:   options for tools/mangle-plan.ts (extraFiles for an entry outside tsconfig.json's files);
 *           false to rename no properties
 *   report: write { renamed: {name: short}, kept: [...] } there (the build writes dist/firmware.mangle.json)
 *   quiet:  no summary line on the console
 *   onRenames(map): called with { name: short } after each chunk
 */
export function firmwareTerser(options = {}) {
  let inner = null;
  let plan = null;
  const nameCache = {};
  return {
    name: "firmware-terser",
    async renderChunk(code, chunk, outputOptions) {
      if (!inner) {
        plan = options.plan === false ? null : cachedManglePlan(options.plan || {});
        if (plan && !options.quiet) {
          const line = summarisePlan(plan);
          if (!logged.has(line)) console.log(line + (plan.cached ? " (cached plan)" : ""));
          logged.add(line);
        }
        inner = terser(firmwareTerserOptions(plan, nameCache));
      }
      const out = await inner.renderChunk.call(this, code, chunk, outputOptions);
      const renamed = {};
      const props = nameCache.props && nameCache.props.props;
      if (props) for (const k of Object.keys(props)) renamed[k.replace(/^\$/, "")] = props[k];
      if (options.onRenames) options.onRenames(renamed);
      if (options.report && plan) writeFileSync(options.report, JSON.stringify({ renamed: renamed, kept: plan.kept }, null, 1));
      return out;
    },
  };
}
