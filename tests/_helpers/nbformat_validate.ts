/**
 * Jupyter's own notebook validator as an independent oracle for tests:
 * `nbformat.validate` from Debian's python3-nbformat.
 *
 * @module
 */
import assert from "node:assert/strict";

const SCRIPT = `
import json, sys, nbformat
for path in sys.argv[1:]:
    try:
        nbformat.validate(nbformat.read(path, as_version=nbformat.NO_CONVERT))
        print(json.dumps(None))
    except Exception as error:
        print(json.dumps(type(error).__name__ + ": " + str(error).splitlines()[0]))
`;

/** Whether Debian's python3 with nbformat is installed. */
export const HAS_NBFORMAT: boolean = (() => {
  try {
    return new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import nbformat"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
})();

/**
 * Validates notebook files with `nbformat.validate` in one python process.
 *
 * @param paths `.ipynb` files.
 * @returns Path → `null` when valid, else the validator's first error line.
 */
export async function nbformatErrors(
  paths: readonly string[],
): Promise<Map<string, string | null>> {
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", SCRIPT, ...paths],
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const lines = new TextDecoder().decode(stdout).trim().split("\n").filter((l) => l !== "");
  assert.equal(lines.length, paths.length);
  return new Map(paths.map((path, i) => [path, JSON.parse(lines[i])]));
}
