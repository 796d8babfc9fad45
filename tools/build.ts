// npm run build: rollup the firmware, then refuse a bundle Espruino could not run.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";

execFileSync(process.execPath, ["node_modules/rollup/dist/bin/rollup", "-c", "--silent"], { stdio: "inherit" });
for (const file of ["dist/firmware.js", "dist/firmware.debug.js"]) {
  const size = statSync(file).size;
  const gz = gzipSync(readFileSync(file)).length;
  console.log(`${file}: ${size} bytes (${gz} gzipped)`);
}
