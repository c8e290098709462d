import assert from "node:assert/strict";
import { createHistory } from "../../lib/train/history.ts";

Deno.test("createHistory() starts empty and each call is independent", () => {
  const a = createHistory(), b = createHistory();
  assert.deepEqual(a, b);
  a.loss.push(1);
  a.evaluations.samplesSeen.push(0);
  assert.deepEqual(b.loss, []);
  assert.deepEqual(b.evaluations.samplesSeen, []);
  assert.equal(a.epochs + a.updates + a.samplesSeen + a.seconds, 0);
  assert.equal(a.stoppedBy, "epochs");
});

Deno.test("createHistory() is JSON-serialisable for reports", () => {
  const h = createHistory();
  h.loss.push(0.5);
  const back = JSON.parse(JSON.stringify(h));
  assert.deepEqual(back.loss, [0.5]);
  assert.deepEqual(back.evaluations.trainLoss, []);
});
