/**
 * The local environment as it would be in AWS: the same file with GitHub Actions and the delivery pipeline on,
 * which an emulated environment cannot have (no OIDC, no CodePipeline). Its stack holds the roles that run in
 * AWS but not in the emulator (the GitHub deploy and plan roles, the pipeline's CodeBuild roles), with the
 * local environment's names, account and region, so the calls recorded against the deployed local stack can be
 * judged against those roles' real policies.
 *
 * Its references are resolved with the applied local state where the resource is deployed (the real key ids,
 * secret ARNs, zone ids), and as rules/iam/terraform.ts builds them otherwise (the roles themselves).
 */
import { join } from "node:path";
import { Testing } from "cdktf";
import { invokeAspects } from "cdktf/lib/synthesize/synthesizer";
import { loadBackend } from "../../config/backend";
import type { EnvironmentConfig } from "../../config/environment";
import { loadGithubSettings } from "../../config/github";
import { AccountPolicies } from "../../rules/iam/account-policies";
import { stateElements, synthesizedElements, type TerraformElement } from "../../rules/iam/terraform";
import { type Block, StackView } from "../../rules/stack-view";
import { AppStack } from "../../stacks/app-stack";
import { appStackName } from "../../stacks/names";
import { ROOT } from "./local-run";

/** The environment with what only AWS has switched on: GitHub Actions' roles and the delivery pipeline. */
export function inAws(env: EnvironmentConfig): EnvironmentConfig {
  const github = loadGithubSettings(join(ROOT, "config", "github.json"));
  return {
    ...env,
    githubActions: { oidcProvider: "create" },
    delivery: {
      appRepository: `${github.owner}/${github.appRepository.name}`,
      branch: "main",
      requireApproval: false,
    },
  };
}

/** The stack of an environment file's settings, synthesized as main.ts does (aspects applied). */
export function synthesize(env: EnvironmentConfig): Block {
  const backend = loadBackend(join(ROOT, "backend.tf.json"));
  const github = loadGithubSettings(join(ROOT, "config", "github.json"));
  const stack = new AppStack(Testing.app(), appStackName(env.name), { env, backend, github });
  invokeAspects(stack);
  return JSON.parse(JSON.stringify(stack.toTerraform())) as Block;
}

const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)((?:\[\d+\]\.[a-z0-9_]+)*)\}/g;

/** The stack with each reference to a deployed resource replaced by the applied value. */
function resolvedWith(config: Block, state: readonly TerraformElement[]): Block {
  const deployed = new Map(
    state.filter((e) => e.mode === "managed").map((e) => [`${e.type}.${e.name}`, e.values]),
  );
  const text = JSON.stringify(config).replace(REFERENCE, (ref, type, name, attribute, rest) => {
    let value: unknown = deployed.get(`${type}.${name}`)?.[attribute];
    for (const [, index, field] of String(rest).matchAll(/\[(\d+)\]\.([a-z0-9_]+)/g)) {
      value = (value as Block[] | undefined)?.[Number(index)]?.[field];
    }
    return typeof value === "string" || typeof value === "number"
      ? JSON.stringify(String(value)).slice(1, -1)
      : ref;
  });
  return JSON.parse(text) as Block;
}

/**
 * Every policy of the environment as it would be in AWS (see the module's comment), from the applied state of
 * its emulated self (`terraform show -json`).
 */
export function inAwsPolicies(
  env: EnvironmentConfig,
  show: Block,
): { policies: AccountPolicies; elements: TerraformElement[] } {
  const state = stateElements(show);
  const where = { account: env.account, region: env.region };
  const deployed = new Map(state.filter((e) => e.mode === "managed").map((e) => [`${e.type}.${e.name}`, e]));
  const elements = synthesizedElements(new StackView(resolvedWith(synthesize(inAws(env)), state)), where).map(
    (e) => {
      const applied = e.mode === "managed" ? deployed.get(`${e.type}.${e.name}`) : undefined;
      if (!applied) return e;
      // What AWS made (ARNs, ids) as applied; what the stack in AWS would say (its policies) as synthesized.
      const policies = Object.fromEntries(
        POLICY_ATTRIBUTES.filter((a) => a in e.values).map((a) => [a, e.values[a]]),
      );
      return { ...e, values: { ...applied.values, ...policies } };
    },
  );
  return { policies: new AccountPolicies(where, elements), elements };
}

/** The attributes that hold policies (or name one): taken from the synthesized stack. */
const POLICY_ATTRIBUTES = [
  "policy",
  "assume_role_policy",
  "policy_document",
  "permissions_boundary",
  "inline_policy",
  "managed_policy_arns",
  "policy_arn",
];
