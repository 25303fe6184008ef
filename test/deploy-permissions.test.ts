/**
 * What the roles of the real stacks can and cannot do, decided by the IAM evaluator (rules/iam/authorize.ts) over
 * their synthesized identity policies, permissions boundary, and the key, trust and resource policies involved.
 *
 * - Deploying and planning work: every call the access data lists for each Terraform type of the stack is allowed
 *   to the deploy role (the reads to the plan role), on this environment's resources, and the data covers every
 *   resource type and data source the production and staging stacks hold.
 * - Each defect issue 16 measured is refused, as the principal the issue names: the deploy role, a role it could
 *   create (the boundary with an allow-everything policy), and the plan role.
 * - The policies fit IAM's quotas.
 */
import { SERVICE_ACCESS } from "../constructs/access";
import type { AccessScope } from "../constructs/access/types";
import { stackPolicies } from "../rules/helpers/iam";
import type { AccountPolicies } from "../rules/helpers/iam";
import {
  authorize,
  describe as explain,
  type Principal,
  type Request,
  type Target,
} from "../rules/iam/authorize";
import { type Statement, statementsOf } from "../rules/iam/policy";
import { synthesizedElements } from "../rules/iam/terraform";
import { StackView } from "../rules/stack-view";
import { type NeededCall, neededCalls, satisfying, writeActions } from "./access-requests";
import { reaches, sarActions } from "./sar";
import { buildEnvironmentStack, ROOT } from "./environment-stacks";

/** A normalized statement's conditions as a policy's Condition block. */
const conditionBlock = (st: Statement) =>
  st.conditions as unknown as Record<string, Record<string, string[]>>;

/** IAM's quotas: a managed policy, a role's inline policies together, managed policies attached to a role. */
const MANAGED_POLICY_CHARS = 6144;
const INLINE_CHARS_PER_ROLE = 10240;
const MANAGED_POLICIES_PER_ROLE = 10;

const size = (document: string) => document.replace(/\s/g, "").length;

interface Environment {
  readonly access: AccessScope;
  readonly view: StackView;
  readonly policies: AccountPolicies;
  readonly arns: string[];
  readonly deploy: string;
  readonly plan: string;
  /** A role the deploy role could create: the boundary, and a policy that allows everything. */
  readonly created: Principal;
}

function environment(name: string): Environment {
  const { stack } = buildEnvironmentStack(`${ROOT}/environments/${name}.json`);
  const view = new StackView(stack.toTerraform());
  const policies = stackPolicies(view);
  const role = (kind: string) => policies.role(`${stack.access.prefix}-github-${kind}`)!.arn;
  const boundary = policies.role(role("deploy"))!.boundary!;
  return {
    access: stack.access,
    view,
    policies,
    arns: synthesizedElements(view, policies.where)
      .map((e) => String(e.values.arn ?? ""))
      .filter((arn) => arn.startsWith("arn:") && !arn.includes(stack.access.accessPath)),
    deploy: role("deploy"),
    plan: role("plan"),
    created: {
      arn: `arn:aws:iam::${stack.access.account}:role${stack.access.iamPath}${stack.access.prefix}-created`,
      identity: statementsOf({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
      boundary,
    },
  };
}

/** The decision for a principal of the stack (by ARN) or one made up, with the target's policy. */
function decide(e: Environment, who: string | Principal, request: Request, target?: Target): string {
  const principal = typeof who === "string" ? e.policies.principal(who) : who;
  // A KMS call on `*` (ListAliases) names no key: IAM alone decides, there is no key policy to consult.
  const keyless = request.action.startsWith("kms:") && request.resource === "*";
  const t = target ?? (keyless ? {} : e.policies.target(request));
  const result = authorize(principal, request, { ...t, account: t.account ?? e.access.account });
  return result.decision === "allowed"
    ? `allowed: ${explain(principal.arn, request, result)}`
    : result.decision;
}

/**
 * The services through which each Terraform type's service uses a key with the caller's permissions (kms:ViaService):
 * RDS, and Secrets Manager for the database's managed password (which makes no grant); S3 for the artifacts of the
 * build and the pipeline.
 */
const KEY_USED_VIA: Record<string, Array<{ service: string; grants: boolean }>> = {
  aws_db_instance: [
    { service: "rds", grants: true },
    { service: "secretsmanager", grants: false },
  ],
  aws_ecr_repository: [{ service: "ecr", grants: true }],
  aws_kinesis_firehose_delivery_stream: [
    { service: "firehose", grants: true },
    { service: "s3", grants: false },
  ],
  aws_scheduler_schedule: [{ service: "scheduler", grants: true }],
  aws_sns_topic: [{ service: "sns", grants: false }],
  aws_sqs_queue: [{ service: "sqs", grants: false }],
  aws_codebuild_project: [
    { service: "codebuild", grants: true },
    { service: "s3", grants: false },
  ],
  aws_codepipeline: [
    { service: "codepipeline", grants: true },
    { service: "s3", grants: false },
  ],
};

/**
 * A key use a service makes for a Terraform type, as AWS sees it: on each key the type's resources in the stack name,
 * through one of the type's services (kms:ViaService, in the caller's account) that makes such a call; the call
 * counts as allowed through any of them. A type whose resources name no key makes none. Other calls are as the data
 * lists them.
 */
function throughServices(e: Environment, call: NeededCall): NeededCall[] {
  const via = KEY_USED_VIA[call.terraform];
  if (!via || !/^kms:(Decrypt|GenerateDataKey|CreateGrant)$/.test(call.request.action)) return [call];
  const services = via
    .filter((v) => v.grants || call.request.action !== "kms:CreateGrant")
    .map((v) => v.service);
  const named = new Set(
    Object.values((e.view.config.resource[call.terraform] ?? {}) as Record<string, unknown>).flatMap(
      (block) => [...JSON.stringify(block).matchAll(/\$\{aws_kms_key\.([\w-]+)\./g)].map((m) => m[1]),
    ),
  );
  const { account, region } = e.policies.where;
  const keys = synthesizedElements(e.view, e.policies.where).filter((el) => el.type === "aws_kms_key");
  return [...named].flatMap((name) => {
    const arn = String(keys.find((el) => el.name === name)?.values.arn);
    const contexts = services.map((service) => ({
      ...call.request.context,
      "kms:viaservice": `${service}.${region}.amazonaws.com`,
      "kms:calleraccount": account,
    }));
    // A grant on a key whose policy names none of the type's granting services (the secrets key: RDS makes no grant
    // there) is not asked for; a decrypt or data key the type's services cannot get is asked, and fails.
    const usable = contexts.filter((context) =>
      (e.policies.target({ ...call.request, resource: arn, context }).policy ?? []).some((st) =>
        Object.values(st.conditions).some((keys) =>
          (keys["kms:viaservice"] ?? []).includes(String(context["kms:viaservice"])),
        ),
      ),
    );
    if (usable.length === 0 && call.request.action === "kms:CreateGrant") return [];
    if (usable.length === 0) usable.push(contexts[0]);
    const allowed = usable.find((context) =>
      decide(e, e.deploy, { ...call.request, resource: arn, context }).startsWith("allowed"),
    );
    return [{ ...call, request: { ...call.request, resource: arn, context: allowed ?? usable[0] } }];
  });
}

const production = environment("production");
const staging = environment("staging");

describe.each([
  ["production", production],
  ["staging", staging],
])("deploying and planning %s", (_name, e) => {
  it("the access data covers every resource type and data source of the stack", () => {
    const covered = new Set(
      SERVICE_ACCESS.flatMap((s) => [
        ...s.grants.flatMap((g) => Object.keys(g.terraform)),
        ...(s.unscoped ?? []).flatMap((u) => u.terraform),
        ...Object.keys(s.administrator ?? {}),
      ]),
    );
    const inStack = [
      ...Object.keys(e.view.config.resource),
      ...Object.keys(e.view.config.data ?? {}).map((t) => `data.${t}`),
    ];
    // data.aws_region and data.aws_elb_service_account are answered by the provider without a call.
    const answeredLocally = ["data.aws_elb_service_account", "data.aws_region"];
    expect(inStack.filter((t) => !covered.has(t) && !answeredLocally.includes(t)).sort()).toEqual([]);
  });

  it("the deploy role may make every call the data lists, on this environment's resources", () => {
    const refused = neededCalls(e.access, e.arns)
      .filter((c) => c.role === "deploy")
      .flatMap((c) => throughServices(e, c))
      .map((c) => [c, decide(e, e.deploy, c.request)] as const)
      .filter(([, d]) => !d.startsWith("allowed"))
      .map(([c, d]) => `${c.terraform} ${c.request.action} ${c.request.resource}: ${d}`);
    expect(refused).toEqual([]);
  });

  it("the plan role may make every read the data lists, and none of its writes", () => {
    const refused = neededCalls(e.access, e.arns)
      .filter((c) => c.role === "plan")
      .filter((c) => !decide(e, e.plan, c.request).startsWith("allowed"))
      .map((c) => `${c.terraform} ${c.request.action} ${c.request.resource}`);
    expect(refused).toEqual([]);
    const writes = writeActions(e.access).flatMap(({ action, resources }) =>
      resources.map((r) => ({ action, resource: r.replace(/\*/g, "x1") })),
    );
    const tags = {
      "aws:resourcetag/application": e.access.application,
      "aws:resourcetag/environment": e.access.environment,
    };
    const allowed = writes
      .filter((w) => decide(e, e.plan, { ...w, context: tags }).startsWith("allowed"))
      .map((w) => `${w.action} ${w.resource}`);
    expect(allowed).toEqual([]);
  });

  it("only an administrator creates what carries an id (and the access layer): a short list, each with why", () => {
    const administrator = SERVICE_ACCESS.flatMap((s) => Object.entries(s.administrator ?? {}));
    expect(administrator.map(([t]) => t).sort()).toEqual([
      "aws_acm_certificate",
      "aws_appautoscaling_target",
      "aws_ce_anomaly_monitor",
      "aws_ce_anomaly_subscription",
      "aws_cloudwatch_log_resource_policy",
      "aws_codestarconnections_connection",
      "aws_codestarnotifications_notification_rule",
      "aws_db_instance",
      "aws_default_security_group",
      "aws_eip",
      "aws_flow_log",
      "aws_iam_openid_connect_provider",
      "aws_internet_gateway",
      "aws_kms_key",
      "aws_nat_gateway",
      "aws_route53_zone",
      "aws_route_table",
      "aws_secretsmanager_secret_policy",
      "aws_subnet",
      "aws_vpc",
      "aws_vpc_endpoint",
    ]);
    for (const [, why] of administrator) expect(why.length).toBeGreaterThan(40);
  });
});

/** ARNs and tags of what surrounds the production environment in its account (the battery builds many more). */
const A = production.access.account;
const R = production.access.region;
const iam = (resource: string) => `arn:aws:iam::${A}:${resource}`;
const here = (service: string, resource: string) => `arn:aws:${service}:${R}:${A}:${resource}`;
const tagsOf = (application: string, environment: string) => ({
  "aws:resourcetag/application": application,
  "aws:resourcetag/environment": environment,
});
const OTHER_APP = tagsOf("otherapp", "production");
const OURS = tagsOf("myamazingapp", "production");
const OUR_REQUEST_TAGS = {
  "aws:requesttag/application": "myamazingapp",
  "aws:requesttag/environment": "production",
  "aws:tagkeys": ["application", "environment"],
};
/** Another key of the account whose policy hands it to IAM (the default key policy). */
const KEY_TRUSTING_THE_ACCOUNT: Target = {
  kind: "key",
  policy: statementsOf({
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "kms:*", Resource: "*" },
    ],
  }),
};
const ADMIN_ROLE = iam("role/OrganizationAccountAccessRole");
const policyArnOf = (name: string) =>
  synthesizedElements(production.view, production.policies.where).find(
    (el) => el.type === "aws_iam_policy" && el.values.name === name,
  )!.values.arn as string;
const DEPLOY_POLICY = policyArnOf("myamazingapp-production-github-deploy-1");
const BOUNDARY = production.access.boundaryArn;
const EXECUTION_ROLE = production.policies.role("myamazingapp-production-task-execution")!.arn;
const SECRETS_KEY = synthesizedElements(production.view, production.policies.where).find(
  (el) => el.type === "aws_kms_key" && String(el.values.description).endsWith("secrets"),
)!.values.arn as string;

type Case = [what: string, request: Request, target?: Target];
/** Rows of three, always: a test function with more parameters than its row is taken for one with `done`. */
const rows = (cases: Case[]) => cases.map(([what, request, target]) => [what, request, target] as const);

/** The account-takeover list: what a role the deploy role can create, given any policy, might do. */
const TAKEOVER: Case[] = [
  [
    "make the account's administrator role trust it",
    { action: "iam:UpdateAssumeRolePolicy", resource: ADMIN_ROLE },
  ],
  [
    "write a new version of the deploy role's own policy",
    { action: "iam:CreatePolicyVersion", resource: DEPLOY_POLICY },
  ],
  [
    "switch the deploy role's policy to another version",
    { action: "iam:SetDefaultPolicyVersion", resource: DEPLOY_POLICY },
  ],
  [
    "attach AdministratorAccess to a group",
    {
      action: "iam:AttachGroupPolicy",
      resource: iam("group/admins"),
      context: { "iam:policyarn": "arn:aws:iam::aws:policy/AdministratorAccess" },
    },
  ],
  [
    "attach any policy to a group",
    {
      action: "iam:AttachGroupPolicy",
      resource: iam("group/developers"),
      context: { "iam:policyarn": "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
    },
  ],
  ["lift a user's boundary", { action: "iam:DeleteUserPermissionsBoundary", resource: iam("user/alice") }],
  [
    "create an OIDC provider",
    { action: "iam:CreateOpenIDConnectProvider", resource: iam("oidc-provider/token.example.com") },
  ],
  ["create a user", { action: "iam:CreateUser", resource: iam("user/myamazingapp/production/x") }],
  ["create an access key", { action: "iam:CreateAccessKey", resource: iam("user/alice") }],
  [
    "create a role outside the environment's path, even with the boundary",
    { action: "iam:CreateRole", resource: iam("role/x"), context: { "iam:permissionsboundary": BOUNDARY } },
  ],
  [
    "change another application's bucket policy",
    { action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::otherapp-production-files" },
  ],
  [
    "change another application's secret policy",
    {
      action: "secretsmanager:PutResourcePolicy",
      resource: here("secretsmanager", "secret:otherapp/production/DB-AbCdEf"),
      context: OTHER_APP,
    },
  ],
  [
    "rewrite the policy of another key that trusts the account",
    {
      action: "kms:PutKeyPolicy",
      resource: here("kms", "key/1111aaaa-0000-0000-0000-000000000000"),
      context: OTHER_APP,
    },
    KEY_TRUSTING_THE_ACCOUNT,
  ],
  [
    "run a command on another application's instance",
    { action: "ssm:SendCommand", resource: here("ec2", "instance/i-0123456789abcdef0"), context: OTHER_APP },
  ],
  [
    "exec into another application's task",
    {
      action: "ecs:ExecuteCommand",
      resource: here("ecs", "task/otherapp-production/0123456789abcdef"),
      context: OTHER_APP,
    },
  ],
  [
    "start another application's build",
    { action: "codebuild:StartBuild", resource: here("codebuild", "project/otherapp-production-build") },
  ],
  [
    "modify another application's database",
    { action: "rds:ModifyDBInstance", resource: here("rds", "db:otherapp-production-db") },
  ],
  [
    "hand another application's role to a build project of its own",
    {
      action: "iam:PassRole",
      resource: iam("role/otherapp/production/otherapp-production-build"),
      context: { "iam:passedtoservice": "codebuild.amazonaws.com" },
    },
  ],
  [
    "hand the account's administrator role to a task definition",
    {
      action: "iam:PassRole",
      resource: ADMIN_ROLE,
      context: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" },
    },
  ],
  [
    "hand an environment role to EC2",
    {
      action: "iam:PassRole",
      resource: iam("role/myamazingapp/production/myamazingapp-production-task"),
      context: { "iam:passedtoservice": "ec2.amazonaws.com" },
    },
  ],
  ["assume the account's administrator role", { action: "sts:AssumeRole", resource: ADMIN_ROLE }],
  ["replace the account's log resource policies", { action: "logs:PutResourcePolicy", resource: "*" }],
  ["delete the account's log resource policies", { action: "logs:DeleteResourcePolicy", resource: "*" }],
  ["get a session token", { action: "sts:GetSessionToken", resource: "*" }],
  [
    "update the same application's other environment's service",
    {
      action: "ecs:UpdateService",
      resource: here("ecs", "service/myamazingapp-staging/myamazingapp-staging-web"),
      context: tagsOf("myamazingapp", "staging"),
    },
  ],
  [
    "use a service the environment does not",
    { action: "lambda:CreateFunction", resource: here("lambda", "function:myamazingapp-production-x") },
  ],
];

/** What the deploy role itself might do outside the environment (the third and fourth defects). */
const DEPLOY_OUTSIDE: Case[] = [
  [
    "attach AmazonS3FullAccess to an environment role",
    {
      action: "iam:AttachRolePolicy",
      resource: iam("role/myamazingapp/production/myamazingapp-production-task"),
      context: {
        "iam:permissionsboundary": BOUNDARY,
        "iam:policyarn": "arn:aws:iam::aws:policy/AmazonS3FullAccess",
      },
    },
  ],
  [
    "attach another application's customer policy to an environment role",
    {
      action: "iam:AttachRolePolicy",
      resource: iam("role/myamazingapp/production/myamazingapp-production-task"),
      context: {
        "iam:permissionsboundary": BOUNDARY,
        "iam:policyarn": iam("policy/otherapp/production/admin"),
      },
    },
  ],
  ...["CreateDBInstance", "ModifyDBInstance", "DeleteDBInstance"].map((action): Case => [
    `rds:${action} on another application's database`,
    { action: `rds:${action}`, resource: here("rds", "db:otherapp-production-db") },
  ]),
  ...["Decrypt", "PutKeyPolicy", "ScheduleKeyDeletion", "CreateGrant"].map((action): Case => [
    `kms:${action} on another key that trusts the account`,
    {
      action: `kms:${action}`,
      resource: here("kms", "key/2222bbbb-0000-0000-0000-000000000000"),
      context: OTHER_APP,
    },
    KEY_TRUSTING_THE_ACCOUNT,
  ]),
  [
    "kms:ScheduleKeyDeletion on an untagged key that trusts the account",
    { action: "kms:ScheduleKeyDeletion", resource: here("kms", "key/3333cccc-0000-0000-0000-000000000000") },
    KEY_TRUSTING_THE_ACCOUNT,
  ],
  [
    "delete another application's security group",
    {
      action: "ec2:DeleteSecurityGroup",
      resource: here("ec2", "security-group/sg-0123456789abcdef0"),
      context: OTHER_APP,
    },
  ],
  [
    "create a security group in another application's VPC, with this environment's tags",
    {
      action: "ec2:CreateSecurityGroup",
      resource: here("ec2", "vpc/vpc-0123456789abcdef0"),
      context: { ...OTHER_APP, ...OUR_REQUEST_TAGS },
    },
  ],
  [
    "tag another application's VPC with this environment's tags",
    {
      action: "ec2:CreateTags",
      resource: here("ec2", "vpc/vpc-0123456789abcdef0"),
      context: { ...OTHER_APP, ...OUR_REQUEST_TAGS },
    },
  ],
  [
    "tag an untagged subnet with this environment's tags",
    {
      action: "ec2:CreateTags",
      resource: here("ec2", "subnet/subnet-0123456789abcdef0"),
      context: OUR_REQUEST_TAGS,
    },
  ],
  [
    "change a record of another domain",
    {
      action: "route53:ChangeResourceRecordSets",
      resource: "arn:aws:route53:::hostedzone/Z0123456789ABC",
      context: { "route53:changeresourcerecordsetsnormalizedrecordnames": ["otherapp.cdlib.org"] },
    },
  ],
  [
    "change the record that delegates staging's domain (another environment's, under production's)",
    {
      action: "route53:ChangeResourceRecordSets",
      resource: "arn:aws:route53:::hostedzone/Z0123456789ABC",
      context: {
        "route53:changeresourcerecordsetsnormalizedrecordnames": ["staging.myamazingapp.cdlib.org"],
      },
    },
  ],
  [
    "delete another application's certificate",
    {
      action: "acm:DeleteCertificate",
      resource: here("acm", "certificate/44444444-0000-0000-0000-000000000000"),
      context: OTHER_APP,
    },
  ],
  [
    "pass another application's GitHub connection to a pipeline",
    {
      action: "codestar-connections:PassConnection",
      resource: here("codestar-connections", "connection/55555555-0000-0000-0000-000000000000"),
      context: OTHER_APP,
    },
  ],
];

/** The access layer inside the environment: who else may read its secrets (the fourth defect). */
const ACCESS_LAYER: Case[] = [
  [
    "rewrite the task execution role's trust policy",
    { action: "iam:UpdateAssumeRolePolicy", resource: EXECUTION_ROLE },
  ],
  [
    "give the task execution role another policy",
    {
      action: "iam:PutRolePolicy",
      resource: EXECUTION_ROLE,
      context: { "iam:permissionsboundary": BOUNDARY },
    },
  ],
  [
    "change who may read an app secret",
    {
      action: "secretsmanager:PutResourcePolicy",
      resource: here("secretsmanager", "secret:myamazingapp/production/SMTP_PASSWORD-AbCdEf"),
      context: OURS,
    },
  ],
  ["rewrite the secrets key's policy", { action: "kms:PutKeyPolicy", resource: SECRETS_KEY, context: OURS }],
  ["delete the secrets key", { action: "kms:ScheduleKeyDeletion", resource: SECRETS_KEY, context: OURS }],
  ["rewrite the boundary", { action: "iam:CreatePolicyVersion", resource: BOUNDARY }],
  ["lift its own boundary", { action: "iam:DeleteRolePermissionsBoundary", resource: production.deploy }],
  [
    "edit its own policies",
    {
      action: "iam:PutRolePolicy",
      resource: production.deploy,
      context: { "iam:permissionsboundary": BOUNDARY },
    },
  ],
];

/** The plan role runs pull-request code: configuration, never data (the fifth defect). */
const PLAN_DATA: Case[] = [
  [
    "pull an image",
    { action: "ecr:BatchGetImage", resource: here("ecr", "repository/myamazingapp-production-web") },
  ],
  [
    "download an image layer",
    { action: "ecr:GetDownloadUrlForLayer", resource: here("ecr", "repository/myamazingapp-production-web") },
  ],
  ["get a registry token", { action: "ecr:GetAuthorizationToken", resource: "*" }],
  [
    "download the database's log",
    { action: "rds:DownloadDBLogFilePortion", resource: here("rds", "db:myamazingapp-production-db") },
  ],
  [
    "read an upload",
    { action: "s3:GetObject", resource: "arn:aws:s3:::myamazingapp-production-uploads-111111111111/f" },
  ],
  [
    "read log events",
    {
      action: "logs:GetLogEvents",
      resource: here("logs", "log-group:/myamazingapp/production/web:log-stream:x"),
    },
  ],
  [
    "read a secret's value",
    {
      action: "secretsmanager:GetSecretValue",
      resource: here("secretsmanager", "secret:myamazingapp/production/SMTP_PASSWORD-AbCdEf"),
    },
  ],
  [
    "read a parameter's value",
    { action: "ssm:GetParameter", resource: here("ssm", "parameter/myamazingapp/production/x") },
  ],
  [
    "receive a queue's messages",
    { action: "sqs:ReceiveMessage", resource: here("sqs", "myamazingapp-production-weekly-stats-dlq") },
  ],
  [
    "read a state machine run's history",
    {
      action: "states:GetExecutionHistory",
      resource: here("states", "execution:myamazingapp-production-upload-age-audit:x"),
    },
  ],
];

describe("production: each defect issue 16 measured is refused", () => {
  it.each(rows(TAKEOVER))(
    "a role the deploy role creates cannot %s, whatever policy it is given",
    (_what, request, target) => {
      expect(decide(production, production.created, request, target)).not.toMatch(/^allowed/);
    },
  );

  it.each(rows(TAKEOVER))("nor can the deploy role %s", (_what, request, target) => {
    expect(decide(production, production.deploy, request, target)).not.toMatch(/^allowed/);
  });

  it.each(rows(DEPLOY_OUTSIDE))("the deploy role cannot %s", (_what, request, target) => {
    expect(decide(production, production.deploy, request, target)).not.toMatch(/^allowed/);
    expect(decide(production, production.created, request, target)).not.toMatch(/^allowed/);
  });

  it.each(rows(ACCESS_LAYER))(
    "the deploy role (and any role it creates) cannot %s",
    (_what, request, target) => {
      expect(decide(production, production.deploy, request, target)).not.toMatch(/^allowed/);
      expect(decide(production, production.created, request, target)).not.toMatch(/^allowed/);
    },
  );

  it("the deploy role may change records of production's domain and its subdomains, the validation ones included", () => {
    for (const name of [
      "myamazingapp.cdlib.org",
      "_0123abcd.myamazingapp.cdlib.org",
      "mail.myamazingapp.cdlib.org",
    ]) {
      const request = {
        action: "route53:ChangeResourceRecordSets",
        resource: "arn:aws:route53:::hostedzone/Z0123456789ABC",
        context: { "route53:changeresourcerecordsetsnormalizedrecordnames": [name] },
      };
      expect([name, decide(production, production.deploy, request)]).toEqual([
        name,
        expect.stringMatching(/^allowed/),
      ]);
    }
  });

  it("the plan role holds no ReadOnlyAccess, and reads the state and the released image's name", () => {
    const attached = production.view
      .resources("aws_iam_role_policy_attachment")
      .map((a) => String(a.block.policy_arn));
    expect(attached.filter((arn) => arn.endsWith("/ReadOnlyAccess"))).toEqual([]);
    const state = production.access.stateObjectArn;
    expect(decide(production, production.plan, { action: "s3:GetObject", resource: state })).toMatch(
      /^allowed/,
    );
    expect(
      decide(production, production.plan, {
        action: "ssm:GetParameter",
        resource: here("ssm", "parameter/myamazingapp/production/image"),
      }),
    ).toMatch(/^allowed/);
  });

  it.each(rows(PLAN_DATA))("the plan role cannot %s", (_what, request, target) => {
    expect(decide(production, production.plan, request, target)).not.toMatch(/^allowed/);
  });
});

describe.each([
  ["production", production],
  ["staging", staging],
])("the %s stack's roles and policies", (_name, e) => {
  const policies = () => e.view.resources("aws_iam_policy");

  it("live under the environment's IAM path, the access layer under its own", () => {
    const where = [...e.view.resources("aws_iam_role"), ...policies()].map(
      (r) => `${r.block.path}${r.block.name}`,
    );
    const prefix = e.access.prefix;
    const application = e.access.application;
    const env = e.access.environment;
    expect(where.filter((p) => !p.startsWith(`/${application}/${env}/`))).toEqual([]);
    expect(where.filter((p) => p.startsWith(`/${application}/${env}/access/`)).sort()).toEqual(
      [
        `${prefix}-boundary`,
        `${prefix}-github-deploy`,
        `${prefix}-github-plan`,
        `${prefix}-task-execution`,
        ...policies()
          .map((p) => String(p.block.name))
          .filter((n) => /-github-(deploy|plan)-\d+$/.test(n)),
      ]
        .map((n) => `/${application}/${env}/access/${n}`)
        .sort(),
    );
  });

  it("every role carries the environment's boundary, and can still do what its own policies grant", () => {
    const roles = e.policies.roles.filter((r) => r.arn.includes(e.access.iamPath));
    expect(roles.filter((r) => r.boundaryArn !== e.access.boundaryArn).map((r) => r.name)).toEqual([]);
    // The stack's own (inline) grants of the run-time roles, on the resources they name: the boundary must let each
    // through (the GitHub roles' needs are the access data's, tried above; AWS managed policies grant more than
    // the roles need, on *, and a grant on * is capped by the boundary by design).
    const runtime = roles.filter(
      (r) => !r.arn.includes(e.access.accessPath) || r.name.endsWith("task-execution"),
    );
    const instantiate = (arn: string) =>
      arn.replace(/^(arn:aws:[^:]*):\*:\*:/, `$1:${e.access.region}:${e.access.account}:`).replace(/\*/g, "");
    const cut = runtime.flatMap((role) =>
      role.identity
        .filter((st) => st.source?.startsWith(`${role.name}/`) && st.effect === "Allow" && !st.notAction)
        .flatMap((st) =>
          st.actions.flatMap(sarActions).flatMap((action) =>
            st.resources
              .filter((r) => r !== "*" && action.resourceTypes.some((t) => reaches(r, t)))
              .map((resource) => {
                const arn = instantiate(resource);
                const request: Request = {
                  action: action.name,
                  resource: arn,
                  context: {
                    ...tagsOf(e.access.application, e.access.environment),
                    ...(arn.includes(":secret:rds!db-")
                      ? { "aws:resourcetag/aws:rds:primarydbinstancearn": e.access.databaseArn }
                      : {}),
                    ...satisfying(conditionBlock(st)),
                  },
                };
                const decision = authorize(e.policies.principal(role.arn), request, {
                  kind: "resource",
                  account: e.access.account,
                }).decision;
                return decision === "allowed"
                  ? undefined
                  : `${role.name}: ${action.name} ${arn} (${decision})`;
              }),
          ),
        )
        .filter((x): x is string => x !== undefined),
    );
    expect(cut).toEqual([]);
  });

  it("fit IAM's quotas: the boundary and each managed policy in 6144 characters, inline in 10240, 10 attached", () => {
    // A key's ARN replaces its reference at apply: 75 characters for `arn:aws:kms:<region>:<account>:key/<uuid>`.
    const resolved = (text: string) =>
      text.replace(
        /\$\{aws_kms_key\.[^}]+\.arn\}/g,
        `arn:aws:kms:${e.access.region}:${e.access.account}:key/${"0".repeat(36)}`,
      );
    for (const p of policies())
      expect([p.block.name, size(resolved(p.block.policy))]).toEqual([p.block.name, expect.any(Number)]);
    const over = policies().filter((p) => size(resolved(p.block.policy)) > MANAGED_POLICY_CHARS);
    expect(over.map((p) => p.block.name)).toEqual([]);
    for (const role of e.view.resources("aws_iam_role")) {
      const inline = e.view
        .referring("aws_iam_role_policy", "role", role)
        .reduce((sum, p) => sum + size(p.block.policy), 0);
      expect([role.block.name, inline <= INLINE_CHARS_PER_ROLE]).toEqual([role.block.name, true]);
      const attached = e.view.referring("aws_iam_role_policy_attachment", "role", role).length;
      expect([role.block.name, attached <= MANAGED_POLICIES_PER_ROLE]).toEqual([role.block.name, true]);
    }
  });
});

describe("production's deploy role, by its own policies alone (the boundary aside)", () => {
  const identity = () => production.policies.role(production.deploy)!.identity;
  const alone = (request: Request) =>
    authorize({ arn: production.deploy, identity: identity() }, request, {});

  it.each([
    ["EC2", "ec2.amazonaws.com"],
    ["Lambda", "lambda.amazonaws.com"],
  ])("passes the environment's roles to %s no more than the boundary lets it", (_name, service) => {
    const request = {
      action: "iam:PassRole",
      resource: iam("role/myamazingapp/production/myamazingapp-production-task"),
      context: { "iam:passedtoservice": service },
    };
    expect(alone(request).decision).not.toBe("allowed");
    expect(
      alone({ ...request, context: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" } }).decision,
    ).toBe("allowed");
  });

  it("creates roles only with the boundary, and attaches only the stack's policies", () => {
    const newRole = iam("role/myamazingapp/production/myamazingapp-production-new");
    expect(alone({ action: "iam:CreateRole", resource: newRole }).decision).not.toBe("allowed");
    expect(
      alone({ action: "iam:CreateRole", resource: newRole, context: { "iam:permissionsboundary": BOUNDARY } })
        .decision,
    ).toBe("allowed");
    const attach = (policyArn: string) =>
      alone({
        action: "iam:AttachRolePolicy",
        resource: newRole,
        context: { "iam:permissionsboundary": BOUNDARY, "iam:policyarn": policyArn },
      }).decision;
    expect(attach("arn:aws:iam::aws:policy/AdministratorAccess")).not.toBe("allowed");
    expect(attach("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")).toBe("allowed");
  });
});
