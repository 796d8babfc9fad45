/**
 * The write-or-check step of the build-time generators (tools/gb18030, tools/thumb): a generated
 * module is committed, written when its source changes, and `--check` fails while it is stale.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export function writeOrCheck(target: string, shownAs: string, text: string, regenerate: string, check: boolean): void {
  const current = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (check) {
    if (current !== text) {
      console.error(shownAs + " is stale: run " + regenerate);
      process.exit(1);
    }
    console.log(shownAs + " is up to date");
    return;
  }
  if (current === text) console.log(shownAs + " unchanged");
  else {
    writeFileSync(target, text);
    console.log("wrote " + shownAs);
  }
}
