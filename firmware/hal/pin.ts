/** Pin modes as Espruino names them (`pinMode` / `Pin.mode`). */
export type PinMode = "input" | "input_pullup" | "input_pulldown" | "output" | "opendrain" | "opendrain_pullup";

/** One GPIO as a driver sees it: the subset of Espruino's `Pin` object the drivers use. */
export interface PinLike {
  read(): boolean;
  write(value: boolean): void;
  mode(mode: PinMode): void;
}
