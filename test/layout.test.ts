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

describe("the two test projects (jest.config.js)", () => {
  // What makes a test file an integration test: it starts an emulator of its own, runs a script with bash and
  // stubs, runs Terraform, or runs the project's command lines in a child process.
  const STARTS_PROCESSES =
    /\b(runTerraform|startOwnEmulator|runScript|startScript|runLocal|startLocal)\(|spawn(Sync)?\(process\.execPath, \[(?!"-e")/;
  // Both projects, whichever one this run keeps (TEST_PROJECT).
  const selected = process.env.TEST_PROJECT;
  delete process.env.TEST_PROJECT;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's own config is CommonJS
  const config = require(join(ROOT, "jest.config.js")) as {
    projects: Array<{ displayName: string; testRegex?: string[]; testPathIgnorePatterns?: string[] }>;
  };
  if (selected !== undefined) process.env.TEST_PROJECT = selected;
  const integration = config.projects.find((p) => p.displayName === "integration")!.testRegex!;
  const isIntegration = (file: string) => integration.some((pattern) => new RegExp(pattern).test(file));
  const testFiles = readdirSync(join(ROOT, "test"))
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => join(ROOT, "test", name));

  it("every test file that starts processes is in the integration project, so test:unit stays in-process", () => {
    const offenders = testFiles.filter(
      (file) => STARTS_PROCESSES.test(readFileSync(file, "utf8")) && !isIntegration(file),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it("the integration project names only test files that exist, and the unit project leaves exactly those out", () => {
    const named = testFiles.filter(isIntegration);
    expect(named.length).toBe(integration.length);
    const unit = config.projects.find((p) => p.displayName === "unit")!;
    expect(unit.testPathIgnorePatterns).toEqual(integration);
  });
});
