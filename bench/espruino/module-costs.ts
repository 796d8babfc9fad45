/**
 * Where the firmware's RAM goes at boot, measured on the interpreter: a bench-only build of
 * firmware/main.ts (compiled and minified as rollup.config.js does: tools/bundle-options.js) with a marker
 * call after each module's top-level code and after each statement of main.ts that builds
 * something (`new ...`). Each marker records process.memory(false).usage into a preallocated
 * Int32Array; consecutive differences are what that module's definitions (functions, classes,
 * tables) or that boot step (drivers, stores, engine, terminal) keep in RAM. Booted from Storage
 * beside the models like the real bundle. The markers themselves cost a few bytes of flash
 * and no RAM per call.
 */
import { rollup } from "rollup";
import typescript from "@rollup/plugin-typescript";
import { parse } from "acorn";
import { relative } from "node:path";
import { fixForEspruino } from "../../hil/inside/espruino-fixes.js";
import { ES5_TERSER, FIRMWARE_FORMAT, FIRMWARE_TRANSFORMERS, firmwareTerser } from "../../tools/bundle-options.js";

/** @deprecated the firmware's terser options are tools/bundle-options.js's; this is ES5_TERSER, without the property plan. */
export const FIRMWARE_TERSER = ES5_TERSER;

export interface MarkedBuild {
  code: string;
  /** Label of each marker index. */
  labels: string[];
  /** Marker indexes in the order they run (module order in the bundle, main's steps last). */
  order: number[];
  /** Property renames of the build (source name -> short name), as in dist/firmware.mangle.json. */
  renamed: Record<string, string>;
}

/** short name -> source name, of the last marked build (objectSizes prints the source's names). */
let lastSourceNames: Record<string, string> = {};

type N = { type: string; start: number; end: number; [k: string]: unknown };

/** Build firmware/main.ts with markers; `global.__mod(i)` must exist before it runs. */
export async function buildMarkedFirmware(root = process.cwd()): Promise<MarkedBuild> {
  const labels: string[] = [];
  const moduleMarker = new Map<string, number>();
  const mainSteps: number[] = [];
  const marker = {
    name: "bench-module-markers",
    transform(code: string, id: string) {
      if (!/\.ts$/.test(id)) return null;
      const rel = relative(root, id);
      if (/firmware[\\/]main\.ts$/.test(id)) return { code: markMainSteps(code, labels, mainSteps), map: null };
      const i = labels.length;
      labels.push(rel);
      moduleMarker.set(id, i);
      return { code: code + `\n;__mod(${i});\n`, map: null };
    },
  };
  // compiled and minified as rollup.config.js does (tools/bundle-options.js), markers added
  const bundle = await rollup({
    input: "firmware/main.ts",
    plugins: [typescript({ tsconfig: "./tsconfig.json", noEmitOnError: true, transformers: FIRMWARE_TRANSFORMERS }), marker],
    treeshake: { moduleSideEffects: false },
    onwarn: () => undefined,
  });
  let renamed: Record<string, string> = {};
  const { output } = await bundle.generate({
    format: FIRMWARE_FORMAT,
    strict: false,
    plugins: [firmwareTerser({ quiet: true, onRenames: (r) => (renamed = r) })],
  });
  await bundle.close();
  lastSourceNames = {};
  for (const k of Object.keys(renamed)) lastSourceNames[renamed[k]] = k;
  const chunk = output[0];
  const order: number[] = [];
  for (const id of Object.keys(chunk.modules)) {
    const i = moduleMarker.get(id);
    if (i !== undefined && chunk.modules[id].renderedLength > 0) order.push(i);
  }
  for (const i of mainSteps) order.push(i);
  return { code: fixForEspruino(chunk.code).code, labels, order, renamed };
}

/** Insert `__mod(i)` after main.ts's statements that construct something (top level and boot()). */
function markMainSteps(js: string, labels: string[], steps: number[]): string {
  const ast = parse(js, { ecmaVersion: "latest", sourceType: "module" }) as unknown as N;
  const points: { at: number; label: string; obj: string }[] = [];
  const consider = (st: N) => {
    const text = js.slice(st.start, st.end);
    if (!/\bnew [A-Z]|\.wire\(\)|makeRigApi|makeEngine\(/.test(text)) return;
    if (st.type === "FunctionDeclaration" || st.type === "ImportDeclaration") return;
    const m = /(?:const|let|var)\s+(\w+)\s*=\s*(new\s+\w+|[\w.]+\()/.exec(text) || /(\w+(?:\.\w+)?)\s*=\s*(new\s+\w+|\w+\()/.exec(text);
    const obj = m && /^\w+$/.test(m[1]) ? m[1] : "";
    points.push({ at: st.end, label: "main.ts: " + (m ? m[1] + " = " + m[2].replace(/\($/, "(...)") : text.slice(0, 40).replace(/\s+/g, " ")), obj: obj });
  };
  for (const st of ast.body as N[]) {
    consider(st);
    if (st.type === "FunctionDeclaration" && (st.id as N).name === "boot") for (const inner of ((st.body as N).body as N[])) consider(inner);
  }
  points.sort((a, b) => b.at - a.at);
  let out = js;
  const inserted: { at: number; label: string; obj: string; index: number }[] = [];
  for (const p of points) inserted.push({ at: p.at, label: p.label, obj: p.obj, index: -1 });
  // assign indexes in source order
  inserted.sort((a, b) => a.at - b.at);
  for (const p of inserted) {
    p.index = labels.length;
    labels.push(p.label);
    steps.push(p.index);
  }
  inserted.sort((a, b) => b.at - a.at);
  // after the marker: print what the object holds, by property (printing keeps nothing in RAM)
  for (const p of inserted) out = out.slice(0, p.at) + `;__mod(${p.index});` + (p.obj ? `__obj(${JSON.stringify(p.obj)},${p.obj});` : "") + out.slice(p.at);
  return out;
}

/**
 * Boot code that defines the marker store before the marked firmware runs, and `__obj`, which
 * prints what an object holds of its own as one "@@OBJ" line: its properties with E.getSizeOf of
 * each value, leaving out functions, the prototype and values that reach the shared graph
 * (another part, the ring, a clock: anything over 1000 blocks, listed as "shared"). Printing
 * keeps nothing in RAM, so the next marker is not disturbed.
 */
export function markerPrelude(size: number): string {
  return (
    `global.__MM=new Int32Array(${size});global.__MM0=0;global.__mod=function(i){__MM[i]=process.memory(false).usage};` +
    'global.__parts=[];global.__obj=function(n,o){if(!o||typeof o!=="object")return;var a=[],k,v,z,p,t=0,c=0,sh=0;' +
    'for(k in o){v=o[k];c++;if(typeof v==="function")continue;if(__parts.indexOf(v)>=0){sh++;continue;}z=E.getSizeOf(v);if(z>1000){sh++;continue;}' +
    // E.getSizeOf also counts what the value reaches that is not its own: the prototypes of its
    // classes (methods, shared by every instance) and main.ts's other parts (the ring, the LCD
    // ...): with the bundle at the global scope these no longer lead to the whole program, so
    // they are found by walking the value's objects and taken off
    'p=[];__shared(v,[],p);for(var j=0;j<p.length;j++)z-=E.getSizeOf(p[j]);' +
    't+=z;a.push([k,z]);}' +
    'a.sort(function(x,y){return y[1]-x[1]});var s="@@OBJ "+n+" "+(t+c)+" props="+c+" shared="+sh;' +
    'for(var i=0;i<a.length&&i<8;i++)s+=" "+a[i][0]+"="+a[i][1];print(s);__parts.push(o);};' +
    'global.__shared=function(x,seen,out){if(!x||typeof x!=="object"||seen.indexOf(x)>=0||x.buffer instanceof ArrayBuffer)return;seen.push(x);' +
    'if(seen.length>1&&__parts.indexOf(x)>=0){out.push(x);return;}' +
    'var q=Object.getPrototypeOf(x);if(q&&q!==Object.prototype&&q!==Array.prototype&&out.indexOf(q)<0&&typeof q.constructor==="function"&&q.constructor.prototype===q)out.push(q);' +
    'for(var k in x)__shared(x[k],seen,out);};'
  );
}

export interface ObjectSize {
  name: string;
  /** Its own data plus one block per property name (values reaching the shared graph left out). */
  blocks: number;
  props: number;
  shared: number;
  largest: [string, number][];
}

/**
 * The "@@OBJ name blocks props=N shared=N prop=size ..." lines as objects; property names back to
 * the source's (`names`: short -> source; default the last marked build's renames).
 */
export function objectSizes(lines: string[], names: Record<string, string> = lastSourceNames): ObjectSize[] {
  const out: ObjectSize[] = [];
  for (const l of lines) {
    const m = /@@OBJ (\w+) (\d+) props=(\d+) shared=(\d+)(.*)$/.exec(l);
    if (!m) continue;
    const largest: [string, number][] = [];
    for (const kv of m[5].trim().split(/\s+/)) {
      const i = kv.lastIndexOf("=");
      if (i > 0) largest.push([names[kv.slice(0, i)] || kv.slice(0, i), Number(kv.slice(i + 1))]);
    }
    out.push({ name: m[1], blocks: Number(m[2]), props: Number(m[3]), shared: Number(m[4]), largest });
  }
  return out;
}

export interface ModuleCost {
  label: string;
  blocks: number;
}

/**
 * Costs in run order from the marker values (0 = never reached: out of memory before it).
 * `start` is the usage before the firmware began.
 */
export function moduleCosts(build: MarkedBuild, values: number[], start: number): { costs: ModuleCost[]; reached: number; lastLabel: string } {
  const costs: ModuleCost[] = [];
  let prev = start;
  let reached = 0;
  let lastLabel = "";
  for (const i of build.order) {
    const v = values[i] || 0;
    if (v === 0) break;
    costs.push({ label: build.labels[i], blocks: v - prev });
    prev = v;
    reached++;
    lastLabel = build.labels[i];
  }
  return { costs, reached, lastLabel };
}
