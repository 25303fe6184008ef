/**
 * Dependencies run one way: settings file -> config/ -> stacks/ -> constructs/. The constructs are a library
 * that knows neither the settings files nor the stacks; config/ reads the files and uses the constructs' rules,
 * never the stacks. The rules and the cost estimate read only synthesized Terraform JSON.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** The project folders a file imports from (`config`, `stacks`, ...), by its relative import paths. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((m) => {
    const target = relative(ROOT, join(file, "..", m[1]));
    return target.split("/")[0];
  });
}

describe("layout", () => {
  it.each([
    ["constructs", ["config", "stacks", "rules", "scripts", "test"]],
    // The rules judge synthesized JSON only: they know no construct, no setting and no stack.
    ["rules", ["constructs", "config", "stacks", "scripts", "test"]],
    // The estimate, like the rules, reads synthesized JSON (or a plan) and the price table: no construct or setting.
    ["cost", ["constructs", "config", "stacks", "rules", "scripts", "test"]],
    ["config", ["stacks", "scripts", "test"]],
    ["stacks", ["scripts", "test"]],
  ])("nothing under %s/ imports from %j", (folder, forbidden) => {
    const files = sources(join(ROOT, folder));
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((file) =>
      importedFolders(file)
        .filter((f) => forbidden.includes(f))
        .map((f) => `${relative(ROOT, file)} imports ${f}/`),
    );
    expect(offenders).toEqual([]);
  });

  it("sees an import across folders where there is one", () => {
    expect(importedFolders(join(ROOT, "stacks", "app-stack.ts"))).toEqual(
      expect.arrayContaining(["config", "constructs"]),
    );
  });
});
