/**
 * Independent checks of PNG and SVG output for tests: the PNG header read by
 * hand and SVG parsed by Python's XML parser (neither uses the code under
 * test).
 *
 * @module
 */
import assert from "node:assert/strict";

/**
 * Width and height from a PNG's IHDR chunk, asserting the PNG signature and
 * that the first chunk is IHDR.
 *
 * @param png PNG file bytes.
 * @returns `[width, height]` in pixels.
 */
export function ihdr(png: Uint8Array): [number, number] {
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "PNG signature");
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  const view = new DataView(png.buffer, png.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

/**
 * Parses an SVG file with Python's XML parser (Debian's `/usr/bin/python3`),
 * asserting that it parses.
 *
 * @param path The SVG file.
 * @returns The root element's tag and `class`, e.g. `"{http://www.w3.org/2000/svg}svg main-svg"`.
 */
export async function parseSvgFile(path: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: [
      "-c",
      "import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); print(r.tag, r.get('class'))",
      path,
    ],
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim();
}

/**
 * Parses SVG text like {@linkcode parseSvgFile} (through a temporary file).
 *
 * @param svg SVG text.
 * @returns The root element's tag and `class`.
 */
export async function parseSvg(svg: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".svg" });
  try {
    await Deno.writeTextFile(path, svg);
    return await parseSvgFile(path);
  } finally {
    await Deno.remove(path);
  }
}
