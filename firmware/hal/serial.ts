/**
 * A UART as a driver sees it: the subset of Espruino's `Serial` the drivers use.
 * The board profile calls `setup(baud, pins)` before handing it over, so drivers never pick pins.
 * Data is a binary string (char codes 0..255), exactly as Espruino delivers it.
 */
export interface SerialLike {
  write(data: string | Uint8Array | number): void;
  /** Drivers register their one receive handler at construction time (never per event). */
  on(event: "data", handler: (data: string) => void): void;
}
