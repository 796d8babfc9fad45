/**
 * hil/inside/espruino-fixes.js: what Espruino 2v29 runs differently (no hoisting; a bare
 * trailing `return` throws), its detection and its fix. The behaviour itself was seen on the
 * real interpreter (test/inside/interpreter.test.ts runs the fixed bundles there).
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { fixForEspruino, hoistingHazards, trailingBareReturns } from "../../hil/inside/espruino-fixes.js";

const names = (code: string) => hoistingHazards(code).map((h) => h.name + ":" + h.kind);

describe("hil/inside/espruino-fixes: hoisting and trailing-return hazards", () => {
  it("flags a var used where its declaration has not run (another branch, or later in the text)", () => {
    assert.deepEqual(names("function h(c){ if(c){ var s=1 } s=2; return s }"), ["s:var", "s:var"]);
    assert.deepEqual(names("function h(){ s=2; var s; }"), ["s:var"]);
    assert.deepEqual(names("function h(c){ for(;c;){ var i=0 } return i }"), ["i:var"]);
  });

  it("does not flag uses after an unconditional declaration, inside the same branch, or in nested functions", () => {
    assert.deepEqual(names("function f(){ var a=1; a++; return a }"), []);
    assert.deepEqual(names("function f(c){ if(c){ var s=1; s++ } }"), []);
    assert.deepEqual(names("function f(n){ for(var i=0;i<n;i++){} return i }"), []);
    assert.deepEqual(names("function f(){ var g=function(){ return k }; var k=1; return g }"), []);
    assert.deepEqual(names("function f(a){ a=1; return a }"), [], "parameters are locals from the start");
  });

  it("flags a function declaration used before its statement", () => {
    assert.deepEqual(names("function f(){ var r=g(); function g(){ return 1 } return r }"), ["g:function"]);
  });

  it("finds bare returns that end a function body, and no others", () => {
    assert.equal(trailingBareReturns("function f(a){if(a)return}").length, 1);
    assert.equal(trailingBareReturns("function f(a){if(a)return }").length, 1);
    assert.equal(trailingBareReturns("function f(a){if(a){return}}").length, 0);
    assert.equal(trailingBareReturns("function f(a){if(a)return;}").length, 0);
    assert.equal(trailingBareReturns("function f(a){return a}").length, 0);
  });

  it("fixes both without changing what the code does in a JavaScript engine", () => {
    const src = "var out=[];var s=function(){return 's'};!function(){function h(c){if(c){var s=1}s=2;return s}function t(a){if(a)return}out.push(h(0),h(1),t(1),typeof s)}();";
    const fixed = fixForEspruino(src);
    assert.equal(fixed.hoisted, 1);
    assert.equal(fixed.trailingReturns, 1);
    assert.equal(fixed.functionHazards, 0);
    assert.match(fixed.code, /function h\(c\)\{var s;if/);
    assert.match(fixed.code, /if\(a\)return;\}/);
    assert.deepEqual(hoistingHazards(fixed.code), []);
    assert.deepEqual(trailingBareReturns(fixed.code), []);
    const run = (code: string) => JSON.stringify(runInNewContext(code + ";out"));
    assert.equal(run(fixed.code), run(src));
  });

  it("leaves code without hazards byte for byte as it was", () => {
    const src = "!function(){function f(a){var b=a+1;return b}global.x=f}();";
    const r = fixForEspruino(src);
    assert.equal(r.code, src);
    assert.equal(r.hoisted + r.trailingReturns, 0);
  });

  it("the built dist/models.js carries no hazard (the build applies the fix)", function () {
    if (!existsSync("dist/models.js")) this.skip(); // npm test builds first
    const code = readFileSync("dist/models.js", "utf8");
    assert.deepEqual(hoistingHazards(code).length, 0);
    assert.deepEqual(trailingBareReturns(code).length, 0);
  });
});
