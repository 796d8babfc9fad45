/**
 * The device models bundle (dist/models.js): runs INSIDE the real Espruino interpreter, beside
 * the firmware, on a HIL rig without hardware. Boot it before the firmware, both from Storage:
 *
 *   .bootcde:  eval(require("Storage").read("models.js"));eval(require("Storage").read("fw.js"));
 *
 * It builds the keypad, LCD, card readers and printer models (hil/models), wires them to
 * firmware-side HAL objects (rig.ts), publishes them as `global.hilBuses` (what
 * firmware/boards/linux.ts wires the drivers to) and installs `global.hil`, the same device
 * controls the Node-side virtual terminal offers (control.ts).
 *
 * Time: the models run on the interpreter's own setTimeout/getTime (timers.ts says why not a
 * stepped Scheduler). Options: set `global.hilOptions` (rig.ts InsideOptions) before this runs.
 */
import { buildInsideRig, type InsideOptions } from "./rig";
import { HilControl } from "./control";
import { insideCards } from "./cards";
import type { TimeSource } from "./timers";
import type { Wire } from "./uart-link";

// The interpreter's globals, declared here (not from a type package) so this file type-checks
// both in the firmware's ES5 configuration and in the Node one that covers hil/**.
declare const global: any;
declare function require(name: string): any;
declare function getTime(): number;
declare function setTimeout(fn: () => void, ms: number): number;
declare const LoopbackA: { write(data: string): void };
declare const LoopbackB: { on(event: string, fn: () => void): void };

/** The interpreter's timers: Espruino's setTimeout and getTime() (seconds, as a float). */
const interpreterTime: TimeSource = {
  setTimeout: function (fn: () => void, ms: number): number {
    return setTimeout(fn, ms);
  },
  now: function (): number {
    return getTime() * 1000;
  },
};

/**
 * UART chunks cross on a doorbell: queued here, and a byte written to LoopbackA makes the
 * interpreter call LoopbackB's 'data' handler at the next turn of its idle loop, before any
 * timer, where the queue is delivered: what a real UART's receive path does (uart-link.ts says
 * why not a timer). The wire time itself is not modelled here.
 */
function doorbellWire(): Wire {
  const queue: (() => void)[] = [];
  let rung = false;
  const ring = function (): void {
    if (rung) return;
    rung = true;
    LoopbackA.write("\x01");
  };
  LoopbackB.on("data", function () {
    rung = false;
    // deliveries may queue more (a device answering at once): those go at the next turn
    let n = queue.length;
    while (n-- > 0) {
      const fn = queue.shift();
      if (fn) fn();
    }
    if (queue.length > 0) ring();
  });
  return {
    carry: function (deliver: () => void): void {
      queue.push(deliver);
      ring();
    },
  };
}

const options: InsideOptions = global.hilOptions || {};
const rig = buildInsideRig(
  interpreterTime,
  options,
  function () {
    return require("net");
  },
  doorbellWire(),
);
global.hilBuses = rig.buses;
global.hil = new HilControl({
  models: rig.models,
  timers: rig.timers,
  timing: {
    holdMs: options.keyHoldMs || 80,
    gapMs: options.keyGapMs || 80,
    scans: rig.scans,
    bounceMs: options.keyBounceMs !== undefined ? options.keyBounceMs : 5,
  },
  cards: insideCards(),
  inside: true,
});
