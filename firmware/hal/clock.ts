/**
 * Time, injected so the core never reads a global clock: tests and the virtual board step it.
 * `now()` is wall-clock milliseconds since the Unix epoch (local terminal time, as UnionPay
 * fields 12/13 carry it). It may jump when the host sets the time at sign-in; timeouts
 * are measured as differences of `now()` within one transaction, which is short.
 */
export interface Clock {
  now(): number;
}
