"""The NumPy side of `deno task bench`: a long-lived process that times Python snippets.

tools/bench/numpy.ts starts it and talks JSON lines over stdin/stdout, so the
benchmark can alternate "ours" and "numpy" samples of the same case in one run
(machine load then affects both sides alike). Requests, one JSON object a line:

  {"op": "info"}                                  -> versions, BLAS library, core, threads
  {"op": "setup", "id": ID, "code": PYTHON}       -> exec PYTHON in a fresh namespace (np imported)
  {"op": "time", "id": ID, "stmt": PYTHON, "number": N}
                                                  -> {"seconds": mean seconds of one run of STMT}
  {"op": "drop", "id": ID}                        -> frees the namespace
Every reply is one JSON object a line; failures reply {"error": traceback}.

The caller starts it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from
the environment (they slow a current numpy); "info" reports the core it then runs.
"""

import ctypes
import glob
import json
import os
import platform
import sys
import time
import traceback

import numpy as np


def blas_info():
    """Which BLAS numpy runs, from threadpoolctl if installed, else from numpy's bundled OpenBLAS."""
    info = {"numpy": np.__version__, "python": platform.python_version()}
    try:
        from threadpoolctl import threadpool_info  # type: ignore

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            p = pools[0]
            info.update(
                library=p.get("internal_api"),
                version=p.get("version"),
                core=p.get("architecture"),
                threads=p.get("num_threads"),
                source="threadpoolctl",
            )
            return info
    except ImportError:
        pass
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        info.update(library=blas.get("name"), version=blas.get("version"), source="numpy.show_config")
    except Exception:  # noqa: BLE001 - older numpy has no mode="dicts"
        info.update(source="unknown")
    # numpy wheels bundle scipy-openblas; ask it for its core and threads (same loaded copy).
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_", "64_"), ("scipy_", ""), ("", "64_"), ("", "")):
            core = getattr(lib, f"{prefix}openblas_get_corename{suffix}", None)
            threads = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
            if core is not None and threads is not None:
                core.restype = ctypes.c_char_p
                info.update(core=core().decode(), threads=threads())
                return info
    return info


def main():
    spaces = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req["op"]
            if op == "info":
                reply = blas_info()
            elif op == "setup":
                ns = {"np": np}
                exec(compile(req["code"], f"<setup {req['id']}>", "exec"), ns)
                spaces[req["id"]] = ns
                reply = {"ok": True}
            elif op == "time":
                ns = spaces[req["id"]]
                runner = ns.get("__bench_runners", {}).get(req["stmt"])
                if runner is None:
                    # A loop in a compiled function, as timeit does: no per-run exec overhead.
                    body = "\n".join("        " + s for s in req["stmt"].splitlines())
                    src = f"def __bench_run(__n):\n    for __i in range(__n):\n{body}\n"
                    exec(compile(src, f"<stmt {req['id']}>", "exec"), ns)
                    runner = ns.setdefault("__bench_runners", {})[req["stmt"]] = ns.pop("__bench_run")
                number = int(req.get("number", 1))
                t0 = time.perf_counter()
                runner(number)
                reply = {"seconds": (time.perf_counter() - t0) / number}
            elif op == "drop":
                spaces.pop(req["id"], None)
                reply = {"ok": True}
            else:
                reply = {"error": f"unknown op {op!r}"}
        except Exception:  # noqa: BLE001 - reported to the caller
            reply = {"error": traceback.format_exc()}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
