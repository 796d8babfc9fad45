/**
 * The time the device models run on inside the real interpreter.
 *
 * Choice: the models' timer needs (a one-shot `setTimeout` and `now()`) map straight onto the
 * interpreter's own `setTimeout` and `getTime()`, rather than running a hil/sim Scheduler
 * advanced by a `setInterval`. A stepped Scheduler would need a permanent interval (CPU and a
 * scope per tick, even when idle) and would quantise every UART byte time to its tick; the
 * interpreter's timers cost nothing while idle and fire when due. No model calls
 * setInterval or clear, so this is all they need.
 *
 * The same class runs in Node tests with a hil/sim Scheduler passed as the source, so the
 * buses are tested on simulated time without the interpreter.
 */
import type { Scheduler } from "../sim/scheduler";

/** Where the time comes from: the interpreter's globals, or a Scheduler in tests. */
export interface TimeSource {
  setTimeout(fn: () => void, ms: number): number;
  /** Milliseconds, monotonic enough for byte times and bounce (getTime() * 1000 inside). */
  now(): number;
}

export class ModelTimers implements TimeSource {
  private readonly source: TimeSource;

  constructor(source: TimeSource) {
    this.source = source;
  }

  setTimeout(fn: () => void, ms: number): number {
    return this.source.setTimeout(fn, ms > 0 ? ms : 0);
  }

  now(): number {
    return this.source.now();
  }

  /**
   * The models type their timer as hil/sim's Scheduler but only call `setTimeout` and `now`
   * (keypad bounce and taps, printer pacing): this object is handed to them in its place.
   */
  asScheduler(): Scheduler {
    return this as unknown as Scheduler;
  }
}
