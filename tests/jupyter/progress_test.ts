import assert from "node:assert/strict";
import type { DisplayOptions } from "../../lib/jupyter/kernel.ts";
import {
  formatDuration,
  progressBar,
  type ProgressBarOptions,
  withProgress,
} from "../../lib/jupyter/progress.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { Prng } from "../../lib/random.ts";
import { mlp } from "../../lib/nn/mlp.ts";
import { train } from "../../lib/train/train.ts";

type Sent = { bundle: Record<string, string>; options: DisplayOptions; at: number };

/** A bar on a fake clock whose display records every bundle. */
function notebookBar(options: Partial<ProgressBarOptions> = {}) {
  const clock = { t: 0 };
  const sent: Sent[] = [];
  const bar = progressBar({
    total: 10,
    label: "SGD",
    unit: "epoch",
    now: () => clock.t,
    display: (bundle, opts) => {
      sent.push({ bundle, options: opts, at: clock.t });
    },
    ...options,
  });
  return { bar, sent, clock };
}

Deno.test("progressBar() sends at most one update per minInterval of the clock", async () => {
  const { bar, sent, clock } = notebookBar({ total: 100 });
  for (let i = 1; i <= 50; i++) {
    clock.t = i * 20; // an update every 20 ms for 1 s
    await bar.update(i, { loss: 1 / i });
  }
  assert.equal(bar.mode, "notebook");
  // first update at 20 ms, then one each time 250 ms have passed: 20, 280, 540, 800
  assert.deepEqual(sent.map((s) => s.at), [20, 280, 540, 800]);
  assert.equal(bar.sent, 4);
  for (let k = 1; k < sent.length; k++) assert.ok(sent[k].at - sent[k - 1].at >= 250);
});

Deno.test("progressBar() creates one display and then updates it in place", async () => {
  const { bar, sent, clock } = notebookBar();
  for (let i = 1; i <= 10; i++) {
    clock.t += 300;
    await bar.update(i);
  }
  await bar.finish();
  assert.equal(sent.length, 11);
  assert.deepEqual(sent.map((s) => s.options.update), [false, ...Array(10).fill(true)]);
  const ids = new Set(sent.map((s) => s.options.display_id));
  assert.equal(ids.size, 1);
  assert.ok(sent.every((s) => s.options.raw === true));
  assert.ok(sent.every((s) => "text/html" in s.bundle && "text/plain" in s.bundle));
});

Deno.test("progressBar() always sends the final state on finish(), even when throttled", async () => {
  const { bar, sent, clock } = notebookBar();
  await bar.update(1, { loss: 2 });
  clock.t = 100;
  await bar.update(7, { loss: 0.5 }); // within 250 ms: not sent
  assert.equal(sent.length, 1);
  clock.t = 150;
  await bar.finish();
  assert.equal(sent.length, 2);
  const last = sent[1].bundle;
  assert.match(last["text/plain"], /epoch 7\/10 · loss 0\.5000 .*done in 0:00/);
  assert.match(last["text/html"], /data-status="finished"/);
  assert.match(last["text/html"], /#2ca02c/);
  await bar.finish(); // idempotent
  assert.equal(sent.length, 2);
});

Deno.test("progressBar() sends the update that reaches total without waiting", async () => {
  const { bar, sent, clock } = notebookBar({ total: 3 });
  await bar.update(1);
  clock.t = 10;
  await bar.update(3);
  assert.equal(sent.length, 2);
  assert.match(sent[1].bundle["text/plain"], /100% epoch 3\/3/);
});

Deno.test("progressBar() fail() marks the bar failed in red with the message", async () => {
  const { bar, sent, clock } = notebookBar();
  await bar.update(2, { loss: 0.3 });
  clock.t = 50;
  await bar.fail(new Error("loss became NaN <at> epoch 3"));
  const { bundle } = sent.at(-1)!;
  assert.match(bundle["text/html"], /data-status="failed"/);
  assert.match(bundle["text/html"], /#d62728/);
  assert.match(bundle["text/html"], /loss became NaN &#60;at&#62; epoch 3/); // escaped
  assert.match(bundle["text/plain"], /failed after 0:00: loss became NaN <at> epoch 3/);
  await assert.rejects(bar.update(3), /Cannot update progress bar SGD: it has already failed/);
});

Deno.test("progressBar() shows samples/s and the time left", async () => {
  const { bar, sent, clock } = notebookBar({ samplesPerUnit: 500, minInterval: 0 });
  clock.t = 1000;
  await bar.update(2, { loss: 0.25, acc: 0.875 });
  const text = sent[0].bundle["text/plain"];
  assert.match(text, /^SGD ████░{16} {2}20% epoch 2\/10 · loss 0\.2500 · acc 0\.8750/);
  assert.match(text, /1\.00k samples\/s · 0:01 elapsed · ETA 0:04$/);
  clock.t = 3000;
  await bar.update(3, { samples: 3000 }); // explicit samples win over samplesPerUnit
  assert.match(sent[1].bundle["text/plain"], /· 1\.00k samples\/s · 0:03 elapsed · ETA 0:07$/);
});

Deno.test("progressBar() awaits each display before the next one starts", async () => {
  const events: string[] = [];
  let t = 0;
  const bar = progressBar({
    total: 3,
    now: () => t,
    minInterval: 0,
    display: async (bundle) => {
      events.push(`start ${bundle["text/plain"].match(/step (\d)/)![1]}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push("end");
    },
  });
  const first = bar.update(1);
  t = 1;
  const second = bar.update(2); // not awaited in between: must queue behind the first
  await Promise.all([first, second]);
  assert.deepEqual(events, ["start 1", "end", "start 2", "end"]);
});

Deno.test("progressBar() in terminal mode rewrites one line with \\r", async () => {
  const writes: string[] = [];
  let t = 0;
  const bar = progressBar({
    total: 4,
    label: "GD",
    unit: "iteration",
    now: () => t,
    write: (text) => writes.push(text),
  });
  for (let i = 1; i <= 4; i++) {
    t += 300;
    await bar.update(i, { loss: 1 / i });
  }
  await bar.finish();
  assert.equal(bar.mode, "terminal");
  assert.equal(writes.length, 5);
  assert.ok(writes.every((w) => w.startsWith("\r")));
  const output = writes.join("");
  assert.equal(output.split("\n").length - 1, 1, "one newline, at the very end");
  assert.ok(output.endsWith("\n"));
  assert.match(writes.at(-1)!, /iteration 4\/4 · loss 0\.2500 .*done in 0:01/);
});

Deno.test("progressBar() pads a shorter terminal line over the longer one before it", async () => {
  const writes: string[] = [];
  const bar = progressBar({ total: 2, minInterval: 0, write: (text) => writes.push(text) });
  await bar.update(1, { note: "a long note that makes the line long" });
  await bar.update(2, { note: "short" });
  assert.ok(writes[1].length >= writes[0].length);
});

Deno.test("progressBar() rejects a bad total or done", async () => {
  assert.throws(() => progressBar({ total: 0 }), /total must be a positive integer, got 0/);
  assert.throws(() => progressBar({ total: 2.5 }), /total must be a positive integer, got 2.5/);
  const { bar } = notebookBar();
  await assert.rejects(bar.update(-1), /done must be a non-negative number, got -1/);
});

Deno.test("onProgress maps a training loop's state to an update", async (t) => {
  await t.step("epoch, loss, samplesSeen and accuracies by default", async () => {
    const { bar, sent } = notebookBar({ minInterval: 0 });
    await bar.onProgress({ epoch: 3, loss: 0.5, samplesSeen: 300, trainAcc: 0.9, other: 1 });
    const text = sent[0].bundle["text/plain"];
    assert.match(text, /epoch 3\/10 · loss 0\.5000 · trainAcc 0\.9000/);
    assert.doesNotMatch(text, /other/);
  });
  await t.step("a state without a count is an error that names progressOf", async () => {
    const { bar } = notebookBar();
    await assert.rejects(
      bar.onProgress({ loss: 1 }),
      /no numeric done, epoch or iteration.*progressOf/,
    );
  });
  await t.step("a custom progressOf", async () => {
    const { bar, sent } = notebookBar({ progressOf: (s) => [Number(s.batch), {}], minInterval: 0 });
    await bar.onProgress({ batch: 4 });
    assert.match(sent[0].bundle["text/plain"], /epoch 4\/10/);
  });
});

Deno.test("withProgress() finishes the bar on success and fails it on error", async () => {
  const ok: Sent[] = [];
  const result = await withProgress(
    { total: 2, display: (bundle, options) => void ok.push({ bundle, options, at: 0 }) },
    async (onProgress) => {
      await onProgress({ epoch: 1 });
      return 42;
    },
  );
  assert.equal(result, 42);
  assert.match(ok.at(-1)!.bundle["text/html"], /data-status="finished"/);

  const bad: Sent[] = [];
  await assert.rejects(
    withProgress(
      { total: 2, display: (bundle, options) => void bad.push({ bundle, options, at: 0 }) },
      async (onProgress) => {
        await onProgress({ epoch: 1 });
        throw new RangeError("diverged");
      },
    ),
    RangeError,
  );
  assert.match(bad.at(-1)!.bundle["text/html"], /data-status="failed"/);
  assert.match(bad.at(-1)!.bundle["text/plain"], /diverged/);
});

Deno.test("formatDuration() formats minutes and hours", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(59.6), "1:00");
  assert.equal(formatDuration(3600), "1:00:00");
  assert.equal(formatDuration(NaN), "?");
});

Deno.test("progressBar() waits options.settle ms after the final send before resolving", async () => {
  const order: string[] = [];
  const bar = progressBar({ total: 1, display: () => {}, settle: 20 });
  setTimeout(() => order.push("timer"), 0);
  await bar.finish();
  order.push("finished");
  assert.deepEqual(order, ["timer", "finished"]); // without the settle wait, "finished" comes first
});

Deno.test("onProgress drives a bar from lib/train's train() to the final epoch", async () => {
  const prng = new Prng(1);
  const X = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1], [0.1, 0.2], [0.9, 0.8]]);
  const Y = Matrix.from([[1, 0], [1, 0], [0, 1], [0, 1], [1, 0], [0, 1]]);
  const net = mlp({ sizes: [2, 2], activations: ["softmax"], loss: "crossEntropy", prng });
  const writes: string[] = [];
  const history = await withProgress(
    { total: 5, unit: "epoch", minInterval: 0, write: (text) => writes.push(text) },
    (onProgress) =>
      train(net, { X, Y }, {
        epochs: 5,
        batchSize: 4,
        learningRate: 1,
        prng,
        onProgress,
        progressIntervalMs: 0,
      }),
  );
  const last = writes.at(-1)!;
  assert.match(last, /100% epoch 5\/5 · loss (\S+) · acc (\S+) .*done in/);
  assert.equal(Number(last.match(/loss (\S+)/)![1]), Number(history.loss[4].toPrecision(4)));
  assert.ok(writes.some((w) => /epoch 0\.50\/5/.test(w)), "mid-epoch progress as a fraction");
});
