/**
 * The three policies made from the access data: what the deploy role may do (every grant's write and read
 * actions), what the plan role may do (every grant's read actions, and no data), and the permissions boundary
 * (the environment's scopes, coarse, plus what its own roles need at run time, and the denies that hold whatever
 * policy a role of the environment is given).
 */
import type { PolicyStatement } from "../iam";
import { environmentPolicies, environmentRoles } from "./identity";
import { SERVICE_ACCESS } from "./index";
import { environmentBuckets, EMPTY_BUCKETS } from "./storage";
import { imageParameter } from "./secrets";
import { type AccessScope, type Grant, type ServiceAccess, taggedExisting, type Unscoped } from "./types";

const unique = (values: readonly string[]): string[] => [...new Set(values)];

/** The write and read actions of a grant, over the Terraform types it serves. */
export function grantActions(grant: Grant, kind: "write" | "read" | "both" = "both"): string[] {
  return unique(
    Object.values(grant.terraform).flatMap((needs) => [
      ...(kind !== "read" ? (needs.write ?? []) : []),
      ...(kind !== "write" ? (needs.read ?? []) : []),
    ]),
  ).sort();
}

function statement(
  sid: string,
  actions: readonly string[],
  resources: string[],
  condition?: PolicyStatement["Condition"],
): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions.length === 1 ? actions[0] : [...actions],
    Resource: resources.length === 1 ? resources[0] : resources,
    ...(condition ? { Condition: condition } : {}),
  };
}

/** Unscoped actions as statements on `*`: one without a condition, one per conditioned action. */
function unscopedStatements(s: AccessScope, sid: string, entries: readonly Unscoped[]): PolicyStatement[] {
  const plain = unique(entries.filter((u) => !u.condition).map((u) => u.action)).sort();
  return [
    ...(plain.length ? [statement(sid, plain, ["*"])] : []),
    ...entries
      .filter((u) => u.condition)
      .map((u, i) => statement(`${sid}Conditioned${i + 1}`, [u.action], ["*"], u.condition!(s))),
  ];
}

const allGrants = (services: readonly ServiceAccess[]) => services.flatMap((a) => a.grants);
const allUnscoped = (services: readonly ServiceAccess[]) => services.flatMap((a) => a.unscoped ?? []);

/** What the GitHub deploy role may do: every grant of every service, and the actions AWS takes only on `*`. */
export function deployStatements(s: AccessScope, services = SERVICE_ACCESS): PolicyStatement[] {
  const grants = allGrants(services)
    .map((g) => ({ g, resources: g.resources(s) }))
    .filter(({ resources }) => resources.length > 0)
    .map(({ g, resources }) => statement(g.sid, grantActions(g), resources, g.condition?.(s)));
  const empty = s.emptyBucketsOnDestroy
    ? [
        statement(
          EMPTY_BUCKETS.sid,
          [...EMPTY_BUCKETS.bucket, ...EMPTY_BUCKETS.objects],
          [environmentBuckets(s), `${environmentBuckets(s)}/*`],
        ),
      ]
    : [];
  return [
    ...unscopedStatements(s, "ActionsAwsTakesOnlyOnEveryResource", allUnscoped(services)),
    ...grants,
    ...empty,
  ];
}

/**
 * What the plan role may read: the configuration `terraform plan` refreshes, scoped as the deploy role's grants
 * are, and the state. An explicit Deny keeps data out of reach even where a read verb would reach it.
 */
export function planStatements(s: AccessScope, services = SERVICE_ACCESS): PolicyStatement[] {
  const reads = allGrants(services)
    .map((g) => ({ g, actions: grantActions(g, "read"), resources: g.resources(s) }))
    .filter(({ actions, resources }) => actions.length > 0 && resources.length > 0)
    .map(({ g, actions, resources }) => statement(`Read${g.sid}`, actions, resources, g.condition?.(s)));
  const unscopedReads = allUnscoped(services).filter((u) => u.read);
  return [
    ...unscopedStatements(s, "ReadsAwsTakesOnlyOnEveryResource", unscopedReads),
    ...reads,
    statement("ListTheStateBucket", ["s3:ListBucket"], [s.stateObjectArn.split("/")[0]]),
    statement("ReadTheState", ["s3:GetObject"], [s.stateObjectArn]),
    ...noDataReads(s),
  ];
}

/** Reads that return data, not configuration: the plan role's explicit Deny. */
export const DATA_READS = {
  objects: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectTorrent"],
  parameters: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"],
  everywhere: [
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:GetAuthorizationToken",
    "rds:DownloadDBLogFilePortion",
    "rds:DownloadCompleteDBLogFile",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "logs:StartLiveTail",
    "logs:GetLogRecord",
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "kms:Decrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "sqs:ReceiveMessage",
    "states:GetExecutionHistory",
    "states:DescribeExecution",
    "codebuild:BatchGetBuilds",
    "ec2:GetPasswordData",
    "ec2:GetConsoleOutput",
    "ec2:DescribeInstanceAttribute",
  ],
};

function noDataReads(s: AccessScope): PolicyStatement[] {
  return [
    { Sid: "NoObjectButTheState", Effect: "Deny", Action: DATA_READS.objects, NotResource: s.stateObjectArn },
    {
      Sid: "NoParameterButTheReleasedImage",
      Effect: "Deny",
      Action: DATA_READS.parameters,
      NotResource: imageParameter(s),
    },
    { Sid: "NoData", Effect: "Deny", Action: DATA_READS.everywhere, Resource: "*" },
  ];
}

/**
 * Every IAM action that is not a read (Get*, List*, Generate*), as short patterns: the boundary must fit one managed
 * policy. PassRole is left out (its own Deny limits it); a test checks the patterns against the Service
 * Authorization Reference.
 */
export const IAM_WRITES = [
  "iam:A*",
  "iam:C*",
  "iam:D*",
  "iam:E*",
  "iam:Put*",
  "iam:R*",
  "iam:S*",
  "iam:T*",
  "iam:U*",
];

/**
 * The actions the boundary allows on every resource, as patterns: the actions AWS authorizes only on `*` that the
 * data lists (a test checks each is matched, and that no pattern matches a data read or a credential).
 */
export const BOUNDARY_UNSCOPED = [
  "ec2:Describe*",
  "elasticloadbalancing:Describe*",
  "elasticloadbalancing:SetWebAcl",
  "application-autoscaling:Describe*",
  "logs:Describe*",
  "logs:*LogDeliver*",
  "route53:Get*",
  "route53:List*",
  "ecs:De*TaskDefinition",
  "rds:Describe*",
  "secretsmanager:ListSecrets",
  "ssm:DescribeParameters",
  "kms:ListAliases",
  "wafv2:ListWebACLs",
  "acm:ListCertificates",
  "states:Validate*",
  "iam:GetOpenIDConnectProvider",
];

/**
 * The environment's names as the boundary matches them, coarser than the deploy role's patterns so that the
 * boundary fits one managed policy: any ARN of the account and region with `<application>-<environment>-` (or the
 * `<application>/<environment>/` path) in its resource part, for the services that name resources that way.
 */
export function environmentNames(s: AccessScope): string[] {
  const here = `arn:aws:*:${s.region}:${s.account}`;
  return [
    environmentRoles(s),
    environmentPolicies(s),
    environmentBuckets(s),
    `${here}:*${s.prefix}-*`,
    `${here}:*${s.prefix}/*`,
    `arn:aws:ecs:${s.region}:${s.account}:cluster/${s.prefix}`,
    `${here}:*${s.application}/${s.environment}/*`,
    `arn:aws:cloudwatch::${s.account}:dashboard/${s.prefix}`,
    `arn:aws:budgets::${s.account}:budget/${s.prefix}-*`,
    `arn:aws:ses:${s.region}:${s.account}:identity/${s.domain}`,
    `arn:aws:wafv2:${s.region}:${s.account}:regional/managedruleset/*/*`,
  ];
}

/** The boundary carries a grant's statement without its name: it must fit one managed policy (and says the same). */
const withoutSid = ({ Sid: _sid, ...rest }: PolicyStatement): PolicyStatement => rest;

/**
 * The permissions boundary: the most any role of the environment may do, whatever policy it is given. Allowed:
 * each service on the environment's named and tagged resources, the grants those scopes do not cover, the actions
 * AWS takes only on `*`, and the run-time needs of the environment's own roles. Denied, whatever else allows it:
 * changing the access layer; a role without this boundary, with another policy than the stack's, or handed to
 * another service; another principal's credentials; data outside the environment; changing owner tags.
 * (IAM changes outside the environment's path, and every service not listed, are refused by the allow-list itself.)
 */
export function boundaryStatements(s: AccessScope, services = SERVICE_ACCESS): PolicyStatement[] {
  const named = services.filter((a) => a.boundary.named);
  const tagged = services.filter((a) => a.boundary.tagged);
  const own = allGrants(services)
    .filter((g) => g.inBoundary)
    .map((g) => ({ g, resources: g.resources(s) }))
    .filter(({ resources }) => resources.length > 0)
    .map(({ g, resources }) => withoutSid(statement(g.sid, grantActions(g), resources, g.condition?.(s))));
  const runtime = services.flatMap((a) => a.runtime ?? []);
  const everywhere = runtime.filter((r) => !r.condition && r.resources(s).join() === "*");
  const scoped = runtime
    .filter((r) => !everywhere.includes(r))
    .map((r) => ({ r, resources: r.resources(s) }))
    .filter(({ resources }) => resources.length > 0)
    .map(({ r, resources }) => withoutSid(statement(r.sid, r.actions, resources, r.condition?.(s))));
  return [
    statement(
      "Named",
      named.flatMap((a) => a.services.map((svc) => `${svc}:*`)),
      environmentNames(s),
    ),
    statement(
      "Tagged",
      tagged.flatMap((a) => a.services.map((svc) => `${svc}:*`)),
      ["*"],
      taggedExisting(s),
    ),
    ...own,
    statement("Unscoped", [...BOUNDARY_UNSCOPED, ...everywhere.flatMap((r) => r.actions)], ["*"]),
    ...scoped,
    statement(
      "State",
      ["s3:ListBucket", "s3:*Object"],
      [s.stateObjectArn.split("/")[0], `${s.stateObjectArn}*`],
    ),
    {
      Sid: "NoAccessLayer",
      Effect: "Deny",
      Action: IAM_WRITES,
      // IAM takes no wildcard for the resource type: a role's and a policy's ARN, each.
      Resource: ["role", "policy"].map((type) => `arn:aws:iam::${s.account}:${type}${s.accessPath}*`),
    },
    {
      Sid: "OnlyThisBoundary",
      Effect: "Deny",
      Action: ["iam:CreateRole", "iam:PutRole*", "iam:*tachRolePolicy", "iam:DeleteRolePolicy"],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": s.boundaryArn } },
    },
    { Sid: "NoLifting", Effect: "Deny", Action: "iam:Delete*PermissionsBoundary", Resource: "*" },
    {
      Sid: "StackPolicies",
      Effect: "Deny",
      Action: "iam:AttachRolePolicy",
      Resource: "*",
      Condition: { ArnNotLike: { "iam:PolicyARN": [...s.managedPolicies, environmentPolicies(s)] } },
    },
    {
      // Service principals without their common suffix: the boundary must fit one managed policy.
      Sid: "PassToServices",
      Effect: "Deny",
      Action: "iam:PassRole",
      Resource: "*",
      Condition: {
        StringNotLike: {
          "iam:PassedToService": s.passedToServices.map((p) => p.replace(/amazonaws\.com$/, "*")),
        },
      },
    },
    {
      Sid: "NoCredentials",
      Effect: "Deny",
      Action: [
        "sts:*",
        "ec2:GetPasswordData",
        "ec2:DescribeInstanceAttribute",
        "ec2:DescribeLaunchTemplateVersions",
      ],
      Resource: "*",
    },
    {
      Sid: "NoSecretReaders",
      Effect: "Deny",
      Action: [
        "secretsmanager:PutResourcePolicy",
        "secretsmanager:DeleteResourcePolicy",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:Disable*",
        // No AWS service needs a grant of the secrets key (Secrets Manager uses it directly): none is made.
        "kms:*Grant",
      ],
      Resource: ["arn:aws:secretsmanager:*", s.secretsKeyArn],
    },
    {
      // A bucket policy may grant every principal of the account: the objects outside stay out of reach anyway.
      Sid: "NoObjectsOutside",
      Effect: "Deny",
      Action: ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*"],
      NotResource: [`${environmentBuckets(s)}/*`, `${s.stateObjectArn}*`],
    },
  ];
}
