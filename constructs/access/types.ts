/**
 * The shape of the access data (constructs/access/<family>.ts): per AWS service, which of its resources belong to
 * an environment, what deploying and refreshing each Terraform resource type does to them, what AWS authorizes
 * only on `*`, and what the environment's own roles need at run time. The deploy role's policies, the plan role's
 * policy and the permissions boundary are all derived from this data (constructs/access/derive.ts), so the three
 * cannot drift apart.
 */
import type { PolicyStatement } from "../iam";

/** The environment a policy is written for. */
export interface AccessScope {
  readonly application: string;
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  /** `<application>-<environment>`: the first part of every resource name of the environment. */
  readonly prefix: string;
  /** `/<application>/<environment>/`: the IAM path of every role and policy of the environment. */
  readonly iamPath: string;
  /** The domain the app is served at: its DNS records and its e-mail identity live under it. */
  readonly domain: string;
  /** Domains other environments serve under this one's (their records and delegation are theirs). */
  readonly foreignSubdomains: readonly string[];
  /** The Terraform state object of the environment's stack (its lock file adds `.tflock`). */
  readonly stateObjectArn: string;
  /** The environment's permissions boundary, as IAM compares it. */
  readonly boundaryArn: string;
  /** The KMS key of the app's secrets (a Terraform reference): only an administrator changes its policy or life. */
  readonly secretsKeyArn: string;
  /** The RDS instance whose RDS-managed master secret the environment may read. */
  readonly databaseArn: string;
  /** Repositories of other environments this one promotes released images from (its promote role pulls). */
  readonly promotionSources: readonly string[];
  /** Services the deploy role may hand the environment's roles to (iam:PassedToService). */
  readonly passedToServices: readonly string[];
  /** AWS managed policies the stack attaches to its roles: the only ones outside the IAM path that may be. */
  readonly managedPolicies: readonly string[];
  /** CloudWatch metric namespaces the environment's roles publish to. */
  readonly metricNamespaces: readonly string[];
  /**
   * `/<application>/<environment>/access/`: the IAM path of the access layer, which no role of the environment may
   * change: the GitHub deploy and plan roles and their policies, the task execution role, the boundary.
   */
  readonly accessPath: string;
  /** `terraform destroy` empties the environment's buckets first (teardown.emptyOnDestroy). */
  readonly emptyBucketsOnDestroy: boolean;
}

/** A policy statement's Condition block. */
export type Condition = NonNullable<PolicyStatement["Condition"]>;

/** What one Terraform resource type (or data source) needs of a grant's resources, as IAM actions. */
export interface TerraformNeeds {
  /** Actions that create, change or delete (the deploy role only). */
  readonly write?: readonly string[];
  /** Actions that read configuration, which `terraform plan` refreshes (the deploy role and the plan role). */
  readonly read?: readonly string[];
}

/**
 * One statement's worth of access: actions on the resources of one kind, under one condition. The actions are
 * what the Terraform types listed need; a statement is made for the deploy role (write and read) and one for the
 * plan role (read) where there is anything to read.
 */
export interface Grant {
  /** Statement id: what it grants, unique over all services. */
  readonly sid: string;
  /** The resources, in this environment; wildcards only within the environment's names or ids. */
  readonly resources: (s: AccessScope) => string[];
  /** What keeps the grant inside the environment where the ARN alone cannot (tags, record names, ...). */
  readonly condition?: (s: AccessScope) => Condition;
  /** Terraform resource types (`aws_*`) and data sources (`data.aws_*`) and the actions each needs here. */
  readonly terraform: Readonly<Record<string, TerraformNeeds>>;
  /** The service's boundary scope does not cover it: the permissions boundary carries the grant as it is. */
  readonly inBoundary?: boolean;
}

/** An action AWS authorizes only on `*`, and why it is needed. */
export interface Unscoped {
  readonly action: string;
  /** One line: what needs it. */
  readonly why: string;
  /** Terraform types that call it. */
  readonly terraform: readonly string[];
  /** A read the plan role needs too (configuration only, never data). */
  readonly read?: boolean;
  /** A condition AWS evaluates for it that narrows it further. */
  readonly condition?: (s: AccessScope) => Condition;
}

/** A run-time need of the environment's own roles that no scope of the boundary covers. */
export interface RuntimeNeed {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: (s: AccessScope) => string[];
  readonly condition?: (s: AccessScope) => Condition;
  /** One line: which role needs it and why. */
  readonly why: string;
}

/**
 * How the permissions boundary scopes a service: `service:*` on the ARNs that carry the environment's names, and
 * on the resources tagged with its application and environment. A grant neither covers (a create authorized by
 * its request tags, a resource of AWS's) goes into the boundary as it is (`Grant.inBoundary`).
 */
export interface BoundaryScope {
  /** ARN patterns of the environment's resources. */
  readonly named?: (s: AccessScope) => string[];
  /** The environment's resources are the ones tagged with its application and environment. */
  readonly tagged?: boolean;
}

/** Everything the environment may do in one AWS service. */
export interface ServiceAccess {
  /** IAM service prefixes, e.g. `["sqs"]`; a renamed service lists both of its prefixes. */
  readonly services: readonly string[];
  readonly grants: readonly Grant[];
  readonly unscoped?: readonly Unscoped[];
  readonly boundary: BoundaryScope;
  readonly runtime?: readonly RuntimeNeed[];
  /**
   * Terraform types part of whose life only an administrator applies, and why: the deploy role may change and
   * delete them but not create them (their ARNs carry ids, and tagging a new one cannot be told apart from tagging
   * someone else's), or may not change them at all (the access layer: who may read the secrets).
   */
  readonly administrator?: Readonly<Record<string, string>>;
}

/** Tag keys the provider's default tags put on every resource: what tag conditions compare. */
export const OWNER_TAGS = ["application", "environment"] as const;

/** The environment's values of its owner tags. */
export function ownerTags(s: AccessScope): Record<(typeof OWNER_TAGS)[number], string> {
  return { application: s.application, environment: s.environment };
}

/** An existing resource of the environment: tagged with its application and environment. */
export const taggedExisting = (s: AccessScope): Condition => ({
  StringEquals: Object.fromEntries(Object.entries(ownerTags(s)).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
});

/** A request that tags what it creates with the environment's application and environment. */
export const taggedRequest = (s: AccessScope): Condition => ({
  StringEquals: Object.fromEntries(Object.entries(ownerTags(s)).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
});

/** A tag change on an existing resource of the environment that leaves its owner tags alone. */
export const taggedExistingOtherKeys = (s: AccessScope): Condition => ({
  ...taggedExisting(s),
  "ForAllValues:StringNotEquals": { "aws:TagKeys": [...OWNER_TAGS] },
});

/** An ARN in the environment's account and region. */
export const arn = (s: AccessScope, service: string, resource: string): string =>
  `arn:aws:${service}:${s.region}:${s.account}:${resource}`;
