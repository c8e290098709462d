/**
 * The NumPy side of the benchmarks: finds a Python with NumPy and drives
 * `numpy_runner.py`, a long-lived process that times snippets, so that our
 * samples and NumPy's can alternate within one run.
 *
 * The runner starts without `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE`
 * (both removed together, in that process only): some machines set them for
 * old OpenBLAS builds, and they slow a current NumPy. {@linkcode NumpyRunner.info}
 * records which BLAS, core and thread count NumPy then uses.
 *
 * @module
 */

/** Splits decoded text into lines (`@std/streams` is not reachable here). */
function lineStream(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) controller.enqueue(line);
    },
    flush(controller) {
      if (rest !== "") controller.enqueue(rest);
    },
  });
}
/** Interpreters tried, in order. */
export const PYTHON_CANDIDATES: readonly string[] = ["python3", "/usr/bin/python3"];

/** Variables removed from the runner's environment. */
export const UNSET_FOR_NUMPY: readonly string[] = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

/** What NumPy runs on, as reported by the runner. */
export interface NumpyInfo {
  /** The interpreter used. */
  python: string;
  /** Python version. */
  pythonVersion: string;
  /** NumPy version. */
  numpy: string;
  /** BLAS library name and version (e.g. `scipy-openblas 0.3.31`), when known. */
  blas: string | null;
  /** OpenBLAS core (kernel family), e.g. `SkylakeX`, when known. */
  core: string | null;
  /** BLAS threads, when known. */
  threads: number | null;
  /** How the BLAS facts were found: `threadpoolctl` or `numpy.show_config`. */
  source: string;
}

/** A running `numpy_runner.py`. */
export class NumpyRunner {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: ReadableStreamDefaultReader<string>;
  #nextId = 0;
  /** Interpreter and BLAS facts. */
  info: NumpyInfo;

  private constructor(
    child: Deno.ChildProcess,
    lines: ReadableStreamDefaultReader<string>,
    info: NumpyInfo,
  ) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = lines;
    this.info = info;
  }

  /**
   * Starts the runner with the first interpreter in {@linkcode PYTHON_CANDIDATES}
   * that imports NumPy; `null` (with the reasons) when none does. `threads`
   * sets NumPy's OpenBLAS thread count (`OPENBLAS_NUM_THREADS`).
   */
  static async start(
    candidates: readonly string[] = PYTHON_CANDIDATES,
    options: { threads?: number } = {},
  ): Promise<{ runner: NumpyRunner | null; tried: string[] }> {
    const tried: string[] = [];
    const script = new URL("./numpy_runner.py", import.meta.url).pathname;
    const env = Deno.env.toObject();
    for (const name of UNSET_FOR_NUMPY) delete env[name];
    if (options.threads !== undefined) env.OPENBLAS_NUM_THREADS = String(options.threads);
    for (const python of candidates) {
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(python, {
          args: ["-u", script],
          env,
          clearEnv: true,
          stdin: "piped",
          stdout: "piped",
          stderr: "inherit",
        }).spawn();
      } catch (error) {
        tried.push(`${python}: ${error instanceof Error ? error.message : error}`);
        continue;
      }
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lineStream())
        .getReader();
      const runner = new NumpyRunner(child, lines, {} as NumpyInfo);
      try {
        const raw = await runner.#request({ op: "info" });
        runner.info = {
          python,
          pythonVersion: String(raw.python),
          numpy: String(raw.numpy),
          blas: raw.library ? `${raw.library}${raw.version ? " " + raw.version : ""}` : null,
          core: (raw.core as string) ?? null,
          threads: (raw.threads as number) ?? null,
          source: String(raw.source),
        };
        return { runner, tried };
      } catch (error) {
        tried.push(`${python}: ${error instanceof Error ? error.message : error}`);
        await runner.close();
      }
    }
    return { runner: null, tried };
  }

  async #request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(body) + "\n"));
    const { value, done } = await this.#lines.read();
    if (done || value === undefined) {
      throw new Error(`NumPy runner exited before answering ${body.op}`);
    }
    const reply = JSON.parse(value);
    if (reply.error) throw new Error(`NumPy runner failed on ${body.op}: ${reply.error}`);
    return reply;
  }

  /**
   * Runs `code` once in a fresh namespace (NumPy imported as `np`).
   *
   * @returns The namespace id for {@linkcode NumpyRunner.time}.
   */
  async setup(code: string): Promise<string> {
    const id = `ns${this.#nextId++}`;
    await this.#request({ op: "setup", id, code });
    return id;
  }

  /** Mean seconds of one run of `stmt`, over `number` back-to-back runs in namespace `id`. */
  async time(id: string, stmt: string, number = 1): Promise<number> {
    const reply = await this.#request({ op: "time", id, stmt, number });
    return reply.seconds as number;
  }

  /** Frees a namespace. */
  async drop(id: string): Promise<void> {
    await this.#request({ op: "drop", id });
  }

  /** Stops the runner. */
  async close(): Promise<void> {
    try {
      await this.#writer.close();
    } catch {
      // already closed
    }
    await this.#lines.cancel().catch(() => {});
    await this.#child.status;
  }
}

/** One line describing NumPy's BLAS, for tables and `bench.json`. */
export function describeNumpy(info: NumpyInfo): string {
  const parts = [`numpy ${info.numpy}`];
  if (info.blas) parts.push(info.blas);
  if (info.core) parts.push(info.core);
  if (info.threads !== null) parts.push(`${info.threads} threads`);
  return parts.join(", ");
}
