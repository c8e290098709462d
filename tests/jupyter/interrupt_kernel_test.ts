// Kernel → Interrupt in the real Deno kernel, driven through jupyter_client the way Jupyter's
// front ends do it (KernelManager.interrupt_kernel: SIGINT, the kernelspec's default
// interrupt_mode): with the lib imported, a long training cell stops after the interrupt with its
// history (stoppedBy "aborted"), the kernel survives and keeps its variables. One kernel, ~20 s.
import assert from "node:assert/strict";
import { projectKernelspec } from "../../tools/reproduce/run_notebook.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MOD = new URL("../../lib/mod.ts", import.meta.url).href;

const DRIVER = `
import json, sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name="deno")
km.start_kernel(cwd=sys.argv[1])
kc = km.client(); kc.start_channels()
report = {}
try:
    kc.wait_for_ready(timeout=90)
    def run(code, timeout, interrupt_after=None):
        mid = kc.execute(code)
        t0 = time.time(); interrupted = False; result = None; error = None
        while time.time() - t0 < timeout:
            if interrupt_after is not None and not interrupted and time.time() - t0 > interrupt_after:
                km.interrupt_kernel(); interrupted = True
            try:
                m = kc.get_iopub_msg(timeout=0.2)
            except Exception:
                if not km.is_alive(): return {"dead": True}
                continue
            if m["parent_header"].get("msg_id") != mid: continue
            if m["msg_type"] == "execute_result": result = m["content"]["data"].get("text/plain")
            if m["msg_type"] == "error": error = m["content"]["evalue"]
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return {"seconds": round(time.time() - t0, 1), "result": result, "error": error}
        return {"timeout": True, "alive": km.is_alive()}
    report["setup"] = run(sys.argv[2], 120)
    report["train"] = run(sys.argv[3], 120, interrupt_after=4)
    report["alive"] = km.is_alive()
    report["after"] = run("keep", 30) if km.is_alive() else None
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(report))
`;

Deno.test({
  name: "Kernel → Interrupt stops a training cell and keeps the kernel and its variables",
  sanitizeResources: false,
  async fn() {
    const setup = [
      `import { Matrix, mlp, Prng, trainWithProgress } from "${MOD}";`,
      `const X = Matrix.from([[0, 1], [1, 0]]), Y = Matrix.from([[1, 0], [0, 1]]);`,
      `const net = mlp({ sizes: [2, 2], activations: ["softmax"], loss: "crossEntropy", prng: new Prng(1) });`,
      `const keep = 42;`,
    ].join("\n");
    const train = [
      `const history = await trainWithProgress(net, { X, Y }, {`,
      `  epochs: 1_000_000_000, learningRate: 0.1, batchSize: 1, shuffle: false, label: "long",`,
      `});`,
      `history.stoppedBy + " after " + history.epochs + " epochs";`,
    ].join("\n");
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", DRIVER, ROOT, setup, train],
      env: { JUPYTER_PATH: await projectKernelspec(), NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const why = `${stdout}\n${new TextDecoder().decode(out.stderr).slice(-2000)}`;
    assert.equal(out.code, 0, why);
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!);
    assert.equal(report.setup?.error, null, `set-up cell failed: ${why}`);
    assert.equal(report.alive, true, `the kernel died on the interrupt: ${why}`);
    assert.match(String(report.train?.result), /^["']aborted after \d+ epochs["']$/, why);
    assert.ok(
      report.train.seconds < 60,
      `the cell ended ${report.train.seconds} s after it started`,
    );
    assert.equal(report.after?.result, "42", `the kernel kept its variables: ${why}`);
  },
});
