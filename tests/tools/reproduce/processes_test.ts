import assert from "node:assert/strict";
import { ChildProcesses, isRunning, processTree } from "../../../tools/reproduce/processes.ts";

function spawn(script: string): Deno.ChildProcess {
  return new Deno.Command("sh", { args: ["-c", script], stdout: "null", stderr: "null" }).spawn();
}

async function waitForTree(pid: number, size: number) {
  for (let i = 0; i < 100; i++) {
    const tree = processTree(pid);
    if (tree.length >= size) return tree;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${pid} never had ${size} processes in its tree`);
}

Deno.test("processTree() lists a process and its descendants, with start times", async () => {
  const child = spawn("sleep 30 & sleep 30 & wait");
  try {
    const tree = await waitForTree(child.pid, 3);
    assert.equal(tree[0].pid, child.pid);
    assert.equal(tree.length, 3);
    assert.ok(tree.every((p) => /^\d+$/.test(p.start) && isRunning(p)));
    assert.ok(!isRunning({ pid: tree[1].pid, start: "1" }), "another start time: not the same");
  } finally {
    for (const p of processTree(child.pid).reverse()) Deno.kill(p.pid, "SIGKILL");
    await child.status;
  }
  assert.deepEqual(processTree(child.pid), []);
});

Deno.test("ChildProcesses.stop() forwards the signal; children that stop in time are not killed", async () => {
  const children = new ChildProcesses();
  const child = children.add(spawn("exec sleep 30"));
  assert.equal(children.size, 1);
  const started = performance.now();
  assert.deepEqual(await children.stop("SIGTERM", 5000), []);
  assert.ok(performance.now() - started < 2000);
  assert.equal((await child.status).signal, "SIGTERM");
  assert.equal(children.size, 0);
  // A child started after the stop gets the signal at once.
  const late = children.add(spawn("exec sleep 30"));
  assert.equal((await late.status).signal, "SIGTERM");
});

Deno.test("ChildProcesses.stop() kills what outlives the grace period, orphaned grandchildren too", async () => {
  const children = new ChildProcesses();
  // The shell dies on SIGTERM; its two sleeps ignore it (an ignored signal survives exec).
  const child = children.add(spawn("trap '' TERM; sleep 30 & sleep 30 & trap - TERM; wait"));
  const tree = await waitForTree(child.pid, 3);
  const started = performance.now();
  const killed = await children.stop("SIGTERM", 1000);
  const ms = performance.now() - started;
  assert.ok(ms >= 1000 && ms < 4000, `${ms} ms`);
  assert.deepEqual(killed.map((p) => p.pid).sort(), tree.slice(1).map((p) => p.pid).sort());
  assert.ok(!tree.some(isRunning));
  assert.equal((await child.status).signal, "SIGTERM");
});
