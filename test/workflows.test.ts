/**
 * The GitHub workflows (.github/workflows), read as GitHub reads them: what each job may do with its token, what
 * runs where credentials can be minted, which code reports the plan. actionlint (npm run lint) checks their syntax
 * and expressions; the scripts they run are tested in test/ci-scripts.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { ROOT } from "./environment-stacks";
import type { Block } from "./helpers";

const WORKFLOWS = join(ROOT, ".github", "workflows");

interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly doc: Block;
}

const workflows: Workflow[] = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((file) => {
    const text = readFileSync(join(WORKFLOWS, file), "utf8");
    return { file, text, doc: load(text) as Block };
  });
const workflow = (file: string): Workflow => workflows.find((w) => w.file === file)!;
/** The events that start a workflow (`on:`, which YAML 1.1 would read as `true`). */
const triggers = (doc: Block): string[] => {
  const on = doc.on ?? doc[true as unknown as string];
  return typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
};
const jobs = (doc: Block): Array<[string, Block]> => Object.entries<Block>(doc.jobs ?? {});
const steps = (job: Block): Block[] => job.steps ?? [];

/** What a job's token may do: its own permissions, or the workflow's. */
function permissionsOf(
  doc: Block,
  job: Block,
): Record<string, string> | "write-all" | "read-all" | undefined {
  return job.permissions ?? doc.permissions;
}
function canWrite(doc: Block, job: Block, scope: string): boolean {
  const permissions = permissionsOf(doc, job);
  return permissions === "write-all" || (typeof permissions === "object" && permissions[scope] === "write");
}

/** Problems with the way a workflow's text names its actions: each must be a full commit SHA with its version. */
export function unpinnedActions(text: string): string[] {
  const problems: string[] = [];
  for (const line of text.split("\n")) {
    const use = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(?:#\s*(.*))?$/.exec(line);
    if (!use) continue;
    const [, action, comment] = use;
    if (action.startsWith("./")) continue;
    if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(action))
      problems.push(`${action}: not pinned to a commit SHA`);
    else if (!/^v\d+(\.\d+){0,2}$/.test(comment?.trim() ?? ""))
      problems.push(`${action}: no version comment`);
  }
  return problems;
}

/** Steps of a job that install packages with their install scripts, or run a package a runner might fetch. */
export function installsWithScripts(job: Block): string[] {
  const problems: string[] = [];
  for (const step of steps(job)) {
    if (typeof step.run === "string") {
      for (const command of step.run.split(/\n|&&|;/).map((c: string) => c.trim())) {
        const install = /\b(npm\s+(ci|install|i|add|update)|yarn|pnpm|npx|bunx?)\b/.exec(command);
        if (install && !/^npm\s+ci\b.*\s--ignore-scripts\b/.test(command)) problems.push(command);
      }
    }
    // A restored dependency cache is code another run wrote.
    if (
      /^actions\/setup-node@/.test(step.uses ?? "") &&
      (step.with?.cache || step.with?.["package-manager-cache"] !== false)
    ) {
      problems.push(`${step.uses} restores a dependency cache`);
    }
  }
  return problems;
}

describe("workflows", () => {
  it("are all here and parse", () => {
    expect(workflows.map((w) => w.file)).toEqual([
      "deploy.yml",
      "drift.yml",
      "plan-fork.yml",
      "plan-report.yml",
      "pull-request.yml",
    ]);
  });

  describe("supply chain", () => {
    it("pins every action, third-party ones included, to a full commit SHA with its version beside it", () => {
      for (const { file, text, doc } of workflows) {
        expect([file, unpinnedActions(text)]).toEqual([file, []]);
        // Every step's action was seen by the line reader (none hides in a flow mapping).
        const uses = jobs(doc).flatMap(([, job]) => steps(job).flatMap((s) => (s.uses ? [s.uses] : [])));
        expect(uses.length).toBeGreaterThan(0);
        for (const action of uses) expect(action).toMatch(/@[0-9a-f]{40}$/);
      }
    });

    it("refuses a tag, a branch or a short SHA, and a SHA without its version", () => {
      expect(
        unpinnedActions(
          [
            "      - uses: actions/checkout@v6",
            "      - uses: hashicorp/setup-terraform@main",
            "      - uses: aws-actions/configure-aws-credentials@e6de054",
            "      - uses: actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
            "      - uses: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1",
          ].join("\n"),
        ),
      ).toEqual([
        "actions/checkout@v6: not pinned to a commit SHA",
        "hashicorp/setup-terraform@main: not pinned to a commit SHA",
        "aws-actions/configure-aws-credentials@e6de054: not pinned to a commit SHA",
        "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f: no version comment",
      ]);
    });

    it("runs no install script and restores no dependency cache in a job that can mint AWS credentials", () => {
      const minting = workflows.flatMap(({ file, doc }) =>
        jobs(doc)
          .filter(([, job]) => canWrite(doc, job, "id-token"))
          .map(([id, job]) => ({ job: `${file}:${id}`, problems: installsWithScripts(job) })),
      );
      // Pull-request plans, a fork's plan, drift, and the two deploys.
      expect(minting.map((m) => m.job).sort()).toEqual([
        "deploy.yml:deploy-production",
        "deploy.yml:deploy-staging",
        "drift.yml:plan",
        "plan-fork.yml:plan",
        "pull-request.yml:plan",
      ]);
      for (const m of minting) expect(m).toEqual({ job: m.job, problems: [] });
    });

    it("finds an install with scripts, npx, or a dependency cache in a job", () => {
      const job = {
        steps: [
          { uses: "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020", with: { cache: "npm" } },
          { run: "npm ci" },
          { run: "npm ci --ignore-scripts && npx cdktf deploy x" },
          { run: "npm install --save-exact left-pad" },
          { run: "npm ci --ignore-scripts" },
        ],
      };
      expect(installsWithScripts(job)).toEqual([
        "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 restores a dependency cache",
        "npm ci",
        "npx cdktf deploy x",
        "npm install --save-exact left-pad",
      ]);
    });

    it("installs without install scripts everywhere, and keeps no token in the checkout", () => {
      for (const { file, doc } of workflows) {
        for (const [id, job] of jobs(doc)) {
          for (const step of steps(job)) {
            if (typeof step.run === "string" && /\bnpm\s+(ci|install)\b/.test(step.run)) {
              expect([file, id, step.run]).toEqual([file, id, expect.stringContaining("--ignore-scripts")]);
            }
            if (/^actions\/checkout@/.test(step.uses ?? "")) {
              expect([file, id, step.with?.["persist-credentials"]]).toEqual([file, id, false]);
            }
          }
        }
      }
    });

    it("grants nothing by default: each job names the permissions it needs", () => {
      for (const { file, doc } of workflows) {
        expect([file, doc.permissions]).toEqual([file, {}]);
        for (const [id, job] of jobs(doc))
          expect([file, id, typeof job.permissions]).toEqual([file, id, "object"]);
      }
    });

    it("lets Dependabot keep the actions and the npm packages current", () => {
      const config = load(readFileSync(join(ROOT, ".github", "dependabot.yml"), "utf8")) as Block;
      expect(config.version).toBe(2);
      const ecosystems = config.updates.map((u: Block) => [u["package-ecosystem"], u.directory]);
      expect(ecosystems).toEqual(
        expect.arrayContaining([
          ["github-actions", "/"],
          ["npm", "/"],
        ]),
      );
      // test/jest/runtime.js overrides a method of jest-runtime, so jest's packages are updated together.
      const npm = config.updates.find((u: Block) => u["package-ecosystem"] === "npm");
      expect(npm.groups.jest.patterns).toEqual(expect.arrayContaining(["jest", "jest-*", "@jest/*"]));
    });
  });

  describe("pull requests", () => {
    it("run nothing with a pull request's code that can write: no comment, no status, no pull_request_target", () => {
      for (const { file, doc } of workflows) {
        expect([file, triggers(doc)]).not.toEqual([file, expect.arrayContaining(["pull_request_target"])]);
        if (!triggers(doc).includes("pull_request")) continue;
        for (const [id, job] of jobs(doc)) {
          const permissions = permissionsOf(doc, job) as Record<string, string>;
          const writes = Object.entries(permissions)
            .filter(([scope, access]) => access === "write" && scope !== "id-token")
            .map(([scope]) => scope);
          expect([file, id, writes]).toEqual([file, id, []]);
        }
      }
    });

    it("report their plans from the default branch's code, after the pull-request workflow", () => {
      const { doc } = workflow("plan-report.yml");
      expect(doc.on).toEqual({
        workflow_run: { workflows: [workflow("pull-request.yml").doc.name], types: ["completed"] },
      });
      const [[, report]] = jobs(doc);
      // Checked out without a ref: a workflow_run job gets the default branch.
      for (const step of steps(report).filter((s) => /^actions\/checkout@/.test(s.uses ?? ""))) {
        expect(step.with?.ref).toBeUndefined();
        expect(step.with?.repository).toBeUndefined();
      }
      // A fork's run had no credentials: nothing it uploaded is read.
      const download = steps(report).find((s) => /^actions\/download-artifact@/.test(s.uses ?? ""))!;
      expect(download.if).toBe("github.event.workflow_run.head_repository.full_name == github.repository");
      expect(download.with["run-id"]).toBe("${{ github.event.workflow_run.id }}");
      const run = steps(report).find((s) => s.run === "scripts/ci/report-plan.sh")!;
      expect(run.env).toMatchObject({
        SOURCE: "pull_request",
        HEAD_SHA: "${{ github.event.workflow_run.head_sha }}",
        HEAD_REPOSITORY: "${{ github.event.workflow_run.head_repository.full_name }}",
      });
    });

    it("plan a fork only from main, with the fork's code synthesizing in a job that cannot mint credentials", () => {
      const { doc } = workflow("plan-fork.yml");
      expect(triggers(doc)).toEqual(["workflow_dispatch"]);
      const synth = doc.jobs.synth;
      expect(canWrite(doc, synth, "id-token")).toBe(false);
      expect(steps(synth)[0].with.ref).toBe("refs/pull/${{ inputs.pull-request }}/head");
      // Every other job runs main's code.
      for (const [id, job] of jobs(doc).filter(([id]) => id !== "synth")) {
        for (const step of steps(job).filter((s) => /^actions\/checkout@/.test(s.uses ?? ""))) {
          expect([id, step.with?.ref]).toEqual([id, undefined]);
        }
      }
      expect(steps(doc.jobs.prepare).map((s) => s.run)).toContain("scripts/ci/reviewed-commit.sh");
    });
  });

  describe("drift", () => {
    it("plans every environment on a schedule with its plan role, and reports with the issues permission only", () => {
      const { doc } = workflow("drift.yml");
      expect(triggers(doc)).toEqual(expect.arrayContaining(["schedule", "workflow_dispatch"]));
      expect(doc.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
      const plan = doc.jobs.plan;
      expect(plan.strategy.matrix.env).toBe("${{ fromJSON(needs.synth.outputs.environments) }}");
      const credentials = steps(plan).find((s) =>
        /^aws-actions\/configure-aws-credentials@/.test(s.uses ?? ""),
      )!;
      expect(credentials.with["role-to-assume"]).toBe("${{ vars[matrix.env.roleVariable] }}");
      expect(steps(plan).map((s) => s.run)).toContain(
        'scripts/ci/stack.sh plan "cdktf.out/stacks/$STACK" "$RUNNER_TEMP/plans" "environments/$ENV_NAME.json"',
      );
      const report = doc.jobs.report;
      expect(report.permissions).toEqual({ contents: "read", issues: "write" });
      expect(steps(report).map((s) => s.run)).toContain("scripts/ci/report-drift.sh");
    });
  });
});
