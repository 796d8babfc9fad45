import { strict as assert } from "node:assert";
import { VirtualBoard } from "../../hil/virtual/board";
import { boardWith } from "./helpers";

describe("virtual board: console", () => {
  it("echoes a typed line, prints =result and the prompt", () => {
    const b = boardWith("");
    b.console.send("1+2\n");
    assert.equal(b.console.output, "1+2\r\n=3\r\n>");
  });

  it("a \\x10 line runs without echo, result or prompt: only what it prints", () => {
    const b = boardWith("");
    b.console.send("\x10var x = 40 + 2\n\x10print('<<' + x + '>>')\n");
    assert.equal(b.console.output, "<<42>>\r\n");
  });

  it("waits for the end of the line, and for unfinished statements", () => {
    const b = boardWith("");
    b.console.send("\x10print(");
    assert.equal(b.console.output, "");
    b.console.send("'a')\r\n");
    assert.equal(b.console.output, "a\r\n");
    b.console.send("\x10function f() {\n\x10  return 7;\n\x10}\n\x10print(f())\n");
    assert.equal(b.console.output, "a\r\n7\r\n");
  });

  it("print and console.log write text + \\r\\n, objects Espruino-style", () => {
    const b = boardWith("print('a\\nb'); console.log('n', 1, { k: [1, 'x'] }, new Uint8Array([1, 2]), A3);");
    assert.equal(b.console.output, "a\r\nb\r\n" + 'n 1 { "k": [ 1, "x" ] } new Uint8Array([1, 2]) A3\r\n');
  });

  it("errors print Uncaught like Espruino, from lines, timers and handlers alike", () => {
    const b = boardWith("setTimeout(function () { throw new TypeError('late'); }, 5);");
    b.console.send("\x10undefinedThing\n");
    b.console.send("\x10throw new Error('now')\n");
    b.sched.advance(10);
    assert.equal(
      b.console.output,
      "Uncaught ReferenceError: undefinedThing is not defined\r\nUncaught Error: now\r\nUncaught TypeError: late\r\n",
    );
  });

  it("reports unhandled promise rejections as Espruino does", () => {
    const b = boardWith("Promise.reject(new Error('nobody')); new Promise(function (ok, no) { no('caught'); }).catch(function () {});");
    assert.equal(b.console.output, "Uncaught Error: Unhandled promise rejection: Error: nobody\r\n");
  });

  it("runs Promise jobs right after the task that queued them", () => {
    const b = boardWith("var log = []; setTimeout(function () { Promise.resolve(1).then(function () { log.push('then@' + getTime() * 1000); }); log.push('task'); }, 10);");
    b.sched.advance(10);
    assert.equal(b.eval("log.join()"), "task,then@10");
  });

  it("onOutput sees each piece; nothing comes out while powered off", () => {
    const b = new VirtualBoard();
    const seen: string[] = [];
    b.console.onOutput((t) => seen.push(t));
    b.console.send("\x10print(1)\n");
    b.load("print('boot')");
    assert.deepEqual(seen, ["boot\r\n"]);
  });
});
