import { strict as assert } from "node:assert";
import {
  ConsoleSession,
  ConsoleStream,
  TargetEvalError,
  TargetTimeoutError,
  decodeReplyValue,
  encodeEval,
  expressionSyntaxError,
} from "../../hil/rig/console-protocol";
import { FakeEspruino } from "./fake-espruino";

/** A ConsoleStream that records what it classified. */
function recorder() {
  const got = { replies: [] as [number, boolean, string][], output: [] as string[], uncaught: [] as string[] };
  const stream = new ConsoleStream({
    reply: (id, ok, text) => got.replies.push([id, ok, text]),
    output: (l) => got.output.push(l),
    uncaught: (t) => got.uncaught.push(t),
  });
  return { stream, got };
}

describe("rig console protocol", () => {
  describe("encodeEval", () => {
    it("sends a \\x10 line whose reply marker only exists once evaluated", () => {
      const line = encodeEval(17, "a.b+1");
      assert.equal(line, '\x10try{print("@@R"+17+" "+JSON.stringify((a.b+1)))}catch(e){print("@@E"+17+" "+e)}\n');
      assert.ok(line.indexOf("@@R17") < 0 && line.indexOf("@@E17") < 0, "the echo must not contain the marker");
    });

    it("refuses multi-line and empty expressions and bad ids", () => {
      assert.throws(() => encodeEval(1, "a\nb"), /one line/);
      assert.throws(() => encodeEval(1, "a\rb"), /one line/);
      assert.throws(() => encodeEval(1, "  "), /empty/);
      assert.throws(() => encodeEval(-1, "1"), /id/);
    });

    it("finds syntax errors before sending", () => {
      assert.equal(expressionSyntaxError("f(1, {a: 2})"), null);
      assert.match(String(expressionSyntaxError("1+")), /Unexpected/);
      assert.match(String(expressionSyntaxError("1);evil(")), /single expression/);
    });

    it("decodes JSON and treats undefined as null (Espruino prints null for it)", () => {
      assert.deepEqual(decodeReplyValue('{"a":[1,"x"]}'), { a: [1, "x"] });
      assert.equal(decodeReplyValue("undefined"), null);
      assert.equal(decodeReplyValue("null"), null);
    });
  });

  describe("ConsoleStream", () => {
    it("parses a reply split into single-character chunks", () => {
      const { stream, got } = recorder();
      for (const ch of '>@@R3 {"x":"a b"}\r\n') stream.push(ch);
      assert.deepEqual(got.replies, [[3, true, '{"x":"a b"}']]);
    });

    it("holds an unfinished line until its newline", () => {
      const { stream, got } = recorder();
      stream.push("@@R4 12");
      assert.deepEqual(got.replies, []);
      assert.equal(stream.pending(), "@@R4 12");
      stream.push("3\r\n");
      assert.deepEqual(got.replies, [[4, true, "123"]]);
    });

    it("ignores the echo of a request, prompts, =results and the banner; keeps real output", () => {
      const { stream, got } = recorder();
      stream.push("espruino: Interactive mode.\r\n\r\n ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n");
      stream.push(" 2v29 (c) 2026 G.Williams\r\nhttp://espruino.com/Donate\r\n\r\n>");
      stream.push(encodeEval(5, "x").slice(1).replace("\n", "\r\n")); // echoed by a terminal
      stream.push("=undefined\r\n>\r\x1b[Jpos-terminal boot\r\n>");
      stream.push("@@E5 ReferenceError: \"x\" is not defined\r\n>");
      assert.deepEqual(got.replies, [[5, false, 'ReferenceError: "x" is not defined']]);
      assert.deepEqual(got.output, ["pos-terminal boot"]);
    });

    it("collects Uncaught reports with their trace lines as errors", () => {
      const { stream, got } = recorder();
      stream.push('>\r\x1b[JUncaught Error: deep\r\n    at f (:1:23)\r\n\r\n                      ^\r\n    at :1:3\r\n\r\n  ^\r\n>@@R9 1\r\n');
      assert.deepEqual(got.uncaught, ["Uncaught Error: deep\nat f (:1:23)\n^\nat :1:3\n^"]);
      assert.deepEqual(got.replies, [[9, true, "1"]]);
      assert.deepEqual(got.output, []);
    });

    it("reports a held Uncaught on flush and starts a new one for the next", () => {
      const { stream, got } = recorder();
      stream.push("Uncaught A\r\nUncaught B\r\n");
      assert.deepEqual(got.uncaught, ["Uncaught A"]);
      stream.flush();
      assert.deepEqual(got.uncaught, ["Uncaught A", "Uncaught B"]);
    });
  });

  describe("ConsoleSession over a fake serial stream", () => {
    /** A session wired to a FakeEspruino console, its output cut into `chunk`-byte pieces. */
    function wired(chunk = 0, echo = true) {
      const fake = new FakeEspruino({ echo });
      const session = new ConsoleSession((text) => void setImmediate(() => fake.input(text)), { timeoutMs: 2000 });
      fake.onOutput((text) => {
        if (!chunk) return session.feed(text);
        for (let i = 0; i < text.length; i += chunk) {
          const piece = text.slice(i, i + chunk);
          setImmediate(() => session.feed(Buffer.from(piece, "latin1")));
        }
      });
      fake.start();
      return { fake, session };
    }

    it("evaluates expressions and resolves their JSON values", async () => {
      const { session } = wired();
      assert.equal(await session.eval("1+1"), 2);
      assert.deepEqual(await session.eval("({a:[1,'two'],b:null})"), { a: [1, "two"], b: null });
      assert.equal(await session.eval("undefined"), null);
      assert.equal(await session.eval('"caf\\u00e9"'), "café");
    });

    it("works with output chunked into 3-byte pieces and the terminal echoing", async () => {
      const { session, fake } = wired(3, true);
      const values = await Promise.all([session.eval("10*3"), session.eval("'x'+1"), session.eval("[1,2].length")]);
      assert.deepEqual(values, [30, "x1", 2]);
      assert.equal(fake.received.length, 3);
    });

    it("rejects with TargetEvalError when the expression throws on the target", async () => {
      const { session } = wired();
      await assert.rejects(session.eval("nosuch.x"), (e: unknown) => e instanceof TargetEvalError && /nosuch/.test(e.remote));
    });

    it("rejects a syntax error before sending anything", async () => {
      const { session, fake } = wired();
      await assert.rejects(session.eval("1+"), SyntaxError);
      assert.equal(fake.received.length, 0);
    });

    it("times out when the target stays silent, naming what it printed, and ignores the late reply", async () => {
      const { session, fake } = wired();
      fake.mute = true;
      await assert.rejects(session.eval("1", 50), (e: unknown) => e instanceof TargetTimeoutError && /no reply from the target to "1" within 50 ms/.test(e.message));
      fake.mute = false;
      assert.equal(await session.eval("2"), 2);
      assert.equal(session.pendingCount(), 0);
    });

    it("drops a reply that arrives after its request timed out", async () => {
      const session = new ConsoleSession(() => undefined);
      await assert.rejects(session.eval("1", 20), TargetTimeoutError);
      const next = session.eval("2", 1000);
      session.feed("@@R1 1\r\n@@R2 2\r\n");
      assert.equal(await next, 2);
      assert.deepEqual(session.takeOutput(), []);
    });

    it("waitForLine resolves with the first matching printed line", async () => {
      const { session } = wired();
      const seen = session.waitForLine(/^ready \d+$/, 1000);
      await session.eval("print('noise'), print('ready 7'), 0");
      assert.equal(await seen, "ready 7");
      await assert.rejects(session.waitForLine(/never/, 20), /no line matching/);
    });

    it("settles replies by id even when they come out of order", async () => {
      const writes: string[] = [];
      const session = new ConsoleSession((t) => void writes.push(t), { timeoutMs: 1000 });
      const a = session.eval("'a'");
      const b = session.eval("'b'");
      assert.equal(writes.length, 2);
      session.feed('@@R2 "B"\r\n@@R1 "A"\r\n');
      assert.deepEqual(await Promise.all([a, b]), ["A", "B"]);
    });

    it("collects printed lines and Uncaught errors for the scenario", async () => {
      const { session } = wired();
      await session.eval("print('hello'), setTimeout(function(){ nosuch.y; }, 1), 0");
      await new Promise((r) => setTimeout(r, 30)); // the fake's timer is real time
      await session.eval("0");
      assert.deepEqual(session.takeOutput(), ["hello"]);
      const errs = session.takeErrors();
      assert.equal(errs.length, 1);
      assert.match(errs[0], /^Uncaught ReferenceError: nosuch is not defined/);
      assert.deepEqual(session.takeErrors(), []);
    });

    it("fails every waiting request when the target goes away", async () => {
      const session = new ConsoleSession(() => undefined, { timeoutMs: 0 });
      const p = session.eval("1");
      session.failAll(new Error("gone"));
      await assert.rejects(p, /gone/);
    });

    it("reports a write failure as the eval's error", async () => {
      const session = new ConsoleSession(() => {
        throw new Error("port closed");
      });
      await assert.rejects(session.eval("1"), /port closed/);
    });
  });
});
