/**
 * `npm run host -- [--port 5000] [--tmk HEX] [--listen 127.0.0.1] [--tid 10000001 --mid 898100012340001]`
 *
 * Runs the acquirer host simulator standalone (for a real board or Espruino for Linux) and
 * prints each message decoded, PAN masked; PIN blocks, tracks and keys are never printed.
 * With --tmk, any terminal id is accepted and given that TMK; without it, only the
 * provisioning default terminal (10000001 / 898100012340001, TMK DEFAULT_TEST_TMK) is known.
 * --listen other than loopback exposes a TEST host with test cards on your network: only do
 * that on an isolated rig network so a board on WiFi can reach it.
 */
import { HostSimulator } from "./server";
import { defaultAccounts } from "./cards";
import { formatEntry } from "./log";
import { maskPan } from "./codec";
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID, DEFAULT_TEST_TMK } from "./terminals";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf("--" + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  if (process.argv.indexOf("--help") >= 0) {
    console.log("usage: npm run host -- [--port 5000] [--tmk 32hex] [--listen 127.0.0.1] [--tid ID --mid ID]");
    return;
  }
  const port = Number(arg("port", "5000"));
  const listen = arg("listen", "127.0.0.1");
  const tmkArg = arg("tmk", "");
  const tid = arg("tid", DEFAULT_TERMINAL_ID);
  const mid = arg("mid", DEFAULT_MERCHANT_ID);
  if (!(port >= 0 && port < 65536)) throw new Error("--port must be 0..65535");
  const host = new HostSimulator({
    port: port,
    listen: listen,
    terminals: [{ terminalId: tid, merchantId: mid, tmk: tmkArg || DEFAULT_TEST_TMK }],
    defaultTmk: tmkArg || undefined,
  });
  host.on("message", (e) => console.log(formatEntry(e)));
  await host.listen();
  if (listen !== "127.0.0.1" && listen !== "::1" && listen !== "localhost") {
    console.warn("WARNING: listening on " + listen + ": this test host is reachable from the network.");
  }
  console.log("host simulator on " + listen + ":" + host.port + "  terminal " + tid + " / " + mid + (tmkArg ? "  (any terminal id accepted with --tmk)" : ""));
  console.log("test cards:");
  for (const a of defaultAccounts()) {
    console.log("  " + a.name.padEnd(14) + maskPan(a.pan) + "  exp " + a.expiry + "  " + (a.status || "normal") + "  " + (a.balance / 100).toFixed(2));
  }
  const stop = async () => {
    const snap = host.ledger.snapshot();
    console.log("stopping: " + snap.transactions.length + " transactions, " + snap.reversals.length + " reversals");
    await host.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
