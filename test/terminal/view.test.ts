import { strict as assert } from "node:assert";
import { KeyDecoder, type ViewAction } from "../../hil/terminal/input";
import { PlainLog, renderScreen, wrapItems, type ViewState } from "../../hil/terminal/view";
import { checkKeyName, keysOfText } from "../../hil/terminal/typing";

function keys(actions: ViewAction[]): string[] {
  return actions.map((a) => (a.kind === "key" ? a.key : a.kind));
}

describe("terminal view input", () => {
  it("maps digits, Enter, Backspace, Esc and F1-F3 in every common encoding", () => {
    const d = new KeyDecoder();
    assert.deepEqual(keys(d.feed("0123456789")), "0123456789".split(""));
    assert.deepEqual(keys(d.feed("\r")), ["ENTER"]);
    assert.deepEqual(keys(d.feed("\n")), [], "the LF of a CRLF is the same Enter");
    assert.deepEqual(keys(d.feed("\n")), ["ENTER"]);
    assert.deepEqual(keys(d.feed("\x7f\b")), ["CLEAR", "CLEAR"]);
    assert.deepEqual(keys(d.feed("\x1b")), ["CANCEL"]);
    assert.deepEqual(keys(d.feed("\x1bOP\x1bOQ\x1bOR")), ["F1", "F2", "F3"]);
    assert.deepEqual(keys(d.feed("\x1b[11~\x1b[12~\x1b[13~")), ["F1", "F2", "F3"]);
    assert.deepEqual(keys(d.feed("\x1b[[A\x1b[[B\x1b[[C")), ["F1", "F2", "F3"]);
    assert.deepEqual(keys(d.feed("m")), ["F1"]);
  });

  it("skips other escape sequences and unknown bytes instead of guessing a key", () => {
    const d = new KeyDecoder();
    assert.deepEqual(keys(d.feed("\x1b[A\x1b[1;5C\x1bOA")), []);
    assert.deepEqual(keys(d.feed("zZ!\t")), []);
    assert.deepEqual(keys(d.feed("\x1b5")), ["CANCEL", "5"]);
  });

  it("maps the device letters and Ctrl-C", () => {
    const d = new KeyDecoder();
    assert.deepEqual(keys(d.feed("sSiopxlq\x03")), ["swipe-good", "swipe-chosen", "insert", "pull", "paper", "power-cut", "lcd", "quit", "quit"]);
    assert.deepEqual(d.feed("cC"), [{ kind: "card", step: 1 }, { kind: "card", step: -1 }]);
  });
});

describe("hil typing", () => {
  it("turns text into key taps, the decimal point placed by the amount entry", () => {
    assert.deepEqual(keysOfText("12.50\n"), ["1", "2", "5", "0", "ENTER"]);
    assert.deepEqual(keysOfText("\b\x1b{f2}\r\n"), ["CLEAR", "CANCEL", "F2", "ENTER"]);
  });

  it("refuses a string with anything it cannot type, naming it", () => {
    assert.throws(() => keysOfText("12a"), /no key for "a" at 2/);
    assert.throws(() => keysOfText("{F9}"), /no key named \{F9\}/);
    assert.throws(() => keysOfText("{F1"), /no key named \{\}/);
    assert.throws(() => checkKeyName("F4"), /no key "F4"/);
    assert.equal(checkKeyName("enter"), "ENTER");
  });
});

function state(over: Partial<ViewState> = {}): ViewState {
  return Object.assign(
    {
      title: "T",
      lcd: ["IDLE", "TID 10000001", "", ""],
      lcdCols: 20,
      paper: [],
      paperCols: 32,
      host: [],
      status: ["card: mag-debit", "reader: empty"],
      messages: ["booted"],
      help: ["keys: 0-9", "Enter=ENTER", "q quit"],
    },
    over,
  );
}

describe("terminal view frame", () => {
  it("fills the terminal exactly: LCD box, paper beside it, last paper lines, host lines, help", () => {
    const paper: string[] = [];
    for (let i = 1; i <= 40; i++) paper.push("line " + i);
    const host: string[] = [];
    for (let i = 1; i <= 10; i++) host.push("msg " + i);
    const rows = renderScreen(state({ paper, host }), 80, 30);
    assert.equal(rows.length, 30);
    for (const r of rows) assert.ok(r.length <= 80);
    assert.equal(rows[2], "|IDLE                |  |line 26                         |");
    assert.ok(rows.some((r) => r.indexOf("|line 40") >= 0));
    assert.ok(!rows.some((r) => r.indexOf("|line 25 ") >= 0), "15 paper lines shown");
    assert.ok(rows.some((r) => r === "  msg 10"));
    assert.ok(rows.some((r) => r === "> booted"));
    assert.equal(rows[29], "keys: 0-9  Enter=ENTER  q quit");
  });

  it("fits a 24x80 terminal and a narrow one without overflowing", () => {
    for (const [cols, rowsN] of [[80, 24], [40, 20], [100, 50]]) {
      const rows = renderScreen(state({ paper: ["a", "b"], host: ["h"] }), cols, rowsN);
      assert.equal(rows.length, rowsN);
      for (const r of rows) assert.ok(r.length <= cols, JSON.stringify(r));
      assert.ok(rows.some((r) => r.indexOf("TID 10000001") >= 0));
    }
    assert.deepEqual(wrapItems(["aaaa", "bbbb", "cccc"], 10), ["aaaa  bbbb", "cccc"]);
  });

  it("prints only what changed when stdout is not a terminal", () => {
    const log = new PlainLog();
    const first = log.lines(state());
    assert.deepEqual(first, [
      "*** booted",
      "+- LCD --------------+",
      "|IDLE                |",
      "|TID 10000001        |",
      "|                    |",
      "|                    |",
      "+--------------------+",
    ]);
    assert.deepEqual(log.lines(state()), []);
    assert.deepEqual(log.lines(state({ paper: ["DEMO MERCHANT"], host: ["0800 sign-in"], messages: ["booted", "key F1"] })), [
      "*** key F1",
      "paper | DEMO MERCHANT",
      "host  | 0800 sign-in",
    ]);
  });
});
