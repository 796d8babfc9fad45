/**
 * Simulated time shared by the virtual board, device models and unit tests.
 * Stepped (tests: `advance(ms)` runs every timer due, in order) or driven from real time
 * (`npm start` calls `advanceTo(Date.now() - start)` on a host interval).
 * Written in ES5-safe TypeScript so it can also run inside the Espruino interpreter.
 */
export interface TimerEntry {
  id: number;
  due: number;
  every: number; // 0 = one-shot
  fn: () => void;
}

export class Scheduler {
  private t = 0;
  private nextId = 1;
  private timers: TimerEntry[] = [];

  /** Simulated milliseconds since the scheduler was created. */
  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): number {
    return this.add(fn, ms, 0);
  }

  setInterval(fn: () => void, ms: number): number {
    return this.add(fn, ms, ms > 0 ? ms : 1);
  }

  clear(id: number): void {
    for (let i = 0; i < this.timers.length; i++) {
      if (this.timers[i].id === id) {
        this.timers.splice(i, 1);
        return;
      }
    }
  }

  clearAll(): void {
    this.timers = [];
  }

  pending(): number {
    return this.timers.length;
  }

  /** When the next timer is due, or -1 when none is pending. */
  nextDue(): number {
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      if (best < 0 || this.timers[i].due < best) best = this.timers[i].due;
    }
    return best;
  }

  /** Step time forward by `ms`, running each timer at its own due time, in due order. */
  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const next = this.takeDue(target);
      if (!next) break;
      if (next.due > this.t) this.t = next.due;
      next.fn();
    }
    if (target > this.t) this.t = target;
  }

  /** Run everything due now (zero-delay timers), without moving time. */
  runDue(): void {
    this.advanceTo(this.t);
  }

  private add(fn: () => void, ms: number, every: number): number {
    const id = this.nextId++;
    this.timers.push({ id: id, due: this.t + (ms > 0 ? ms : 0), every: every, fn: fn });
    return id;
  }

  private takeDue(limit: number): TimerEntry | undefined {
    let idx = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const e = this.timers[i];
      if (e.due <= limit && (idx < 0 || e.due < this.timers[idx].due)) idx = i;
    }
    if (idx < 0) return undefined;
    const e = this.timers[idx];
    if (e.every > 0) {
      e.due += e.every;
      // Hand back a copy-free view: the interval entry stays scheduled at its next due time.
      return { id: e.id, due: e.due - e.every, every: e.every, fn: e.fn };
    }
    this.timers.splice(idx, 1);
    return e;
  }
}
