/**
 * The inside `hil` must stay the virtual terminal's `hil` (same names, same cards), so one
 * scenario runs on both targets. Both are hil/inside/control.ts's HilControl; these fail when
 * the card lists or the method lists of the two drift apart.
 */
import { strict as assert } from "node:assert";
import { HIL_METHODS, HilControl } from "../../hil/terminal/hil-control";
import { TERMINAL_CARDS, maskedPan } from "../../hil/terminal/cards";
import { HOST_CARDS } from "../../hil/host/cards";
import { INSIDE_ONLY_METHODS } from "../../hil/inside/control";
import { VirtualTerminal } from "../../hil/terminal/virtual-terminal";
import { HOST_DECLINE_CARDS, insideCards, maskPan } from "../../hil/inside/cards";

describe("hil/inside parity with the virtual terminal", () => {
  it("one implementation: the virtual terminal's hil is the inside HilControl; inside, help() adds tearOff", () => {
    const vt = new VirtualTerminal();
    try {
      assert.ok(vt.hil instanceof HilControl);
      assert.deepEqual(vt.hil.help(), HIL_METHODS);
      const inside = new HilControl({ models: vt.models, timers: vt.board.sched, timing: { holdMs: 80, gapMs: 80 }, cards: insideCards(), inside: true });
      assert.deepEqual(inside.help(), HIL_METHODS.concat(INSIDE_ONLY_METHODS));
      for (const name of inside.help()) assert.equal(typeof (inside as unknown as Record<string, unknown>)[name], "function", name);
    } finally {
      void vt.close();
    }
  });

  it("lists the host simulator's decline cards exactly (its cards.ts cannot be bundled: it imports the ledger)", () => {
    const host = Object.keys(HOST_CARDS).map((k) => (HOST_CARDS as Record<string, { id: string; pan: string; name: string; expiry: string; serviceCode: string; pin: string }>)[k]);
    assert.deepEqual(
      HOST_DECLINE_CARDS.map((c) => c.join("|")),
      host.map((c) => [c.id, c.pan, c.name].join("|")),
    );
    for (const c of host) assert.deepEqual([c.expiry, c.serviceCode, c.pin], ["3012", "101", "123456"], c.id);
  });

  it("knows the same cards by id as the virtual terminal, with the same data", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(insideCards())), JSON.parse(JSON.stringify(TERMINAL_CARDS)));
  });

  it("masks PANs the same way", () => {
    for (const pan of ["6222021000009873", "6228480000000000018", "1234567890", "12345678901"]) assert.equal(maskPan(pan), maskedPan(pan), pan);
  });
});
