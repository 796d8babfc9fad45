/**
 * Transient memory of one call, measured with a ballast: fill RAM until only F blocks are free,
 * make the call, and see whether the interpreter ran out of memory (E.getErrorFlags() has
 * "MEMORY"; out of memory interrupts the call, it cannot be caught). The smallest F with which
 * the call completes is what it needs at its deepest point: its call frames, temporaries and
 * anything it keeps. The console line that makes the call needs some blocks too, so the bench
 * reports calls against a do-nothing call made the same way ("beyond one call frame").
 */
import type { EspruinoLinuxTarget } from "../../hil/rig/espruino-linux-target";

/** Storage script: __fill(F) leaves F blocks free (after a collection), __unfill() releases. */
// Bulk in 1200-byte arrays down to ~200 blocks above F, then one block per element pushed;
// process.memory() is not called near the end (it allocates its answer).
export const BALLAST = [
  "global.__bl=[];",
  "global.__fill=function(F){__bl=[];var f=process.memory().free,i;",
  "while(f>F+300){__bl.push(new Uint8Array(1200));f=process.memory(false).free;}",
  "for(i=f-F;i>0;i--)__bl.push(0);return 1;};",
  "global.__unfill=function(){__bl=[];return process.memory().free;};",
].join("");

/** Where the calls run: a fresh interpreter is started when the last one died. */
export interface BallastRig {
  get(): Promise<EspruinoLinuxTarget>;
  /** The interpreter misbehaved (died, or answered nothing): start a fresh one next time. */
  discard(): Promise<void>;
}

async function completes(rig: BallastRig, call: string, free: number): Promise<boolean> {
  let t: EspruinoLinuxTarget;
  try {
    t = await rig.get();
    await t.session.eval("E.getErrorFlags()", 5000);
  } catch {
    await rig.discard();
    t = await rig.get();
  }
  let ok = true;
  try {
    await t.session.eval(`__fill(${free})`, 2000);
    await t.session.eval(call, 2000);
  } catch {
    ok = false; // interrupted (no reply) or an error reply: the fill or the call ran out
  }
  try {
    const flags = (await t.session.eval("(__unfill(),E.getErrorFlags())", 5000)) as string[] | null;
    if (flags && flags.indexOf("MEMORY") >= 0) ok = false;
    t.takeOutput();
  } catch {
    // out of memory can leave the interpreter dead or stuck (it has crashed on an internal assert)
    ok = false;
    await rig.discard();
  }
  return ok;
}

/** The least free blocks `call` completes with (searched in [0, max]); -1 when even max fails. */
export async function blocksNeeded(rig: BallastRig, call: string, max = 512): Promise<number> {
  if (!(await completes(rig, call, max))) return -1;
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (await completes(rig, call, mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
