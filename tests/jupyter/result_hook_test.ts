import assert from "node:assert/strict";
import { lineChart } from "../../lib/plot/charts.ts";
import {
  installResultHook,
  type KernelJupyterInternals,
  resultFigureName,
} from "../../lib/jupyter/result_hook.ts";
import { PLOTLY_MIME } from "../../lib/jupyter/display.ts";

type Sent = [string, Record<string, unknown>];

function fakeKernel(format?: (value: unknown) => Promise<Record<string, unknown>>) {
  const sent: Sent[] = [];
  const originalCalls: unknown[] = [];
  const jupyter: KernelJupyterInternals = {
    broadcastResult: (_count, value) => {
      originalCalls.push(value);
      return Promise.resolve();
    },
    formatInner: format ?? ((value) => Promise.resolve({ "text/plain": String(value) })),
  };
  const broadcast = (type: string, content: Record<string, unknown>) =>
    void sent.push([type, content]);
  return { sent, originalCalls, jupyter, broadcast };
}

Deno.test("installResultHook() does nothing outside the Deno kernel", () => {
  assert.equal(installResultHook(), "not-a-kernel");
});

Deno.test("installResultHook() sends the last value as an execute_result with its count", async (t) => {
  await t.step("a value", async () => {
    const k = fakeKernel();
    assert.equal(installResultHook({ ...k, settleMs: 0 }), "installed");
    await k.jupyter.broadcastResult(3, "hello");
    assert.deepEqual(k.sent, [["execute_result", {
      execution_count: 3,
      data: { "text/plain": "hello" },
      metadata: {},
      transient: {},
    }]]);
    assert.deepEqual(k.originalCalls, [], "the kernel's own publisher is not called");
  });
  await t.step("undefined sends nothing, like the kernel", async () => {
    const k = fakeKernel();
    installResultHook({ ...k, settleMs: 0 });
    await k.jupyter.broadcastResult(4, undefined);
    assert.deepEqual(k.sent, []);
  });
  await t.step("installing twice wraps once", async () => {
    const k = fakeKernel();
    installResultHook({ ...k, settleMs: 0 });
    assert.equal(installResultHook({ ...k, settleMs: 0 }), "already-installed");
    await k.jupyter.broadcastResult(5, 1);
    assert.equal(k.sent.length, 1);
  });
  await t.step("a formatting error falls back to the kernel's own publisher", async () => {
    const k = fakeKernel(() => Promise.reject(new Error("Jupyter.display threw")));
    installResultHook({ ...k, settleMs: 0 });
    await k.jupyter.broadcastResult(6, { broken: true });
    assert.deepEqual(k.sent, []);
    assert.deepEqual(k.originalCalls, [{ broken: true }]);
  });
});

Deno.test("installResultHook() waits after each result before the kernel may report idle", async () => {
  const k = fakeKernel();
  installResultHook({ ...k, settleMs: 60 });
  const started = performance.now();
  await k.jupyter.broadcastResult(1, "x");
  assert.ok(performance.now() - started >= 55, "the wait happens inside broadcastResult");
});

Deno.test("a plotly figure as the last value is shown like display(figure)", async () => {
  const k = fakeKernel();
  installResultHook({ ...k, settleMs: 0 });
  const before = Deno.env.get("NNKIT_DISPLAY_PNG");
  Deno.env.set("NNKIT_DISPLAY_PNG", "0"); // no Chromium in a unit test
  try {
    await k.jupyter.broadcastResult(
      9,
      lineChart([{ name: "SGD", y: [2, 1] }], { title: "Cost vs epoch" }),
    );
  } finally {
    if (before === undefined) Deno.env.delete("NNKIT_DISPLAY_PNG");
    else Deno.env.set("NNKIT_DISPLAY_PNG", before);
  }
  assert.equal(k.sent.length, 1);
  const [type, content] = k.sent[0];
  assert.equal(type, "execute_result");
  assert.equal(content.execution_count, 9);
  const data = content.data as Record<string, unknown>;
  assert.ok(PLOTLY_MIME in data && "text/html" in data, Object.keys(data).join(", "));
  assert.match(String(data["text/html"]), /window\.Plotly/);
  assert.deepEqual((content.metadata as { nnkit: unknown }).nnkit, {
    figure: "cost_vs_epoch",
    kind: "plotly",
    width: 720,
    height: 420,
  });
});

Deno.test("resultFigureName() names a figure by its title, else by its cell", () => {
  assert.equal(
    resultFigureName(lineChart([{ name: "a", y: [1] }], { title: "Loss <b>per</b> epoch!" }), 3),
    "loss_per_epoch",
  );
  assert.equal(resultFigureName(lineChart([{ name: "a", y: [1] }]), 12), "figure_12");
});
