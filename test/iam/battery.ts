/**
 * The generated battery: from iam-data, every permissions-management action of the services that matter here,
 * every IAM write, and a curated list of credential-returning actions (each checked against iam-data), tried on
 * every target of each action's resource types (this environment's, its protected parts, another application's,
 * the same application's other environment's, an environment whose names start with this one's, the account's),
 * as the deploy role, a role it could create, and the plan role, with the request context an attacker would
 * choose. Each request either has an expectation (outside the environment: never allowed; the design's
 * decisions inside it) or is only counted.
 */
import { type Authorization, authorize, describe, type Request } from "../../rules/iam/authorize";
import { type Context, contexts } from "./contexts";
import type { ResourceTypeData } from "./iam-data";
import { type BatteryAction, typesOf } from "./selection";
import type { Actor, Target, World } from "./world";

export * from "./selection";
export { contexts, type Context } from "./contexts";

/** What the plan role must never do: read data (design decision 6). */
const PLAN_DATA =
  /^(s3:GetObject(Version)?|ecr:(BatchGetImage|GetDownloadUrlForLayer|GetAuthorizationToken)|rds:Download(DBLogFilePortion|CompleteDBLogFile)|logs:(GetLogEvents|FilterLogEvents|StartQuery|StartLiveTail|GetLogRecord)|secretsmanager:(Batch)?GetSecretValue|ssm:GetParameters?(ByPath)?|kms:(Decrypt|GenerateDataKey.*|ReEncrypt.*)|sqs:ReceiveMessage|states:(GetExecutionHistory|DescribeExecution)|codebuild:BatchGetBuilds|lambda:GetFunction)$/i;

/** Credentials from STS: the boundary refuses all of them (design decision 5). */
const STS_CREDENTIALS =
  /^sts:(AssumeRole|AssumeRoot|GetFederationToken|GetSessionToken|GetServiceBearerToken|GetWebIdentityToken)/i;

/**
 * Actions of the battery that change nothing of the resource they name: passing a role (what the role then does
 * is its trust policy's affair, and which services may receive it is the "pass role" expectation), validating a
 * draft resource policy.
 */
const CHANGE_NOTHING = /^(iam:PassRole|secretsmanager:ValidateResourcePolicy)$/i;

/** What a request must not be, and under which heading a finding is listed. */
export type Category =
  "outside" | "protected" | "sts credentials" | "secret values" | "pass role" | "attach policy" | "plan data";

export interface Evaluated {
  readonly actor: Actor;
  readonly action: string;
  readonly target: Target;
  readonly request: Request;
  readonly result: Authorization;
  /** The expectation it broke, when it was allowed although it must not be. */
  readonly category?: Category;
}

export interface BatteryResult {
  /** Every authorize() call made. */
  readonly evaluated: number;
  /** Requests allowed that must not be. */
  readonly findings: Evaluated[];
  /** Requests allowed inside the environment where the design allows them (counted, not asserted). */
  readonly allowedInside: number;
}

/** The expectation a request breaks if it is allowed; undefined where the design allows it inside. */
export function expectation(
  world: World,
  action: BatteryAction,
  target: Target,
  context: Context,
  actor?: Actor,
): Category | undefined {
  // A service-linked role's permissions are AWS's own: creating one (ECS, RDS, ELB need theirs) grants nobody more.
  if (/^iam:CreateServiceLinkedRole$/i.test(action.name) && target.arn.includes(":role/aws-service-role/"))
    return undefined;
  if (
    actor?.principal === world.planPrincipal &&
    PLAN_DATA.test(action.name) &&
    !isStateObject(world, target.arn)
  ) {
    return "plan data";
  }
  // Record sets of the environment's own domain (and under it) in the account's shared zone are its to change.
  if (/^route53:ChangeResourceRecordSets$/i.test(action.name) && ownRecords(world, context)) return undefined;
  // An action only on `*` that returns no one's data by itself (ecr:GetAuthorizationToken) reaches nothing.
  const onlyData = action.reasons.every((r) => r === "data");
  if (target.owner.outside && !(onlyData && target.arn === "*")) return "outside";
  if (STS_CREDENTIALS.test(action.name)) return "sts credentials";
  if (/^secretsmanager:(Batch)?GetSecretValue$/i.test(action.name) && target.owner.key === "protected")
    return "secret values";
  // Tags are neither a policy nor the life of a resource: what they may say is the outside expectation's affair.
  const changes = action.reasons.some((r) => r !== "credentials" && r !== "data" && r !== "tagging");
  if (target.owner.key === "protected" && changes && !CHANGE_NOTHING.test(action.name)) return "protected";
  const passedTo = context["iam:passedtoservice"];
  if (
    /^iam:PassRole$/i.test(action.name) &&
    typeof passedTo === "string" &&
    !world.trustedServices.includes(passedTo)
  )
    return "pass role";
  const policyArn = context["iam:policyarn"];
  if (
    /^iam:Attach(Role|User|Group)Policy$/i.test(action.name) &&
    typeof policyArn === "string" &&
    !allowedPolicy(world, policyArn)
  ) {
    return "attach policy";
  }
  return undefined;
}

function isStateObject(world: World, arn: string): boolean {
  const backend = world.stack.config.terraform?.backend?.s3;
  return Boolean(backend) && arn.startsWith(`arn:aws:s3:::${backend.bucket}/${backend.key}`);
}

/** Whether every record a change names is the environment's domain or under it. */
function ownRecords(world: World, context: Context): boolean {
  const names = context["route53:changeresourcerecordsetsnormalizedrecordnames"];
  const domain = world.domain;
  return (
    domain !== undefined &&
    Array.isArray(names) &&
    names.length > 0 &&
    names.every((n) => n === domain || n.endsWith(`.${domain}`))
  );
}

/** A policy the environment's roles may be given: one the stack attaches, or one under the environment's path. */
export function allowedPolicy(world: World, arn: string): boolean {
  if (world.managedPolicies.includes(arn)) return true;
  return arn.startsWith(`arn:aws:iam::${world.account}:policy${world.iamPath}${world.prefix}-`);
}

/** Decides one request on a target as the actor, with the target's own policy (or the stack's). */
export function decide(world: World, actor: Actor, request: Request, target: Target): Authorization {
  const action = request.action.toLowerCase();
  const kind = action.startsWith("sts:assumerole") ? "trust" : action.startsWith("kms:") ? "key" : "resource";
  const fromStack = world.policies.target(request);
  return authorize(actor.principal, request, {
    kind,
    policy: target.policy && target.policyKind === kind ? target.policy : fromStack.policy,
    account: fromStack.account ?? world.account,
  });
}

/** Runs the whole battery: every action, resource type, target, actor and context. */
export function runBattery(world: World, actions: readonly BatteryAction[]): BatteryResult {
  let evaluated = 0;
  let allowedInside = 0;
  const findings: Evaluated[] = [];
  for (const actor of world.actors()) {
    for (const action of actions) {
      const types: Array<ResourceTypeData | undefined> = action.resourceTypes.length
        ? typesOf(action)
        : [undefined];
      for (const type of types) {
        const targets = type
          ? world.targetsOf(action.service, type)
          : [{ arn: "*", owner: world.owner("account"), label: "the account (an action only on *)" }];
        for (const target of targets) {
          for (const context of contexts(world, actor, action, type, target)) {
            const request = { action: action.name, resource: target.arn, context };
            const result = decide(world, actor, request, target);
            evaluated++;
            if (result.decision !== "allowed") continue;
            const category = expectation(world, action, target, context, actor);
            if (category) findings.push({ actor, action: action.name, target, request, result, category });
            else allowedInside++;
          }
        }
      }
    }
  }
  return { evaluated, findings, allowedInside };
}

/** One line per finding: who, what, on which target of which owner, and the statements that allowed it. */
export function explain(f: Evaluated): string {
  return `${f.actor.label} | ${f.target.owner.label} | ${f.target.label}: ${describe(f.actor.principal.arn, f.request, f.result)}`;
}

/** The first findings, one per line, and how many more there are. */
export function listed(findings: readonly Evaluated[], max = 25): string {
  const lines = findings.slice(0, max).map(explain);
  return [...lines, ...(findings.length > max ? [`... and ${findings.length - max} more`] : [])].join("\n");
}
