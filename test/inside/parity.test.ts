/**
 * The inside `hil` must stay the virtual terminal's `hil` (same names, same cards), so one
 * scenario runs on both targets. These fail when either side changes alone.
 */
import { strict as assert } from "node:assert";
import { HIL_METHODS } from "../../hil/terminal/hil-control";
import { TERMINAL_CARDS, maskedPan } from "../../hil/terminal/cards";
import { HOST_CARDS } from "../../hil/host/cards";
import { INSIDE_HIL_METHODS } from "../../hil/inside/control";
import { HOST_DECLINE_CARDS, insideCards, maskPan } from "../../hil/inside/cards";

describe("hil/inside parity with the virtual terminal", () => {
  it("offers every hil method the virtual terminal offers, in the same order", () => {
    assert.deepEqual(INSIDE_HIL_METHODS, HIL_METHODS.slice());
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
