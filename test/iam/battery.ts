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
import type { ContextValue } from "../../rules/iam/conditions";
import type { Statement } from "../../rules/iam/policy";
import type { ActionData, ResourceTypeData } from "./iam-data";
import type { Actor, Target, World } from "./world";

/** The services whose permissions-management actions the battery takes. */
export const SERVICES = [
  "iam",
  "sts",
  "kms",
  "secretsmanager",
  "ssm",
  "lambda",
  "cloudformation",
  "codebuild",
  "ecs",
  "ec2",
];

/**
 * The other services the stack uses that hold resource policies or tags: their permissions-management and
 * tagging actions join the battery (another application's bucket, repository, topic, queue, log and event
 * policies; another application's database; the account's shared hosted zone).
 */
export const RESOURCE_POLICY_SERVICES = [
  "s3",
  "rds",
  "ecr",
  "logs",
  "sns",
  "sqs",
  "events",
  "route53",
  "elasticloadbalancing",
  "wafv2",
  "ses",
  "xray",
];

/** Every service whose actions iam-data gives the battery. */
export const BATTERY_SERVICES = [...SERVICES, ...RESOURCE_POLICY_SERVICES, "states"];

/** Reads of data (design decision 6: the plan role reads none of it) and the other reaches the issue names. */
export const DATA_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:PutObject",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:GetAuthorizationToken",
  "rds:DownloadDBLogFilePortion",
  "rds:DownloadCompleteDBLogFile",
  "rds:ModifyDBInstance",
  "rds:DeleteDBInstance",
  "rds:CreateDBSnapshot",
  "logs:GetLogEvents",
  "logs:FilterLogEvents",
  "logs:StartQuery",
  "logs:StartLiveTail",
  "logs:GetLogRecord",
  "secretsmanager:PutSecretValue",
  "ssm:PutParameter",
  "sqs:ReceiveMessage",
  "states:GetExecutionHistory",
  "states:DescribeExecution",
  "route53:ChangeResourceRecordSets",
  "route53:DeleteHostedZone",
];

/** What the plan role must never do: read data (design decision 6). */
const PLAN_DATA =
  /^(s3:GetObject(Version)?|ecr:(BatchGetImage|GetDownloadUrlForLayer|GetAuthorizationToken)|rds:Download(DBLogFilePortion|CompleteDBLogFile)|logs:(GetLogEvents|FilterLogEvents|StartQuery|StartLiveTail|GetLogRecord)|secretsmanager:(Batch)?GetSecretValue|ssm:GetParameters?(ByPath)?|kms:(Decrypt|GenerateDataKey.*|ReEncrypt.*)|sqs:ReceiveMessage|states:(GetExecutionHistory|DescribeExecution)|codebuild:BatchGetBuilds|lambda:GetFunction)$/i;

/**
 * Actions that return credentials, or run code or read secrets as someone else (names as iam-data spells them;
 * the battery refuses a name iam-data does not know).
 */
export const CREDENTIAL_ACTIONS = [
  "sts:AssumeRole",
  "sts:AssumeRoleWithSAML",
  "sts:AssumeRoleWithWebIdentity",
  "sts:AssumeRoot",
  "sts:GetFederationToken",
  "sts:GetSessionToken",
  "sts:GetServiceBearerToken",
  "sts:GetWebIdentityToken",
  "iam:CreateAccessKey",
  "iam:UpdateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:CreateServiceSpecificCredential",
  "iam:ResetServiceSpecificCredential",
  "iam:UploadSSHPublicKey",
  "ec2:GetPasswordData",
  "ec2:RunInstances",
  "ec2:ModifyInstanceAttribute",
  "ec2:AssociateIamInstanceProfile",
  "ec2:ReplaceIamInstanceProfileAssociation",
  "ssm:StartSession",
  "ssm:ResumeSession",
  "ssm:SendCommand",
  "ssm:StartAutomationExecution",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "secretsmanager:GetSecretValue",
  "secretsmanager:BatchGetSecretValue",
  "kms:Decrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyPair",
  "kms:ReEncryptFrom",
  "kms:CreateGrant",
  "ecs:ExecuteCommand",
  "ecs:RunTask",
  "ecs:StartTask",
  "ecs:UpdateService",
  "codebuild:StartBuild",
  "codebuild:StartBuildBatch",
  "codebuild:RetryBuild",
  "codebuild:UpdateProject",
  "codebuild:BatchGetBuilds",
  "lambda:InvokeFunction",
  "lambda:GetFunction",
  "lambda:GetFunctionConfiguration",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "cloudformation:CreateStack",
  "cloudformation:UpdateStack",
  "cloudformation:CreateChangeSet",
  "cloudformation:ExecuteChangeSet",
];

/** The life of the secrets' key, which only an administrator changes (design decision 1). */
export const KEY_LIFE_ACTIONS = ["kms:ScheduleKeyDeletion", "kms:DisableKey"];

/** Credentials from STS: the boundary refuses all of them (design decision 5). */
const STS_CREDENTIALS =
  /^sts:(AssumeRole|AssumeRoot|GetFederationToken|GetSessionToken|GetServiceBearerToken|GetWebIdentityToken)/i;

/** Services an attacker would hand a role to, to run code as it; the stack uses none of them. */
export const DANGEROUS_PASS_TARGETS = [
  "ec2.amazonaws.com",
  "lambda.amazonaws.com",
  "glue.amazonaws.com",
  "cloudformation.amazonaws.com",
  "datapipeline.amazonaws.com",
  "sagemaker.amazonaws.com",
  "elasticmapreduce.amazonaws.com",
];

/** Why an action is in the battery. */
export type Reason = "permissions management" | "IAM write" | "credentials" | "key life" | "tagging" | "data";

export interface BatteryAction extends ActionData {
  readonly reasons: readonly Reason[];
}

/** The battery's actions, from iam-data: permissions management, IAM writes, credentials, the key's life. */
export function batteryActions(all: readonly ActionData[]): BatteryAction[] {
  const byName = new Map(all.map((a) => [a.name.toLowerCase(), a]));
  const missing = [...CREDENTIAL_ACTIONS, ...KEY_LIFE_ACTIONS, ...DATA_ACTIONS].filter(
    (n) => !byName.has(n.toLowerCase()),
  );
  if (missing.length) throw new Error(`iam-data does not know ${missing.join(", ")}: fix the curated list`);
  const reasons = new Map<string, Reason[]>();
  const add = (name: string, reason: Reason) =>
    reasons.set(name.toLowerCase(), [...(reasons.get(name.toLowerCase()) ?? []), reason]);
  for (const a of all) {
    if (a.accessLevel.includes("Permissions management")) add(a.name, "permissions management");
    if (a.service === "iam" && a.accessLevel !== "Read" && a.accessLevel !== "List") add(a.name, "IAM write");
    if (a.accessLevel.includes("Tagging") && a.resourceTypes.length) add(a.name, "tagging");
  }
  for (const n of DATA_ACTIONS) add(n, "data");
  for (const n of CREDENTIAL_ACTIONS) add(n, "credentials");
  for (const n of KEY_LIFE_ACTIONS) add(n, "key life");
  return [...reasons].map(([name, r]) => ({ ...byName.get(name)!, reasons: r }));
}

export type Context = Record<string, ContextValue>;

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

/** Condition keys that come from the resource or from IAM itself, never from the attacker. */
const NOT_CHOSEN =
  /(resourcetag\/|^aws:(principal|resource|source|securetransport|calledvia|userid|username|currenttime|epochtime|multifactor|viaawsservice)|^kms:(calleraccount)|^iam:permissionsboundary$|^ec2:createaction$)/i;

/** The values each condition key takes in some statements (wildcards made concrete), keys lower-case. */
function conditionValues(statements: readonly Statement[]): Map<string, string[]> {
  const values = new Map<string, Set<string>>();
  for (const s of statements) {
    for (const keys of Object.values(s.conditions)) {
      for (const [key, list] of Object.entries(keys)) {
        const set = values.get(key) ?? new Set<string>();
        for (const v of list) set.add(v.replace(/[*?]/g, "x"));
        values.set(key, set);
      }
    }
  }
  return new Map([...values].map(([k, v]) => [k, [...v]]));
}

const valuesByPolicy = new WeakMap<readonly Statement[], Map<string, string[]>>();

/** What the policies a request meets say about each key (remembered per policy). */
function mentioned(...policies: ReadonlyArray<readonly Statement[] | undefined>): Map<string, string[]> {
  const merged = new Map<string, string[]>();
  for (const policy of policies) {
    if (!policy) continue;
    let values = valuesByPolicy.get(policy);
    if (!values) valuesByPolicy.set(policy, (values = conditionValues(policy)));
    for (const [k, v] of values) merged.set(k, [...new Set([...(merged.get(k) ?? []), ...v])]);
  }
  return merged;
}

const supportedKeys = new WeakMap<object, string[]>();

function supportedBy(action: ActionData, type: ResourceTypeData | undefined): string[] {
  const holder = type ?? action;
  let keys = supportedKeys.get(holder);
  if (!keys) {
    keys = [
      ...new Set([...action.conditionKeys, ...(type?.conditionKeys ?? [])].map((k) => k.toLowerCase())),
    ];
    supportedKeys.set(holder, keys);
  }
  return keys;
}

/** Every context the attacker could send for this request: the cross product of each key's choices. */
export function contexts(
  world: World,
  actor: Actor,
  action: ActionData,
  type: ResourceTypeData | undefined,
  target: Target,
): Context[] {
  const supported = supportedBy(action, type);
  const supports = (key: string) => supported.includes(key.toLowerCase());
  const base: Context = {};
  // The target's own tags, under every form of ResourceTag the resource type supports.
  const tagForms = new Set([
    "aws:resourcetag/",
    ...supported.filter((k) => k.includes("resourcetag/")).map((k) => k.replace(/\/.*$/, "/")),
  ]);
  for (const [k, v] of Object.entries(target.tags ?? {})) {
    for (const form of tagForms) base[`${form}${k.toLowerCase()}`] = v;
  }
  const creates = /^iam:(CreateRole|CreateUser|PutRolePermissionsBoundary|PutUserPermissionsBoundary)$/i.test(
    action.name,
  );
  if (supports("iam:PermissionsBoundary")) {
    base["iam:permissionsboundary"] = creates ? world.boundaryArn : target.boundaryArn;
  }
  if (supports("kms:GrantIsForAWSResource")) base["kms:grantisforawsresource"] = "false";

  const choices: Context[][] = [];
  if (supports("aws:RequestTag/${TagKey}") || supports("aws:TagKeys")) {
    const tagSets: Array<Record<string, string>> = [
      {},
      { application: world.application, environment: world.environment },
      { application: world.application, environment: world.environment, owner: "attacker" },
    ];
    choices.push(
      tagSets.map((tags) => ({
        ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:requesttag/${k}`, v])),
        ...(Object.keys(tags).length ? { "aws:tagkeys": Object.keys(tags) } : {}),
      })),
    );
  }
  if (supports("iam:PolicyARN")) {
    const own = `arn:aws:iam::${world.account}:policy${world.iamPath}${world.prefix}-battery`;
    const policyArns = [
      "arn:aws:iam::aws:policy/AdministratorAccess",
      "arn:aws:iam::aws:policy/AmazonS3FullAccess",
      `arn:aws:iam::${world.account}:policy/otherapp/production/otherapp-production-deploy`,
      own,
      ...world.managedPolicies,
    ];
    choices.push(policyArns.map((arn) => ({ "iam:policyarn": arn })));
  }
  if (supports("route53:ChangeResourceRecordSetsNormalizedRecordNames") && world.domain) {
    const zone = world.zoneName ?? world.domain;
    const names = [
      [world.domain],
      [`_validation.${world.domain}`],
      [`otherapp.${zone}`],
      [zone],
      [`evil${world.domain}`],
      [world.domain, `otherapp.${zone}`],
    ];
    choices.push(names.map((n) => ({ "route53:changeresourcerecordsetsnormalizedrecordnames": n })));
  }
  if (supports("iam:PassedToService")) {
    choices.push(
      [...new Set([...world.trustedServices, ...DANGEROUS_PASS_TARGETS])].map((s) => ({
        "iam:passedtoservice": s,
      })),
    );
  }
  // Any other key the request carries and the attacker sets: absent, or each value a policy tests it against.
  // KMS's encryption context and ViaService are the caller's to choose whenever a policy tests them.
  const said = mentioned(actor.principal.identity, actor.principal.boundary, target.policy);
  for (const [key, values] of said) {
    if (HANDLED.has(key) || NOT_CHOSEN.test(key)) continue;
    const kms = action.service === "kms" && /^kms:(encryptioncontext:|viaservice)/.test(key);
    if (kms || supported.includes(key)) choices.push([{}, ...values.map((v) => ({ [key]: v }))]);
  }
  return choices.reduce<Context[]>(
    (all, options) => all.flatMap((c) => options.map((o) => ({ ...c, ...o }))),
    [base],
  );
}

const HANDLED = new Set([
  "aws:tagkeys",
  "iam:policyarn",
  "iam:passedtoservice",
  "kms:grantisforawsresource",
  "route53:changeresourcerecordsetsnormalizedrecordnames",
]);

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

/** Resource types of the kinds an environment holds, for actions that take dozens (ec2:CreateTags: 106). */
const TYPES_OF_INTEREST = new Set(
  "vpc subnet security-group route-table internet-gateway natgateway elastic-ip vpc-endpoint vpc-flow-log network-acl network-interface instance volume snapshot image launch-template key-pair db cluster subgrp pg cluster-pg og secgrp es".split(
    " ",
  ),
);

/** The resource types a request of the action is tried on: its required ones, and at most a dozen kinds. */
function typesOf(action: ActionData): ResourceTypeData[] {
  const required = action.resourceTypes.filter((t) => t.required);
  const types = required.length ? required : [...action.resourceTypes];
  return types.length > 12 ? types.filter((t) => TYPES_OF_INTEREST.has(t.name.toLowerCase())) : types;
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
