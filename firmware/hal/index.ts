/** The narrow interfaces drivers and the core take; the board profile supplies the real ones. */
export type { SerialLike } from "./serial";
export type { I2CLike } from "./i2c";
export type { PinLike, PinMode } from "./pin";
export type { StoreLike } from "./store";
export type { Clock } from "./clock";
export type { SocketLike, NetLike } from "./socket";
