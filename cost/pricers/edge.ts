/**
 * What faces the users: load balancers (hours, and capacity units from the requests and data assumed), the web
 * ACL (the ACL, its rules, its requests), data out to the internet, Route 53 zones and health checks. The load
 * balancer's public IPv4 addresses are on the network's addresses line.
 */
import { line, type CostLine, type Pricer, type PricingContext } from "../lines";
import { block, blocks, type CostResource, type Values } from "../resources";

/** AWS managed rule groups with a subscription or request fee of their own, not in the price table. */
const PAID_RULE_GROUPS = [
  "AWSManagedRulesBotControlRuleSet",
  "AWSManagedRulesATPRuleSet",
  "AWSManagedRulesACFPRuleSet",
  "AWSManagedRulesAntiDDoSRuleSet",
];

/** An application load balancer's capacity units, each the busiest of its dimensions averaged over the month. */
function capacityUnits(ctx: PricingContext): { lcu: number; by: string } {
  const perSecond = (ctx.usage.requestsMillionsPerMonth * 1e6) / (ctx.hours * 3600);
  // One new connection per request is the most a request can make (keep-alive makes fewer): 25 a second per LCU.
  const connections = perSecond / 25;
  // Processed bytes, for targets that are not Lambda: 1 GB an hour per LCU.
  const bytes = ctx.usage.loadBalancerGiBPerMonth / ctx.hours;
  const lcu = Math.max(connections, bytes);
  const by =
    connections > bytes ? "new connections (25 a second per LCU)" : "data processed (1 GB an hour per LCU)";
  return { lcu, by };
}

const round = (n: number) => Number(n.toPrecision(3)).toString();

function loadBalancers(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_lb");
  const kind = (lb: CostResource) => String(lb.values.load_balancer_type ?? "application");
  const albs = all.filter((lb) => kind(lb) === "application");
  const nlbs = all.filter((lb) => kind(lb) === "network");
  const other = all.filter((lb) => !["application", "network"].includes(kind(lb)));
  const lines: CostLine[] = [];
  if (albs.length > 0) {
    lines.push(
      line.fixed(
        "Application Load Balancer hours",
        albs,
        albs.length * ctx.hours,
        `${albs.length} × ${ctx.hours} h`,
        ctx.prices.get("alb-hour"),
      ),
    );
    const { lcu, by } = capacityUnits(ctx);
    lines.push(
      line.assumed(
        "Application Load Balancer capacity units",
        albs,
        lcu * ctx.hours,
        `${round(lcu)} LCU × ${ctx.hours} h`,
        ctx.prices.get("alb-lcu-hour"),
        `by ${by}, from requestsMillionsPerMonth and loadBalancerGiBPerMonth; AWS bills each hour's busiest dimension, so peaks cost more than this average`,
      ),
    );
  }
  if (nlbs.length > 0) {
    lines.push(
      line.fixed(
        "Network Load Balancer hours",
        nlbs,
        nlbs.length * ctx.hours,
        `${nlbs.length} × ${ctx.hours} h`,
        ctx.prices.get("nlb-hour"),
      ),
    );
    lines.push(
      line.unpriced("Network Load Balancer capacity units", nlbs, "NLCU prices are not in the table"),
    );
  }
  if (other.length > 0) lines.push(line.unpriced("Gateway Load Balancer", other, "not in the price table"));
  const facing = all.filter((lb) => lb.values.internal !== true);
  if (facing.length > 0) {
    const gib = ctx.usage.loadBalancerGiBPerMonth;
    lines.push(
      line.assumed(
        "Data transfer out to the internet",
        facing,
        gib,
        `${gib} GiB (usage: loadBalancerGiBPerMonth)`,
        ctx.prices.get("data-transfer-out-internet"),
        "responses through the internet-facing load balancer, counted whole; downloads of uploads straight from S3 are not in it",
      ),
    );
  }
  return lines;
}

/** Every managed rule group a rule uses, at any depth of its statement. */
function ruleGroups(statement: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") {
      const o = v as Values;
      const managed = block(o.managed_rule_group_statement);
      if (managed && typeof managed.name === "string") found.push(managed.name);
      Object.values(o).forEach(walk);
    }
  };
  walk(statement);
  return [...new Set(found)];
}

function webAcls(ctx: PricingContext): CostLine[] {
  const acls = ctx.of("aws_wafv2_web_acl");
  if (acls.length === 0) return [];
  const rules = acls.reduce((n, acl) => n + blocks(acl.values.rule).length, 0);
  const lines: CostLine[] = [
    line.fixed(
      "Web ACL",
      acls,
      acls.length,
      `${acls.length} web ACL${acls.length === 1 ? "" : "s"}`,
      ctx.prices.get("waf-web-acl-month"),
    ),
    line.fixed("Web ACL rules", acls, rules, `${rules} rules`, ctx.prices.get("waf-rule-month")),
    line.assumed(
      "Web ACL requests",
      acls,
      ctx.usage.requestsMillionsPerMonth,
      `${ctx.usage.requestsMillionsPerMonth} million (usage: requestsMillionsPerMonth)`,
      ctx.prices.get("waf-requests-million"),
    ),
  ];
  const paid = acls
    .flatMap((acl) => blocks(acl.values.rule).flatMap((r) => ruleGroups(r.statement)))
    .filter((g) => PAID_RULE_GROUPS.includes(g));
  if (paid.length > 0)
    lines.push(
      line.unpriced(
        "Paid managed rule groups",
        acls,
        `${[...new Set(paid)].join(", ")}: their fees are not in the price table`,
      ),
    );
  return lines;
}

function dns(ctx: PricingContext): CostLine[] {
  const zones = ctx.of("aws_route53_zone");
  const checks = ctx.of("aws_route53_health_check");
  const lines: CostLine[] = [];
  if (zones.length > 0) {
    const queries = ctx.prices.get("route53-queries-million");
    lines.push(
      line.fixed(
        "Route 53 hosted zones",
        zones,
        zones.length,
        `${zones.length} zone${zones.length === 1 ? "" : "s"}`,
        ctx.prices.get("route53-zone-month"),
      ),
      line.usagePriced(
        "Route 53 queries",
        zones,
        queries.usd,
        queries.unit,
        [queries.id],
        "alias queries to the load balancer are free",
      ),
    );
  }
  if (checks.length > 0) {
    const calculated = checks.filter(
      (c) => c.values.type === "CALCULATED" || c.values.type === "CLOUDWATCH_METRIC",
    );
    const endpoints = checks.filter((c) => !calculated.includes(c));
    if (endpoints.length > 0)
      lines.push(
        line.fixed(
          "Route 53 health checks",
          endpoints,
          endpoints.length,
          `${endpoints.length} checks`,
          ctx.prices.get("route53-health-check-month"),
          "basic checks of AWS endpoints; optional features (HTTPS, string matching, fast interval) cost more",
        ),
      );
    if (calculated.length > 0)
      lines.push(
        line.unpriced("Route 53 calculated and metric health checks", calculated, "not in the price table"),
      );
  }
  return lines;
}

export const edge: Pricer = {
  types: ["aws_lb", "aws_wafv2_web_acl", "aws_route53_zone", "aws_route53_health_check"],
  lines: (ctx) => [...loadBalancers(ctx), ...webAcls(ctx), ...dns(ctx)],
};
