/**
 * The `hil` object of the virtual terminal: the one implementation in hil/inside/control.ts
 * (also what runs inside the Espruino interpreter), here with the virtual board's pin watches
 * told when a model moves a pin (the printer's BUSY, the card-present switch). The virtual
 * terminal installs it as the global `hil` in the firmware's context (virtual-terminal.ts), so
 * a rig line such as `\x10print(JSON.stringify(hil.lcd()))` or `\x10hil.swipe("mag-debit")`
 * works the same wherever the models run. See control.ts for the methods.
 */
import type { VirtualBoard } from "../virtual/board";
import type { TerminalWiring } from "./wiring";
import type { PinNotices } from "../inside/control";

export { HilControl, HIL_METHODS, type DeviceStatus, type InsertOptions, type KeyTiming, type TerminalModels } from "../inside/control";

/** The board's watches hear the printer's BUSY pin and the card switch (and its bounce edges). */
export function virtualBoardPins(board: VirtualBoard, wiring: TerminalWiring): PinNotices {
  return {
    printerBusyMoved: function (): void {
      board.pinChanged(wiring.printer.busyPin);
    },
    cardSwitchMoved: function (bounceMs: number): void {
      const pin = wiring.icc.presentPin;
      board.pinChanged(pin);
      for (let t = 3; t <= bounceMs + 3; t += 3) {
        board.sched.setTimeout(function () {
          board.pinChanged(pin);
        }, t);
      }
    },
  };
}
