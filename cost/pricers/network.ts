/**
 * The network: NAT gateways and the data through them, public IPv4 addresses (every Elastic IP, every Availability
 * Zone of an internet-facing load balancer, every task given a public IP), VPC endpoints, flow logs.
 */
import { line, type CostLine, type Pricer, type PricingContext } from "../lines";
import { block, blocks, list, type CostResource } from "../resources";
import { desiredTasks } from "./compute";

/** An internet-facing load balancer with IPv4 addresses of its own: one per Availability Zone it is in. */
export function publicIpv4Addresses(lb: CostResource): number {
  const v = lb.values;
  if (v.internal === true || v.ip_address_type === "dualstack-without-public-ipv4") return 0;
  const zones = Math.max(list(v.subnets).length, blocks(v.subnet_mapping).length);
  // A plan's new load balancer may not know its subnets yet; it has at least one address.
  return Math.max(zones, 1);
}

function natGateways(ctx: PricingContext): CostLine[] {
  const nats = ctx.of("aws_nat_gateway");
  if (nats.length === 0) return [];
  const hour = ctx.prices.get("nat-gateway-hour");
  const data = ctx.prices.get("nat-gateway-data");
  const gib = ctx.usage.natGiBPerMonth;
  return [
    line.fixed("NAT gateway hours", nats, nats.length * ctx.hours, `${nats.length} × ${ctx.hours} h`, hour),
    line.assumed(
      "NAT gateway data processed",
      nats,
      gib,
      `${gib} GiB (usage: natGiBPerMonth)`,
      data,
      "every GiB the tasks send to the internet or to an AWS service without a VPC endpoint; S3 goes through its free gateway endpoint",
    ),
  ];
}

function publicAddresses(ctx: PricingContext): CostLine[] {
  const parts: string[] = [];
  const holders: CostResource[] = [];
  let count = 0;
  const eips = ctx.of("aws_eip");
  if (eips.length > 0) {
    const forNat = ctx.of("aws_nat_gateway").filter((n) => n.values.connectivity_type !== "private").length;
    parts.push(
      `${eips.length} Elastic IP${eips.length === 1 ? "" : "s"}${forNat > 0 ? " (NAT gateways)" : ""}`,
    );
    holders.push(...eips);
    count += eips.length;
  }
  const lbs = ctx.of("aws_lb").filter((lb) => publicIpv4Addresses(lb) > 0);
  const lbAddresses = lbs.reduce((n, lb) => n + publicIpv4Addresses(lb), 0);
  if (lbAddresses > 0) {
    parts.push(
      `${lbAddresses} of the internet-facing load balancer (one per Availability Zone; more when AWS scales it out)`,
    );
    holders.push(...lbs);
    count += lbAddresses;
  }
  const taskIps = ctx
    .of("aws_ecs_service")
    .filter((s) => block(s.values.network_configuration)?.assign_public_ip === true)
    .map((s) => ({ s, n: desiredTasks(ctx, s).value }));
  const tasks = taskIps.reduce((n, t) => n + t.n, 0);
  if (tasks > 0) {
    parts.push(`${tasks} of tasks given a public IP`);
    holders.push(...taskIps.map((t) => t.s));
    count += tasks;
  }
  if (count === 0) return [];
  const price = ctx.prices.get("public-ipv4-hour");
  return [
    line.fixed(
      "Public IPv4 addresses",
      holders,
      count * ctx.hours,
      `${count} × ${ctx.hours} h`,
      price,
      parts.join("; "),
    ),
  ];
}

function endpoints(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_vpc_endpoint");
  const type = (e: CostResource) => String(e.values.vpc_endpoint_type ?? "Gateway");
  const gateways = all.filter((e) => type(e) === "Gateway");
  const interfaces = all.filter((e) => type(e) === "Interface");
  const other = all.filter((e) => !["Gateway", "Interface"].includes(type(e)));
  const lines: CostLine[] = [];
  if (gateways.length > 0)
    lines.push(line.free("Gateway VPC endpoints", gateways, "gateway endpoints (S3, DynamoDB) are free"));
  if (interfaces.length > 0) {
    const zones = interfaces.reduce((n, e) => n + Math.max(list(e.values.subnet_ids).length, 1), 0);
    const data = ctx.prices.get("vpc-interface-endpoint-data");
    lines.push(
      line.fixed(
        "Interface VPC endpoint hours",
        interfaces,
        zones * ctx.hours,
        `${zones} × ${ctx.hours} h`,
        ctx.prices.get("vpc-interface-endpoint-hour"),
        `${interfaces.length} endpoint${interfaces.length === 1 ? "" : "s"}, each charged in every Availability Zone of its subnets (${zones} in all)`,
      ),
      line.usagePriced("Interface VPC endpoint data processed", interfaces, data.usd, data.unit, [data.id]),
    );
  }
  if (other.length > 0)
    lines.push(
      line.unpriced("Gateway Load Balancer and other VPC endpoints", other, "not in the price table"),
    );
  return lines;
}

function flowLogs(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_flow_log");
  const toS3 = all.filter((f) => f.values.log_destination_type === "s3");
  const toLogs = all.filter((f) => f.values.log_destination_type !== "s3");
  const lines: CostLine[] = [];
  if (toLogs.length > 0)
    lines.push(
      line.free(
        "Flow logs to CloudWatch Logs",
        toLogs,
        "their records are CloudWatch Logs vended logs, priced in the log ingestion line (logsGiBPerMonth includes them)",
      ),
    );
  if (toS3.length > 0) {
    const p = ctx.prices.get("vended-logs-s3-gb");
    lines.push(line.usagePriced("Flow logs delivered to S3", toS3, p.usd, p.unit, [p.id]));
  }
  return lines;
}

export const network: Pricer = {
  types: ["aws_nat_gateway", "aws_eip", "aws_vpc_endpoint", "aws_flow_log"],
  lines: (ctx) => [...natGateways(ctx), ...publicAddresses(ctx), ...endpoints(ctx), ...flowLogs(ctx)],
};
