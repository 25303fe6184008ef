/**
 * The resources of a stack with their attribute values, the same shape whether they come from a synthesized
 * stack (before apply) or from an applied state (`terraform show -json`), so one reader finds the policies in
 * either. A synthesized stack does not know the values AWS computes (ARNs, ids): they are built here from names,
 * as AWS builds them, and references (`${aws_kms_key.x.arn}`) are replaced by them. Ids AWS makes up (a key's
 * id, a secret's suffix) become stable made-up values derived from the resource's address.
 */
import { createHash } from "node:crypto";
import type { Block, StackView } from "../stack-view";

/** One resource or data source and its attribute values. */
export interface TerraformElement {
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly values: Block;
}

interface Where {
  readonly account: string;
  readonly region: string;
}

/** A stable made-up id for a resource whose real id AWS chooses (hex, `length` characters). */
function madeUp(address: string, length: number): string {
  return createHash("sha256").update(address).digest("hex").slice(0, length);
}

function uuid(address: string): string {
  const h = madeUp(address, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** ELB's log-delivery accounts of some regions (data.aws_elb_service_account). */
const ELB_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "eu-west-1": "156460612806",
  "eu-central-1": "054676820928",
};

type Computer = (v: Block, w: Where, address: string) => Block;

const path = (p: unknown) => (typeof p === "string" && p ? p : "/");

/** What AWS computes for each type the policies refer to. */
const COMPUTED: Record<string, Computer> = {
  aws_iam_role: (v, w) => ({ arn: `arn:aws:iam::${w.account}:role${path(v.path)}${v.name}`, id: v.name }),
  aws_iam_policy: (v, w) => {
    const arn = `arn:aws:iam::${w.account}:policy${path(v.path)}${v.name}`;
    return { arn, id: arn };
  },
  aws_iam_openid_connect_provider: (v, w) => {
    const arn = `arn:aws:iam::${w.account}:oidc-provider/${String(v.url).replace(/^https:\/\//, "")}`;
    return { arn, id: arn };
  },
  aws_s3_bucket: (v) => ({ arn: `arn:aws:s3:::${v.bucket}`, id: v.bucket }),
  aws_kms_key: (_v, w, a) => {
    const id = uuid(a);
    return { arn: `arn:aws:kms:${w.region}:${w.account}:key/${id}`, key_id: id, id };
  },
  aws_kms_alias: (v, w) => ({
    arn: `arn:aws:kms:${w.region}:${w.account}:${v.name}`,
    target_key_arn: v.target_key_id,
  }),
  aws_secretsmanager_secret: (v, w, a) => {
    // Secrets Manager ends a secret's ARN with a dash and six random characters.
    const arn = `arn:aws:secretsmanager:${w.region}:${w.account}:secret:${v.name}-${madeUp(a, 6)}`;
    return { arn, id: arn };
  },
  aws_sns_topic: (v, w) => {
    const arn = `arn:aws:sns:${w.region}:${w.account}:${v.name}`;
    return { arn, id: arn };
  },
  aws_sqs_queue: (v, w) => {
    const url = `https://sqs.${w.region}.amazonaws.com/${w.account}/${v.name}`;
    return { arn: `arn:aws:sqs:${w.region}:${w.account}:${v.name}`, url, id: url };
  },
  aws_ecr_repository: (v, w) => ({
    arn: `arn:aws:ecr:${w.region}:${w.account}:repository/${v.name}`,
    id: v.name,
    repository_url: `${w.account}.dkr.ecr.${w.region}.amazonaws.com/${v.name}`,
  }),
  aws_cloudwatch_log_group: (v, w) => ({
    arn: `arn:aws:logs:${w.region}:${w.account}:log-group:${v.name}`,
    id: v.name,
  }),
  aws_ecs_cluster: (v, w) => {
    const arn = `arn:aws:ecs:${w.region}:${w.account}:cluster/${v.name}`;
    return { arn, id: arn };
  },
  aws_ecs_task_definition: (v, w) => {
    const base = `arn:aws:ecs:${w.region}:${w.account}:task-definition/${v.family}`;
    return { arn_without_revision: base, arn: `${base}:1`, id: v.family };
  },
  aws_codebuild_project: (v, w) => {
    const arn = `arn:aws:codebuild:${w.region}:${w.account}:project/${v.name}`;
    return { arn, id: arn };
  },
  aws_codepipeline: (v, w) => ({
    arn: `arn:aws:codepipeline:${w.region}:${w.account}:${v.name}`,
    id: v.name,
  }),
  aws_sfn_state_machine: (v, w) => {
    const arn = `arn:aws:states:${w.region}:${w.account}:stateMachine:${v.name}`;
    return { arn, id: arn };
  },
  aws_cloudwatch_event_rule: (v, w) => {
    const bus = v.event_bus_name && v.event_bus_name !== "default" ? `${v.event_bus_name}/` : "";
    return { arn: `arn:aws:events:${w.region}:${w.account}:rule/${bus}${v.name}`, id: v.name };
  },
  aws_ssm_parameter: (v, w) => ({
    arn: `arn:aws:ssm:${w.region}:${w.account}:parameter/${String(v.name).replace(/^\//, "")}`,
    id: v.name,
  }),
  aws_codestarconnections_connection: (_v, w, a) => {
    const arn = `arn:aws:codestar-connections:${w.region}:${w.account}:connection/${uuid(a)}`;
    return { arn, id: arn };
  },
  aws_db_instance: (v, w, a) => ({
    arn: `arn:aws:rds:${w.region}:${w.account}:db:${v.identifier}`,
    id: v.identifier,
    // RDS names the master secret it manages rds!db-<uuid>.
    master_user_secret: [
      {
        secret_arn: `arn:aws:secretsmanager:${w.region}:${w.account}:secret:rds!db-${uuid(a)}-${madeUp(`${a}s`, 6)}`,
      },
    ],
  }),
  aws_kinesis_firehose_delivery_stream: (v, w) => {
    const arn = `arn:aws:firehose:${w.region}:${w.account}:deliverystream/${v.name}`;
    return { arn, id: arn };
  },
  aws_scheduler_schedule: (v, w) => ({
    arn: `arn:aws:scheduler:${w.region}:${w.account}:schedule/${v.group_name ?? "default"}/${v.name}`,
  }),
  aws_scheduler_schedule_group: (v, w) => ({
    arn: `arn:aws:scheduler:${w.region}:${w.account}:schedule-group/${v.name}`,
  }),
  aws_lb: (v, w, a) => ({
    arn: `arn:aws:elasticloadbalancing:${w.region}:${w.account}:loadbalancer/app/${v.name}/${madeUp(a, 16)}`,
  }),
  aws_cloudwatch_metric_alarm: (v, w) => ({
    arn: `arn:aws:cloudwatch:${w.region}:${w.account}:alarm:${v.alarm_name}`,
  }),
  aws_route53_zone: (_v, _w, a) => {
    const id = `Z${madeUp(a, 12).toUpperCase()}`;
    return { zone_id: id, id, arn: `arn:aws:route53:::hostedzone/${id}` };
  },
  aws_ecs_service: (v, w) => {
    const cluster = String(v.cluster ?? "")
      .split("/")
      .pop();
    return { id: `arn:aws:ecs:${w.region}:${w.account}:service/${cluster}/${v.name}` };
  },
};

const DATA_COMPUTED: Record<string, Computer> = {
  aws_caller_identity: (_v, w) => ({ account_id: w.account, arn: `arn:aws:iam::${w.account}:root` }),
  aws_region: (_v, w) => ({ name: w.region, region: w.region, id: w.region }),
  aws_partition: () => ({ partition: "aws", dns_suffix: "amazonaws.com" }),
  aws_elb_service_account: (_v, w) => {
    const id = ELB_ACCOUNTS[w.region] ?? "000000000000";
    return { id, arn: `arn:aws:iam::${id}:root` };
  },
  aws_route53_zone: COMPUTED.aws_route53_zone,
};

const REFERENCE = /\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)((?:\[\d+\]\.[a-z0-9_]+)*)\}/g;

/**
 * The synthesized stack's elements with their computed attributes, every reference to a value this module knows
 * replaced by it (others stay as they are: they never match an ARN).
 */
export function synthesizedElements(stack: StackView, where: Where): TerraformElement[] {
  const computed = new Map<string, Block>();
  const computing = new Set<string>();

  const valuesOf = (mode: "managed" | "data", type: string, name: string): Block | undefined => {
    const key = `${mode}.${type}.${name}`;
    const hit = computed.get(key);
    if (hit) return hit;
    const block = stack.config[mode === "data" ? "data" : "resource"]?.[type]?.[name];
    if (block === undefined || computing.has(key)) return undefined;
    computing.add(key);
    const own = resolveDeep(block) as Block;
    const compute = (mode === "data" ? DATA_COMPUTED : COMPUTED)[type];
    const address = `${mode === "data" ? "data." : ""}${type}.${name}`;
    const values = { ...own, ...(compute ? compute(own, where, address) : {}) };
    computing.delete(key);
    computed.set(key, values);
    return values;
  };

  const resolveText = (text: string): string =>
    text.replace(REFERENCE, (ref, data, type, name, attribute, rest) => {
      let value: unknown = valuesOf(data ? "data" : "managed", type, name)?.[attribute];
      for (const [, index, field] of String(rest).matchAll(/\[(\d+)\]\.([a-z0-9_]+)/g)) {
        value = (value as Block[] | undefined)?.[Number(index)]?.[field];
      }
      return typeof value === "string" || typeof value === "number" ? String(value) : ref;
    });

  const resolveDeep = (value: unknown): unknown => {
    if (typeof value === "string") return value.includes("${") ? resolveText(value) : value;
    if (Array.isArray(value)) return value.map(resolveDeep);
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value as Block)
          .filter(([k]) => k !== "//")
          .map(([k, v]) => [k, resolveDeep(v)]),
      );
    }
    return value;
  };

  const elements: TerraformElement[] = [];
  for (const mode of ["managed", "data"] as const) {
    const section = stack.config[mode === "data" ? "data" : "resource"] ?? {};
    for (const [type, byName] of Object.entries<Block>(section)) {
      for (const name of Object.keys(byName)) {
        elements.push({ mode, type, name, values: valuesOf(mode, type, name) ?? {} });
      }
    }
  }
  return elements;
}

/** The elements of an applied state, as `terraform show -json` prints it (every module). */
export function stateElements(show: Block): TerraformElement[] {
  const walk = (module: Block | undefined): TerraformElement[] => [
    ...((module?.resources ?? []) as Block[]).map((r) => ({
      mode: r.mode === "data" ? ("data" as const) : ("managed" as const),
      type: String(r.type),
      name: String(r.name),
      values: (r.values ?? {}) as Block,
    })),
    ...((module?.child_modules ?? []) as Block[]).flatMap(walk),
  ];
  return walk(show.values?.root_module);
}
