/**
 * Text -> keypad keys, for `hil.keys("12.50\n")`: digits are digit keys, "\n" (or "\r") ENTER,
 * "\b" (or DEL) CLEAR, ESC CANCEL, "{F1}" / "{ENTER}" ... any key by name. "." and "," are
 * skipped: the amount entry places the decimal point itself (1, 2, 5, 0 shows 12.50).
 * Anything else is refused as a whole, so a typo never types half a string.
 */
import { KEY_NAMES } from "../../firmware/drivers/keypad-keys";

export function keysOfText(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch >= "0" && ch <= "9") out.push(ch);
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      out.push("ENTER");
    } else if (ch === "\b" || ch === "\x7f") out.push("CLEAR");
    else if (ch === "\x1b") out.push("CANCEL");
    else if (ch === "." || ch === ",") continue;
    else if (ch === "{") {
      const end = text.indexOf("}", i);
      const name = end > i ? text.slice(i + 1, end).toUpperCase() : "";
      if (KEY_NAMES.indexOf(name) < 0) throw new Error("hil.keys: no key named {" + name + "} (keys: " + KEY_NAMES.join(" ") + ")");
      out.push(name);
      i = end;
    } else {
      throw new Error("hil.keys: no key for " + JSON.stringify(ch) + " at " + i + " (digits, \\n ENTER, \\b CLEAR, \\x1b CANCEL, {F1}..)");
    }
  }
  return out;
}

/** A key name as the keypad model takes it ("ENTER", "7"), or an error naming the keys. */
export function checkKeyName(name: string): string {
  const n = String(name).toUpperCase();
  if (KEY_NAMES.indexOf(n) < 0) throw new Error("hil.key: no key " + JSON.stringify(name) + " (keys: " + KEY_NAMES.join(" ") + ")");
  return n;
}
