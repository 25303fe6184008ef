/**
 * Every policy of a stack, found by ARN: each role's identity policies, boundary and trust policy, and each
 * resource's own policy (bucket, KMS key, secret, topic, queue, repository, the account's log resource policies).
 * Built from a synthesized stack or an applied state (rules/iam/terraform.ts; rules/helpers/iam.ts has the
 * entry points), so a recorded AWS call or a generated request can be judged against the policies AWS would use:
 * `policies.authorize(principalArn, request)`.
 */
import {
  accountOf,
  type Authorization,
  authorize,
  type Principal,
  type Request,
  type Target,
} from "./authorize";
import type { ResourcePolicyKind } from "./authorize";
import { awsManagedPolicy } from "./aws-managed";
import { type Statement, statementsOf } from "./policy";
import type { TerraformElement } from "./terraform";

/** A role and the policies that decide what it may do and who may assume it. */
export interface RolePolicies {
  /** Its ARN, with its path. */
  readonly arn: string;
  readonly name: string;
  /** Inline and attached policies (AWS managed ones as rules/iam/aws-managed.ts knows them). */
  readonly identity: Statement[];
  /** ARN of the permissions boundary, when the role has one. */
  readonly boundaryArn?: string;
  /** The boundary's statements; undefined without a boundary (an unknown boundary policy: no statement). */
  readonly boundary?: Statement[];
  /** The trust (assume-role) policy. */
  readonly trust: Statement[];
  /** Attached managed policies this index could not read (neither in the stack nor in the AWS table). */
  readonly unknownPolicies: string[];
}

/** A resource's own policy. */
export interface ResourcePolicy {
  /** The resource's ARN (bucket, key, secret, topic, queue, repository). */
  readonly arn: string;
  readonly kind: ResourcePolicyKind;
  readonly statements: Statement[];
}

export interface Where {
  readonly account: string;
  readonly region: string;
}

type Values = TerraformElement["values"];

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** A secret's ARN without the six characters Secrets Manager appends (`...:secret:name-AbCdEf`). */
const secretBase = (arn: string) => arn.replace(/-[A-Za-z0-9]{6}$/, "");

export class AccountPolicies {
  readonly roles: RolePolicies[] = [];
  readonly resourcePolicies: ResourcePolicy[] = [];
  /** The account's CloudWatch Logs resource policies (they apply to every log group they name). */
  readonly logPolicies: Statement[] = [];
  /** Customer managed policies by ARN. */
  readonly managed = new Map<string, Statement[]>();
  private readonly aliases = new Map<string, string>();
  private readonly buckets = new Set<string>();

  constructor(
    readonly where: Where,
    elements: readonly TerraformElement[],
  ) {
    const managed = (type: string) => elements.filter((e) => e.mode === "managed" && e.type === type);
    for (const p of managed("aws_iam_policy")) {
      const arn = str(p.values.arn);
      if (arn) this.managed.set(arn, statementsOf(p.values.policy, str(p.values.name)));
    }
    for (const b of managed("aws_s3_bucket")) if (str(b.values.bucket)) this.buckets.add(b.values.bucket);
    for (const a of managed("aws_kms_alias")) {
      const key = this.keyArn(str(a.values.target_key_arn) ?? str(a.values.target_key_id));
      if (str(a.values.arn) && key) this.aliases.set(a.values.arn, key);
    }
    for (const r of managed("aws_iam_role")) this.roles.push(this.readRole(r.values, elements));
    this.readResourcePolicies(elements);
  }

  private keyArn(idOrArn: string | undefined): string | undefined {
    if (!idOrArn) return undefined;
    return idOrArn.startsWith("arn:")
      ? idOrArn
      : `arn:aws:kms:${this.where.region}:${this.where.account}:key/${idOrArn}`;
  }

  private readRole(values: Values, elements: readonly TerraformElement[]): RolePolicies {
    const name = String(values.name);
    const arn = str(values.arn) ?? `arn:aws:iam::${this.where.account}:role${values.path ?? "/"}${name}`;
    const ofRole = (type: string) =>
      elements.filter((e) => e.mode === "managed" && e.type === type && e.values.role === name);
    // Inline policies: the separate resources, and the role's own inline_policy blocks (a state holds both for
    // the same policy once refreshed): one per name.
    const inline = new Map<string, unknown>();
    for (const block of (values.inline_policy ?? []) as Values[]) {
      if (str(block.name) && str(block.policy)) inline.set(block.name, block.policy);
    }
    for (const p of ofRole("aws_iam_role_policy")) inline.set(String(p.values.name), p.values.policy);
    const attached = new Set<string>([
      ...strings(values.managed_policy_arns),
      ...ofRole("aws_iam_role_policy_attachment").map((a) => String(a.values.policy_arn)),
      ...elements
        .filter(
          (e) =>
            e.mode === "managed" &&
            e.type === "aws_iam_policy_attachment" &&
            strings(e.values.roles).includes(name),
        )
        .map((a) => String(a.values.policy_arn)),
    ]);
    const unknownPolicies: string[] = [];
    const policy = (policyArn: string) => {
      const statements = this.managed.get(policyArn) ?? awsManagedPolicy(policyArn);
      if (!statements) unknownPolicies.push(policyArn);
      return statements ?? [];
    };
    const identity = [
      ...[...inline].flatMap(([policyName, document]) => statementsOf(document, `${name}/${policyName}`)),
      ...[...attached].flatMap(policy),
    ];
    const boundaryArn = str(values.permissions_boundary);
    return {
      arn,
      name,
      identity,
      boundaryArn,
      boundary: boundaryArn ? policy(boundaryArn) : undefined,
      trust: statementsOf(values.assume_role_policy, `${name} trust policy`),
      unknownPolicies,
    };
  }

  private readResourcePolicies(elements: readonly TerraformElement[]): void {
    const { region, account } = this.where;
    const add = (arn: string | undefined, kind: ResourcePolicyKind, document: unknown, source: string) => {
      if (!arn || !str(document)) return;
      this.resourcePolicies.push({ arn, kind, statements: statementsOf(document, source) });
    };
    for (const { mode, type, name, values } of elements) {
      if (mode !== "managed") continue;
      const source = `${type}.${name}`;
      switch (type) {
        case "aws_s3_bucket_policy":
          add(`arn:aws:s3:::${values.bucket}`, "resource", values.policy, source);
          break;
        case "aws_s3_bucket":
          add(str(values.arn), "resource", values.policy, source);
          break;
        case "aws_kms_key":
          add(str(values.arn), "key", values.policy, source);
          break;
        case "aws_kms_key_policy":
          add(this.keyArn(str(values.key_id)), "key", values.policy, source);
          break;
        case "aws_secretsmanager_secret_policy":
          add(str(values.secret_arn), "resource", values.policy, source);
          break;
        case "aws_sns_topic_policy":
          add(str(values.arn), "resource", values.policy, source);
          break;
        case "aws_sqs_queue_policy": {
          const [queueAccount, queue] = String(values.queue_url ?? "")
            .split("/")
            .slice(-2);
          add(queue && `arn:aws:sqs:${region}:${queueAccount}:${queue}`, "resource", values.policy, source);
          break;
        }
        case "aws_ecr_repository_policy":
          add(
            `arn:aws:ecr:${region}:${account}:repository/${values.repository}`,
            "resource",
            values.policy,
            source,
          );
          break;
        case "aws_sns_topic":
        case "aws_sqs_queue":
        case "aws_secretsmanager_secret":
          add(str(values.arn), "resource", values.policy, source);
          break;
        case "aws_cloudwatch_log_resource_policy":
          this.logPolicies.push(...statementsOf(values.policy_document, source));
          break;
      }
    }
  }

  /** A role by ARN (with or without its path), assumed-role session ARN, or name. */
  role(arnOrName: string): RolePolicies | undefined {
    const exact = this.roles.find((r) => r.arn === arnOrName || r.name === arnOrName);
    if (exact) return exact;
    const name = /:(role|assumed-role)\/(?:.*\/)?([^/]+?)(?:\/[^/]+)?$/.exec(arnOrName);
    const session = /:assumed-role\/([^/]+)\//.exec(arnOrName)?.[1];
    const wanted = session ?? name?.[2];
    return wanted ? this.roles.find((r) => r.name === wanted) : undefined;
  }

  /**
   * The principal for an ARN: a role of the stack with its policies; an account root, a service principal or a
   * federated provider as it is; any other role or user as one with no policies (it may do nothing here).
   */
  principal(arn: string): Principal {
    const role = this.role(arn);
    if (role) {
      const session = /:assumed-role\/[^/]+\/(.+)$/.exec(arn)?.[1];
      return { arn: role.arn, identity: role.identity, boundary: role.boundary, session };
    }
    return /:(role|assumed-role|user)\//.test(arn) ? { arn, identity: [] } : { arn };
  }

  /** The resource policy that applies to a request, and its kind (trust for sts:AssumeRole*, key for KMS). */
  target(request: Request): Target {
    const action = request.action.toLowerCase();
    const resource = request.resource;
    if (action.startsWith("sts:assumerole")) {
      return { kind: "trust", policy: this.role(resource)?.trust };
    }
    if (action.startsWith("kms:")) {
      const key = this.aliases.get(resource) ?? resource;
      return { kind: "key", policy: this.find(key, "key")?.statements };
    }
    if (resource.startsWith("arn:aws:s3:::")) {
      const bucket = resource.slice("arn:aws:s3:::".length).split("/")[0];
      const policy = this.resourcePolicies.filter((p) => p.arn === `arn:aws:s3:::${bucket}`);
      return {
        policy: statementsOfAll(policy),
        account: this.buckets.has(bucket) ? this.where.account : undefined,
      };
    }
    if (resource.includes(":secretsmanager:")) {
      const policy = this.resourcePolicies.filter(
        (p) => p.arn === resource || secretBase(p.arn) === secretBase(resource),
      );
      return { policy: statementsOfAll(policy) };
    }
    if (resource.includes(":logs:") && this.logPolicies.length > 0) return { policy: this.logPolicies };
    const policy = this.resourcePolicies.filter((p) => p.arn === resource);
    return { policy: statementsOfAll(policy) };
  }

  /**
   * The policy a resource has of its own, by the resource's ARN: a role's trust policy, a key's policy (by key or
   * alias ARN), a bucket's (by bucket or object ARN), a secret's (with or without its suffix), a topic's, a
   * queue's, a repository's, the account's log resource policies for a log group; undefined when it has none here.
   */
  policyOf(arn: string): ResourcePolicy | undefined {
    const action = /:iam::\d+:role\//.test(arn)
      ? "sts:AssumeRole"
      : arn.includes(":kms:")
        ? "kms:DescribeKey"
        : "-:-";
    const target = this.target({ action, resource: arn });
    return target.policy
      ? { arn, kind: target.kind ?? "resource", statements: [...target.policy] }
      : undefined;
  }

  private find(arn: string, kind: ResourcePolicyKind): ResourcePolicy | undefined {
    return this.resourcePolicies.find((p) => p.kind === kind && p.arn === arn);
  }

  /** IAM's decision for a call by the principal with this ARN, against the stack's policies. */
  authorize(principalArn: string, request: Request): Authorization {
    const target = this.target(request);
    return authorize(this.principal(principalArn), request, {
      ...target,
      account: target.account ?? accountOf(request.resource),
    });
  }
}

/**
 * The statements of the policies a resource has, or undefined when it has none. One policy's own list is returned as
 * it is, not copied: the evaluator keeps what it learns about a list (rules/iam/evaluate.ts statementsFor) by the
 * list, so a copy per request would make it learn everything again.
 */
function statementsOfAll(policies: readonly ResourcePolicy[]): readonly Statement[] | undefined {
  if (policies.length === 0) return undefined;
  return policies.length === 1 ? policies[0].statements : policies.flatMap((p) => p.statements);
}
