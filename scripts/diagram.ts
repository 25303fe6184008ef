/**
 * `npm run diagram`: draws the deployed architecture of production from its synthesized stack (scripts/diagram/
 * model.ts reads it; Graphviz's dot lays it out) into docs/architecture.svg, which the README shows. The DOT
 * source is kept beside it (docs/architecture.dot), and the SVG carries the DOT's hash, so a test can tell,
 * without Graphviz, that the picture is stale.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { modelOf, toDot } from "./diagram/model";
import { PROJECT_ROOT } from "./lib/terraform";

export const DOT_FILE = join(PROJECT_ROOT, "docs", "architecture.dot");
export const SVG_FILE = join(PROJECT_ROOT, "docs", "architecture.svg");
/** The environment the picture shows. */
export const DRAWN_ENVIRONMENT = "production";

/** The DOT of a synthesized stack of the drawn environment. */
export function dotOf(stackJson: string): string {
  return toDot(modelOf(`MyAmazingApp on AWS (${DRAWN_ENVIRONMENT}, synthesized)`, JSON.parse(stackJson)));
}

export const dotHash = (dot: string): string => createHash("sha256").update(dot).digest("hex");
export const HASH_MARK = "architecture.dot sha256:";

function main(): void {
  // The synth the project ships (esbuild bundles the stacks; the delivery scripts are imported as text).
  const synth = spawnSync(process.execPath, [join(PROJECT_ROOT, "scripts", "synth.js")], {
    stdio: "inherit",
  });
  if (synth.status !== 0) process.exit(synth.status ?? 1);
  const stack = join(PROJECT_ROOT, "cdktf.out", "stacks", `myamazingapp-${DRAWN_ENVIRONMENT}`, "cdk.tf.json");
  const dot = dotOf(readFileSync(stack, "utf8"));
  const rendered = spawnSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8" });
  if (rendered.error || rendered.status !== 0) {
    console.error(
      `diagram: Graphviz's dot is required (Debian: apt-get install graphviz): ${rendered.error?.message ?? rendered.stderr}`,
    );
    process.exit(1);
  }
  const svg = rendered.stdout.replace(/(<svg\b)/, `<!-- ${HASH_MARK} ${dotHash(dot)} -->\n$1`);
  writeFileSync(DOT_FILE, dot);
  writeFileSync(SVG_FILE, svg);
  console.log(`wrote ${DOT_FILE} and ${SVG_FILE}`);
}

if (require.main === module) main();
