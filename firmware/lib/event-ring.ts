/**
 * A fixed-size ring of events, allocated once at boot. Drivers push from their (hot) input
 * handlers; the app loop drains it each tick. An event is three integers: kind (see
 * firmware/events.ts) and two arguments. When full, the newest event is dropped and counted:
 * the app reports overflow rather than the driver blocking or allocating.
 *
 * Two methods only (each method costs RAM on Espruino): `count` says how many wait; draining
 * with `shift()` until it returns false empties the ring.
 */
export class EventRing {
  private readonly buf: Int32Array;
  private readonly cap: number;
  private head = 0;
  /** Events waiting (read only). */
  count = 0;
  /** Events dropped because the ring was full. */
  dropped = 0;
  /** Filled by `shift()`: the event just taken. */
  kind = 0;
  a = 0;
  b = 0;

  constructor(capacity: number) {
    this.cap = capacity;
    this.buf = new Int32Array(capacity * 3);
  }

  /** @hot */
  push(kind: number, a: number, b: number): boolean {
    if (this.count === this.cap) {
      this.dropped++;
      return false;
    }
    let i = this.head + this.count;
    if (i >= this.cap) i -= this.cap;
    i *= 3;
    this.buf[i] = kind;
    this.buf[i + 1] = a;
    this.buf[i + 2] = b;
    this.count++;
    return true;
  }

  /** Take the oldest event into `kind`/`a`/`b`; false when empty. @hot */
  shift(): boolean {
    if (this.count === 0) return false;
    const i = this.head * 3;
    this.kind = this.buf[i];
    this.a = this.buf[i + 1];
    this.b = this.buf[i + 2];
    this.head++;
    if (this.head === this.cap) this.head = 0;
    this.count--;
    return true;
  }
}
