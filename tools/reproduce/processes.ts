/**
 * The processes reproduce starts (the nbexec runners, the figure export) and
 * how they are stopped: the signal reproduce received is forwarded to each,
 * they get a few seconds to shut their kernels down, then whatever is left of
 * their process trees is killed. Process trees are read from `/proc` (Linux);
 * elsewhere only the direct children are known.
 *
 * @module
 */

/** A process, told apart from a later one that reuses its pid by its start time. */
export interface ProcessId {
  pid: number;
  /** Start time in clock ticks since boot (field 22 of `/proc/PID/stat`). */
  start: string;
}

interface ProcStat {
  ppid: number;
  state: string;
  start: string;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // "PID (COMM) STATE PPID …": COMM may hold spaces and parentheses, so split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], ppid: Number(fields[1]), start: fields[19] };
}

/**
 * `pid` and all its descendants, read from `/proc` (just `pid` where there is
 * no `/proc`; empty when `pid` is gone).
 *
 * @param pid The root of the tree.
 * @returns The processes, root first.
 */
export function processTree(pid: number): ProcessId[] {
  const root = readStat(pid);
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return [{ pid, start: "" }];
  }
  if (!root) return [];
  const children = new Map<number, ProcessId[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    const child = Number(entry.name);
    const stat = readStat(child);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid: child, start: stat.start });
    children.set(stat.ppid, list);
  }
  const tree: ProcessId[] = [{ pid, start: root.start }];
  for (let i = 0; i < tree.length; i++) tree.push(...children.get(tree[i].pid) ?? []);
  return tree;
}

/**
 * Whether a process still runs: it exists, is the same process (start time),
 * and is not a zombie waiting to be reaped. Always false without `/proc`.
 *
 * @param process The process.
 */
export function isRunning(process: ProcessId): boolean {
  const stat = readStat(process.pid);
  if (!stat) return false;
  return (process.start === "" || stat.start === process.start) && stat.state !== "Z" &&
    stat.state !== "X";
}

function kill(process: ProcessId, signal: Deno.Signal): void {
  if (!isRunning(process)) return;
  try {
    Deno.kill(process.pid, signal);
  } catch {
    // Exited meanwhile, or not ours to signal.
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The child processes of one reproduce run. A child is listed from its
 * start until it exits. {@linkcode ChildProcesses.stop} forwards a signal to
 * each and ends with SIGKILL for whatever of their process trees outlives
 * the grace period.
 */
export class ChildProcesses {
  #children = new Set<Deno.ChildProcess>();
  #stopping: Deno.Signal | null = null;

  /**
   * Lists `child` until it exits. A child added after
   * {@linkcode ChildProcesses.stop} was called gets the stop signal at once.
   *
   * @param child A spawned child.
   * @returns `child`.
   */
  add(child: Deno.ChildProcess): Deno.ChildProcess {
    this.#children.add(child);
    if (this.#stopping !== null) {
      try {
        child.kill(this.#stopping);
      } catch {
        // Already exited.
      }
    }
    child.status.finally(() => this.#children.delete(child)).catch(() => {});
    return child;
  }

  /** How many children run now. */
  get size(): number {
    return this.#children.size;
  }

  /**
   * Sends `signal` to every child, waits until none of their processes
   * (their kernels, Chromium, …) runs any more, at most `graceMs`, then
   * SIGKILLs what is left and waits (at most 2 s more) until it is gone and
   * the children are reaped.
   *
   * @param signal What to forward, e.g. the `SIGTERM` reproduce received.
   * @param graceMs How long they may take to stop on their own.
   * @returns The processes that had to be killed (empty when all stopped in time).
   */
  async stop(signal: Deno.Signal, graceMs: number): Promise<ProcessId[]> {
    this.#stopping ??= signal;
    const children = [...this.#children];
    // Snapshot the trees first: a kernel whose runner exits is re-parented and would be lost.
    const seen = new Map<string, ProcessId>();
    const note = (list: ProcessId[]) => list.forEach((p) => seen.set(`${p.pid}:${p.start}`, p));
    for (const child of children) note(processTree(child.pid));
    for (const child of children) {
      try {
        child.kill(signal);
      } catch {
        // Already exited.
      }
    }
    const deadline = performance.now() + graceMs;
    while (performance.now() < deadline) {
      for (const child of this.#children) note(processTree(child.pid));
      if (this.#children.size === 0 && ![...seen.values()].some(isRunning)) return [];
      await delay(50);
    }
    for (const child of this.#children) note(processTree(child.pid));
    const killed = [...seen.values()].filter(isRunning);
    for (const process of killed) kill(process, "SIGKILL");
    for (const child of this.#children) {
      try {
        child.kill("SIGKILL"); // without /proc, the children are all that is known
      } catch {
        // Already exited.
      }
    }
    const reaped = performance.now() + 2000;
    while (performance.now() < reaped && killed.some(isRunning)) await delay(20);
    await Promise.race([Promise.allSettled(children.map((c) => c.status)), delay(2000)]);
    return killed;
  }
}
