import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshBundle, freshBundleAsync } from "../scripts/lib/fresh-bundle";

const dir = mkdtempSync(join(tmpdir(), "myamazingapp-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = {
  absWorkingDir: dir,
  entryPoints: [join(dir, "main.ts")],
  outfile: join(dir, "out", "main.js"),
  bundle: true,
  platform: "node" as const,
  packages: "external" as const,
  logLevel: "silent" as const,
};

/** Writes a file with a modification time a minute from `base`, so no two versions share one. */
let clock = Date.now() / 1000 - 3600;
function write(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
  clock += 60;
  utimesSync(join(dir, name), clock, clock);
}

const bundled = () => readFileSync(options.outfile, "utf8");

describe("freshBundle (the synth's bundle, built only when it would differ)", () => {
  it("builds once, then reuses the bundle while no source, option or esbuild changes", () => {
    write("main.ts", 'import { word } from "./word";\nconsole.log(word);\n');
    write("word.ts", 'export const word = "first";\n');
    expect(freshBundle(options)).toBe(true);
    expect(bundled()).toContain('"first"');
    expect(freshBundle(options)).toBe(false);
  });

  it("builds again when a file it bundled changes, and the bundle holds the change", () => {
    write("word.ts", 'export const word = "second";\n');
    expect(freshBundle(options)).toBe(true);
    expect(bundled()).toContain('"second"');
    expect(freshBundle(options)).toBe(false);
  });

  it("builds again when the options change or the bundle is gone", () => {
    expect(freshBundle({ ...options, minify: true })).toBe(true);
    expect(freshBundle(options)).toBe(true);
    rmSync(options.outfile);
    expect(freshBundle(options)).toBe(true);
    expect(bundled()).toContain('"second"');
  });

  it("builds again when a file it bundled is deleted", () => {
    write("main.ts", 'import { word } from "./other";\nconsole.log(word);\n');
    write("other.ts", 'export const word = "third";\n');
    expect(freshBundle(options)).toBe(true);
    rmSync(join(dir, "other.ts"));
    write("main.ts", 'console.log("fourth");\n');
    expect(freshBundle(options)).toBe(true);
    expect(bundled()).toContain('"fourth"');
  });

  it("builds with esbuild plugins only under a key naming what they do, and again when that key changes", async () => {
    write("main.ts", 'console.log("fifth");\n');
    const shout = {
      name: "shout",
      setup(build: import("esbuild").PluginBuild) {
        build.onLoad({ filter: /main\.ts$/ }, () => ({ contents: 'console.log("FIFTH");\n', loader: "ts" }));
      },
    };
    const withPlugin = { ...options, plugins: [shout] };
    await expect(freshBundleAsync(withPlugin, undefined)).rejects.toThrow(/needs a key naming what they do/);
    expect(await freshBundleAsync(withPlugin, "shout 1")).toBe(true);
    expect(bundled()).toContain('"FIFTH"');
    expect(await freshBundleAsync(withPlugin, "shout 1")).toBe(false);
    expect(await freshBundleAsync(withPlugin, "shout 2")).toBe(true);
    // The same sources and options without the plugin are another bundle.
    expect(freshBundle(options)).toBe(true);
    expect(bundled()).toContain('"fifth"');
  });
});
