import assert from "node:assert/strict";
import { installInterruptHandler, triggerInterrupt } from "../../lib/jupyter/interrupt.ts";
import { trainWithProgress } from "../../lib/jupyter/progress.ts";
import { mlp } from "../../lib/nn/mlp.ts";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";

function tinyTask() {
  const prng = new Prng(3);
  const rows = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i)]);
  const X = Matrix.from(rows);
  const Y = Matrix.from(rows.map(([a]) => (a > 0 ? [1, 0] : [0, 1])));
  const net = mlp({
    sizes: [2, 8, 2],
    activations: ["tanh", "softmax"],
    loss: "crossEntropy",
    prng,
  });
  return { net, X, Y };
}

Deno.test("installInterruptHandler() does nothing outside the kernel", () => {
  assert.equal(installInterruptHandler(), "not-a-kernel");
});

Deno.test("a SIGINT in the kernel aborts the interrupt signal and a running training, not the process", async () => {
  // In a child process: deno test itself stops the run on SIGINT.
  const mod = new URL("../../lib/jupyter/interrupt.ts", import.meta.url).href;
  const progress = new URL("../../lib/jupyter/progress.ts", import.meta.url).href;
  const nn = new URL("../../lib/nn/mlp.ts", import.meta.url).href;
  const matrix = new URL("../../lib/tensor/matrix.ts", import.meta.url).href;
  const random = new URL("../../lib/random.ts", import.meta.url).href;
  const script = `
    import { installInterruptHandler, interruptSignal } from "${mod}";
    console.log(installInterruptHandler({ inKernel: true }));
    const signal = interruptSignal();
    Deno.kill(Deno.pid, "SIGINT");
    const deadline = Date.now() + 5000;
    while (!signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    console.log(signal.aborted ? "aborted: " + signal.reason.message : "not aborted");
    // A long training run, interrupted 300 ms in from outside the training loop.
    const { trainWithProgress } = await import("${progress}");
    const { mlp } = await import("${nn}");
    const { Matrix } = await import("${matrix}");
    const { Prng } = await import("${random}");
    const X = Matrix.from([[0, 1], [1, 0]]), Y = Matrix.from([[1, 0], [0, 1]]);
    const net = mlp({ sizes: [2, 2], activations: ["softmax"], loss: "crossEntropy", prng: new Prng(1) });
    setTimeout(() => Deno.kill(Deno.pid, "SIGINT"), 300);
    const history = await trainWithProgress(net, { X, Y }, {
      epochs: 100_000_000, learningRate: 0.1, batchSize: 1, shuffle: false,
    });
    console.log(history.stoppedBy, history.epochs < 100_000_000);
    console.log("still alive");
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", "--allow-all", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const why = `${out}\n${new TextDecoder().decode(stderr)}`;
  assert.equal(code, 0, `expected the process to survive SIGINT, exit code ${code}: ${why}`);
  assert.equal(
    out,
    "installed\naborted: Interrupted from the notebook (Kernel → Interrupt)\naborted true\nstill alive\n",
    why,
  );
});

Deno.test("trainWithProgress() stops at an interrupt with its history kept", async () => {
  const { net, X, Y } = tinyTask();
  let epochs = 0;
  const history = await trainWithProgress(net, { X, Y }, {
    epochs: 1_000,
    learningRate: 0.1,
    batchSize: 8,
    shuffle: false,
    label: "interrupted",
    onProgress: (state) => {
      if ((state.epoch ?? 0) > epochs) epochs = state.epoch ?? 0;
      if (epochs === 3) triggerInterrupt();
    },
  });
  assert.equal(history.stoppedBy, "aborted");
  assert.ok(history.epochs >= 3 && history.epochs < 1_000, `ran ${history.epochs} epochs`);
  assert.equal(history.loss.length, history.epochs, "the epochs run are all recorded");
});

Deno.test("trainWithProgress() keeps to a time budget", async (t) => {
  await t.step("stops once the budget has passed", async () => {
    const { net, X, Y } = tinyTask();
    const started = performance.now();
    const history = await trainWithProgress(net, { X, Y }, {
      epochs: 10_000_000,
      learningRate: 0.1,
      batchSize: 1,
      shuffle: false,
      timeBudgetSeconds: 0.3,
      label: "budget",
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(history.stoppedBy, "aborted");
    assert.ok(seconds < 5, `stopped after ${seconds.toFixed(2)} s`);
  });
  await t.step("rejects a budget that is not positive", async () => {
    const { net, X, Y } = tinyTask();
    await assert.rejects(
      trainWithProgress(net, { X, Y }, {
        epochs: 1,
        learningRate: 0.1,
        batchSize: 8,
        timeBudgetSeconds: 0,
      }),
      /Cannot train training: timeBudgetSeconds must be a positive number of seconds, got 0/,
    );
  });
});
