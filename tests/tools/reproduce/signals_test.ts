// Stops `tools/reproduce.ts` halfway, as a supervisor, `timeout` or a crash would, and checks
// that nothing of the run keeps running and the reports are exactly as before. The notebooks are
// fixture copies in a temporary folder; 06_wait writes `kernel-<pid>.running` there once its
// kernel runs, then waits two minutes. Processes are found through /proc (Linux).
import assert from "node:assert/strict";

const ROOT = new URL("../../../", import.meta.url).pathname;
const FIXTURES = `${ROOT}tests/fixtures/notebooks`;
const REPRODUCE = `${ROOT}tools/reproduce.ts`;

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  start: string;
  cmdline: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
    return { pid, ppid: Number(fields[1]), state: fields[0], start: fields[19], cmdline };
  } catch {
    return undefined;
  }
}

function allProcs(): Proc[] {
  return [...Deno.readDirSync("/proc")]
    .filter((e) => /^\d+$/.test(e.name))
    .map((e) => readProc(Number(e.name)))
    .filter((p): p is Proc => p !== undefined);
}

/** Still running: same process (start time), not a zombie. */
function running(p: Proc): boolean {
  const now = readProc(p.pid);
  return now !== undefined && now.start === p.start && now.state !== "Z" && now.state !== "X";
}

/** `pid`'s process tree, plus every process whose command line mentions `dir`. */
function processesOfRun(pid: number, dir: string): Proc[] {
  const procs = allProcs();
  const tree = procs.filter((p) => p.pid === pid);
  for (let i = 0; i < tree.length; i++) {
    tree.push(...procs.filter((p) => p.ppid === tree[i].pid && !tree.includes(p)));
  }
  for (const p of procs) if (p.cmdline.includes(dir) && !tree.includes(p)) tree.push(p);
  return tree;
}

/** Every file and folder under `dir` with its bytes, except the runs' `.partial-*` folders. */
function snapshot(dir: string, sub = ""): Record<string, Uint8Array | "dir"> {
  const found: Record<string, Uint8Array | "dir"> = {};
  for (const entry of Deno.readDirSync(`${dir}/${sub}`)) {
    const path = sub ? `${sub}/${entry.name}` : entry.name;
    if (!sub && entry.name.startsWith(".partial-")) continue;
    if (entry.isDirectory) {
      found[path] = "dir";
      Object.assign(found, snapshot(dir, path));
    } else {
      found[path] = Deno.readFileSync(`${dir}/${path}`);
    }
  }
  return found;
}

function partials(out: string): string[] {
  return [...Deno.readDirSync(out)].filter((e) => e.name.startsWith(".partial-"))
    .map((e) => `${out}/${e.name}`);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    }
    await delay(100);
  }
}

interface Run {
  dir: string;
  notebooks: string;
  out: string;
  before: Record<string, Uint8Array | "dir">;
  child: Deno.ChildProcess;
  output: Promise<Deno.CommandOutput>;
}

/**
 * Starts reproduce on copies of `fixtures` ([file name, copy name] pairs) with an
 * `--out` folder filled with an earlier run's files.
 */
async function startReproduce(fixtures: [string, string][], args: string[]): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "reproduce_signals_" });
  const notebooks = `${dir}/notebooks`, out = `${dir}/reports`;
  await Deno.mkdir(notebooks);
  for (const [fixture, copy] of fixtures) {
    await Deno.copyFile(`${FIXTURES}/${fixture}`, `${notebooks}/${copy}`);
  }
  const names = fixtures.map(([, copy]) => copy.replace(/\.ipynb$/, ""));
  await Deno.mkdir(`${out}/notebooks`, { recursive: true });
  await Deno.mkdir(`${out}/figures/${names[0]}`, { recursive: true });
  const earlier = Object.fromEntries(names.map((n) => [n, { acc: 0.5, wall_seconds: 1.5 }]));
  await Deno.writeTextFile(`${out}/results.json`, JSON.stringify(earlier, null, 2) + "\n");
  await Deno.writeTextFile(`${out}/runs.json`, '{"generated": "earlier", "notebooks": {}}\n');
  await Deno.writeTextFile(`${out}/REPORT.md`, "# The earlier run's report\n");
  for (const name of names) {
    await Deno.writeTextFile(`${out}/notebooks/${name}.ipynb`, `{"earlier": "${name}"}\n`);
  }
  await Deno.writeFile(`${out}/figures/${names[0]}/loss.png`, new Uint8Array([137, 80, 78, 71]));
  const before = snapshot(out);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", REPRODUCE, "--notebooks", notebooks, "--out", out, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { dir, notebooks, out, before, child, output: child.output() };
}

/** The kernels that announced themselves in the notebooks folder. */
function kernelPids(run: Run): number[] {
  return [...Deno.readDirSync(run.notebooks)]
    .map((e) => e.name.match(/^kernel-(\d+)\.running$/)?.[1])
    .filter((pid): pid is string => pid !== undefined)
    .map(Number);
}

/** Stops whatever of the run still runs (SIGKILL), waits a bounded time, removes its folder. */
async function cleanUp(run: Run, seen: Proc[]): Promise<void> {
  for (const p of [...seen, ...processesOfRun(run.child.pid, run.dir)]) {
    if (running(p)) {
      try {
        Deno.kill(p.pid, "SIGKILL");
      } catch { /* gone meanwhile */ }
    }
  }
  try {
    run.child.kill("SIGKILL");
  } catch { /* already exited */ }
  await Promise.race([run.output.catch(() => {}), delay(5000)]);
  await Deno.remove(run.dir, { recursive: true }).catch(() => {});
}

/**
 * Starts a run, waits until `kernels` kernels execute 06_wait, sends `signal`
 * to reproduce's own pid, and returns what was running just before, how long
 * every one of those processes took to end, and reproduce's output.
 */
async function interrupt(
  signal: Deno.Signal,
  fixtures: [string, string][],
  args: string[],
  kernels: number,
  check: (run: Run, result: Deno.CommandOutput, seen: Proc[], seconds: number) => void,
) {
  const run = await startReproduce(fixtures, args);
  let seen: Proc[] = [];
  try {
    const pids = await waitFor(`${kernels} kernel(s) running 06_wait`, 90_000, () => {
      const found = kernelPids(run);
      return found.length >= kernels ? found : undefined;
    });
    seen = processesOfRun(run.child.pid, run.dir);
    for (const pid of pids) {
      assert.ok(seen.some((p) => p.pid === pid), `kernel ${pid} is in reproduce's process tree`);
    }
    assert.equal(seen.filter((p) => p.cmdline.includes("nbexec.py")).length, kernels);
    const sent = performance.now();
    Deno.kill(run.child.pid, signal);
    const output = await Promise.race([run.output, delay(15_000).then(() => undefined)]);
    assert.ok(output, `reproduce still running 15 s after ${signal}`);
    const survivors = await waitFor("every process of the run to end", 15_000, () => {
      const left = [...seen, ...processesOfRun(run.child.pid, run.dir)].filter(running);
      return left.length === 0 ? left : undefined;
    }).catch(() => [
      ...new Set(
        [...seen, ...processesOfRun(run.child.pid, run.dir)].filter(running).map((p) =>
          `${p.pid} ${p.cmdline}`
        ),
      ),
    ]);
    const seconds = (performance.now() - sent) / 1000;
    assert.deepEqual(survivors, [], `still running ${seconds.toFixed(1)} s after ${signal}`);
    check(run, output, seen, seconds);
  } finally {
    await cleanUp(run, seen);
  }
}

function assertReportsAsBefore(run: Run): string {
  assert.deepEqual(snapshot(run.out), run.before, "the reports are byte-identical to before");
  const [partial, ...more] = partials(run.out);
  assert.equal(more.length, 0);
  return partial;
}

Deno.test("reproduce on SIGTERM stops its runners and kernels and leaves the reports as they were", async () => {
  await interrupt("SIGTERM", [["06_wait.ipynb", "06_wait.ipynb"]], ["--no-export"], 1, (
    run,
    { code, stdout, stderr },
    _seen,
    seconds,
  ) => {
    const out = new TextDecoder().decode(stdout), err = new TextDecoder().decode(stderr);
    assert.equal(code, 143, out + err);
    assert.ok(seconds < 10, `${seconds} s`);
    const partial = assertReportsAsBefore(run);
    assert.match(err, /reproduce: SIGTERM: stopping/);
    assert.ok(
      err.includes(
        `stopped by SIGTERM; ${run.out} is left as it was; this run's partial ` +
          `output is in ${partial}`,
      ),
      err,
    );
    assert.match(out, /06_wait {2}FAILED \(interrupted\)/);
    // The runner shut its kernel down and wrote what it had.
    const executed = JSON.parse(Deno.readTextFileSync(`${partial}/notebooks/06_wait.ipynb`));
    assert.equal(executed.metadata.nnkit.status, "interrupted");
  });
});

Deno.test("reproduce killed with SIGKILL: its runners see their stdin close, stop their kernels and exit", async () => {
  // Two runners at once: neither may hold the other's stdin pipe open.
  await interrupt(
    "SIGKILL",
    [["06_wait.ipynb", "06_wait.ipynb"], ["06_wait.ipynb", "07_wait.ipynb"]],
    ["--no-export", "--jobs", "2"],
    2,
    (run, { code, signal }, _seen, seconds) => {
      assert.equal(signal, "SIGKILL");
      assert.notEqual(code, 0);
      assert.ok(seconds < 10, `${seconds} s`);
      const partial = assertReportsAsBefore(run);
      for (const name of ["06_wait", "07_wait"]) {
        const executed = JSON.parse(Deno.readTextFileSync(`${partial}/notebooks/${name}.ipynb`));
        assert.equal(executed.metadata.nnkit.status, "interrupted", name);
      }
    },
  );
});

Deno.test("a failed run leaves the reports as they were and names its partial output", async () => {
  const run = await startReproduce([["02_fail.ipynb", "02_fail.ipynb"]], ["--no-export"]);
  try {
    const { code, stdout, stderr } = await run.output;
    const out = new TextDecoder().decode(stdout), err = new TextDecoder().decode(stderr);
    assert.equal(code, 1, out + err);
    const partial = assertReportsAsBefore(run);
    assert.ok(
      err.includes(
        `reproduce: ${run.out} is left as it was; this run's partial output is in ${partial}`,
      ),
      err,
    );
    // The partial output says what failed.
    assert.match(Deno.readTextFileSync(`${partial}/REPORT.md`), /\| 02_fail \| \*\*failed\*\* \|/);
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(`${partial}/results.json`)), {});
    const executed = JSON.parse(Deno.readTextFileSync(`${partial}/notebooks/02_fail.ipynb`));
    assert.equal(executed.metadata.nnkit.status, "error");
  } finally {
    await cleanUp(run, []);
  }
});
