/**
 * ESPRUINO_BIN=... npx tsx test/engine/espruino/measure.ts — the engine's blocks on the real
 * interpreter, quickly (~30 s): the replay bundle (replay-entry.ts: engine, stores, codec,
 * crypto) evaluated from Storage as a board boots it, then
 * - code: blocks the bundle's definitions keep in RAM (functions, tables);
 * - engine: blocks `new TxnEngine(...)` takes, and the largest of its properties;
 * - peak: per step of the recorded session (session.ts), the highest memory in use seen inside
 *   the engine's calls (clock, link, listener callbacks) above the use before the step.
 * Prints figures only; the checks are espruino.test.ts's.
 */
import { rmSync } from "node:fs";
import { installStorage, newWorkDir, startInterpreter } from "../../../bench/espruino/interpreter";
import { buildReplayBundle } from "./build";
import { INIT, record, replay, session } from "./session";

/**
 * What each property of the engine holds of its own, in blocks: typed arrays by E.getSizeOf,
 * objects walked (their property names + values; functions, the prototype and the parts the
 * engine is given - clk, sto, link, lsn, setT - left out; an object reached twice counted once). A name of up to 4 characters shares its block with a small value; longer ones take
 * one more block per 10 characters or so (MEMORY.md).
 */
const SIZES = [
  "(function(e){var seen=[],skip={clk:1,sto:1,link:1,lsn:1,setT:1};",
  // Espruino's === compares typed arrays by content: identity by flipping a byte
  "function same(a,b){if(!a.buffer||!b.buffer)return a===b;if(a.length!==b.length||!a.length)return false;var o=b[0];a[0]^=1;var r=b[0]!==o;a[0]^=1;return r;}",
  "function nm(k){return 1+Math.ceil(Math.max(0,k.length-4)/10);}",
  "function sz(v,d){if(v===null||typeof v!=='object')return typeof v==='string'?E.getSizeOf(v):0;",
  "for(var i=0;i<seen.length;i++)if(same(seen[i],v))return 0;seen.push(v);if(v.buffer)return E.getSizeOf(v);if(d>4)return 0;",
  "var t=1,k;for(k in v){if(typeof v[k]==='function')continue;t+=nm(k)+sz(v[k],d+1);}return t;}",
  "var a=[],k;for(k in e){if(skip[k]||typeof e[k]==='function')continue;a.push(k+' '+(nm(k)+sz(e[k],1)));}return a.join(',');",
  '})(R("engine"))',
].join("");

async function main(): Promise<void> {
  const bin = process.env.ESPRUINO_BIN_LARGE || process.env.ESPRUINO_BIN;
  if (!bin) {
    console.log("skipped: set ESPRUINO_BIN to an Espruino for Linux binary");
    return;
  }
  const steps = session();
  const recorded = record(steps);
  const bundle = await buildReplayBundle();
  const dir = newWorkDir("engine-measure-");
  try {
    const boot = 'global.__m0=process.memory().usage;eval(require("Storage").read("r.js"));global.__m1=process.memory().usage;';
    await installStorage(bin, dir, [{ name: "r.js", data: bundle }], boot);
    const t = await startInterpreter(bin, dir);
    try {
      const code = ((await t.eval("__m1")) as number) - ((await t.eval("__m0")) as number);
      await t.eval("R('stores', 14)");
      const before = (await t.eval("R('mem')")) as number;
      await t.eval(INIT);
      const after = (await t.eval("R('mem')")) as number;
      const props = String(await t.eval(SIZES))
        .split(",")
        .map((kv) => kv.split(" "))
        .map((kv) => [kv[0], Number(kv[1])] as [string, number])
        .sort((a, b) => b[1] - a[1]);
      console.log(`interpreter: ${bin}`);
      console.log(`bundle definitions (engine + stores + codec + crypto code): ${code} blocks`);
      console.log(`new TxnEngine(...): ${after - before} blocks; ${props.length} properties`);
      console.log("  " + props.map((p) => p[0] + " " + p[1]).join(", "));
      await t.eval("R('peak')");
      let idle = (await t.eval("R('use')")) as number;
      const rows: string[] = [];
      const sales: number[] = [];
      await replay(t, steps, recorded, async (i) => {
        const pk = (await t.eval("R('peak')")) as number;
        const use = (await t.eval("R('use')")) as number;
        const st = steps[i];
        if (st.cmd === "mem") {
          idle = use; // it collected
          return;
        }
        rows.push(`  step ${i} ${st.cmd}: peak ${pk - idle} above the use before it, ${use - idle} kept`);
        if (st.cmd === "sale" && i > 1) sales.push(pk - idle);
        idle = use;
      });
      console.log("peak inside the engine's calls, per step:");
      for (const r of rows) console.log(r);
      console.log(`later sales: peak ${Math.min(...sales)}..${Math.max(...sales)} blocks above idle`);
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
