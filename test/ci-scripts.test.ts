/**
 * The scripts the GitHub workflows run (scripts/ci), executed with `terraform` and `gh` replaced by stubs that
 * record their calls: what Terraform runs on with credentials, what the plan report tells branch protection and
 * the pull request, and how drift becomes an issue. The workflows themselves are checked by actionlint and
 * test/workflows.test.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { plannedEnvironments } from "../scripts/ci/environments";
import { summarizePlan } from "../scripts/plan-summary";
import { type Call, type Rule, runScript, type ScriptRun } from "./delivery-script-runner";
import { ROOT, synthCheckedIn } from "./environment-stacks";
import type { Block } from "./helpers";

const CI = join(ROOT, "scripts", "ci");
const fixture = (file: string) => readFileSync(join(__dirname, "fixtures", "plans", file), "utf8");

const REPO = "cdlib/myamazingapp-infra";
const HEAD = "0123456789abcdef0123456789abcdef01234567";
const MARKER = "<!-- myamazingapp-plan-summary -->";
const ENVIRONMENTS = JSON.stringify(plannedEnvironments(join(ROOT, "environments")));

/** Files without one of them. */
const without = (files: Record<string, string>, name: string) =>
  Object.fromEntries(Object.entries(files).filter(([file]) => file !== name));

/** The `-f`/`-F` fields of a gh api call, a `name=@file` field read from the file as gh would. */
function fields(call: Call): Record<string, string> {
  const out: Record<string, string> = {};
  call.args.forEach((arg, i) => {
    if (call.args[i - 1] !== "-f" && call.args[i - 1] !== "-F") return;
    const [name, value] = [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)];
    out[name] = value.startsWith("@") ? call.files[value.slice(1)] : value;
  });
  return out;
}

describe("the environments CI plans (scripts/ci/environments.ts)", () => {
  it("are the environments with githubActions, with the repository variables the GitHub stack sets", () => {
    expect(JSON.parse(ENVIRONMENTS)).toEqual([
      {
        name: "production",
        stack: "myamazingapp-production",
        account: "111111111111",
        roleVariable: "AWS_PLAN_ROLE_ARN_PRODUCTION",
        regionVariable: "AWS_REGION_PRODUCTION",
      },
      {
        name: "staging",
        stack: "myamazingapp-staging",
        account: "222222222222",
        roleVariable: "AWS_PLAN_ROLE_ARN_STAGING",
        regionVariable: "AWS_REGION_STAGING",
      },
    ]);
  });
});

describe("Terraform on a synthesized stack, with credentials (scripts/ci/stack.sh)", () => {
  const DIR = "stacks/myamazingapp-staging";
  const staging = synthCheckedIn("staging").text;
  const terraform = (planExit: number): Rule[] => [
    { match: `-chdir=${DIR} init`, stdout: "" },
    { match: `-chdir=${DIR} plan`, exit: planExit },
    { match: `-chdir=${DIR} show -json plan.out`, stdout: fixture("mixed.json") },
    { match: `-chdir=${DIR} show -no-color plan.out`, stdout: fixture("mixed.txt") },
    { match: `-chdir=${DIR} apply`, stdout: "Apply complete!" },
  ];
  const run = (args: string[], planExit = 2, stack = staging): ScriptRun =>
    runScript(join(CI, "stack.sh"), {
      args,
      commands: ["terraform"],
      env: {},
      scenario: { terraform: terraform(planExit) },
      files: { [`${DIR}/cdk.tf.json`]: stack },
    });
  const out = (r: ScriptRun, ext: string) =>
    readFileSync(join(r.dir, "out", `myamazingapp-staging.${ext}`), "utf8");

  it("plans without the state lock, and records that the plan has changes (exit code 2)", () => {
    const planned = run(["plan", DIR, "out"], 2);
    expect(planned.code).toBe(0);
    expect(out(planned, "exitcode")).toBe("2\n");
    expect(out(planned, "txt")).toBe(fixture("mixed.txt"));
    expect(planned.calls.map((c) => c.args.slice(1, 2)[0])).toEqual(["init", "plan", "show", "show"]);
    expect(planned.callsTo("terraform", `-chdir=${DIR} plan`)[0].args).toEqual(
      expect.arrayContaining(["-lock=false", "-detailed-exitcode", "-input=false"]),
    );
  });

  it("keeps of the plan's JSON only what the summary reads: the same summary, no attribute values", () => {
    const whole = JSON.parse(fixture("mixed.json"));
    const cut = JSON.parse(out(run(["plan", DIR, "out"]), "json"));
    expect(summarizePlan(cut)).toEqual(summarizePlan(whole));
    // The fixture's database password is in the whole plan; the artifact anyone with read access can
    // download must not carry it.
    expect(JSON.stringify(whole)).toContain("fixture-only-not-a-secret");
    expect(JSON.stringify(cut)).not.toContain("fixture-only-not-a-secret");
    expect(Object.keys(cut).sort()).toEqual([
      "complete",
      "cost_context",
      "errored",
      "format_version",
      "output_changes",
      "resource_changes",
      "terraform_version",
    ]);
  });

  it("adds the environment's region and usage assumptions when its file is named, for the plan's cost", () => {
    const production = JSON.parse(readFileSync(join(ROOT, "environments", "production.json"), "utf8"));
    const planned = runScript(join(CI, "stack.sh"), {
      args: ["plan", DIR, "out", "production.json"],
      commands: ["terraform"],
      env: {},
      scenario: { terraform: terraform(2) },
      files: { [`${DIR}/cdk.tf.json`]: staging, "production.json": JSON.stringify(production) },
    });
    expect(planned.code).toBe(0);
    const cut = JSON.parse(out(planned, "json"));
    expect(cut.cost_context).toEqual({ region: production.region, usage: production.cost.usage });
    expect(JSON.stringify(cut)).not.toContain("fixture-only-not-a-secret");
    expect(JSON.parse(out(run(["plan", DIR, "out"]), "json")).cost_context).toBeNull();
  });

  it("records a plan without changes as exit code 0", () => {
    const planned = run(["plan", DIR, "out"], 0);
    expect(planned.code).toBe(0);
    expect(out(planned, "exitcode")).toBe("0\n");
  });

  it("fails on a failed plan and leaves no exit code, so the reports count the plan as missing", () => {
    const failed = run(["plan", DIR, "out"], 1);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("terraform plan of myamazingapp-staging failed (exit 1)");
    expect(existsSync(join(failed.dir, "out", "myamazingapp-staging.exitcode"))).toBe(false);
  });

  it("applies a stack for the deploy", () => {
    const applied = run(["apply", DIR]);
    expect(applied.code).toBe(0);
    expect(applied.calls.map((c) => c.args.join(" "))).toEqual([
      `-chdir=${DIR} init -input=false -no-color`,
      `-chdir=${DIR} apply -input=false -no-color -auto-approve`,
    ]);
  });

  const changed = (change: (stack: Block) => void): string => {
    const stack = JSON.parse(staging);
    change(stack);
    return JSON.stringify(stack);
  };
  it.each<[string, string, RegExp]>([
    [
      "the emulator's stack (its key, and its state in the emulator)",
      synthCheckedIn("local").text,
      /the aws provider sets access_key(.|\n)*the s3 backend sets endpoints/,
    ],
    [
      "custom endpoints on the provider",
      changed((s) => (s.provider.aws[0].endpoints = [{ sts: "https://example.com" }])),
      /the aws provider sets endpoints/,
    ],
    [
      "a proxy on the provider",
      changed((s) => (s.provider.aws[0].https_proxy = "http://example.com:3128")),
      /the aws provider sets https_proxy/,
    ],
    [
      "a config file on the provider (it can hold an endpoint_url)",
      changed((s) => (s.provider.aws[0].shared_config_files = ["./aws-config"])),
      /the aws provider sets shared_config_files/,
    ],
    [
      "a custom endpoint on the state backend",
      changed((s) => (s.terraform.backend.s3.endpoints = { s3: "https://example.com" })),
      /the s3 backend sets endpoints/,
    ],
    [
      "an external data source (runs a program)",
      changed((s) => (s.data = { ...s.data, external: { x: { program: ["sh", "-c", "env"] } } })),
      /external \(not an AWS provider type\)/,
    ],
    [
      "a module",
      changed((s) => (s.module = { m: { source: "git::https://example.com/m.git" } })),
      /module m/,
    ],
    [
      "another provider",
      changed((s) => (s.terraform.required_providers.http = { source: "hashicorp/http" })),
      /required provider http from hashicorp\/http/,
    ],
    [
      "the AWS provider from another source",
      changed((s) => (s.terraform.required_providers.aws.source = "evil/aws")),
      /required provider aws from evil\/aws/,
    ],
  ])("refuses %s before Terraform runs", (_what, stack, problem) => {
    for (const args of [
      ["plan", DIR, "out"],
      ["apply", DIR],
    ]) {
      const refused = run(args, 2, stack);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(problem);
      expect(refused.calls).toEqual([]);
    }
  });
});

describe("the plan report: the comment and the required `plan` status (scripts/ci/report-plan.sh)", () => {
  const API = `api repos/${REPO}`;
  /** The answers of GitHub: the pull request #42 at HEAD, its comments, and the statuses of HEAD. */
  const github = (opts: { comments?: unknown[]; statuses?: unknown[]; prHead?: string } = {}): Rule[] => [
    {
      match: `${API}/pulls?state=open&head=${opts.prHead ? "someone" : "cdlib"}%3Afeature%2Fplan&per_page=100`,
      stdout: [
        { number: 41, head: { sha: "f".repeat(40) } },
        { number: 42, head: { sha: HEAD } },
      ],
    },
    { match: `${API}/pulls/42`, stdout: { number: 42, state: "open", head: { sha: opts.prHead ?? HEAD } } },
    { match: `api --paginate repos/${REPO}/issues/42/comments?per_page=100`, stdout: opts.comments ?? [] },
    { match: `${API}/commits/${HEAD}/statuses?per_page=100`, stdout: opts.statuses ?? [] },
    { match: `api --method POST repos/${REPO}/issues/42/comments`, stdout: {} },
    { match: `api --method PATCH repos/${REPO}/issues/comments`, stdout: {} },
    { match: `api --method POST repos/${REPO}/statuses/${HEAD}`, stdout: {} },
  ];
  const PLANS: Record<string, string> = {
    "plans/myamazingapp-production.json": fixture("mixed.json"),
    "plans/myamazingapp-production.txt": fixture("mixed.txt"),
    "plans/myamazingapp-staging.json": fixture("no-change.json"),
    "plans/myamazingapp-staging.txt": "No changes. Your infrastructure matches the configuration.\n",
  };
  const report = (
    env: Record<string, string>,
    opts: { files?: Record<string, string>; gh?: Rule[] } = {},
  ): ScriptRun =>
    runScript(join(CI, "report-plan.sh"), {
      commands: ["gh"],
      env: {
        REPO,
        HEAD_SHA: HEAD,
        ENVIRONMENTS,
        PLANS_DIR: "plans",
        RUN_URL: "https://github.com/cdlib/myamazingapp-infra/actions/runs/7",
        SOURCE: "pull_request",
        HEAD_REPOSITORY: REPO,
        HEAD_BRANCH: "feature/plan",
        CONCLUSION: "success",
        ...env,
      },
      scenario: { gh: opts.gh ?? github() },
      files: opts.files ?? PLANS,
    });
  const statuses = (r: ScriptRun) =>
    r.callsTo("gh", `api --method POST repos/${REPO}/statuses/${HEAD}`).map(fields);
  const comments = (r: ScriptRun) =>
    [
      ...r.callsTo("gh", `api --method POST repos/${REPO}/issues/42/comments`),
      ...r.callsTo("gh", `api --method PATCH repos/${REPO}/issues/comments`),
    ].map((c) => fields(c).body);

  it("passes the required check when every environment has a plan, and comments the summary", () => {
    const reported = report({});
    expect(reported.code).toBe(0);
    expect(statuses(reported)).toEqual([
      {
        state: "success",
        context: "plan",
        description: "Planned: production, staging",
        target_url: "https://github.com/cdlib/myamazingapp-infra/actions/runs/7",
      },
    ]);
    const [comment] = comments(reported);
    expect(comment.startsWith(`${MARKER}\n> [!CAUTION]\n`)).toBe(true);
    expect(comment).toContain("`myamazingapp-production`: **REPLACE** `aws_db_instance.main`");
    expect(comment).toContain("| `myamazingapp-staging` | 0 | 0 | 0 | 0 |");
    expect(comment).toContain("Planned at `0123456789ab`");
  });

  it("fails the check, naming the environment, when a plan is missing", () => {
    const withoutStaging = without(PLANS, "plans/myamazingapp-staging.json");
    const reported = report({ CONCLUSION: "failure" }, { files: withoutStaging });
    expect(statuses(reported).map((s) => [s.state, s.description])).toEqual([
      ["failure", "No plan for myamazingapp-staging"],
    ]);
    expect(comments(reported)[0]).toContain("**Plan failed for `myamazingapp-staging`**");
  });

  it("fails the check when a plan cannot be summarized, and says so in the comment", () => {
    const reported = report({}, { files: { ...PLANS, "plans/myamazingapp-production.json": "{not json" } });
    expect(reported.code).toBe(1);
    expect(statuses(reported).map((s) => s.state)).toEqual(["failure"]);
    expect(comments(reported)[0]).toContain("could not be summarized");
  });

  it("keeps a fork's check pending whatever files its run left, and tells maintainers what to run", () => {
    const reported = report(
      { HEAD_REPOSITORY: "someone/myamazingapp-infra" },
      { gh: github({ prHead: HEAD }) },
    );
    expect(reported.code).toBe(0);
    expect(statuses(reported).map((s) => [s.state, s.context])).toEqual([["pending", "plan"]]);
    const [comment] = comments(reported);
    expect(comment.startsWith(`${MARKER}\n`)).toBe(true);
    expect(comment).toContain("this pull request comes from a fork");
    expect(comment).toContain(`**#42** and commit \`${HEAD}\``);
    // Its "plans" were never read: the comment holds no summary of them.
    expect(comment).not.toContain("Terraform plan");
  });

  it("leaves a maintainer's verdict on a fork's commit as it is", () => {
    const gh = github({ prHead: HEAD, statuses: [{ context: "plan", state: "success" }] });
    const reported = report({ HEAD_REPOSITORY: "someone/myamazingapp-infra" }, { gh });
    expect(reported.code).toBe(0);
    expect(statuses(reported)).toEqual([]);
    expect(comments(reported)).toEqual([]);
  });

  it("reports nothing for a run cancelled by a newer push", () => {
    const reported = report({ CONCLUSION: "cancelled" });
    expect(reported.code).toBe(0);
    expect(reported.calls).toEqual([]);
  });

  it("updates its own comment in place, never another author's that carries the marker", () => {
    const comments_ = [
      { id: 5, user: { login: "mallory" }, body: `${MARKER}\nall fine` },
      { id: 99, user: { login: "github-actions[bot]" }, body: `${MARKER}\nolder plan` },
    ];
    const reported = report({}, { gh: github({ comments: comments_ }) });
    expect(reported.callsTo("gh", `api --method PATCH repos/${REPO}/issues/comments/99`)).toHaveLength(1);
    expect(reported.callsTo("gh", `api --method PATCH repos/${REPO}/issues/comments/5`)).toEqual([]);
    expect(reported.callsTo("gh", `api --method POST repos/${REPO}/issues/42/comments`)).toEqual([]);
  });

  it("shows the plan of an environment the pull request adds, which the base branch does not know", () => {
    const files = {
      ...PLANS,
      "plans/myamazingapp-qa.json": fixture("create.json"),
      "plans/myamazingapp-qa.txt": "  # aws_sqs_queue.jobs[0] will be created\n",
    };
    const reported = report({}, { files });
    expect(comments(reported)[0]).toContain("| `myamazingapp-qa` | 1 | 0 | 0 | 0 |");
    expect(statuses(reported).map((s) => s.state)).toEqual(["success"]);
  });

  it("passes a fork's check once a maintainer planned the reviewed commit", () => {
    const reported = report({
      SOURCE: "maintainer",
      PULL_REQUEST: "42",
      HEAD_REPOSITORY: "",
      HEAD_BRANCH: "",
    });
    expect(reported.code).toBe(0);
    expect(statuses(reported).map((s) => s.state)).toEqual(["success"]);
    expect(comments(reported)[0]).toContain("## Terraform plan");
  });

  it("refuses a maintainer's plan of a pull request that moved on since the review", () => {
    const reported = report(
      { SOURCE: "maintainer", PULL_REQUEST: "42" },
      { gh: github({ prHead: "e".repeat(40) }) },
    );
    expect(reported.code).toBe(1);
    expect(reported.stderr).toContain("review the new commits, then plan again");
    expect(statuses(reported)).toEqual([]);
    expect(comments(reported)).toEqual([]);
  });
});

describe("a maintainer's request to plan a fork (scripts/ci/reviewed-commit.sh)", () => {
  const request = (env: Record<string, string>, head = HEAD): ScriptRun =>
    runScript(join(CI, "reviewed-commit.sh"), {
      commands: ["gh"],
      env: { REPO, REF: "refs/heads/main", PULL_REQUEST: "42", COMMIT: HEAD, ...env },
      scenario: {
        gh: [
          {
            match: `api repos/${REPO}/pulls/42`,
            stdout: { state: "open", head: { sha: head, repo: { full_name: "someone/myamazingapp-infra" } } },
          },
        ],
      },
    });

  it("plans the reviewed head of an open pull request", () => {
    const ok = request({});
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Planning #42 from someone/myamazingapp-infra at ${HEAD}`);
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    ["run from a branch", { REF: "refs/heads/feature" }, HEAD, /Run this workflow from main/],
    ["an abbreviated commit", { COMMIT: HEAD.slice(0, 12) }, HEAD, /not a full commit SHA/],
    ["a pull request that moved on", {}, "e".repeat(40), /is at e{40}, not at the reviewed/],
  ])("refuses %s", (_what, env, head, message) => {
    const refused = request(env, head);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(message);
  });
});

describe("drift: one issue per environment (scripts/ci/report-drift.sh)", () => {
  const PROD_MARKER = "<!-- myamazingapp-drift: production -->";
  const STAGING_MARKER = "<!-- myamazingapp-drift: staging -->";
  const github = (open: unknown[], labelExists = true): Rule[] => [
    { match: `api --paginate repos/${REPO}/issues?state=open&labels=drift&per_page=100`, stdout: open },
    { match: `api repos/${REPO}/labels/drift`, exit: labelExists ? 0 : 1, stdout: {} },
    { match: `api --method POST repos/${REPO}/labels`, stdout: {} },
    { match: `api --method POST repos/${REPO}/issues`, stdout: { number: 30 } },
    ...[12, 13, 14, 20].flatMap((n): Rule[] => [
      { match: `api --method PATCH repos/${REPO}/issues/${n}`, stdout: {} },
      { match: `api --method POST repos/${REPO}/issues/${n}/comments`, stdout: {} },
    ]),
  ];
  /** Plan results as scripts/ci/stack.sh leaves them: production drifted, staging did not. */
  const RESULTS: Record<string, string> = {
    "plans/myamazingapp-production.json": fixture("mixed.json"),
    "plans/myamazingapp-production.txt": fixture("mixed.txt"),
    "plans/myamazingapp-production.exitcode": "2\n",
    "plans/myamazingapp-staging.json": fixture("no-change.json"),
    "plans/myamazingapp-staging.txt": "No changes.\n",
    "plans/myamazingapp-staging.exitcode": "0\n",
  };
  const report = (gh: Rule[], files = RESULTS, plansDir = "plans"): ScriptRun =>
    runScript(join(CI, "report-drift.sh"), {
      commands: ["gh"],
      env: {
        REPO,
        COMMIT: HEAD,
        RUN_URL: "https://github.com/cdlib/myamazingapp-infra/actions/runs/8",
        ENVIRONMENTS,
        PLANS_DIR: plansDir,
      },
      scenario: { gh },
      files,
    });
  const issue = (number: number, marker: string, login = "github-actions[bot]") => ({
    number,
    user: { login },
    body: `${marker}\nolder summary`,
  });

  it("opens an issue with the plan summary for an environment that drifted, and nothing for one that did not", () => {
    const reported = report(github([], false));
    expect(reported.code).toBe(0);
    expect(reported.callsTo("gh", `api --method POST repos/${REPO}/labels`).map(fields)).toEqual([
      expect.objectContaining({ name: "drift" }),
    ]);
    const opened = reported.callsTo("gh", `api --method POST repos/${REPO}/issues`).map(fields);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ title: "Drift: production differs from main", "labels[]": "drift" });
    expect(opened[0].body.startsWith(`${PROD_MARKER}\n`)).toBe(true);
    expect(opened[0].body).toContain("**Plan: 2 to add, 2 to change, 2 to destroy.**");
    expect(opened[0].body).toContain("**REPLACE** `aws_db_instance.main`");
    expect(reported.callsTo("gh", `api --method PATCH repos/${REPO}/issues`)).toEqual([]);
  });

  it("updates the environment's open issue instead of opening another, and ignores look-alikes", () => {
    const open = [
      issue(13, PROD_MARKER, "someone"),
      { ...issue(14, PROD_MARKER), pull_request: { url: "x" } },
      issue(12, PROD_MARKER),
    ];
    const reported = report(github(open));
    expect(reported.code).toBe(0);
    expect(reported.callsTo("gh", `api --method POST repos/${REPO}/issues`)).toEqual([]);
    const updated = reported.callsTo("gh", `api --method PATCH repos/${REPO}/issues/12`).map(fields);
    expect(updated).toHaveLength(1);
    expect(updated[0].body).toContain("**Plan: 2 to add, 2 to change, 2 to destroy.**");
    for (const other of [13, 14]) {
      expect(reported.callsTo("gh", `api --method PATCH repos/${REPO}/issues/${other}`)).toEqual([]);
    }
  });

  it("closes the issue of an environment whose plan has no changes any more", () => {
    const reported = report(github([issue(20, STAGING_MARKER)]));
    expect(reported.code).toBe(0);
    expect(reported.callsTo("gh", `api --method POST repos/${REPO}/issues/20/comments`).map(fields)).toEqual([
      { body: expect.stringContaining("No drift in staging any more") },
    ]);
    expect(reported.callsTo("gh", `api --method PATCH repos/${REPO}/issues/20`).map(fields)).toEqual([
      { state: "closed", state_reason: "completed" },
    ]);
  });

  it("leaves the issue of an environment whose plan failed, reports the others, and fails", () => {
    const failedProduction = without(RESULTS, "plans/myamazingapp-production.exitcode");
    const reported = report(github([issue(12, PROD_MARKER), issue(20, STAGING_MARKER)]), failedProduction);
    expect(reported.code).toBe(1);
    expect(reported.stderr).toContain("No plan of production");
    expect(reported.callsTo("gh", `api --method PATCH repos/${REPO}/issues/12`)).toEqual([]);
    expect(reported.callsTo("gh", `api --method PATCH repos/${REPO}/issues/20`)).toHaveLength(1);
  });

  it("reports what stack.sh's plan of a drifted stack left behind", () => {
    const DIR = "stacks/myamazingapp-production";
    const planned = runScript(join(CI, "stack.sh"), {
      args: ["plan", DIR, "out"],
      commands: ["terraform"],
      env: {},
      scenario: {
        terraform: [
          { match: `-chdir=${DIR} init`, stdout: "" },
          { match: `-chdir=${DIR} plan`, exit: 2 },
          { match: `-chdir=${DIR} show -json plan.out`, stdout: fixture("replace-db.json") },
          {
            match: `-chdir=${DIR} show -no-color plan.out`,
            stdout: "  # aws_db_instance.main must be replaced\n",
          },
        ],
      },
      files: { [`${DIR}/cdk.tf.json`]: synthCheckedIn("production").text },
    });
    expect(planned.code).toBe(0);
    const onlyProduction = JSON.stringify(
      JSON.parse(ENVIRONMENTS).filter((e: Block) => e.name === "production"),
    );
    const reported = runScript(join(CI, "report-drift.sh"), {
      commands: ["gh"],
      env: {
        REPO,
        COMMIT: HEAD,
        RUN_URL: "https://x/runs/9",
        ENVIRONMENTS: onlyProduction,
        PLANS_DIR: join(planned.dir, "out"),
      },
      scenario: { gh: github([]) },
    });
    expect(reported.code).toBe(0);
    const [opened] = reported.callsTo("gh", `api --method POST repos/${REPO}/issues`).map(fields);
    expect(opened.body).toContain("**Plan: 1 to add, 0 to change, 1 to destroy.**");
    expect(opened.body).toContain("forced by `storage_encrypted`");
  });
});
