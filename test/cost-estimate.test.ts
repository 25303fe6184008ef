/**
 * The monthly estimate of a stack (cost/): a small stack written here, priced by hand in this file from the price
 * table's published prices for us-east-1; every resource accounted for, an unknown one listed as unpriced; the
 * table's date and region printed with every estimate; a region the table lacks named with the ones it has.
 */
import { type CostLine, type Estimate, estimateStack } from "../cost/estimate";
import { PRICE_TABLE, pricesFor, tableProblems, UnknownRegionError } from "../cost/price-table";
import { renderMarkdown, renderText } from "../cost/render";
import { resourcesOfPlan } from "../cost/resources";
import type { UsageAssumptions } from "../cost/usage";

const USAGE: UsageAssumptions = {
  requestsMillionsPerMonth: 5,
  loadBalancerGiBPerMonth: 100,
  natGiBPerMonth: 40,
  logsGiBPerMonth: 8,
  uploadsGiBPerDay: 3,
};

/** A small stack in synthesized form: references as cdktf writes them, blocks as objects. */
const STACK = {
  resource: {
    aws_eip: { a: { domain: "vpc" }, b: { domain: "vpc" } },
    aws_nat_gateway: {
      a: { allocation_id: "${aws_eip.a.id}", subnet_id: "${aws_subnet.public-a.id}" },
      b: { allocation_id: "${aws_eip.b.id}", subnet_id: "${aws_subnet.public-b.id}" },
    },
    aws_lb: {
      web: {
        load_balancer_type: "application",
        internal: false,
        ip_address_type: "ipv4",
        subnets: ["${aws_subnet.public-a.id}", "${aws_subnet.public-b.id}"],
      },
    },
    aws_wafv2_web_acl: {
      acl: { scope: "REGIONAL", rule: [{ name: "one" }, { name: "two" }, { name: "three" }] },
    },
    aws_db_instance: {
      db: {
        engine: "postgres",
        instance_class: "db.t4g.small",
        multi_az: false,
        allocated_storage: 50,
        storage_type: "gp3",
        manage_master_user_password: true,
      },
    },
    aws_ecs_task_definition: {
      task: {
        family: "app-web",
        cpu: "2048",
        memory: "4096",
        runtime_platform: { cpu_architecture: "ARM64", operating_system_family: "LINUX" },
        ephemeral_storage: { size_in_gib: 30 },
      },
    },
    aws_ecs_service: {
      web: {
        name: "app-web",
        launch_type: "FARGATE",
        desired_count: 3,
        task_definition: "${aws_ecs_task_definition.task.arn}",
      },
    },
    aws_kms_key: { one: { enable_key_rotation: true }, two: { enable_key_rotation: true } },
    aws_secretsmanager_secret: { s: { name: "app/secret" } },
    aws_cloudwatch_log_group: { web: { retention_in_days: 60 }, jobs: { retention_in_days: 14 } },
    aws_cloudwatch_metric_alarm: {
      simple: { metric_name: "CPUUtilization", period: 60 },
      math: {
        metric_query: [
          { id: "a", metric: { metric_name: "A", period: 60 } },
          { id: "b", metric: { metric_name: "B", period: 60 } },
          { id: "e", expression: "a - b", return_data: true },
        ],
      },
      fast: { metric_name: "Latency", period: 10 },
    },
    aws_cloudwatch_dashboard: { d: { dashboard_name: "app" } },
    aws_route53_zone: { z: { name: "example.org" } },
    aws_s3_bucket: { uploads: { bucket: "app-uploads" } },
    aws_s3_bucket_cors_configuration: { uploads: { bucket: "${aws_s3_bucket.uploads.id}" } },
    aws_s3_bucket_lifecycle_configuration: {
      uploads: {
        bucket: "${aws_s3_bucket.uploads.id}",
        rule: [{ id: "expire", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: 7 }] }],
      },
    },
    aws_iam_role: { r: { name: "app" } },
    aws_emr_cluster: { big: { name: "analytics" } },
  },
};

const estimate = estimateStack(STACK, { region: "us-east-1", usage: USAGE });

function lineOf(e: Estimate, item: string): CostLine {
  const found = e.lines.filter((l) => l.item === item);
  if (found.length !== 1) throw new Error(`expected one line "${item}", found ${found.length}`);
  return found[0];
}

describe("the estimate of a small stack, priced by hand", () => {
  // Each amount: the quantity a month (730 hours) times the table's us-east-1 price, worked out here.
  it.each([
    ["NAT gateway hours", 2 * 730 * 0.045], // 65.70
    ["NAT gateway data processed", 40 * 0.045], // 1.80
    // Two Elastic IPs (the NAT gateways) and the internet-facing load balancer's two zones.
    ["Public IPv4 addresses", 4 * 730 * 0.005], // 14.60
    ["Application Load Balancer hours", 730 * 0.0225], // 16.425
    // 100 GiB a month is 0.137 GB an hour, more than 5 M requests' 1.9 new connections a second / 25.
    ["Application Load Balancer capacity units", 100 * 0.008], // 0.80
    ["Data transfer out to the internet", 100 * 0.09], // 9.00
    ["Web ACL", 5],
    ["Web ACL rules", 3 * 1],
    ["Web ACL requests", 5 * 0.6], // 3.00
    ["RDS db.t4g.small Single-AZ", 730 * 0.032], // 23.36
    ["RDS gp3 storage, Single-AZ", 50 * 0.115], // 5.75
    ["RDS master password secret", 0.4],
    ["Fargate vCPU", 3 * 2 * 730 * 0.03238], // 141.8244, Graviton
    ["Fargate memory", 3 * 4 * 730 * 0.00356], // 31.1856
    ["Fargate ephemeral storage", 3 * 10 * 730 * 0.000111], // 2.4309: the 10 GiB beyond 20
    ["KMS keys", 2 * 1],
    ["Secrets Manager secrets", 0.4],
    ["CloudWatch Logs ingestion", 8 * 0.5], // 4.00
    // The longest retention, 60 days, is 60 / (365 / 12) months.
    ["CloudWatch Logs storage", 8 * (60 / (365 / 12)) * 0.03], // 0.4734
    ["CloudWatch alarms", 3 * 0.1], // one metric, and two behind the metric math
    ["CloudWatch high-resolution alarms", 1 * 0.3],
    ["CloudWatch dashboards", 3],
    ["Route 53 hosted zones", 0.5],
    ["Uploads, STANDARD", 3 * 7 * 0.023], // 3 GiB a day, expired after 7 days: 0.483
  ])("%s: $%d", (item, amount) => {
    expect(lineOf(estimate, item).monthlyUsd).toBeCloseTo(amount, 6);
  });

  it("totals the fixed and assumed lines, and nothing else", () => {
    expect(estimate.totalUsd).toBeCloseTo(335.7323, 3);
    // What the stack costs with no use at all.
    expect(estimate.fixedUsd).toBeCloseTo(316.1759, 3);
  });

  it("lists what is priced by use without an amount, never in the total", () => {
    const usage = estimate.lines.filter((l) => l.kind === "usage-priced");
    expect(usage.map((l) => l.item)).toEqual(
      expect.arrayContaining([
        "KMS requests",
        "Secrets Manager API calls",
        "RDS backup storage beyond the provisioned size",
        "S3 requests",
      ]),
    );
    for (const l of usage) {
      expect(l.monthlyUsd).toBeUndefined();
      expect(l.unitPriceUsd).toBeGreaterThan(0);
    }
    expect(lineOf(estimate, "KMS requests").unitPriceUsd).toBe(0.03);
  });

  it("lists a resource type it does not know as unpriced, with the resource, and keeps it out of the total", () => {
    const unknown = estimate.lines.filter((l) => l.kind === "unpriced");
    expect(unknown).toHaveLength(1);
    expect(unknown[0].resources).toEqual(["aws_emr_cluster.big"]);
    expect(unknown[0].item).toContain("aws_emr_cluster");
    const text = renderText(estimate, { title: "fixture", usageSource: "this test" });
    expect(text).toMatch(
      /UNPRICED, not in the total:\n {2}aws_emr_cluster \(unknown to the estimate\) \(aws_emr_cluster\.big\)/,
    );
  });

  it("accounts for every resource of the stack on some line", () => {
    const listed = new Set(estimate.lines.flatMap((l) => l.resources));
    const all = Object.entries(STACK.resource).flatMap(([type, byName]) =>
      Object.keys(byName).map((n) => `${type}.${n}`),
    );
    expect(all.filter((a) => !listed.has(a))).toEqual([]);
    expect(lineOf(estimate, "aws_iam_role (no charge)").kind).toBe("free");
  });

  it("prices a class the table lacks as unpriced, not as zero and not as another class", () => {
    const odd = structuredClone(STACK);
    odd.resource.aws_db_instance.db.instance_class = "db.x2g.16xlarge";
    const e = estimateStack(odd, { region: "us-east-1", usage: USAGE });
    const db = e.lines.find((l) => l.key === "RDS instance hours (aws_db_instance.db)");
    expect(db?.kind).toBe("unpriced");
    expect(db?.monthlyUsd).toBeUndefined();
    expect(db?.note).toContain("db.x2g.16xlarge");
    expect(e.totalUsd).toBeCloseTo(335.7323 - 23.36, 3);
  });

  it("prices a Multi-AZ database twice: both instances and both copies of the storage", () => {
    const multi = structuredClone(STACK);
    multi.resource.aws_db_instance.db.multi_az = true;
    const e = estimateStack(multi, { region: "us-east-1", usage: USAGE });
    expect(lineOf(e, "RDS db.t4g.small Multi-AZ").monthlyUsd).toBeCloseTo(730 * 0.064, 6);
    expect(lineOf(e, "RDS gp3 storage, Multi-AZ").monthlyUsd).toBeCloseTo(50 * 0.23, 6);
  });

  it("counts a service's autoscaling floor, and takes the running branch of a count set by a condition", () => {
    const scaled = structuredClone(STACK) as typeof STACK & { resource: Record<string, unknown> };
    scaled.resource.aws_appautoscaling_target = {
      t: {
        service_namespace: "ecs",
        resource_id: "service/${aws_ecs_cluster.c.name}/${aws_ecs_service.web.name}",
        min_capacity: '${(aws_ssm_parameter.image.insecure_value == "repo:bootstrap") ? 0 : 4}',
        max_capacity: 9,
      },
    };
    const e = estimateStack(scaled, { region: "us-east-1", usage: USAGE });
    const vcpu = lineOf(e, "Fargate vCPU");
    expect(vcpu.monthlyUsd).toBeCloseTo(4 * 2 * 730 * 0.03238, 6);
    expect(vcpu.note).toMatch(/0 or 4 by a condition/);
    // Autoscaling above the floor is priced by the task-hour, not assumed.
    expect(lineOf(e, "Fargate tasks above the autoscaling floor").unitPriceUsd).toBeCloseTo(
      2 * 0.03238 + 4 * 0.00356 + 10 * 0.000111,
      9,
    );
  });
});

describe("the price table", () => {
  it("has, for each of its regions, every price, each from an AWS pricing page", () => {
    expect(tableProblems(PRICE_TABLE)).toEqual([]);
    expect(PRICE_TABLE.regions).toEqual(expect.arrayContaining(["us-east-1", "us-west-2"]));
    expect(PRICE_TABLE.asPublished).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.recheck).toMatch(/re-checked against each price's source page/);
  });

  it("finds a price missing for one region", () => {
    const broken = structuredClone(PRICE_TABLE) as {
      prices: Record<string, { usd?: Record<string, number> }>;
    };
    delete broken.prices["nat-gateway-hour"].usd?.["us-west-2"];
    expect(tableProblems(broken as unknown as typeof PRICE_TABLE)).toEqual([
      "nat-gateway-hour: no price for us-west-2",
    ]);
  });

  it("refuses a region it lacks, naming the region and the regions it has", () => {
    expect(() => pricesFor("eu-west-1")).toThrow(UnknownRegionError);
    expect(() => estimateStack(STACK, { region: "eu-west-1", usage: USAGE })).toThrow(
      /no prices for region eu-west-1; it has us-east-1, us-west-2/,
    );
  });
});

describe("every estimate says where its prices come from", () => {
  it.each([
    ["text", renderText(estimate, { title: "fixture", usageSource: "this test" })],
    ["Markdown", renderMarkdown(estimate, { title: "fixture", usageSource: "this test" })],
  ])("as %s: the region, the table's date, the re-check, the usage assumed, the total", (_, text) => {
    expect(text).toContain("region us-east-1");
    expect(text).toContain(`as published ${PRICE_TABLE.asPublished}`);
    expect(text).toContain("re-checked against each price's source page");
    expect(text).toContain("730 hours");
    expect(text).toContain("5 million requests and 100 GiB through the load balancer");
    expect(text).toContain("$335.73");
  });

  it("prints each line's quantity, unit price and amount, and each price's source page", () => {
    const text = renderText(estimate, { title: "fixture", usageSource: "this test" });
    expect(text).toMatch(/NAT gateway hours +aws_nat_gateway ×2 +2 × 730 h +\$0\.045\/hour +\$65\.70/);
    expect(text).toContain("nat-gateway-hour: https://aws.amazon.com/vpc/pricing/");
  });
});

describe("one side of a plan", () => {
  it("reads the resources before and after, blocks as lists, and leaves data sources out", () => {
    const plan = {
      resource_changes: [
        {
          address: "aws_db_instance.db",
          type: "aws_db_instance",
          mode: "managed",
          change: {
            actions: ["update"],
            before: {
              engine: "postgres",
              instance_class: "db.t4g.micro",
              allocated_storage: 20,
              storage_type: "gp3",
            },
            after: {
              engine: "postgres",
              instance_class: "db.t4g.small",
              allocated_storage: 20,
              storage_type: "gp3",
            },
          },
        },
        {
          address: "aws_kms_key.k",
          type: "aws_kms_key",
          mode: "managed",
          change: { actions: ["create"], before: null, after: {} },
        },
        {
          address: "data.aws_region.r",
          type: "aws_region",
          mode: "data",
          change: { actions: ["read"], before: null, after: {} },
        },
      ],
    };
    expect(resourcesOfPlan(plan, "before").map((r) => r.address)).toEqual(["aws_db_instance.db"]);
    expect(resourcesOfPlan(plan, "after").map((r) => r.address)).toEqual([
      "aws_db_instance.db",
      "aws_kms_key.k",
    ]);
  });
});

describe("what the estimate reads from the settings", () => {
  const of = (resource: Record<string, unknown>) =>
    estimateStack({ resource }, { region: "us-west-2", usage: USAGE });
  const amount = (e: Estimate, item: string) => e.lines.find((l) => l.item === item)?.monthlyUsd;

  it("charges a public IPv4 address for each zone of an internet-facing load balancer, none for an internal one", () => {
    const lb = (values: Record<string, unknown>) => ({
      lb: { load_balancer_type: "application", subnets: ["a", "b", "c"], ...values },
    });
    expect(amount(of({ aws_lb: lb({ internal: false }) }), "Public IPv4 addresses")).toBeCloseTo(
      3 * 730 * 0.005,
      6,
    );
    expect(amount(of({ aws_lb: lb({ internal: true }) }), "Public IPv4 addresses")).toBeUndefined();
    expect(
      amount(
        of({ aws_lb: lb({ ip_address_type: "dualstack-without-public-ipv4" }) }),
        "Public IPv4 addresses",
      ),
    ).toBeUndefined();
    // An internal load balancer sends nothing to the internet.
    expect(
      amount(of({ aws_lb: lb({ internal: true }) }), "Data transfer out to the internet"),
    ).toBeUndefined();
  });

  it("charges interface endpoints in each zone of their subnets, and no gateway endpoint", () => {
    const e = of({
      aws_vpc_endpoint: {
        s3: { vpc_endpoint_type: "Gateway" },
        logs: { vpc_endpoint_type: "Interface", subnet_ids: ["a", "b"] },
        ecr: { vpc_endpoint_type: "Interface", subnet_ids: ["a", "b"] },
      },
    });
    expect(amount(e, "Interface VPC endpoint hours")).toBeCloseTo(4 * 730 * 0.01, 6);
    expect(e.lines.find((l) => l.item === "Gateway VPC endpoints")?.kind).toBe("free");
  });

  it("lists a paid managed rule group of the web ACL as unpriced", () => {
    const statement = {
      managed_rule_group_statement: { name: "AWSManagedRulesBotControlRuleSet", vendor_name: "AWS" },
    };
    const e = of({ aws_wafv2_web_acl: { acl: { rule: [{ name: "bots", statement }] } } });
    expect(e.lines.find((l) => l.item === "Paid managed rule groups")).toMatchObject({ kind: "unpriced" });
  });

  it("keeps the first two budgets of an account free and charges the third by the day", () => {
    const budget = { budget_type: "COST", limit_amount: "10" };
    expect(of({ aws_budgets_budget: { a: budget, b: budget } }).totalUsd).toBe(0);
    expect(
      amount(
        of({ aws_budgets_budget: { a: budget, b: budget, c: budget } }),
        "AWS Budgets budgets beyond two",
      ),
    ).toBeCloseTo((730 / 24) * 0.02, 2);
  });
});
