/**
 * Espruino for Linux (a Raspberry Pi-class host, or a PC for HIL). Parts are either real
 * USB/serial modules (`Serial1.setup(baud, {path})`) or, on a HIL rig without hardware, the
 * device models uploaded beside the firmware, which publish their buses as `global.hilBuses`.
 * The network is the host's own stack.
 * Profile "LINUX": Espruino for Linux, 5100 blocks of RAM.
 */
import { LCD_20X4 } from "./profile";
import type { BoardProfile, BoardBuses } from "./profile";

export const linux: BoardProfile = {
  id: "LINUX",
  lcd: LCD_20X4,
  wire: function (): BoardBuses {
    if (global.hilBuses) return global.hilBuses;
    throw new Error("Espruino for Linux: no parts. Upload the device models (npm run hil) or edit firmware/boards/linux.ts for your USB modules");
  },
};
