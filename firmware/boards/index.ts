/** Picks the board profile from process.env.BOARD (what Espruino reports). */
import type { BoardProfile } from "./profile";
import { pico } from "./pico";
import { wifi } from "./wifi";
import { linux } from "./linux";
import { virtual } from "./virtual";

export function selectBoard(id: string): BoardProfile {
  // a chain rather than an array of the profiles: an array is RAM for as long as the firmware runs
  if (id === pico.id) return pico;
  if (id === wifi.id) return wifi;
  if (id === linux.id) return linux;
  if (id === virtual.id) return virtual;
  throw new Error("No board profile for '" + id + "' (known: PICO, ESPRUINOWIFI, LINUX, VIRTUAL)");
}
