import { strict as assert } from "node:assert";
import { VirtualBoard } from "../../hil/virtual/board";
import { boardWith } from "./helpers";

describe("virtual board: boot, reset, power and watchdog", () => {
  it("load runs the code then E.on('init'); reset runs E.on('kill') and boots the same code", () => {
    const b = boardWith("print('boot'); E.on('init', function () { print('init'); }); E.on('kill', function () { print('kill'); });");
    assert.equal(b.console.output, "boot\r\ninit\r\n");
    b.reset();
    assert.equal(b.console.output, "boot\r\ninit\r\nkill\r\nboot\r\ninit\r\n");
    assert.equal(b.lastResetCause, "reset");
    b.powerCut();
    assert.match(b.console.output, /init\r\nboot\r\ninit\r\n$/, "no 'kill' on power loss");
    assert.equal(b.lastResetCause, "powerCut");
    assert.equal(b.bootCount, 3);
  });

  it("each boot gets a fresh context: RAM state is gone, flash is not", () => {
    const b = boardWith("var ram = (typeof ram === 'undefined') ? 1 : ram + 1; var S = require('Storage'); S.write('boot' + S.list().length, 'x');");
    b.reset();
    b.reset();
    assert.equal(b.eval("ram"), 1);
    assert.equal(b.eval("S.list().length"), 3);
  });

  it("a manual watchdog resets the board when not kicked in time", () => {
    const b = boardWith("E.enableWatchdog(1, false); var kick = setInterval(function () { E.kickWatchdog(); }, 500); print('boot');");
    b.sched.advance(5000);
    assert.equal(b.bootCount, 1, "kicked every 500 ms: no reset");
    b.eval("clearInterval(kick)");
    b.sched.advance(999);
    assert.equal(b.bootCount, 1);
    b.sched.advance(1);
    assert.equal(b.bootCount, 2);
    assert.equal(b.lastResetCause, "watchdog");
    assert.equal(b.console.output, "boot\r\nboot\r\n");
  });

  it("an automatic watchdog is kicked by the idle loop, which is always reached here", () => {
    const b = boardWith("E.enableWatchdog(0.5);");
    b.sched.advance(10000);
    assert.equal(b.bootCount, 1);
    assert.deepEqual(b.watchdog(), { timeoutMs: 500, auto: true });
  });

  it("E.reboot() from firmware restarts once that code has finished", () => {
    const b = boardWith("print('up'); function go() { E.reboot(); print('not printed: the board is going down'); }");
    b.console.send("\x10go()\n");
    assert.equal(b.poweredOn, false);
    b.sched.advance(0);
    assert.equal(b.poweredOn, true);
    assert.equal(b.lastResetCause, "reboot");
    assert.equal(b.console.output, "up\r\nup\r\n");
  });

  it("powerOff leaves the board off until reset", () => {
    const b = boardWith("setInterval(function () { print('t'); }, 10);");
    b.powerOff();
    b.sched.advance(100);
    assert.equal(b.console.output, "");
    assert.throws(() => b.eval("1"), /powered off/);
    b.reset();
    b.sched.advance(10);
    assert.equal(b.console.output, "t\r\n");
  });

  it("before load there is nothing running", () => {
    const b = new VirtualBoard();
    assert.equal(b.poweredOn, false);
    assert.deepEqual(b.memoryUsage(), { free: 5100, usage: 0, total: 5100 });
  });
});
