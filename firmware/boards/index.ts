/** Picks the board profile from process.env.BOARD (what Espruino reports). */
import type { BoardProfile } from "./profile";
import { pico } from "./pico";
import { wifi } from "./wifi";
import { linux } from "./linux";
import { virtual } from "./virtual";

const profiles: BoardProfile[] = [pico, wifi, linux, virtual];

export function selectBoard(id: string): BoardProfile {
  for (let i = 0; i < profiles.length; i++) if (profiles[i].id === id) return profiles[i];
  throw new Error("No board profile for '" + id + "' (known: PICO, ESPRUINOWIFI, LINUX, VIRTUAL)");
}
