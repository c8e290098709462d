import assert from "node:assert/strict";
import { FONT_FAMILY, loadCanvasModule, registerFonts } from "../../lib/plot/fonts.ts";

Deno.test("registerFonts() registers DejaVu Sans regular and bold under the kit's family", () => {
  assert.equal(registerFonts(), FONT_FAMILY);
  const { GlobalFonts, createCanvas } = loadCanvasModule();
  const family = GlobalFonts.families.find((f) => f.family === FONT_FAMILY);
  assert.ok(family, `${FONT_FAMILY} is registered`);
  assert.deepEqual([...new Set(family.styles.map((s) => s.weight))].sort(), [400, 700]);
  const ctx = createCanvas(10, 10).getContext("2d");
  ctx.font = `12px "${FONT_FAMILY}"`;
  const regular = ctx.measureText("pred 7 / true 7").width;
  ctx.font = `bold 12px "${FONT_FAMILY}"`;
  assert.ok(ctx.measureText("pred 7 / true 7").width > regular, "bold is wider");
});

Deno.test("registerFonts() names the Debian package when the font file is missing", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assert.throws(
      () => registerFonts({ dir }),
      (e: Error) =>
        e.message.startsWith(`Cannot register font ${dir}/DejaVuSans.ttf: file not found`) &&
        e.message.includes("fonts-dejavu-core"),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assert.equal(registerFonts(), FONT_FAMILY); // the earlier registration still stands
});

Deno.test("loadCanvasModule() asks for --allow-ffi when the permission is missing", async () => {
  const script = new URL("../../lib/plot/fonts.ts", import.meta.url).href;
  const dir = Deno.makeTempDirSync();
  const file = `${dir}/load.ts`;
  Deno.writeTextFileSync(
    file,
    `import { loadCanvasModule } from "${script}";
try { loadCanvasModule(); } catch (e) { console.log(e.message); }`,
  );
  try {
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", "--allow-env", file],
      cwd: new URL("../..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.match(new TextDecoder().decode(stdout), /needs the ffi permission.*--allow-ffi/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("registerFonts() falls back to a system font with one warning when DejaVu Sans is nowhere", () => {
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const family = registerFonts({ candidates: ["/nonexistent/fonts"], warn });
  assert.notEqual(family, FONT_FAMILY);
  const { createCanvas } = loadCanvasModule();
  const ctx = createCanvas(10, 10).getContext("2d");
  ctx.font = `12px "${family}"`;
  assert.ok(ctx.measureText("pred 7 / true 7").width > 0, `${family} draws text`);
  registerFonts({ candidates: ["/nonexistent/fonts"], warn });
  assert.equal(warnings.length, 1, "one warning per process");
  assert.match(
    warnings[0],
    /^nnkit: DejaVu Sans not found in \/nonexistent\/fonts; digit captions use the system font/,
  );
  assert.equal(registerFonts(), FONT_FAMILY, "the default search still finds Debian's files");
});
