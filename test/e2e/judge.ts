/**
 * The end-to-end test's policy checks: every call recorded while it runs (scripts/emulator/moto_server.py, 14),
 * judged against the real policies of the environment as it would be in AWS (test/e2e/shadow.ts):
 *
 * - the tools, as the principals that run them in AWS: the operator's command line, its rollback (the release
 *   script) and the bootstrap as an account's administrator; the release step as its CodeBuild role;
 * - Terraform's own calls: those of every deploy and destroy as the GitHub deploy role, those of `terraform plan`
 *   as the plan role (the emulated environment has neither role: the calls are judged against the roles of the
 *   environment as it would be in AWS, with its names, account and region).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EnvironmentConfig } from "../../config/environment";
import { Naming } from "../../constructs/naming";
import { githubRoleName } from "../../constructs/github-oidc";
import type { Principal } from "../../rules/iam/authorize";
import type { Block } from "../../rules/stack-view";
import { runTerraform } from "../../scripts/lib/terraform";
import { BOOTSTRAP_TOOL } from "../../scripts/bootstrap";
import { localTerraformEnv } from "../../scripts/local/deploy";
import { OPS_TOOL } from "../../scripts/ops/context";
import { ROLLBACK_TOOL } from "../../scripts/ops/rollback";
import { APPLICATION } from "../../stacks/names";
import { inOrder, readRecord, type RecordedCall } from "./calls";
import { ROOT } from "./local-run";
import { RELEASE_TOOL } from "./pipeline";
import { PolicyWorld, refusals, type Verdict } from "./policy-check";
import { inAwsPolicies } from "./shadow";

/**
 * Where the end-to-end test records the calls, by who makes them in AWS: an administrator's (the first deploy,
 * which creates what only an administrator may, the take-over, the destroys), the deploy role's (a deploy of an
 * existing environment, as CI makes it), the plan role's (a pull request's plan), and everything else (the tools).
 */
export const CALLS = join(ROOT, ".local", "e2e-calls.jsonl");
export const ADMIN_CALLS = join(ROOT, ".local", "e2e-administrator-calls.jsonl");
export const DEPLOY_CALLS = join(ROOT, ".local", "e2e-deploy-calls.jsonl");
export const PLAN_CALLS = join(ROOT, ".local", "e2e-plan-calls.jsonl");
const ALL = [CALLS, ADMIN_CALLS, DEPLOY_CALLS, PLAN_CALLS];
/**
 * Every record file at once: for an environment whose Terraform runs beside other tests (localwest's destroy), so
 * its calls land in whichever file those tests record into; its account tells them apart.
 */
export const EVERY_FILE = Symbol("every record file");
/** What was recorded and judged, for the reader of a CI log. */
export const SUMMARY = join(ROOT, ".local", "e2e-calls-summary.json");

/** The tools whose calls are judged as the principals that run them. */
export const TOOLS = [OPS_TOOL, ROLLBACK_TOOL, BOOTSTRAP_TOOL, RELEASE_TOOL];

/**
 * Calls the judge leaves out, each with why: what the emulator's provider settings make Terraform do that it
 * does not do in AWS.
 */
const NOT_MADE_IN_AWS: Record<string, string> = {
  // With skip_credentials_validation (the emulator's provider), the provider looks its account up with
  // iam:GetUser; in AWS it asks sts:GetCallerIdentity, which no policy can refuse.
  "iam:GetUser": "the provider's account lookup under the emulator's settings",
};

export function startAfresh(): void {
  for (const file of [...ALL, SUMMARY]) rmSync(file, { force: true });
}

/** The applied state of a work folder, as `terraform show -json` prints it. */
export async function appliedState(workDir: string): Promise<Block> {
  const show = await runTerraform(["show", "-json", "-no-color"], {
    cwd: workDir,
    env: localTerraformEnv(() => undefined),
  });
  if (show.code !== 0) throw new Error(`terraform show failed: ${show.stderr}`);
  return JSON.parse(show.stdout) as Block;
}

/** The policy world of an environment as it would be in AWS (the calls' own settings are learned as judged). */
export function worldOf(env: EnvironmentConfig, state: Block, environments: EnvironmentConfig[]) {
  const inAws = inAwsPolicies(env, state);
  const world = new PolicyWorld(environments).addAccount(inAws.policies, inAws.elements);
  return { world, policies: inAws.policies };
}

export interface Judgement {
  readonly refusals: string[];
  readonly unjudged: string[];
  readonly verdicts: Verdict[];
}

function judgement(verdicts: Verdict[], unjudged: Array<{ call: RecordedCall; reason: string }>): Judgement {
  return {
    verdicts,
    refusals: refusals(verdicts),
    unjudged: unjudged.map((u) => `${u.call.operation}: ${u.reason}`),
  };
}

/** The tools' calls of the recording, judged (see the module's comment). */
export function judgeTools(
  env: EnvironmentConfig,
  state: Block,
  environments: EnvironmentConfig[],
): Judgement {
  const { world } = worldOf(env, state, environments);
  const records = inOrder(...ALL.map(readRecord));
  const { verdicts, unjudged } = world.judge(records, (_call, tool) => TOOLS.includes(tool));
  return judgement(verdicts, unjudged);
}

/**
 * Terraform's calls in an environment's account recorded in `file` (or in any file: EVERY_FILE), judged as who
 * makes them in AWS: the GitHub deploy role (DEPLOY_CALLS), the plan role (PLAN_CALLS), or an administrator
 * (ADMIN_CALLS: identity allows all, the resources' own policies still apply).
 */
export function judgeTerraform(
  env: EnvironmentConfig,
  state: Block,
  environments: EnvironmentConfig[],
  file: string | typeof EVERY_FILE,
  who: "deploy" | "plan" | "administrator",
): Judgement {
  const files = file === EVERY_FILE ? ALL : [file];
  const mine = files.flatMap(readRecord);
  const chosen = new Set(mine);
  const records = inOrder(mine, ...ALL.filter((f) => !files.includes(f)).map(readRecord));
  const { world, policies } = worldOf(env, state, environments);
  let as: ((call: RecordedCall) => Principal | undefined) | undefined;
  if (who !== "administrator") {
    const role = policies.role(githubRoleName(new Naming(APPLICATION, env.name), who));
    if (!role) throw new Error(`the ${env.name} stack in AWS has no GitHub ${who} role`);
    const principal: Principal = policies.principal(role.arn);
    as = () => principal;
  }
  const { verdicts, unjudged } = world.judge(
    records,
    (call: RecordedCall, tool) =>
      tool === "terraform" &&
      chosen.has(call) &&
      call.principal.account === env.account &&
      !(call.action && call.action in NOT_MADE_IN_AWS),
    as,
  );
  return judgement(verdicts, unjudged);
}

/** Writes how many calls each tool made and how many requests were judged, for the CI log's reader. */
export function writeSummary(judged: Record<string, Judgement>): void {
  const summary = Object.fromEntries(
    Object.entries(judged).map(([name, j]) => {
      const calls = new Set(j.verdicts.map((v) => v.call));
      const byTool: Record<string, number> = {};
      for (const call of calls) {
        const tool = j.verdicts.find((v) => v.call === call)!.tool;
        byTool[tool] = (byTool[tool] ?? 0) + 1;
      }
      return [
        name,
        {
          calls: calls.size,
          requests: j.verdicts.length,
          byTool,
          refused: j.refusals.length,
          unjudged: j.unjudged.length,
        },
      ];
    }),
  );
  writeFileSync(SUMMARY, `${JSON.stringify(summary, null, 2)}\n`);
}
