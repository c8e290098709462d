/**
 * `deno task browser [names…] [--repeat N] [--nbclient-late] [--out DIR]`: opens the notebooks in
 * Debian's classic Jupyter Notebook in headless Chromium, Run All with `NB_QUICK=1`, and compares
 * every code cell's outputs with the same notebook executed by nbclient (see
 * `tools/browser/check.ts`). Writes `reports/browser/<name>.png` and `reports/browser/summary.json`;
 * exits 1 when any cell differs, 2 when Chromium or jupyter-notebook is missing.
 *
 * `--repeat N` runs each notebook N times (the late-output measurement); `--nbclient-late` also
 * counts, per repeat, the outputs nbclient sees only after their cell went idle (recovery off).
 *
 * @module
 */

import { browserCheckUnavailable, checkInBrowser } from "./browser/check.ts";

function usage(message: string): never {
  console.error(`browser: ${message}`);
  console.error("usage: deno task browser [names…] [--repeat N] [--nbclient-late] [--out DIR]");
  Deno.exit(2);
}

if (import.meta.main) {
  const names: string[] = [];
  let repeat = 1, nbclientRepeats = false, out: string | undefined;
  const args = [...Deno.args];
  while (args.length) {
    const arg = args.shift()!;
    if (arg === "--repeat") {
      repeat = Number(args.shift());
      if (!Number.isInteger(repeat) || repeat < 1) usage(`--repeat expects a positive integer`);
    } else if (arg === "--nbclient-late") nbclientRepeats = true;
    else if (arg === "--out") out = args.shift() ?? usage("--out expects a directory");
    else if (arg.startsWith("-")) usage(`unknown option ${arg}`);
    else names.push(arg);
  }
  const missing = browserCheckUnavailable();
  if (missing) {
    console.error(`browser: cannot run: ${missing}`);
    Deno.exit(2);
  }
  const result = await checkInBrowser({ names, repeat, nbclientRepeats, out });
  const missingOutputs = result.runs.reduce((n, r) => n + r.comparison.missing, 0);
  const misplaced = result.runs.reduce((n, r) => n + r.comparison.misplaced, 0);
  const late = result.runs.reduce((n, r) => n + (r.nbclientLate ?? 0), 0);
  const nbMisplaced = result.runs.reduce((n, r) => n + (r.nbclientMisplaced ?? 0), 0);
  for (const problem of result.problems) console.log(problem);
  console.log(
    `browser: ${result.runs.length} runs; missing ${missingOutputs}, misplaced ${misplaced}${
      nbclientRepeats ? `; nbclient (recovery off) late ${late}, misplaced ${nbMisplaced}` : ""
    }; ${result.problems.length} problems; screenshots: ${
      Object.values(result.screenshots).join(" ")
    }`,
  );
  Deno.exit(result.problems.length === 0 ? 0 : 1);
}
