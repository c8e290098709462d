#!/usr/bin/python3
"""Execute one Jupyter notebook headless with the Deno kernel through nbclient, and check it.

Run it with Debian's python (nbclient, nbformat and jupyter_client come from Debian packages):

    /usr/bin/python3 tools/nbexec.py IN.ipynb OUT.ipynb [--timeout S] [--cell-timeout S]
        [--env NAME=VALUE]... [--kernel deno] [--cwd DIR] [--late recover|fail|drop]
        [--drain S] [--no-auto-expect] [--no-barrier] [--watch-stdin] [--stop-timeout S]

The kernel starts in --cwd (default: the directory of IN, so `../lib/mod.ts` imports and the
project's deno.json resolve as they do in Jupyter). It inherits this process's environment plus
every --env NAME=VALUE, and NO_COLOR=1 unless the environment sets NO_COLOR, so results in the
executed notebook read as plain text. OUT is written atomically (a temporary file in the same
directory, then a rename), also when execution failed, so a failing notebook can be inspected.

Timeouts: --cell-timeout bounds each code cell, --timeout the whole notebook (kernel start-up
included); both in seconds, 0 means none. A cell running past either is reported as a timeout.

Errors: the first cell that raises stops execution (cells tagged `raises-exception` may raise;
cells tagged `skip-execution` are not run). The report names the cell by its 0-based index in
the notebook, its first source line and the error name and value.

Late outputs: the Deno kernel (2.9) publishes outputs from its JS worker and status/replies from
its server thread (observed here, and so its sources read), so an output (display_data, even
execute_result) can arrive after its cell was reported idle, and plain nbclient drops it. This
runner keeps listening and files each late message under the cell whose request it answers (its
parent msg_id); after the last cell it listens --drain seconds more (default 0.5). --late
chooses what happens: `recover` (default) keeps late outputs in their cell and lists them in the
summary, `fail` does the same and fails the run (a front end that stops listening at idle would
lose them), `drop` ignores them like plain nbclient.
Two worse effects cannot be repaired here, only reduced and detected: the kernel stamps an
output with the parent header of the latest execute_request at the time it sends it, so an
output still queued when the next cell starts is filed under that next cell; and under large
outputs a message occasionally fails its HMAC signature check (probably frames of concurrent
sends mixed up), which makes plain nbclient crash with "Invalid Signature". To reduce both, the
runner round-trips a kernel_info request after every code cell before starting the next
(--no-barrier turns it off; measured here on 20 cells of 5 MB displays without a settle wait: 3
of 12 runs lost an output with it, 6 of 12 without; 0 ms measurable cost on small notebooks). A
message that fails its check is skipped, counted in the summary and fails the run (status
corrupt-message), since an output may be lost. The real cure is in the notebook: await each
display until it has left the kernel, as lib/jupyter/kernel.ts's sendDisplay does, and the lib's
replacement of the kernel's result publisher (lib/jupyter/result_hook.ts) does for a cell's value.
Misplaced outputs are counted where they can be told: an execute_result carries the execution
count of the cell it belongs to, so one filed under a cell with another count (its execute_input
said so) is listed under "misplaced" (with --late fail it fails the run too, status
misplaced-output). Display outputs carry no count; only the browser test sees where they land.

Expected outputs (checked after execution, on every executed code cell):
  - tag `expect-output`: at least one output of any kind (stream, display, result).
  - tag `expect-display` / `expect-display=N`: at least 1 / N rich outputs (display_data or
    execute_result).
  - tag `expect-mime=TYPE`: at least one output carries TYPE, e.g. `expect-mime=image/png`.
  - automatic: a cell whose code (comment lines ignored) calls `recordResults(` must produce an
    output carrying `application/vnd.nnkit.results+json`; a cell that calls a display helper,
    i.e. matches AUTO_DISPLAY_PATTERN (`display…(`, `show…(`, `Deno.jupyter.display(`), must
    produce at least one rich output. Tag a cell `no-expect-output` to exempt it from the
    automatic rules, or pass --no-auto-expect to turn them off.
A missing expected output fails the run and names the cell.

Stopping: SIGTERM, SIGINT and SIGHUP stop the run: the kernel is shut down (nbclient kills its
process group), the partial notebook is written, the summary printed, and nbexec exits with
128 + the signal number (143, 130, 129). With --watch-stdin, nbexec also stops (exit 129) when its
standard input reaches end of file: a parent that gives it a pipe and never writes to it is gone
when the pipe closes, however it died (SIGKILL included), so the runner and its kernel never
outlive it. Each stop is bounded: after --stop-timeout seconds (default 3) the kernel's process
group is killed and nbexec exits whatever nbclient is doing. Whatever ends the run, a kernel
still alive at exit is killed with its process group.

Exit status: 0 ok; 1 the notebook failed (cell error, timeout, dead kernel, missing output, a
corrupt message, with --late fail a late or misplaced output, or an unexpected runner error); 2
bad usage or set-up (unreadable IN, unknown kernel); 129, 130, 143 stopped (above). The last line
on stdout is always one JSON object (when stdout is still open):
  {"notebook", "output", "status": "ok"|"error"|"timeout"|"kernel-died"|"missing-output"|
   "corrupt-message"|"late-output"|"misplaced-output"|"runner-error"|"setup"|"interrupted",
   "cells": code cells executed, "code_cells": code cells in IN, "seconds": wall time,
   "startup_seconds": kernel start until ready, "cell_seconds": [[index, seconds], ...],
   "late": [{"cell", "output_type"}],
   "misplaced": [{"cell", "output_type", "execution_count", "expected"}],
   "corrupt": [{"cell", "error"}], "errors": [{"kind", "cell", "line", "ename", "evalue",
   "message"}]}
Human-readable problems go to stderr, one line each.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
from queue import Empty
from typing import Any

RESULTS_MIME = "application/vnd.nnkit.results+json"
AUTO_DISPLAY_PATTERN = re.compile(
    r"(?<![\w$])(?:Deno\.jupyter\.display|[A-Za-z_$][\w$.]*\.(?:display|show)\w*"
    r"|(?:display|show)\w*)\s*(?:<[^>()]*>)?\("
)
RECORD_RESULTS_PATTERN = re.compile(r"(?<![\w$])recordResults\s*\(")
RICH_TYPES = ("display_data", "execute_result")


def first_line(source: str) -> str:
    """The first non-blank line of a cell's source, stripped and cut to 100 characters."""
    for line in source.splitlines():
        if line.strip():
            text = line.strip()
            return text if len(text) <= 100 else text[:97] + "..."
    return ""


def code_without_comments(source: str) -> str:
    """The source with `//` line comments and `/* */` block comments removed (roughly)."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("//"))


def expectations(cell: Any, auto: bool) -> list[tuple[str, Any, str]]:
    """The expected-output rules for one code cell: (kind, argument, reason) triples."""
    tags = list(cell.get("metadata", {}).get("tags", []))
    rules: list[tuple[str, Any, str]] = []
    for tag in tags:
        if tag == "expect-output":
            rules.append(("any", 1, "the cell is tagged expect-output"))
        elif tag == "expect-display" or tag.startswith("expect-display="):
            count = 1
            if "=" in tag:
                try:
                    count = int(tag.split("=", 1)[1])
                except ValueError:
                    raise ValueError(
                        f"bad tag {tag!r}: expected expect-display=N with an integer N")
            rules.append(("rich", count, f"the cell is tagged {tag}"))
        elif tag.startswith("expect-mime="):
            rules.append(("mime", tag.split("=", 1)[1], f"the cell is tagged {tag}"))
    if auto and "no-expect-output" not in tags:
        code = code_without_comments(cell.source)
        if RECORD_RESULTS_PATTERN.search(code):
            rules.append(("mime", RESULTS_MIME, "the cell calls recordResults()"))
        match = AUTO_DISPLAY_PATTERN.search(code)
        if match:
            call = match.group(0).rstrip("(").strip()
            rules.append(("rich", 1, f"the cell calls {call}()"))
    return rules


def check_expectations(cell: Any, rules: list[tuple[str, Any, str]]) -> list[str]:
    """Messages for each rule the cell's outputs do not satisfy."""
    outputs = cell.get("outputs", [])
    problems = []
    for kind, arg, reason in rules:
        if kind == "any":
            found = len(outputs)
            if found < arg:
                problems.append(
                    f"expected at least {arg} output(s) because {reason}, found {found}")
        elif kind == "rich":
            found = sum(1 for out in outputs if out.get("output_type") in RICH_TYPES)
            if found < arg:
                problems.append(
                    f"expected at least {arg} display output(s) because {reason}, found {found}"
                )
        elif kind == "mime":
            if not any(arg in out.get("data", {}) for out in outputs):
                kinds = sorted({m for out in outputs for m in out.get("data", {})})
                problems.append(
                    f"expected an output with mime {arg} because {reason}, found "
                    + (", ".join(kinds) if kinds else "no rich output")
                )
    return problems


def parse_env(pairs: list[str]) -> dict[str, str]:
    """--env NAME=VALUE pairs as a dict; raises ValueError naming a malformed pair."""
    env: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"bad --env {pair!r}: expected NAME=VALUE")
        env[name] = value
    return env


def write_atomic(path: str, text: str) -> None:
    """Write text to path through a temporary file in the same directory and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


STOP_CODES = {"SIGHUP": 129, "SIGINT": 130, "SIGTERM": 143, "parent-gone": 129}


class Stopper:
    """One bounded stop of the run, asked for by a signal or by the end of stdin.

    The first request wins; it cancels the task that runs nbclient (in its own thread), whose
    clean-up shuts the kernel down. The main thread waits at most --stop-timeout for that.
    """

    def __init__(self) -> None:
        self.reason: str | None = None
        self.requested = threading.Event()
        self.lock = threading.RLock()  # reentrant: a signal handler may interrupt its holder
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None

    def request(self, reason: str) -> None:
        """Stop the run (thread-safe; also called from signal handlers)."""
        with self.lock:
            if self.reason is not None:
                return
            self.reason = reason
            loop, task = self.loop, self.task
        self.requested.set()
        if loop is not None and task is not None:
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the loop has closed: nothing left to cancel
                pass

    def attach(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task) -> None:
        """Register the task to cancel; cancels it at once if a stop came first."""
        with self.lock:
            self.loop, self.task = loop, task
            stop = self.reason is not None
        if stop:
            task.cancel()

    def describe(self) -> str:
        if self.reason == "parent-gone":
            return "stopped: the parent process is gone (end of stdin)"
        return f"stopped by {self.reason}"


def watch_stdin(stopper: Stopper) -> None:
    """Stop the run when stdin reaches end of file (the parent holding the pipe is gone)."""

    def watch() -> None:
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        stopper.request("parent-gone")

    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def kill_process_group(pgid: int | None) -> None:
    """SIGKILL a process group (the kernel's: jupyter_client starts it in its own session)."""
    if not pgid or pgid <= 1 or pgid == os.getpgid(0):
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def make_client_class():
    """The nbclient subclass (imported lazily so --help works without nbclient)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionComplete
    from nbclient.util import ensure_async

    class DenoNotebookClient(NotebookClient):
        """nbclient that routes late iopub messages to their cell and times everything."""

        def __init__(self, nb, late_mode: str, drain: float, total_timeout: float, **kw):
            super().__init__(nb, **kw)
            self.late_mode = late_mode
            self.drain = drain
            self.total_timeout = total_timeout
            self.cell_by_msg: dict[str, int] = {}
            self.late: list[dict[str, Any]] = []
            self.misplaced: list[dict[str, Any]] = []
            self.count_by_msg: dict[str, int] = {}
            self.corrupt: list[dict[str, Any]] = []
            self.executed: set[int] = set()
            self.use_barrier = True
            self.barrier_timeout = 10.0
            self.cell_seconds: list[list[float]] = []
            self.current_cell: int | None = None
            self.cell_started = 0.0
            self.started = time.monotonic()
            self.ready_at: float | None = None
            self.error_info: dict[str, Any] | None = None
            self.kernel_pgid: int | None = None
            self.stopper: Stopper | None = None
            self.timeout_func = self._cell_timeout
            self.on_notebook_start = self._on_ready
            self.on_cell_execute = self._on_cell_execute
            self.on_cell_executed = self._on_cell_executed
            self.on_cell_error = self._on_cell_error

        async def async_start_new_kernel(self, **kwargs: Any) -> None:
            try:
                await super().async_start_new_kernel(**kwargs)
            finally:
                self.kernel_group()

        def kernel_group(self) -> int | None:
            """The kernel's process group id (its pid: it leads its own session), once started."""
            if self.kernel_pgid is None:
                provisioner = getattr(self.km, "provisioner", None)
                self.kernel_pgid = getattr(provisioner, "pgid", None) or \
                    getattr(provisioner, "pid", None)
            return self.kernel_pgid

        def remaining(self) -> float | None:
            if not self.total_timeout:
                return None
            return self.total_timeout - (time.monotonic() - self.started)

        def _cell_timeout(self, cell) -> float | None:
            limits = [t for t in (self.cell_timeout, self.remaining()) if t is not None]
            if not limits:
                return None
            return max(min(limits), 0.001)

        def _on_ready(self, notebook=None, **_):
            self.ready_at = time.monotonic()

        def _on_cell_execute(self, cell=None, cell_index=None, **_):
            self.current_cell = cell_index
            self.cell_started = time.monotonic()

        def _on_cell_executed(self, cell=None, cell_index=None, **_):
            self.cell_seconds.append([cell_index, round(time.monotonic() - self.cell_started, 3)])

        def _on_cell_error(self, cell=None, cell_index=None, execute_reply=None, **_):
            content = (execute_reply or {}).get("content", {})
            error = next((o for o in cell.outputs if o.get("output_type") == "error"), None)
            self.error_info = {
                "cell": cell_index,
                "ename": (error or content).get("ename", "Error"),
                "evalue": (error or content).get("evalue", ""),
                "allowed": "raises-exception" in cell.metadata.get("tags", []),
            }

        def check_placement(self, msg: dict, index: int) -> None:
            """Count an execute_result whose execution count is not its cell's (misplaced)."""
            parent = msg["parent_header"].get("msg_id")
            if msg["msg_type"] == "execute_input":
                count = msg["content"].get("execution_count")
                if isinstance(count, int):
                    self.count_by_msg[parent] = count
                return
            if msg["msg_type"] != "execute_result":
                return
            count = msg["content"].get("execution_count")
            expected = self.count_by_msg.get(parent)
            if isinstance(count, int) and expected is not None and count != expected:
                self.misplaced.append({"cell": index, "output_type": "execute_result",
                                       "execution_count": count, "expected": expected})

        def route_late(self, msg: dict) -> None:
            """Attribute a message for an earlier request to its cell (per --late)."""
            parent = msg["parent_header"].get("msg_id")
            index = self.cell_by_msg.get(parent)
            msg_type = msg["msg_type"]
            if index is not None:
                self.check_placement(msg, index)
            if index is None or msg_type in ("status", "execute_input"):
                return
            self.late.append({"cell": index, "output_type": msg_type})
            if self.late_mode == "drop":
                return
            cell = self.nb.cells[index]
            if msg_type == "clear_output":
                cell.outputs[:] = []
                self.clear_display_id_mapping(index)
                return
            self.process_message(msg, cell, index)

        async def next_iopub(self, timeout: float | None) -> dict | None:
            """The next iopub message; None for one that failed its signature check."""
            try:
                return await ensure_async(self.kc.iopub_channel.get_msg(timeout=timeout))
            except ValueError as err:  # jupyter_client: "Invalid Signature: ..."
                self.corrupt.append({"cell": self.current_cell, "error": str(err)[:120]})
                return None

        async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
            self.cell_by_msg[parent_msg_id] = cell_index
            self.executed.add(cell_index)
            while True:
                msg = await self.next_iopub(None)
                if msg is None:
                    continue
                if msg["parent_header"].get("msg_id") == parent_msg_id:
                    self.check_placement(msg, cell_index)
                    try:
                        self.process_message(msg, cell, cell_index)
                    except CellExecutionComplete:
                        return
                else:
                    self.route_late(msg)

        async def barrier(self) -> None:
            """Round-trip a kernel_info request before the next cell.

            The Deno kernel stamps an output with the parent header of the latest
            execute_request when it sends it, so an output still queued when the next
            cell starts would be filed under that cell. The kernel answers requests in
            order, so once this request's idle status arrives on iopub, the outputs
            queued before it have arrived too (routed to their cells by route_late).
            """
            msg_id = await ensure_async(self.kc.kernel_info())
            deadline = time.monotonic() + self.barrier_timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                try:
                    msg = await self.next_iopub(left)
                except Empty:
                    return
                if msg is None:
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    if msg["msg_type"] == "status" and \
                            msg["content"].get("execution_state") == "idle":
                        return
                else:
                    self.route_late(msg)

        async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                     store_history=True):
            result = await super().async_execute_cell(
                cell, cell_index, execution_count=execution_count, store_history=store_history
            )
            if self.use_barrier and cell_index in self.executed:
                await self.barrier()
            return result

        async def drain_late(self) -> None:
            """Listen --drain more seconds for outputs of cells already reported idle."""
            deadline = time.monotonic() + self.drain
            while self.kc is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                try:
                    msg = await self.next_iopub(left)
                except Empty:
                    return
                if msg is not None:
                    self.route_late(msg)

        async def async_execute(self, reset_kc: bool = False, **kwargs) -> Any:
            self.reset_execution_trackers()
            async with self.async_setup_kernel(**kwargs):
                msg_id = await ensure_async(self.kc.kernel_info())
                info = await self.async_wait_for_reply(msg_id)
                if info is not None and "language_info" in info["content"]:
                    self.nb.metadata["language_info"] = info["content"]["language_info"]
                try:
                    for index, cell in enumerate(self.nb.cells):
                        await self.async_execute_cell(
                            cell, index, execution_count=self.code_cells_executed + 1
                        )
                finally:
                    stopping = self.stopper is not None and self.stopper.reason is not None
                    if self.drain > 0 and self.kc is not None and not stopping:
                        try:
                            await self.drain_late()
                        except Exception:  # the kernel may be gone; keep the first error
                            pass
                self.set_widgets_metadata()
            return self.nb

    return DenoNotebookClient


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="nbexec.py",
        description="Execute a notebook with the Deno kernel and check its outputs "
        "(see the module docstring for conventions).",
    )
    parser.add_argument("input", help="notebook to execute")
    parser.add_argument("output", help="where to write the executed notebook")
    parser.add_argument("--kernel", default="deno", help="kernelspec name (default: deno)")
    parser.add_argument("--timeout", type=float, default=0,
                        help="whole-notebook timeout in seconds, 0 = none (default)")
    parser.add_argument("--cell-timeout", type=float, default=0,
                        help="per-cell timeout in seconds, 0 = none (default)")
    parser.add_argument("--startup-timeout", type=float, default=60,
                        help="seconds to wait for the kernel to start (default 60)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="environment variable for the kernel (repeatable)")
    parser.add_argument("--cwd", help="kernel working directory (default: IN's directory)")
    parser.add_argument("--late", choices=("recover", "fail", "drop"), default="recover",
                        help="what to do with outputs that arrive after their cell went idle")
    parser.add_argument("--drain", type=float, default=0.5,
                        help="seconds to wait for late outputs after the last cell (default 0.5)")
    parser.add_argument("--no-auto-expect", action="store_true",
                        help="only check expectations given by tags")
    parser.add_argument("--no-barrier", action="store_true",
                        help="start each cell right after the previous one went idle (plain "
                        "nbclient) instead of first round-tripping a kernel_info request")
    parser.add_argument("--watch-stdin", action="store_true",
                        help="stop (and shut the kernel down) when stdin reaches end of file: "
                        "give nbexec a pipe you never write to, and it ends when you do")
    parser.add_argument("--stop-timeout", type=float, default=3,
                        help="seconds a stop may take before the kernel's process group is "
                        "killed (default 3)")
    args = parser.parse_args(argv)

    stopper = Stopper()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: stopper.request(signal.Signals(signum).name))
    if args.watch_stdin:
        watch_stdin(stopper)

    started = time.monotonic()
    summary: dict[str, Any] = {
        "notebook": args.input, "output": args.output, "status": "ok", "cells": 0,
        "code_cells": 0, "seconds": 0.0, "startup_seconds": None, "cell_seconds": [],
        "late": [], "misplaced": [], "corrupt": [], "errors": [],
    }

    def finish(status: str, code: int) -> int:
        summary["status"] = status
        summary["seconds"] = round(time.monotonic() - started, 3)
        try:
            print(json.dumps(summary), flush=True)
        except OSError:  # the reader is gone (parent-gone): nobody is waiting for the summary
            pass
        return code

    def problem(kind: str, message: str, cell: int | None = None, line: str = "",
                ename: str = "", evalue: str = "") -> None:
        summary["errors"].append({"kind": kind, "cell": cell, "line": line, "ename": ename,
                                  "evalue": evalue, "message": message})
        where = f"{args.input}: " + (f"cell {cell} ({line!r}): " if cell is not None else "")
        try:
            print(f"nbexec: {where}{message}", file=sys.stderr, flush=True)
        except OSError:
            pass

    try:
        import nbformat
        from jupyter_client.kernelspec import NoSuchKernel
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    except ImportError as err:
        problem("setup", f"cannot import Jupyter packages with {sys.executable}: {err}; run "
                "tools/setup.sh or apt-get install python3-nbclient jupyter-client")
        return finish("setup", 2)

    try:
        extra_env = parse_env(args.env)
        nb = nbformat.read(args.input, as_version=4)
    except (OSError, ValueError) as err:
        problem("setup", f"cannot read notebook: {err}")
        return finish("setup", 2)
    except Exception as err:  # nbformat raises its own errors for bad JSON or schema
        problem("setup", f"cannot read notebook: {type(err).__name__}: {err}")
        return finish("setup", 2)

    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    summary["code_cells"] = len(code_cells)
    try:
        rules = {i: expectations(nb.cells[i], not args.no_auto_expect) for i in code_cells}
    except ValueError as err:
        problem("setup", str(err))
        return finish("setup", 2)

    env = dict(os.environ)
    env.setdefault("NO_COLOR", "1")
    env.update(extra_env)
    cwd = args.cwd or os.path.dirname(os.path.abspath(args.input))

    client_class = make_client_class()
    client = client_class(
        nb,
        late_mode=args.late,
        drain=args.drain,
        total_timeout=args.timeout,
        kernel_name=args.kernel,
        timeout=None,
        startup_timeout=args.startup_timeout,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": cwd}},
    )
    client.cell_timeout = args.cell_timeout or None
    client.use_barrier = not args.no_barrier
    client.stopper = stopper

    async def execute() -> None:
        stopper.attach(asyncio.get_running_loop(), asyncio.current_task())
        try:
            run = client.async_execute(env=env, cwd=cwd)
            if args.timeout:
                # Backstop for a kernel that never starts; cells are bounded by timeout_func.
                run = asyncio.wait_for(run, args.timeout + args.startup_timeout + 30)
            await run
        finally:
            # A stop during kernel start-up skips nbclient's own clean-up: do it here.
            if stopper.reason is not None and client.km is not None:
                try:
                    await client._async_cleanup_kernel()
                except BaseException:
                    pass

    outcome: dict[str, BaseException] = {}

    def execute_in_thread() -> None:
        try:
            asyncio.run(execute())
        except BaseException as err:  # re-raised below, in the main thread
            outcome["error"] = err

    # nbclient runs in a thread, so that this (main) thread keeps the signal handlers (nbclient
    # installs none off the main thread) and can bound a stop however nbclient behaves.
    thread = threading.Thread(target=execute_in_thread, name="nbclient", daemon=True)
    thread.start()
    deadline: float | None = None
    while thread.is_alive():
        if deadline is None and stopper.requested.is_set():
            deadline = time.monotonic() + args.stop_timeout
        if deadline is not None and time.monotonic() >= deadline:
            break
        thread.join(0.05)
    if stopper.reason is not None:
        # However the stop went, the kernel (and anything it started) does not outlive us.
        kill_process_group(client.kernel_group())

    def failure(error: BaseException) -> tuple[str, int]:
        """Report what nbclient raised; the status and exit code it means."""
        try:
            raise error
        except NoSuchKernel:
            problem("setup", f"no Jupyter kernel named {args.kernel!r}: install it with "
                    "`node_modules/.bin/deno jupyter --install` (or run tools/setup.sh)")
            return "setup", 2
        except CellTimeoutError:
            index = client.current_cell
            whole = client.remaining() is not None and client.remaining() <= 0.01
            limit = f"notebook timeout of {args.timeout:g} s" if whole \
                else f"cell timeout of {args.cell_timeout:g} s"
            problem("timeout", f"timed out: {limit} exceeded", index,
                    first_line(nb.cells[index].source) if index is not None else "")
            return "timeout", 1
        except asyncio.TimeoutError:
            problem("timeout", f"timed out: notebook timeout of {args.timeout:g} s exceeded "
                    "(kernel start-up or shut-down)", client.current_cell)
            return "timeout", 1
        except DeadKernelError as err:
            index = client.current_cell
            problem("kernel-died", f"the kernel died: {err}", index,
                    first_line(nb.cells[index].source) if index is not None else "")
            return "kernel-died", 1
        except CellExecutionError as err:
            info = client.error_info or {}
            index = info.get("cell", client.current_cell)
            line = first_line(nb.cells[index].source) if index is not None else ""
            ename, evalue = info.get("ename", "Error"), info.get("evalue", str(err))
            problem("error", f"{ename}: {evalue}", index, line, ename, evalue)
            return "error", 1
        except RuntimeError as err:
            problem("setup", f"the kernel failed to start or respond: {err}")
            return "setup", 2
        except BaseException as err:  # keep the summary contract whatever nbclient raises
            index = client.current_cell
            problem("runner-error", f"nbexec failed: {type(err).__name__}: {err}", index,
                    first_line(nb.cells[index].source) if index is not None else "")
            return "runner-error", 1

    status, code = "ok", 0
    if stopper.reason is not None:
        index = client.current_cell
        shut = "; the kernel was shut down" if client.kernel_group() else ""
        problem("interrupted", stopper.describe() + shut, index,
                first_line(nb.cells[index].source) if index is not None else "")
        status, code = "interrupted", STOP_CODES.get(stopper.reason, 1)
    elif "error" in outcome:
        status, code = failure(outcome["error"])

    summary["cells"] = client.code_cells_executed
    summary["cell_seconds"] = client.cell_seconds
    if client.ready_at is not None:
        summary["startup_seconds"] = round(client.ready_at - client.started, 3)
    summary["late"] = client.late
    summary["misplaced"] = client.misplaced
    summary["corrupt"] = client.corrupt

    if status == "ok":
        executed = {int(i) for i, _ in client.cell_seconds}
        for index in code_cells:
            if index not in executed:
                continue
            for message in check_expectations(nb.cells[index], rules[index]):
                problem("missing-output", message, index, first_line(nb.cells[index].source))
        if summary["errors"]:
            status, code = "missing-output", 1
        elif client.corrupt:
            for bad in client.corrupt:
                index = bad["cell"]
                problem("corrupt-message", "the kernel sent a message that failed its signature "
                        f"check, so an output may be lost ({bad['error']})", index,
                        first_line(nb.cells[index].source) if index is not None else "")
            status, code = "corrupt-message", 1
        elif client.misplaced and args.late == "fail":
            for bad in client.misplaced:
                index = bad["cell"]
                problem("misplaced-output", "an execute_result of execution "
                        f"{bad['execution_count']} arrived under this cell (execution "
                        f"{bad['expected']})", index, first_line(nb.cells[index].source))
            status, code = "misplaced-output", 1
        elif client.late and args.late == "fail":
            for late in client.late:
                index = late["cell"]
                problem("late-output", f"a {late['output_type']} output arrived after the cell "
                        "was reported idle", index, first_line(nb.cells[index].source))
            status, code = "late-output", 1

    if status != "setup":
        nb.metadata["nnkit"] = {
            "executed_at": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"),
            "status": status,
            "seconds": round(time.monotonic() - started, 3),
            "env": {k: v for k, v in sorted(env.items()) if k.startswith("NB_")},
        }
        try:
            write_atomic(args.output, nbformat.writes(nb) + "\n")
        except OSError as err:
            problem("setup", f"cannot write {args.output}: {err}")
            status, code = "setup", 2
        except Exception as err:  # nbclient's thread still changing it (a stop that timed out)
            problem("setup", f"cannot write {args.output}: {type(err).__name__}: {err}")
    code = finish(status, code)
    if stopper.reason is not None:
        # Skip interpreter shut-down: nbclient's atexit clean-up or its thread may still wait on
        # a kernel that is gone.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:
                pass
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
