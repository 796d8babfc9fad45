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
declare function setInterval(fn: () => void, ms: number): number;

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
 * UART chunks cross on the models' own loop interval: queued here and delivered by an interval
 * set now, before the firmware boots, so it sits before the firmware's loop interval in the
 * interpreter's timer list and runs first at each turn of the idle loop: the bytes reach the
 * drivers before their next tick, as a real UART's received bytes do (an IRQ fills a buffer and
 * the idle loop hands it over before the timers). Not a setTimeout per chunk: a timer set from
 * a callback makes Espruino run the overdue firmware interval again first (a tick per hop). Not
 * a LoopbackA/B doorbell either (as before): on Espruino for Linux a LoopbackA.write pushes into
 * the IO event queue from the main thread while the console's input thread pushes into it too,
 * without a lock; with the rig typing on the console the queue got corrupted
 * ("ASSERT(len <= 64) FAILED AT src/jsdevices.c", the interpreter exits).
 */
function loopWire(): Wire {
  const queue: (() => void)[] = [];
  const deliver = function (): void {
    // a device answering at once (a printer's status byte) queues its answer while delivering:
    // it goes in the same turn, before the firmware's next tick, as a real reply would be there
    // by then (a request and its answer cost one tick, not two: the printer driver gives its
    // status answer 500 ms, and a tick can take that long on a busy machine)
    let n = 0;
    while (queue.length > 0 && n++ < 64) {
      const fn = queue.shift();
      if (fn) fn();
    }
  };
  // the bench's probes (bench/espruino/probes.ts) time this as UART deliveries, not a loop tick
  (deliver as unknown as { hilUart: number }).hilUart = 1;
  setInterval(deliver, 5);
  return {
    carry: function (d: () => void): void {
      queue.push(d);
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
  loopWire(),
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
