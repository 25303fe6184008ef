/**
 * CloudWatch and the log archive's delivery: log ingestion and storage from the log volume assumed, Firehose
 * ingestion of the same volume, each alarm by the metrics it evaluates, composite alarms, dashboards.
 */
import { line, type CostLine, type Pricer, type PricingContext } from "../lines";
import { blocks, num, type CostResource } from "../resources";
import { DAYS_PER_MONTH } from "../usage";

/** Days a group keeps its events; CloudWatch's "never expire" is shown as a year of growth. */
function retentionDays(group: CostResource): number | undefined {
  const days = num(group.values.retention_in_days);
  return days === undefined || days === 0 ? undefined : days;
}

function logs(ctx: PricingContext): CostLine[] {
  const groups = ctx.of("aws_cloudwatch_log_group");
  if (groups.length === 0) return [];
  const gib = ctx.usage.logsGiBPerMonth;
  const infrequent = groups.every((g) => g.values.log_group_class === "INFREQUENT_ACCESS");
  const ingestion = ctx.prices.get(infrequent ? "logs-ingestion-infrequent-gb" : "logs-ingestion-gb");
  const kept = groups.map(retentionDays);
  const forever = kept.some((d) => d === undefined);
  const days = forever ? 365 : Math.max(...(kept as number[]));
  const months = days / DAYS_PER_MONTH;
  return [
    line.assumed(
      "CloudWatch Logs ingestion",
      groups,
      gib,
      `${gib} GiB (usage: logsGiBPerMonth)`,
      ingestion,
      `all ${groups.length} log groups together, the flow logs and the web ACL's logs included`,
    ),
    line.assumed(
      "CloudWatch Logs storage",
      groups,
      gib * months,
      `${gib} GiB × ${round(months)} months kept`,
      ctx.prices.get("logs-storage-gb-month"),
      forever
        ? "a group keeps its events forever: shown after a year of growth, counted uncompressed (an upper bound)"
        : `kept ${days} days (the longest retention of the groups), counted uncompressed: an upper bound, CloudWatch bills the compressed size`,
    ),
  ];
}

const round = (n: number) => Number(n.toPrecision(3)).toString();

function firehose(ctx: PricingContext): CostLine[] {
  const streams = ctx.of("aws_kinesis_firehose_delivery_stream");
  if (streams.length === 0) return [];
  const gib = ctx.usage.logsGiBPerMonth;
  const subscribed = ctx.of("aws_cloudwatch_log_subscription_filter").length;
  const groups = ctx.of("aws_cloudwatch_log_group").length;
  return [
    line.assumed(
      "Firehose ingestion",
      streams,
      gib,
      `${gib} GiB (usage: logsGiBPerMonth)`,
      ctx.prices.get("firehose-ingestion-gb"),
      `the log volume, sent on by ${subscribed} subscription filter${subscribed === 1 ? "" : "s"} of ${groups} log group${groups === 1 ? "" : "s"}; counted whole`,
    ),
  ];
}

/** The metrics an alarm evaluates, and whether any is high-resolution (a period under a minute). */
function alarmMetrics(alarm: CostResource): { metrics: number; highResolution: boolean } {
  const v = alarm.values;
  const queries = blocks(v.metric_query);
  if (queries.length === 0) {
    return { metrics: 1, highResolution: (num(v.period) ?? 60) < 60 };
  }
  const stats = queries.map((q) => blocks(q.metric)[0]).filter((m) => m !== undefined);
  // An anomaly detection band is billed as three metrics.
  const band = typeof v.threshold_metric_id === "string" && v.threshold_metric_id !== "" ? 3 : 1;
  return {
    metrics: Math.max(stats.length, 1) * band,
    highResolution: stats.some((m) => (num(m.period) ?? 60) < 60),
  };
}

function alarms(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_cloudwatch_metric_alarm");
  const lines: CostLine[] = [];
  for (const resolution of ["standard", "high-resolution"] as const) {
    const of = all.filter((a) => alarmMetrics(a).highResolution === (resolution === "high-resolution"));
    if (of.length === 0) continue;
    const metrics = of.reduce((n, a) => n + alarmMetrics(a).metrics, 0);
    lines.push(
      line.fixed(
        resolution === "standard" ? "CloudWatch alarms" : "CloudWatch high-resolution alarms",
        of,
        metrics,
        `${of.length} alarm${of.length === 1 ? "" : "s"}, ${metrics} metric${metrics === 1 ? "" : "s"}`,
        ctx.prices.get("alarm-metric-month", resolution),
        "an alarm on metric math is billed per metric it reads",
      ),
    );
  }
  const composite = ctx.of("aws_cloudwatch_composite_alarm");
  if (composite.length > 0)
    lines.push(
      line.fixed(
        "CloudWatch composite alarms",
        composite,
        composite.length,
        `${composite.length} alarm${composite.length === 1 ? "" : "s"}`,
        ctx.prices.get("composite-alarm-month"),
      ),
    );
  const dashboards = ctx.of("aws_cloudwatch_dashboard");
  if (dashboards.length > 0)
    lines.push(
      line.fixed(
        "CloudWatch dashboards",
        dashboards,
        dashboards.length,
        `${dashboards.length} dashboard${dashboards.length === 1 ? "" : "s"}`,
        ctx.prices.get("dashboard-month"),
      ),
    );
  return lines;
}

export const observability: Pricer = {
  types: [
    "aws_cloudwatch_log_group",
    "aws_kinesis_firehose_delivery_stream",
    "aws_cloudwatch_metric_alarm",
    "aws_cloudwatch_composite_alarm",
    "aws_cloudwatch_dashboard",
  ],
  lines: (ctx) => [...logs(ctx), ...firehose(ctx), ...alarms(ctx)],
};
