/**
 * What deploying and planning an environment needs, as IAM requests made from the access data
 * (constructs/access/): for every grant, every action each Terraform type needs, on a resource of the environment
 * (one of the stack's own ARNs where it has one, else an ARN of the grant's pattern), with the request context the
 * grant's condition expects (the environment's tags, its boundary, its domain's record names, ...). The deploy
 * role must be allowed all of them, the plan role the reads. (The generated battery takes them as its positive
 * cases.)
 */
import { SERVICE_ACCESS } from "../constructs/access";
import { grantActions } from "../constructs/access/derive";
import type { AccessScope, Condition, Grant } from "../constructs/access/types";
import { wildcardMatch } from "../rules/iam/actions";
import type { Request } from "../rules/iam/evaluate";
import { reaches, sarActions } from "./sar";

export interface NeededCall {
  /** Who makes it: the deploy role (every action) or the plan role (the reads). */
  readonly role: "deploy" | "plan";
  /** The Terraform type that needs it, and the grant (statement) that allows it. */
  readonly terraform: string;
  readonly sid: string;
  readonly request: Request;
}

/** A pattern's wildcards filled, so that the ARN still matches it. */
const instantiate = (pattern: string) => pattern.replace(/\*/g, "x1");

/** A request context that satisfies a condition block (lower-case keys, as the evaluator reads them). */
export function satisfying(condition: Condition | undefined): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      const k = key.toLowerCase();
      const first = String(([] as unknown[]).concat(value)[0]);
      if (operator === "Null") {
        if (first === "false") context[k] = k === "ec2:createaction" ? "CreateSecurityGroup" : "x1";
      } else if (operator.startsWith("ForAllValues:") && /NotEquals|NotLike/.test(operator)) {
        // Values the list must avoid: one that is none of them (a tag key other than the owner tags).
        context[k] ??= ["owner"];
      } else if (operator.startsWith("ForAllValues:") || operator.startsWith("ForAnyValue:")) {
        context[k] = [instantiate(first)];
      } else if (!/Not/.test(operator)) {
        context[k] = instantiate(first);
      }
    }
  }
  // A create that carries tags names their keys too.
  const requestTags = Object.keys(context).filter((k) => k.startsWith("aws:requesttag/"));
  if (requestTags.length > 0 && !context["aws:tagkeys"]) {
    context["aws:tagkeys"] = requestTags.map((k) => k.slice("aws:requesttag/".length));
  }
  return context;
}

/** The resource a grant's action is tried on: one of the stack's own ARNs the grant reaches, else its pattern's. */
function resourceFor(
  action: string,
  grant: Grant,
  access: AccessScope,
  stackArns: readonly string[],
): string {
  const patterns = grant.resources(access);
  const types = sarActions(action).flatMap((a) => a.resourceTypes);
  const fitting = types.length === 0 ? patterns : patterns.filter((p) => types.some((t) => reaches(p, t)));
  const candidates = fitting.length > 0 ? fitting : patterns;
  const own = stackArns.find(
    (arn) =>
      candidates.some((p) => wildcardMatch(p, arn, false)) &&
      (types.length === 0 || types.some((t) => reaches(arn, t))),
  );
  return own ?? instantiate(candidates[0]);
}

/** Every call the data says deploying (and planning) the environment makes. */
export function neededCalls(access: AccessScope, stackArns: readonly string[] = []): NeededCall[] {
  const calls: NeededCall[] = [];
  for (const service of SERVICE_ACCESS) {
    for (const grant of service.grants) {
      if (grant.resources(access).length === 0) continue;
      const context = satisfying(grant.condition?.(access));
      for (const [terraform, needs] of Object.entries(grant.terraform)) {
        const reads = new Set(needs.read ?? []);
        for (const action of [...(needs.write ?? []), ...(needs.read ?? [])]) {
          const request = { action, resource: resourceFor(action, grant, access, stackArns), context };
          calls.push({ role: "deploy", terraform, sid: grant.sid, request });
          if (reads.has(action)) calls.push({ role: "plan", terraform, sid: grant.sid, request });
        }
      }
    }
    for (const u of service.unscoped ?? []) {
      const request = { action: u.action, resource: "*", context: satisfying(u.condition?.(access)) };
      for (const terraform of u.terraform) {
        calls.push({ role: "deploy", terraform, sid: "unscoped", request });
        if (u.read) calls.push({ role: "plan", terraform, sid: "unscoped", request });
      }
    }
  }
  return calls;
}

/** The write actions of the data (none of them the plan role may make). */
export function writeActions(
  access: AccessScope,
): Array<{ sid: string; action: string; resources: string[] }> {
  return SERVICE_ACCESS.flatMap((s) => s.grants).flatMap((g) => {
    const reads = new Set(grantActions(g, "read"));
    return grantActions(g, "write")
      .filter((a) => !reads.has(a))
      .map((action) => ({ sid: g.sid, action, resources: g.resources(access) }));
  });
}

/** A scope for constructs built alone in a test, like the one stacks/app-stack.ts builds for an environment. */
export function testScope(
  naming: { application: string; environment: string; prefix: string; iamPath: string; accessPath: string },
  account: string,
  extra: Partial<AccessScope> = {},
): AccessScope {
  const region = extra.region ?? "us-west-2";
  return {
    application: naming.application,
    environment: naming.environment,
    account,
    region,
    prefix: naming.prefix,
    iamPath: naming.iamPath,
    accessPath: naming.accessPath,
    domain: `${naming.environment}.example.org`,
    foreignSubdomains: [],
    stateObjectArn: `arn:aws:s3:::state-bucket/${naming.application}/${naming.prefix}.tfstate`,
    boundaryArn: `arn:aws:iam::${account}:policy${naming.accessPath}${naming.prefix}-boundary`,
    secretsKeyArn: `arn:aws:kms:${region}:${account}:key/00000000-0000-0000-0000-00000000000a`,
    databaseArn: `arn:aws:rds:${region}:${account}:db:${naming.prefix}-db`,
    promotionSources: [],
    passedToServices: ["ecs-tasks.amazonaws.com", "scheduler.amazonaws.com"],
    managedPolicies: ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
    metricNamespaces: ["MyAmazingApp/Uploads"],
    emptyBucketsOnDestroy: false,
    ...extra,
  };
}
