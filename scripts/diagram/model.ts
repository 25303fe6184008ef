/**
 * The architecture picture's model, read from a synthesized stack: which components the stack holds (each a set
 * of resources picked by type and name) and which talk to which (a reference from one component's resource to
 * another's). Nothing here is drawn by hand: a component the stack lacks is left out, and an edge is there only
 * when the Terraform says so. `toDot` writes it for Graphviz, whose layout engine places it.
 */
import { type Block, type Element, StackView } from "../../rules/stack-view";

/** Where a component sits: the network's tiers, or the AWS services around them. */
export type Tier = "internet" | "public" | "private" | "isolated" | "regional" | "delivery" | "operations";

interface ComponentRule {
  readonly id: string;
  readonly label: string;
  readonly tier: Tier;
  readonly types: readonly string[];
  /** Narrows the resources of those types (e.g. one bucket of several). @default every one */
  readonly pick?: (block: Block) => boolean;
}

const named = (part: string) => (b: Block) => String(b.bucket ?? b.name ?? "").includes(part);

/** The components, in the order they are declared to Graphviz. */
const RULES: readonly ComponentRule[] = [
  {
    id: "dns",
    label: "Route 53 + ACM\\n(the domain, its certificate)",
    tier: "internet",
    types: ["aws_route53_record", "aws_acm_certificate"],
  },
  {
    id: "waf",
    label: "WAF web ACL\\n(managed rules, rate limit)",
    tier: "internet",
    types: ["aws_wafv2_web_acl", "aws_wafv2_web_acl_association"],
  },
  {
    id: "alb",
    label: "Application Load Balancer\\n(HTTPS, TLS 1.3)",
    tier: "public",
    types: ["aws_lb", "aws_lb_listener", "aws_lb_target_group"],
  },
  { id: "nat", label: "NAT gateways", tier: "public", types: ["aws_nat_gateway"] },
  {
    id: "service",
    label: "ECS Fargate web service\\n(Rails, 2+ tasks over the AZs)",
    tier: "private",
    types: ["aws_ecs_service", "aws_ecs_cluster"],
  },
  {
    id: "task",
    label: "Task definition\\n(web, weekly task, migrations, one-offs)",
    tier: "private",
    types: ["aws_ecs_task_definition"],
  },
  {
    id: "database",
    label: "RDS PostgreSQL\\n(Multi-AZ)",
    tier: "isolated",
    types: ["aws_db_instance", "aws_db_subnet_group"],
  },
  {
    id: "schedule",
    label: "EventBridge Scheduler\\n(weekly rake task)",
    tier: "regional",
    types: ["aws_scheduler_schedule"],
    pick: named("weekly"),
  },
  {
    id: "uploads",
    label: "S3 uploads\\n(1 MB to 6 GiB, gone before 14 days)",
    tier: "regional",
    types: ["aws_s3_bucket"],
    pick: named("-uploads-"),
  },
  {
    id: "secrets",
    label: "Secrets Manager\\n(external services, DB credentials)",
    tier: "regional",
    types: ["aws_secretsmanager_secret"],
  },
  { id: "ecr", label: "ECR repository", tier: "delivery", types: ["aws_ecr_repository"] },
  {
    id: "pipeline",
    label: "CodePipeline\\n(build or promote, release)",
    tier: "delivery",
    types: ["aws_codepipeline", "aws_codebuild_project"],
  },
  { id: "image", label: "Released image\\n(SSM parameter)", tier: "delivery", types: ["aws_ssm_parameter"] },
  { id: "logs", label: "CloudWatch Logs", tier: "operations", types: ["aws_cloudwatch_log_group"] },
  {
    id: "firehose",
    label: "Kinesis Data Firehose",
    tier: "operations",
    types: ["aws_kinesis_firehose_delivery_stream", "aws_cloudwatch_log_subscription_filter"],
  },
  {
    id: "archive",
    label: "S3 log archive",
    tier: "operations",
    types: ["aws_s3_bucket"],
    pick: (b) => named("-logs-")(b) && !named("-alb-logs-")(b),
  },
  {
    id: "alblogs",
    label: "S3 access logs",
    tier: "operations",
    types: ["aws_s3_bucket"],
    pick: named("-alb-logs-"),
  },
  {
    id: "alarms",
    label: "CloudWatch alarms + dashboard",
    tier: "operations",
    types: ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm", "aws_cloudwatch_dashboard"],
  },
  { id: "topic", label: "SNS alarm topic\\n(e-mail)", tier: "operations", types: ["aws_sns_topic"] },
  {
    id: "stepfunctions",
    label: "Step Functions\\n(upload audit, rotation restart)",
    tier: "operations",
    types: ["aws_sfn_state_machine"],
  },
  { id: "budget", label: "AWS Budgets", tier: "operations", types: ["aws_budgets_budget"] },
];

/** Edges drawn the way traffic or data flows, where the Terraform reference points the other way. */
const FLOWS_BACKWARDS = new Set([
  "service>alb", // the service registers in the target group; requests flow from the load balancer
  "firehose>logs", // the subscription filter names the log group; log lines flow from it
  // An alarm names what it watches; the metrics flow from there to the alarm.
  "alarms>alb",
  "alarms>service",
  "alarms>database",
  "alarms>uploads",
  "alarms>stepfunctions",
  "stepfunctions>uploads", // the audit names the bucket it lists
]);

/** Component pairs whose reference is bookkeeping, not a relation worth a line (names, tags, outputs). */
const IGNORED = new Set([
  "schedule>topic",
  "alarms>schedule",
  "schedule>service", // the schedule names the cluster; its line is the one to the task it runs
  "service>ecr", // the task count's condition compares the released image with the placeholder tag
  "service>image",
]);

export interface Component {
  readonly id: string;
  readonly label: string;
  readonly tier: Tier;
  readonly resources: readonly Element[];
}

export interface Model {
  readonly title: string;
  readonly components: readonly Component[];
  readonly edges: ReadonlyArray<readonly [string, string]>;
}

/** Reads the components and their relations out of a stack's Terraform JSON. */
export function modelOf(title: string, config: Block): Model {
  const stack = new StackView(config);
  const components: Component[] = [];
  const owner = new Map<string, string>();
  for (const rule of RULES) {
    const resources = rule.types
      .flatMap((t) => stack.resources(t))
      .filter((e) => !rule.pick || rule.pick(e.block));
    const unclaimed = resources.filter((e) => !owner.has(`${e.type}.${e.name}`));
    if (unclaimed.length === 0) continue;
    for (const e of unclaimed) owner.set(`${e.type}.${e.name}`, rule.id);
    components.push({ id: rule.id, label: rule.label, tier: rule.tier, resources: unclaimed });
  }
  const edges = new Set<string>();
  for (const component of components) {
    for (const resource of component.resources) {
      for (const target of stack.referencedBy(resource.block)) {
        const to = owner.get(`${target.type}.${target.name}`);
        if (!to || to === component.id) continue;
        const pair = `${component.id}>${to}`;
        if (IGNORED.has(pair)) continue;
        edges.add(FLOWS_BACKWARDS.has(pair) ? `${to}>${component.id}` : pair);
      }
    }
  }
  // The internet reaches the domain; everything else is read from the stack.
  if (components.some((c) => c.id === "dns")) edges.add("users>dns");
  return {
    title,
    components,
    edges: [...edges].sort().map((e) => e.split(">") as [string, string]),
  };
}

const TIER_LABELS: Record<Tier, string> = {
  internet: "Edge",
  public: "Public subnets (one per AZ)",
  private: "Private subnets (one per AZ)",
  isolated: "Isolated subnets (one per AZ, no route out)",
  regional: "Regional services",
  delivery: "Delivery",
  operations: "Operations",
};

/** The model as Graphviz DOT: one cluster per tier, the VPC's tiers inside a VPC cluster. */
export function toDot(model: Model): string {
  const q = (s: string) => `"${s.replace(/"/g, '\\"')}"`;
  const lines = [
    `digraph ${q(model.title)} {`,
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, label=${q(model.title)}, labelloc=t, compound=true, nodesep=0.3, ranksep=0.6];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#f7f7f7", fontname="Helvetica", fontsize=10];',
    '  edge [color="#555555", arrowsize=0.7];',
    '  users [label="Users\\n(browsers, uploads straight to S3)", shape=oval, fillcolor="#ffffff"];',
  ];
  const cluster = (tier: Tier, indent: string) => {
    const members = model.components.filter((c) => c.tier === tier);
    if (members.length === 0) return;
    lines.push(
      `${indent}subgraph cluster_${tier} {`,
      `${indent}  label=${q(TIER_LABELS[tier])}; style=rounded; color="#999999";`,
    );
    for (const c of members) lines.push(`${indent}  ${c.id} [label=${q(c.label)}];`);
    lines.push(`${indent}}`);
  };
  cluster("internet", "  ");
  lines.push(
    "  subgraph cluster_vpc {",
    '    label="VPC over 2-3 Availability Zones"; style=rounded; color="#336699";',
  );
  for (const tier of ["public", "private", "isolated"] as const) cluster(tier, "    ");
  lines.push("  }");
  for (const tier of ["regional", "delivery", "operations"] as const) cluster(tier, "  ");
  for (const [from, to] of model.edges) lines.push(`  ${from} -> ${to};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
