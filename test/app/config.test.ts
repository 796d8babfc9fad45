import { strict as assert } from "node:assert";
import { loadConfig, defaultConfig, CONFIG_FILE } from "../../firmware/config";
import type { StoreLike } from "../../firmware/hal/store";

function storeWith(text: string | undefined): StoreLike {
  return {
    read: (name: string) => (name === CONFIG_FILE ? text : undefined),
    readArrayBuffer: () => undefined,
    write: () => true,
    erase: () => {},
    list: () => [],
    getFree: () => 0,
  };
}

describe("terminal config (pos.cfg)", () => {
  it("uses defaults when nothing is provisioned", () => {
    const r = loadConfig(storeWith(undefined));
    assert.equal(r.error, "");
    assert.deepEqual(r.config, defaultConfig());
  });
  it("takes provisioned values over the defaults", () => {
    const r = loadConfig(storeWith(JSON.stringify({ tid: "87654321", hostPort: 6001, lang: "zh" })));
    assert.equal(r.error, "");
    assert.equal(r.config.tid, "87654321");
    assert.equal(r.config.hostPort, 6001);
    assert.equal(r.config.lang, "zh");
  });
  it("refuses a bad key, a bad TMK, a wrong type and broken JSON, naming the field", () => {
    assert.match(loadConfig(storeWith('{"tmk":"XYZ"}')).error, /tmk/);
    assert.match(loadConfig(storeWith('{"tid":"123"}')).error, /tid/);
    assert.match(loadConfig(storeWith('{"hostPort":"5000"}')).error, /hostPort/);
    assert.match(loadConfig(storeWith("{tid:")).error, /JSON/);
    assert.match(loadConfig(storeWith('{"tmk":"0123456789ABCDEF0123456789ABCDEG"}')).error, /tmk/);
    assert.match(loadConfig(storeWith('{"tid":"1234567\\u0001"}')).error, /tid/);
    assert.match(loadConfig(storeWith('{"tpduSrc":"00000"}')).error, /tpdu/);
    assert.equal(loadConfig(storeWith('{"tmk":"0123456789abcdef"}')).error, "");
  });
});
