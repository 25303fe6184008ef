/**
 * The contract between the platform and the Rails app, checked both ways on the files the app's team copies
 * (examples/rails): every environment variable they read is one the synthesized task definition of each
 * checked-in environment sets (as a variable or a secret), and every variable and secret a task definition sets is
 * read there or documented in docs/rails.md. A variable renamed on one side, or one the stack stops setting, fails
 * here, not in the first release.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { StackView } from "../rules/stack-view";
import { ROOT, synthCheckedIn, synthEnvironmentFile } from "./environment-stacks";

const EXAMPLES = join(ROOT, "examples", "rails");
const ENVIRONMENTS = ["production", "staging", "local", "localwest"];

/** Every file of a folder, recursively. */
function filesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesIn(path) : [path];
  });
}

interface Read {
  readonly file: string;
  readonly name: string;
  /** `ENV.fetch("X")` without a default: the app does not start without it. */
  readonly required: boolean;
}

/** `ENV.fetch("X")`, `ENV.fetch("X", default)`, `ENV["X"]`, `ENV.key?("X")`. */
const ENV_READ = /ENV(\.fetch\(|\[|\.key\?\()\s*"([A-Z][A-Z0-9_]*)"(\s*,)?/g;

/** The variables the Ruby and YAML (ERB) files read; any other way of touching ENV is refused. */
function readsOf(files: string[]): Read[] {
  const reads: Read[] = [];
  for (const file of files.filter((f) => /\.(rb|yml)$/.test(f))) {
    const text = readFileSync(file, "utf8");
    const found = [...text.matchAll(ENV_READ)];
    const mentions = text.match(/\bENV\b/g) ?? [];
    if (mentions.length !== found.length) {
      throw new Error(
        `${relative(ROOT, file)} touches ENV in a way this test cannot read; name each variable`,
      );
    }
    for (const [, how, name, withDefault] of found) {
      reads.push({ file: relative(EXAMPLES, file), name, required: how === ".fetch(" && !withDefault });
    }
  }
  return reads;
}

/** Names the task definition sets in the app container: its variables and its secrets. */
function setBy(environment: string): { variables: string[]; secrets: string[] } {
  const synthesized = environment.endsWith(".json")
    ? synthEnvironmentFile(join(__dirname, "fixtures", "environments", environment))
    : synthCheckedIn(environment);
  const stack = new StackView(JSON.parse(synthesized.text));
  const [container] = JSON.parse(stack.only("aws_ecs_task_definition").block.container_definitions);
  return {
    variables: container.environment.map((e: { name: string }) => e.name),
    secrets: container.secrets.map((s: { name: string }) => s.name),
  };
}

/** The names docs/rails.md documents: the first cell of a table row, `NAME`. */
function documented(): Set<string> {
  const text = readFileSync(join(ROOT, "docs", "rails.md"), "utf8");
  return new Set([...text.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]));
}

describe("the Rails app's contract (examples/rails and docs/rails.md against the task definitions)", () => {
  const reads = readsOf(filesIn(EXAMPLES));
  const names = [...new Set(reads.map((r) => r.name))].sort();

  it("finds the variables the examples read (the database, the bucket, the health check, mail)", () => {
    expect(names).toEqual(
      expect.arrayContaining([
        "DATABASE_HOST",
        "DATABASE_PASSWORD",
        "UPLOADS_BUCKET",
        "HEALTH_CHECK_PATH",
        "MAIL_FROM",
      ]),
    );
    expect(names).not.toContain("DATABASE_URL");
  });

  it.each(ENVIRONMENTS)("%s sets every variable the examples read", (environment) => {
    const { variables, secrets } = setBy(environment);
    const set = new Set([...variables, ...secrets]);
    expect(names.filter((name) => !set.has(name))).toEqual([]);
  });

  it.each(["throwaway.json"])(
    "an environment without mail (test/fixtures/environments/%s) sets every variable the examples require; MAIL_FROM, which it lacks, is read only as optional",
    (environment) => {
      const { variables, secrets } = setBy(environment);
      const set = new Set([...variables, ...secrets]);
      expect(names.filter((name) => !set.has(name))).toEqual(["MAIL_FROM"]);
      expect(reads.filter((r) => r.name === "MAIL_FROM" && r.required)).toEqual([]);
    },
  );

  it.each(ENVIRONMENTS)(
    "every variable and secret %s sets is read by the examples or documented",
    (environment) => {
      const { variables, secrets } = setBy(environment);
      const known = new Set([...names, ...documented()]);
      expect([...variables, ...secrets].filter((name) => !known.has(name))).toEqual([]);
    },
  );

  it("documents every variable and secret production hands the app for the platform", () => {
    const platform = [
      ...["APP_DOMAIN", "PORT", "HEALTH_CHECK_PATH", "AWS_REGION"],
      ...["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USERNAME", "DATABASE_PASSWORD"],
      ...["UPLOADS_BUCKET", "UPLOADS_EXPIRE_DAYS", "UPLOADS_MAX_BYTES", "MAIL_FROM", "RAILS_MASTER_KEY"],
    ];
    const { variables, secrets } = setBy("production");
    expect(platform.filter((name) => ![...variables, ...secrets].includes(name))).toEqual([]);
    const docs = documented();
    expect(platform.filter((name) => !docs.has(name))).toEqual([]);
  });
});
