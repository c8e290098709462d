import assert from "node:assert/strict";
import { lossChangeBelow, lossNotFinite, lossRises } from "../../lib/train/stop_rules.ts";

// Seed 004's printed epoch losses, iterations 100..112: the last one rose.
const SEED004_TAIL = [
  1044.405852,
  1037.387377,
  1029.83224,
  1016.869086,
  1009.307888,
  997.637064,
  985.720728,
  980.907363,
  977.74163,
  962.341443,
  958.82904,
  951.679,
  955.495738,
];

Deno.test("lossRises() fires exactly where seed 004 stopped", () => {
  const rule = lossRises();
  let stoppedAt = -1;
  for (let t = 1; t <= SEED004_TAIL.length; t++) {
    if (rule.shouldStop(SEED004_TAIL.slice(0, t))) {
      stoppedAt = t - 1;
      break;
    }
  }
  assert.equal(stoppedAt, SEED004_TAIL.length - 1);
  assert.equal(SEED004_TAIL[stoppedAt], 955.495738);
});

Deno.test("lossRises() ignores equal losses and the first record", () => {
  const rule = lossRises();
  assert.equal(rule.shouldStop([]), false);
  assert.equal(rule.shouldStop([5]), false);
  assert.equal(rule.shouldStop([5, 5]), false);
  assert.equal(rule.shouldStop([5, 5 + 1e-12]), true);
  assert.equal(rule.reason, "loss rose");
});

Deno.test("lossChangeBelow() stops at |Δloss| <= tol, as seed 003's while loop", async (t) => {
  const rule = lossChangeBelow(1e-5);
  await t.step("first record never stops", () => {
    assert.equal(rule.shouldStop([]), false);
    assert.equal(rule.shouldStop([0.3]), false);
  });
  await t.step("large changes either way continue", () => {
    assert.equal(rule.shouldStop([0.3, 0.2]), false);
    assert.equal(rule.shouldStop([0.2, 0.3]), false);
  });
  await t.step("small changes either way stop", () => {
    assert.equal(rule.shouldStop([0.3, 0.2, 0.200009]), true);
    assert.equal(rule.shouldStop([0.3, 0.2, 0.199991]), true);
  });
  await t.step("only the last two records count", () => {
    assert.equal(rule.shouldStop([1, 1, 0.5]), false);
  });
  await t.step("a NaN change never satisfies the tolerance", () => {
    assert.equal(rule.shouldStop([0.3, NaN]), false);
  });
  await t.step("a synthetic decaying sequence stops at the first small step", () => {
    const losses = Array.from({ length: 40 }, (_, i) => 0.2 + 0.5 ** i);
    let t = 1;
    while (!rule.shouldStop(losses.slice(0, t + 1))) t++;
    // 0.5^(t-1) − 0.5^t = 0.5^t <= 1e-5 first at t = 17.
    assert.equal(t, 17);
  });
});

Deno.test("lossChangeBelow() rejects a non-positive tolerance", () => {
  assert.throws(() => lossChangeBelow(0), {
    name: "RangeError",
    message: "Cannot create stop rule lossChangeBelow: tol must be > 0, got 0",
  });
  assert.throws(() => lossChangeBelow(NaN), /tol must be > 0, got NaN/);
});

Deno.test("lossNotFinite() stops on NaN and infinities only", () => {
  const rule = lossNotFinite();
  assert.equal(rule.shouldStop([]), false);
  assert.equal(rule.shouldStop([1, 2]), false);
  assert.equal(rule.shouldStop([1, NaN]), true);
  assert.equal(rule.shouldStop([1, Infinity]), true);
  assert.equal(rule.shouldStop([1, -Infinity]), true);
});
