import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  COMMENT_MARKER,
  main,
  parsePlanJson,
  parseStackArg,
  PlanFormatError,
  renderComment,
  statefulLosses,
  summarizePlan,
  type Io,
  type PlanSummary,
} from "../scripts/plan-summary";

// Real `terraform show -json` output from scripts/make-plan-fixtures.sh (Terraform 1.11, aws 5.100, moto).
const FIXTURES = join(__dirname, "fixtures", "plans");
const fixturePath = (name: string): string => join(FIXTURES, name);
const fixture = (name: string): PlanSummary =>
  summarizePlan(JSON.parse(readFileSync(fixturePath(`${name}.json`), "utf8")));

const noCautionFor = (comment: string): boolean => !comment.includes("[!CAUTION]");

describe("summarizePlan on real plans", () => {
  it.each([
    ["no-change", { add: 0, change: 0, destroy: 0, replace: 0 }],
    ["update", { add: 0, change: 2, destroy: 0, replace: 0 }],
    ["create", { add: 1, change: 0, destroy: 0, replace: 0 }],
    ["destroy", { add: 0, change: 0, destroy: 1, replace: 0 }],
    ["replace-db", { add: 1, change: 0, destroy: 1, replace: 1 }],
    ["destroy-bucket", { add: 0, change: 0, destroy: 1, replace: 0 }],
    ["mixed", { add: 2, change: 2, destroy: 2, replace: 1 }],
  ])("%s has the counts Terraform prints", (name, expected) => {
    expect(fixture(name).counts).toEqual({ ...expected, import: 0, forget: 0 });
  });

  it("matches the summary line of Terraform's own text plan", () => {
    const text = readFileSync(fixturePath("mixed.txt"), "utf8");
    const { add, change, destroy } = fixture("mixed").counts;
    expect(text).toContain(`Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`);
  });

  it("ignores no-op resources and drift, listing only real changes", () => {
    expect(fixture("no-change").changes).toEqual([]);
    expect(fixture("mixed").changes.map((c) => [c.kind, c.address])).toEqual([
      ["replace", "aws_db_instance.main"],
      ["update", "aws_s3_bucket.uploads[0]"],
      ["update", "aws_security_group.db"],
      ["delete", "aws_sns_topic.alerts[0]"],
      ["create", "aws_sqs_queue.jobs[0]"],
    ]);
  });

  it("records which attribute forces the database replacement", () => {
    const [db] = fixture("replace-db").changes;
    expect(db).toMatchObject({
      address: "aws_db_instance.main",
      kind: "replace",
      createBeforeDestroy: false,
    });
    expect(db.replacedBecause).toContain("storage_encrypted");
  });

  it("treats a replaced database and a destroyed bucket as stateful losses", () => {
    expect(statefulLosses(fixture("replace-db")).map((c) => c.address)).toEqual(["aws_db_instance.main"]);
    expect(statefulLosses(fixture("destroy-bucket")).map((c) => c.address)).toEqual([
      "aws_s3_bucket.uploads[0]",
    ]);
  });

  it("does not treat an in-place update of a bucket, or a destroyed SNS topic, as a stateful loss", () => {
    expect(fixture("update").changes.map((c) => c.type)).toContain("aws_s3_bucket");
    expect(statefulLosses(fixture("update"))).toEqual([]);
    expect(statefulLosses(fixture("destroy"))).toEqual([]);
  });
});

describe("renderComment", () => {
  it("starts with the marker so the workflow can find and update the comment", () => {
    const comment = renderComment([{ name: "myamazingapp-staging", summary: fixture("no-change") }]);
    expect(comment.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(COMMENT_MARKER).toBe("<!-- myamazingapp-plan-summary -->");
  });

  it("uses the marker the plan report searches for", () => {
    const report = readFileSync(join(__dirname, "..", "scripts", "ci", "report-plan.sh"), "utf8");
    expect(report).toContain(`readonly MARKER="${COMMENT_MARKER}"`);
  });

  it("puts a caution naming the replaced database above everything else", () => {
    const comment = renderComment([
      { name: "myamazingapp-staging", summary: fixture("create") },
      { name: "myamazingapp-production", summary: fixture("replace-db") },
    ]);
    const lines = comment.split("\n");
    expect(lines[1]).toBe("> [!CAUTION]");
    const caution = lines.slice(1, lines.indexOf("")).join("\n");
    expect(caution).toContain("`myamazingapp-production`: **REPLACE** `aws_db_instance.main`");
    expect(caution).toContain("forced by `storage_encrypted`");
    expect(caution).not.toContain("myamazingapp-staging");
    expect(comment.indexOf("[!CAUTION]")).toBeLessThan(comment.indexOf("## Terraform plan"));
  });

  it("flags a destroyed bucket as DESTROY", () => {
    const comment = renderComment([{ name: "s", summary: fixture("destroy-bucket") }]);
    expect(comment).toMatch(/^> - `s`: \*\*DESTROY\*\* `aws_s3_bucket\.uploads\[0\]`/m);
  });

  it("counts a non-stateful destroy without raising the caution", () => {
    const comment = renderComment([{ name: "s", summary: fixture("destroy") }]);
    expect(noCautionFor(comment)).toBe(true);
    expect(comment).toContain("**Plan: 0 to add, 0 to change, 1 to destroy.**");
    expect(comment).toContain("| `-` destroy | `aws_sns_topic.alerts[0]` | index out of range for count |");
  });

  it("shows replaces as their own count next to Terraform's numbers", () => {
    const comment = renderComment([{ name: "myamazingapp-staging", summary: fixture("mixed") }]);
    expect(comment).toContain("**Plan: 2 to add, 2 to change, 2 to destroy.** Of these, **1 is a replace**");
    expect(comment).toContain("| `myamazingapp-staging` | 2 | 2 | 2 | 1 |");
    expect(comment).toMatch(
      /\| `-\/\+` replace \| `aws_db_instance\.main` \| forced by `storage_encrypted`; \*\*stateful\*\*/,
    );
  });

  it("says so when a stack has no changes", () => {
    const comment = renderComment([{ name: "myamazingapp-production", summary: fixture("no-change") }]);
    expect(comment).toContain("No changes. Infrastructure matches the configuration.");
    expect(comment).not.toContain("Plan:");
    expect(noCautionFor(comment)).toBe(true);
  });

  it("collapses the text plan in <details>", () => {
    const planText = readFileSync(fixturePath("mixed.txt"), "utf8");
    const comment = renderComment([{ name: "s", summary: fixture("mixed"), planText }]);
    const details = comment.slice(comment.indexOf("<details>"), comment.indexOf("</details>"));
    expect(details).toContain("```text\n");
    expect(details).toContain("# aws_sqs_queue.jobs[0] will be created");
  });

  it("strips terminal colours from a plan made without -no-color", () => {
    const planText = "\u001b[1m  # aws_sqs_queue.jobs[0]\u001b[0m will be created\n";
    const comment = renderComment([{ name: "s", summary: fixture("create"), planText }]);
    expect(comment).toContain("  # aws_sqs_queue.jobs[0] will be created\n");
    expect(comment).not.toContain("\u001b");
  });

  it("cuts a huge text plan to stay under GitHub's comment limit, keeping the caution", () => {
    const planText = readFileSync(fixturePath("mixed.txt"), "utf8").repeat(100);
    const comment = renderComment([{ name: "s", summary: fixture("mixed"), planText }], { maxChars: 20_000 });
    expect(comment.length).toBeLessThanOrEqual(20_000);
    expect(comment).toContain("more lines cut to fit a GitHub comment");
    expect(comment).toContain("[!CAUTION]");
  });

  it("shows a stack whose plan failed as failed, next to the stacks that planned", () => {
    const comment = renderComment(
      [
        { name: "myamazingapp-staging", summary: fixture("replace-db") },
        { name: "myamazingapp-production", failed: true },
      ],
      { runUrl: "https://example.com/run/1" },
    );
    const lines = comment.split("\n");
    // The caution about known losses stays first; the unknown plan is called out right after it.
    expect(lines[1]).toBe("> [!CAUTION]");
    expect(comment.indexOf("[!CAUTION]")).toBeLessThan(comment.indexOf("**Plan failed for"));
    expect(comment.indexOf("**Plan failed for")).toBeLessThan(comment.indexOf("## Terraform plan"));
    expect(comment).toContain(
      "> **Plan failed for `myamazingapp-production`**: what this change does there is unknown; " +
        "see the [workflow run](https://example.com/run/1).",
    );
    expect(comment).toContain("| `myamazingapp-production` | **plan failed** | – | – | – |");
    expect(comment).toContain("| `myamazingapp-staging` | 1 | 0 | 1 | 1 |");
    const section = comment.slice(comment.indexOf("### `myamazingapp-production`"));
    expect(section).toContain("The plan for this stack did not complete, so its changes are unknown.");
    expect(section).not.toContain("No changes.");
  });

  it("renders a comment when every plan failed", () => {
    const comment = renderComment([
      { name: "a", failed: true },
      { name: "b", failed: true },
    ]);
    expect(comment.startsWith(`${COMMENT_MARKER}\n> [!WARNING]\n`)).toBe(true);
    expect(comment).toContain("**Plan failed for `a`, `b`**");
    expect(noCautionFor(comment)).toBe(true);
    expect(comment).not.toContain("Plan:");
  });

  it("keeps addresses with backticks or pipes from breaking the Markdown", () => {
    const summary = fixture("destroy");
    summary.changes[0] = { ...summary.changes[0], address: 'aws_sns_topic.t["a|`b"]' };
    expect(renderComment([{ name: "s", summary }])).toContain('| `` aws_sns_topic.t["a\\|`b"] `` |');
  });
});

describe("malformed input", () => {
  it("names the file when the JSON does not parse", () => {
    expect(() => parsePlanJson("{not json", "plans/staging.json")).toThrow(PlanFormatError);
    expect(() => parsePlanJson("{not json", "plans/staging.json")).toThrow(
      /plans\/staging\.json is not valid JSON/,
    );
    expect(() => parsePlanJson("  \n", "empty.json")).toThrow(/empty\.json is empty/);
  });

  it("rejects JSON that is not a Terraform plan", () => {
    expect(() => summarizePlan([])).toThrow(/not an object/);
    expect(() => summarizePlan({ resource_changes: [] })).toThrow(/no "format_version"/);
    expect(() => summarizePlan({ format_version: "1.0", values: {} })).toThrow(/looks like Terraform state/);
    expect(() => summarizePlan({ format_version: "2.0", resource_changes: [] })).toThrow(/not supported/);
  });

  it("rejects a resource change it cannot read instead of skipping it", () => {
    const plan = JSON.parse(readFileSync(fixturePath("destroy.json"), "utf8"));
    plan.resource_changes[3].change.actions = "delete";
    expect(() => summarizePlan(plan)).toThrow(/aws_sns_topic\.alerts\[0\]: "change\.actions" is not a list/);
    plan.resource_changes[3].change.actions = ["obliterate"];
    expect(() => summarizePlan(plan)).toThrow(/unrecognised actions \[obliterate\]/);
  });
});

describe("command line", () => {
  function run(argv: string[]): { code: number; stdout: string; stderr: string } {
    let stdout = "";
    let stderr = "";
    const io: Io = {
      readFile: (path) => readFileSync(path, "utf8"),
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    };
    return { code: main(argv, io), stdout, stderr };
  }

  it("splits <stack>=<plan.json>:<plan.txt>", () => {
    expect(parseStackArg("a=x/p.json:x/p.txt")).toEqual({
      name: "a",
      jsonPath: "x/p.json",
      textPath: "x/p.txt",
    });
    expect(parseStackArg("a=p.json")).toEqual({ name: "a", jsonPath: "p.json" });
  });

  it("prints one comment for several stacks", () => {
    const result = run([
      "--commit=0123456789abcdef0123",
      `myamazingapp-staging=${fixturePath("mixed.json")}:${fixturePath("mixed.txt")}`,
      `myamazingapp-production=${fixturePath("no-change.json")}`,
    ]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split(COMMENT_MARKER)).toHaveLength(2);
    expect(result.stdout).toContain("### `myamazingapp-production`");
    expect(result.stdout).toContain("Planned at `0123456789ab`");
  });

  it("takes --failed=<stack> for a stack whose plan did not complete", () => {
    const result = run([
      `myamazingapp-staging=${fixturePath("no-change.json")}`,
      "--failed=myamazingapp-production",
    ]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("| `myamazingapp-production` | **plan failed** | – | – | – |");
    expect(result.stdout).toContain("### `myamazingapp-staging`");
    // Only failed stacks is still a comment: the PR must not keep showing an older plan.
    expect(run(["--failed=myamazingapp-staging"]).stdout).toContain("**Plan failed for");
  });

  it("refuses an empty --failed or a stack given both as planned and failed", () => {
    expect(run(["--failed="])).toMatchObject({ code: 2 });
    expect(run(["--failed="]).stderr).toContain("--failed needs a stack name");
    const both = run([`s=${fixturePath("no-change.json")}`, "--failed=s"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('stack "s" given twice');
  });

  it("exits non-zero with a clear message for a missing file", () => {
    const result = run([`staging=${join(FIXTURES, "nope.json")}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^plan-summary: stack "staging": cannot read plan JSON .*nope\.json \(ENOENT\)/,
    );
  });

  it("exits non-zero for a file that is not JSON", () => {
    const result = run([`staging=${fixturePath("mixed.txt")}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^plan-summary: stack "staging": .*mixed\.txt is not valid JSON \(.*\)\n$/);
  });

  it("exits with a usage error when given nothing or a bad argument", () => {
    expect(run([]).code).toBe(2);
    expect(run(["staging"]).stderr).toContain('expected <stack>=<plan.json>[:<plan.txt>], got "staging"');
  });
});

describe("a plan of the project's own local stack, from the emulator (scripts/make-local-stack-fixture.sh)", () => {
  const summary = fixture("local-stack");
  const text = readFileSync(fixturePath("local-stack.txt"), "utf8");

  it("counts what Terraform counts", () => {
    const { add, change, destroy } = summary.counts;
    expect(text).toContain(`Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`);
    expect(summary.counts.replace).toBe(2);
  });

  it("flags the database replacement, and only stateful resources, at the top of the comment", () => {
    expect(statefulLosses(summary).map((c) => c.type)).toEqual(["aws_db_instance"]);
    const comment = renderComment([{ name: "myamazingapp-local", summary, planText: text }]);
    const caution = comment.slice(0, comment.indexOf("\n\n", comment.indexOf("[!CAUTION]")));
    expect(caution).toContain("aws_db_instance.database_postgres_3F7927C4");
    expect(caution).not.toContain("aws_cloudwatch_metric_alarm");
    expect(caution).not.toContain("aws_ecs_task_definition");
  });

  it("lists the removed alarm as a plain destroy", () => {
    expect(summary.changes.find((c) => c.type === "aws_cloudwatch_metric_alarm")?.kind).toBe("delete");
  });
});
