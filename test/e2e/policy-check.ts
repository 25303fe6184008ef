/**
 * Judges recorded calls (test/e2e/calls.ts) as AWS would: each call's requests (test/e2e/iam-requests.ts) against
 * the real policies of the accounts they touch (rules/iam: identity, boundary, resource, key and trust policies),
 * with the calling principal as it runs in AWS:
 *
 * - an account's administrator (the emulator's MOTOACCT key: an operator, the bootstrap) is a role whose
 *   identity allows everything and that has no boundary; resource and key policies still apply to it;
 * - an assumed role (a CodeBuild role, the deploy role) has the policies the stack gives it.
 *
 * The policies come from an applied state or a synthesized stack, plus what the recorded calls set themselves
 * (the bootstrap's bucket policy, the move key's policy, a snapshot shared with another account) and the key
 * policies of the AWS managed keys (aws/rds, ...). A call is also refused when it acts on an environment's
 * resources in another account than the environment's: the wrong credentials, which no policy can see.
 */
import type { EnvironmentConfig } from "../../config/environment";
import { AccountPolicies } from "../../rules/iam/account-policies";
import {
  accountOf,
  type Authorization,
  authorize,
  describe,
  type Principal,
  type Request,
} from "../../rules/iam/authorize";
import { awsManagedPolicy } from "../../rules/iam/aws-managed";
import { statementsOf } from "../../rules/iam/policy";
import type { TerraformElement } from "../../rules/iam/terraform";
import { APPLICATION } from "../../stacks/names";
import { callerTool, isReset, type Recorded, type RecordedCall } from "./calls";
import { type CallRequest, iamRequests, type Lookups, resourceTemplates, whereOf } from "./iam-requests";

/** The role an operator works as in the tests' model of an account: an administrator's SSO role. */
export const operatorArn = (account: string): string =>
  `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef`;

const ADMINISTRATOR = awsManagedPolicy("AdministratorAccess") ?? [];

/** The default key policy of an AWS managed key: anyone of the account, through the service only. */
function managedKeyPolicy(service: string, account: string, region: string) {
  return statementsOf(
    {
      Statement: [
        {
          Sid: "Allow access through the service for all principals in the account that are authorized to use it",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:CreateGrant",
            "kms:DescribeKey",
          ],
          Resource: "*",
          Condition: {
            StringEquals: {
              "kms:CallerAccount": account,
              "kms:ViaService": `${service}.${region}.amazonaws.com`,
            },
          },
        },
        {
          Sid: "Allow direct access to key metadata to the account",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: ["kms:Describe*", "kms:Get*", "kms:List*"],
          Resource: "*",
        },
      ],
    },
    `aws/${service} key policy`,
  );
}

/** One request of one call, and AWS's decision on it. */
export interface Verdict {
  readonly call: RecordedCall;
  readonly tool: string;
  readonly why: string;
  readonly principal: string;
  readonly request: Request;
  readonly result: Authorization;
}

/** The environments by name, for the wrong-account check. */
type Environments = ReadonlyArray<Pick<EnvironmentConfig, "name" | "account">>;

/** The environment a resource belongs to by its name (`myamazingapp-<env>-...`, `/myamazingapp/<env>/...`). */
function environmentOf(resource: string, environments: Environments) {
  for (const env of environments) {
    const named = new RegExp(`${APPLICATION}[-/]${env.name}(?=[-/.:]|$)`);
    if (named.test(resource)) return env;
  }
  return undefined;
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

export class PolicyWorld implements Lookups {
  private readonly accounts = new Map<string, AccountPolicies>();
  private readonly aliases = new Map<string, string>(); // alias ARN -> key ARN
  private readonly secretKeys = new Map<string, string>(); // secret name or ARN -> key ARN
  private readonly roles = new Map<string, string[]>(); // task definition family -> role ARNs
  private readonly buckets = new Map<string, string>(); // bucket -> account
  private readonly snapshotKeys = new Map<string, string>(); // snapshot ARN -> key ARN
  private readonly tags = new Map<string, Record<string, string>>(); // ARN or id -> tags
  private readonly associations = new Map<string, string[]>(); // EC2 association id -> associated ids

  constructor(private readonly environments: Environments) {}

  /** An account's policies, from an applied state or a synthesized stack (rules/helpers/iam.ts). */
  addAccount(policies: AccountPolicies, elements: readonly TerraformElement[] = []): this {
    const { account, region } = policies.where;
    this.accounts.set(account, policies);
    for (const e of elements.filter((x) => x.mode === "managed")) {
      const v = e.values;
      if (e.type === "aws_kms_alias" && str(v.name)) {
        const key = str(v.target_key_arn) ?? str(v.target_key_id);
        if (key)
          this.aliases.set(
            `arn:aws:kms:${region}:${account}:${v.name}`,
            this.keyArn(key, { account, region }),
          );
      }
      if (e.type === "aws_secretsmanager_secret" && str(v.kms_key_id)) {
        for (const id of [str(v.arn), str(v.name)])
          if (id) this.secretKeys.set(id, this.keyArn(v.kms_key_id, { account, region }));
      }
      if (e.type === "aws_ecs_task_definition" && str(v.family)) {
        this.roles.set(
          v.family,
          [str(v.task_role_arn), str(v.execution_role_arn)].filter((r): r is string => !!r),
        );
      }
      if (e.type === "aws_s3_bucket" && str(v.bucket)) this.buckets.set(v.bucket, account);
      // RDS makes and tags the master secret it manages (rds!db-...): the state knows it from the instance.
      const master = ([] as Array<{ secret_arn?: string }>).concat(v.master_user_secret ?? [])[0]?.secret_arn;
      if (e.type === "aws_db_instance" && master && str(v.arn)) {
        this.tags.set(master, { "aws:rds:primaryDBInstanceArn": v.arn });
      }
      if (e.type === "aws_route_table_association" && str(v.id)) {
        this.associations.set(
          v.id,
          [str(v.route_table_id), str(v.subnet_id)].filter((x): x is string => !!x),
        );
      } else if (str(v.association_id) && str(v.id)) {
        // An Elastic IP's association: on the address itself, or on the NAT gateway that holds it.
        this.associations.set(v.association_id, [str(v.allocation_id) ?? v.id]);
      }
      const tags = (v.tags_all ?? v.tags) as Record<string, string> | undefined;
      if (tags && Object.keys(tags).length > 0) {
        for (const id of [str(v.arn), str(v.id)]) if (id) this.tags.set(id, tags);
      }
    }
    return this;
  }

  /** The policies of an account (an empty index for an account without a stack). */
  policies(account: string, region: string): AccountPolicies {
    let found = this.accounts.get(account);
    if (!found) {
      found = new AccountPolicies({ account, region }, []);
      this.accounts.set(account, found);
    }
    return found;
  }

  /** What the recorded calls set, kept apart so an emptying of the emulator can forget it. */
  private readonly learned: Array<() => void> = [];

  /** Forgets what the recorded calls set (the emulator was emptied). */
  forget(): void {
    for (const undo of this.learned.splice(0)) undo();
  }

  /**
   * Learns what the recorded calls themselves set: policies, keys, aliases, shares, task definitions' roles. A
   * policy a call sets holds for the calls after it: `judge` learns as it goes, in the order of the record.
   */
  learn(calls: readonly Recorded[]): this {
    for (const call of calls) {
      if (isReset(call)) {
        this.forget();
        continue;
      }
      if (call.status === null || call.status >= 300) continue;
      const where = whereOf(call);
      const policies = this.policies(where.account, where.region);
      const p = call.params;
      const add = (arn: string, kind: "resource" | "key", document: unknown, source: string) => {
        const entry = { arn, kind, statements: statementsOf(document, source) };
        policies.resourcePolicies.push(entry);
        this.learned.push(() => {
          const i = policies.resourcePolicies.indexOf(entry);
          if (i >= 0) policies.resourcePolicies.splice(i, 1);
        });
      };
      const remember = <K, V>(map: Map<K, V>, key: K, value: V) => {
        const before = map.get(key);
        map.set(key, value);
        this.learned.push(() => (before === undefined ? map.delete(key) : map.set(key, before)));
      };
      switch (call.action) {
        case "s3:CreateBucket":
          if (str(p.Bucket)) remember(this.buckets, String(p.Bucket), where.account);
          break;
        case "s3:PutBucketPolicy":
          add(`arn:aws:s3:::${p.Bucket}`, "resource", p.Policy, `bucket policy of ${p.Bucket} (recorded)`);
          break;
        case "kms:CreateKey": {
          const arn = (call.arns ?? []).find((a) => /:key\//.test(a));
          if (arn && str(p.Policy)) add(arn, "key", p.Policy, `key policy of ${arn} (recorded)`);
          break;
        }
        case "kms:PutKeyPolicy":
          add(this.keyArn(String(p.KeyId), where), "key", p.Policy, `key policy of ${p.KeyId} (recorded)`);
          break;
        case "kms:CreateAlias":
          remember(
            this.aliases,
            `arn:aws:kms:${where.region}:${where.account}:${p.AliasName}`,
            this.keyArn(String(p.TargetKeyId), where),
          );
          break;
        case "rds:ModifyDBSnapshotAttribute": {
          // A snapshot shared with accounts: they may copy and restore it (RDS's own kind of resource policy).
          // A list of the query protocol: ValuesToAdd.AttributeValue.1, ...
          const shared = Object.entries(p)
            .filter(([k]) => k === "ValuesToAdd" || k.startsWith("ValuesToAdd."))
            .flatMap(([, v]) => ([] as unknown[]).concat(v).map(String));
          if (p.AttributeName !== "restore" || shared.length === 0) break;
          const snapshot = `arn:aws:rds:${where.region}:${where.account}:snapshot:${p.DBSnapshotIdentifier}`;
          add(
            snapshot,
            "resource",
            {
              Statement: [
                {
                  Sid: "SharedForRestore",
                  Effect: "Allow",
                  Principal: { AWS: shared.map((a) => (a === "all" ? "*" : `arn:aws:iam::${a}:root`)) },
                  Action: [
                    "rds:CopyDBSnapshot",
                    "rds:RestoreDBInstanceFromDBSnapshot",
                    "rds:DescribeDBSnapshots",
                  ],
                  Resource: snapshot,
                },
              ],
            },
            `snapshot ${p.DBSnapshotIdentifier} shared (recorded)`,
          );
          break;
        }
        case "rds:CopyDBSnapshot": {
          if (!str(p.KmsKeyId)) break;
          const copy = `arn:aws:rds:${where.region}:${where.account}:snapshot:${p.TargetDBSnapshotIdentifier}`;
          remember(this.snapshotKeys, copy, this.keyArn(String(p.KmsKeyId), where));
          break;
        }
        case "ecs:RegisterTaskDefinition":
          if (str(p.family)) {
            remember(
              this.roles,
              String(p.family),
              [str(p.taskRoleArn), str(p.executionRoleArn)].filter((r): r is string => !!r),
            );
          }
          break;
      }
    }
    return this;
  }

  roleBoundary(role: string): string | undefined {
    const account = accountOf(role);
    return account ? this.accounts.get(account)?.role(role)?.boundaryArn : undefined;
  }

  associated(association: string): string[] {
    return this.associations.get(association) ?? [];
  }

  canonical(arn: string): string {
    const m = /^arn:aws:iam::(\d{12}):(role|policy)\/([^/]+)$/.exec(arn);
    const policies = m ? this.accounts.get(m[1]) : undefined;
    if (!m || !policies) return arn;
    if (m[2] === "role") return policies.role(m[3])?.arn ?? arn;
    return [...policies.managed.keys()].find((known) => known.endsWith(`/${m[3]}`)) ?? arn;
  }

  tagsOf(resource: string): Record<string, string> | undefined {
    return this.tags.get(resource) ?? this.tags.get(resource.split("/").pop() ?? "");
  }

  snapshotKey(snapshot: string): string | undefined {
    return this.snapshotKeys.get(snapshot);
  }

  secretKey(secret: string): string | undefined {
    return this.secretKeys.get(secret) ?? this.secretKeys.get(secret.replace(/-[A-Za-z0-9]{6}$/, ""));
  }

  keyArn(key: string, where: { account: string; region: string }): string {
    const arn = key.startsWith("arn:")
      ? key
      : key.startsWith("alias/")
        ? `arn:aws:kms:${where.region}:${where.account}:${key}`
        : `arn:aws:kms:${where.region}:${where.account}:key/${key}`;
    return this.aliases.get(arn) ?? arn;
  }

  taskRoles(taskDefinition: string): string[] {
    const family = taskDefinition.split("/").pop()?.split(":")[0] ?? "";
    return this.roles.get(family) ?? [];
  }

  /** The principal a recorded call ran as (module comment). */
  principalOf(call: RecordedCall): Principal | undefined {
    const p = call.principal;
    if (p.type === "account") return { arn: operatorArn(p.account), identity: ADMINISTRATOR };
    if (p.type === "assumed-role") {
      const policies = this.policies(p.account, call.region);
      if (!policies.role(p.roleArn)) return undefined;
      return policies.principal(p.arn);
    }
    return undefined;
  }

  /** AWS's decision on one request by a principal, with the policies of the resource's account. */
  decide(principal: Principal, request: Request, callerAccount: string, region: string): Authorization {
    const bucket = request.resource.startsWith("arn:aws:s3:::")
      ? request.resource.slice("arn:aws:s3:::".length).split("/")[0]
      : undefined;
    const owner = (bucket && this.buckets.get(bucket)) ?? accountOf(request.resource) ?? callerAccount;
    const resourceRegion = request.resource.split(":")[3] || region;
    const policies = this.policies(owner, resourceRegion);
    let resolved = request;
    if (request.action.toLowerCase().startsWith("kms:") && !/Alias$/.test(request.action)) {
      resolved = { ...request, resource: this.aliases.get(request.resource) ?? request.resource };
      const managed = /:alias\/aws\/([a-z0-9-]+)$/.exec(resolved.resource);
      if (managed && !policies.resourcePolicies.some((r) => r.arn === resolved.resource)) {
        policies.resourcePolicies.push({
          arn: resolved.resource,
          kind: "key",
          statements: managedKeyPolicy(managed[1], owner, resourceRegion),
        });
      }
    }
    // KMS actions on `*` (CreateKey, ListAliases) are on no key, and an alias's own permission (CreateAlias on
    // the alias) is IAM's alone: only the caller's own policies decide. On the key, its key policy must allow.
    const onNoKey =
      resolved.action.toLowerCase().startsWith("kms:") &&
      (resolved.resource === "*" || (/:alias\//.test(request.resource) && /Alias$/.test(resolved.action)));
    const target = onNoKey ? { kind: "resource" as const } : policies.target(resolved);
    return authorize(principal, resolved, { ...target, account: target.account ?? owner });
  }

  /**
   * Every request of the calls made by the given tools, decided, as the principal each ran as (or as `as` says:
   * Terraform's calls as the deploy role). A call whose requests cannot be built, or whose principal is unknown,
   * is returned as `unjudged` (the caller decides whether that fails).
   */
  judge(
    records: readonly Recorded[],
    which: (call: RecordedCall, tool: string) => boolean,
    as: ((call: RecordedCall) => Principal | undefined) | undefined = undefined,
  ): { verdicts: Verdict[]; unjudged: Array<{ call: RecordedCall; reason: string }> } {
    const verdicts: Verdict[] = [];
    const unjudged: Array<{ call: RecordedCall; reason: string }> = [];
    for (const record of records) {
      // A new key's policy is checked as it is created (the lockout check); anything else a call sets holds for
      // the calls after it.
      const setsItsOwnPolicy = !isReset(record) && record.action === "kms:CreateKey";
      if (setsItsOwnPolicy) this.learn([record]);
      if (!isReset(record)) this.judgeOne(record, which, as, verdicts, unjudged);
      if (!setsItsOwnPolicy) this.learn([record]);
    }
    return { verdicts, unjudged };
  }

  private judgeOne(
    call: RecordedCall,
    which: (call: RecordedCall, tool: string) => boolean,
    as: ((call: RecordedCall) => Principal | undefined) | undefined,
    verdicts: Verdict[],
    unjudged: Array<{ call: RecordedCall; reason: string }>,
  ): void {
    const tool = callerTool(call);
    if (tool === undefined || !which(call, tool)) return;
    const principal = as ? as(call) : this.principalOf(call);
    if (!principal) {
      unjudged.push({ call, reason: `no policies known for ${JSON.stringify(call.principal)}` });
      return;
    }
    if (call.action && resourceTemplates(call.action) === undefined) {
      unjudged.push({
        call,
        reason: `${call.action} is no IAM action (the recorder must map ${call.operation})`,
      });
      return;
    }
    const requests: CallRequest[] | undefined = iamRequests(call, this);
    if (!requests) {
      unjudged.push({
        call,
        reason: `no resource ARN for ${call.action} from ${JSON.stringify(call.params)}`,
      });
      return;
    }
    const where = whereOf(call);
    for (const { request, why } of requests) {
      const env = environmentOf(request.resource, this.environments);
      const resourceAccount = accountOf(request.resource) ?? where.account;
      if (env && resourceAccount === where.account && env.account !== where.account) {
        const reason = `made in account ${where.account}, but ${env.name}'s resources are in account ${env.account}: the wrong credentials`;
        verdicts.push({
          call,
          tool,
          why,
          principal: principal.arn,
          request,
          result: { decision: "not allowed", by: [], reason },
        });
        continue;
      }
      // A key that does not exist has no policy to judge by: KMS answers NotFound (a move key's first lookup).
      if (this.missingKey(request, call, where)) continue;
      const result = this.decide(principal, request, where.account, where.region);
      verdicts.push({ call, tool, why, principal: principal.arn, request, result });
    }
  }

  /** A KMS request on a key no policy is known for, by a call that failed: the key is not there. */
  private missingKey(
    request: Request,
    call: RecordedCall,
    where: { account: string; region: string },
  ): boolean {
    if (!request.action.toLowerCase().startsWith("kms:") || request.resource === "*") return false;
    if ((call.status ?? 0) < 400) return false;
    const key = this.aliases.get(request.resource) ?? request.resource;
    const owner = accountOf(key) ?? where.account;
    return !this.policies(owner, key.split(":")[3] || where.region).resourcePolicies.some(
      (p) => p.arn === key,
    );
  }
}

/** The verdicts AWS would refuse. */
export const refused = (verdicts: readonly Verdict[]): Verdict[] =>
  verdicts.filter((v) => v.result.decision !== "allowed");

/** One line per refused request: when, which tool, the call, and the policy that refuses it. */
export function refusals(verdicts: readonly Verdict[]): string[] {
  return refused(verdicts).map(
    (v) => `${v.tool} ${v.call.operation} (${v.why}): ${describe(v.principal, v.request, v.result)}`,
  );
}
