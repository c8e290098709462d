/**
 * Starts Debian's classic Jupyter Notebook server (`jupyter-notebook`, Notebook 6) for the browser
 * test, on the loopback address with a random token, this checkout's `deno` kernelspec
 * (`.cache/jupyter`, see `tools/reproduce/run_notebook.ts`) and private config, data and runtime
 * directories, and stops it again with everything it started.
 *
 * Stopping is explicit and bounded: every running kernel is shut down through the REST API, the
 * server gets SIGTERM (its own process group, started with `setsid`), then SIGKILL after a grace
 * period; kernel processes that survive are found by their connection file, which lies in this
 * server's private runtime directory, and killed by pid. Nothing else is touched.
 *
 * @module
 */

import { projectKernelspec } from "../reproduce/run_notebook.ts";

/** Where Debian's `jupyter-notebook` is looked for unless `NNKIT_JUPYTER_NOTEBOOK` is set. */
export const NOTEBOOK_SERVER_CANDIDATES: readonly string[] = [
  "/usr/bin/jupyter-notebook",
  "/usr/local/bin/jupyter-notebook",
];

/** The hint every "jupyter-notebook is missing" message ends with. */
export const NOTEBOOK_SERVER_INSTALL_HINT =
  "install the Debian package jupyter-notebook (apt-get install -y --no-install-recommends jupyter-notebook, or bash tools/setup.sh)";

/** Options of {@linkcode startNotebookServer}. */
export interface NotebookServerOptions {
  /** Directory the server serves (its notebook root); the notebooks open relative to it. */
  root: string;
  /** Extra environment for the server and so for its kernels, e.g. `{ NB_QUICK: "1" }`. */
  env?: Record<string, string>;
  /** Milliseconds to wait for the server to answer; default 60,000. */
  startTimeoutMs?: number;
  /** The `jupyter-notebook` binary; default `NNKIT_JUPYTER_NOTEBOOK` or the first candidate. */
  executable?: string;
}

/** A running notebook server. */
export interface NotebookServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** The token every request carries. */
  token: string;
  /** The server's pid (leader of its own process group). */
  pid: number;
  /** URL that opens `path` (relative to the root) in the classic notebook UI, token included. */
  notebookUrl(path: string): string;
  /** Ids of the kernels the server runs now. */
  kernels(): Promise<string[]>;
  /** Shuts down every kernel, stops the server, kills leftovers; idempotent, bounded. */
  stop(): Promise<void>;
  /** The server's log (stdout and stderr), for error messages. */
  log(): string;
}

/**
 * Finds `jupyter-notebook`: `NNKIT_JUPYTER_NOTEBOOK`, else the first existing candidate.
 *
 * @returns The path, or `undefined` when none exists.
 */
export function findNotebookServer(executable?: string): string | undefined {
  const explicit = executable ?? Deno.env.get("NNKIT_JUPYTER_NOTEBOOK");
  for (const path of explicit ? [explicit] : NOTEBOOK_SERVER_CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT"); // signal 0 is not offered; SIGCONT is harmless to a running process
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose command line mentions `marker` (a private directory of ours). */
export function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    if (pid === Deno.pid) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
      if (cmdline.includes(marker)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/**
 * Starts `jupyter-notebook` serving `options.root` and waits until its API answers.
 *
 * @param options Root directory, extra environment, start timeout, binary.
 * @returns The running server; call `stop()` in a `finally`.
 * @throws {Deno.errors.NotFound} When `jupyter-notebook` is not installed (with the install hint).
 * @throws {Error} When the server exits or does not answer in time (its log included); the
 *   server is stopped before the error is thrown.
 */
export async function startNotebookServer(options: NotebookServerOptions): Promise<NotebookServer> {
  const executable = findNotebookServer(options.executable);
  if (executable === undefined) {
    throw new Deno.errors.NotFound(
      `Cannot start the notebook server: jupyter-notebook not found at ${
        NOTEBOOK_SERVER_CANDIDATES.join(" or ")
      }; ${NOTEBOOK_SERVER_INSTALL_HINT}`,
    );
  }
  const jupyterPath = await projectKernelspec();
  const home = await Deno.makeTempDir({ prefix: "nnkit-notebook-server-" });
  for (const dir of ["config", "data", "runtime"]) await Deno.mkdir(`${home}/${dir}`);
  // Never save from the browser: the test must not write outputs into the served notebooks.
  await Deno.mkdir(`${home}/config/custom`);
  await Deno.writeTextFile(
    `${home}/config/custom/custom.js`,
    `require(["base/js/namespace", "base/js/events"], function (Jupyter, events) {
  function off() { if (Jupyter.notebook) Jupyter.notebook.set_autosave_interval(0); }
  events.on("notebook_loaded.Notebook", off);
  events.on("autosave_enabled.Notebook", off);
  off();
});
`,
  );
  const token = crypto.randomUUID().replaceAll("-", "");
  const port = freePort();
  const logPath = `${home}/server.log`;
  const logFile = await Deno.open(logPath, { write: true, create: true, truncate: true });
  const child = new Deno.Command("setsid", {
    args: [
      executable,
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--notebook-dir=${options.root}`,
      `--NotebookApp.token=${token}`,
      "--NotebookApp.password=",
      "--NotebookApp.open_browser=False",
      "--NotebookApp.shutdown_no_activity_timeout=0",
      "--MappingKernelManager.cull_idle_timeout=0",
      // Root (containers, CI) must say so explicitly.
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    ],
    env: {
      ...options.env,
      JUPYTER_PATH: [jupyterPath, Deno.env.get("JUPYTER_PATH")].filter((p) => p).join(":"),
      JUPYTER_CONFIG_DIR: `${home}/config`,
      JUPYTER_DATA_DIR: `${home}/data`,
      JUPYTER_RUNTIME_DIR: `${home}/runtime`,
      BROWSER: "true",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Copy both streams into the log file (kept for error messages).
  const decoder = new TextDecoder();
  let logText = "";
  const pump = (stream: ReadableStream<Uint8Array>) =>
    (async () => {
      for await (const chunk of stream) {
        logText += decoder.decode(chunk, { stream: true });
        if (logText.length > 200_000) logText = logText.slice(-100_000);
        await logFile.write(chunk).catch(() => 0);
      }
    })().catch(() => {});
  const pumps = [pump(child.stdout), pump(child.stderr)];
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  const url = `http://127.0.0.1:${port}/`;
  const api = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `token ${token}`);
    return await fetch(`${url}${path}`, { ...init, headers, signal: AbortSignal.timeout(10_000) });
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      // 1. Kernels through the API (bounded), so the server does not leave them behind.
      if (!exited) {
        try {
          const ids = await kernels();
          await Promise.all(
            ids.map((id) =>
              api(`api/kernels/${id}`, { method: "DELETE" }).then((r) => r.body?.cancel()).catch(
                () => {},
              )
            ),
          );
        } catch {
          // the server may be gone already
        }
      }
      // 2. The server's process group: SIGTERM, then SIGKILL after 5 s.
      for (const [signal, waitMs] of [["SIGTERM", 5_000], ["SIGKILL", 2_000]] as const) {
        if (exited) break;
        try {
          Deno.kill(-child.pid, signal);
        } catch {
          try {
            Deno.kill(child.pid, signal);
          } catch {
            // already gone
          }
        }
        await Promise.race([status, delay(waitMs)]);
      }
      // 3. Leftover kernels: their command line names a connection file in our runtime dir.
      for (let attempt = 0; attempt < 2; attempt++) {
        const left = processesMentioning(`${home}/runtime/`);
        if (left.length === 0) break;
        for (const pid of left) {
          try {
            Deno.kill(pid, attempt === 0 ? "SIGTERM" : "SIGKILL");
          } catch {
            // gone meanwhile
          }
        }
        const deadline = performance.now() + 3_000;
        while (left.some(alive) && performance.now() < deadline) await delay(100);
      }
      await Promise.race([Promise.all(pumps), delay(2_000)]);
      logFile.close();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    })();
    return stopped;
  };

  async function kernels(): Promise<string[]> {
    const response = await api("api/kernels");
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`GET api/kernels answered ${response.status}`);
    }
    return ((await response.json()) as { id: string }[]).map((k) => k.id);
  }

  const deadline = performance.now() + (options.startTimeoutMs ?? 60_000);
  try {
    while (true) {
      if (exited) {
        const { code } = await status;
        throw new Error(
          `Cannot start the notebook server ${executable}: it exited with code ${code}; log:\n${
            logText.slice(-2_000)
          }`,
        );
      }
      try {
        const response = await api("api/status");
        await response.body?.cancel();
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (performance.now() > deadline) {
        throw new Error(
          `Cannot start the notebook server ${executable}: no answer on ${url} within ${
            options.startTimeoutMs ?? 60_000
          } ms; log:\n${logText.slice(-2_000)}`,
        );
      }
      await delay(200);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    token,
    pid: child.pid,
    notebookUrl: (path) =>
      `${url}notebooks/${path.split("/").map(encodeURIComponent).join("/")}?token=${token}`,
    kernels,
    stop,
    log: () => logText,
  };
}
