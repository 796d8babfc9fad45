/**
 * An I2C master as a driver sees it: the subset of Espruino's `I2C` the drivers use.
 * Like Espruino, `writeTo`/`readFrom` throw when the device does not acknowledge;
 * drivers catch that and report it instead of letting it reach the app.
 */
export interface I2CLike {
  writeTo(address: number, data: Uint8Array | number[] | number): void;
  readFrom(address: number, quantity: number): Uint8Array;
}
