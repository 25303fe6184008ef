/**
 * What runs now and then: the delivery pipeline and its builds, state machines, schedules, events, queues and
 * topics, the budget. All are priced by use, which the estimate does not assume: each gets its unit price.
 */
import { line, type CostLine, type Pricer, type PricingContext } from "../lines";
import { block, type CostResource } from "../resources";

function builds(ctx: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  const byCompute = new Map<string, CostResource[]>();
  for (const p of ctx.of("aws_codebuild_project")) {
    const env = block(p.values.environment);
    const key = `${String(env?.type ?? "LINUX_CONTAINER")} ${String(env?.compute_type ?? "")}`;
    byCompute.set(key, [...(byCompute.get(key) ?? []), p]);
  }
  for (const [key, projects] of byCompute) {
    const [type, compute] = key.split(" ");
    const price = type === "LINUX_CONTAINER" ? ctx.prices.find("codebuild-minute", compute) : undefined;
    lines.push(
      price
        ? line.usagePriced(`CodeBuild ${compute} build minutes`, projects, price.usd, price.unit, [price.id])
        : line.unpriced(`CodeBuild ${type} ${compute}`, projects, "not in the price table"),
    );
  }
  const pipelines = ctx.of("aws_codepipeline");
  const v1 = pipelines.filter((p) => p.values.pipeline_type === "V1");
  const v2 = pipelines.filter((p) => p.values.pipeline_type !== "V1");
  if (v1.length > 0)
    lines.push(
      line.fixed(
        "CodePipeline V1 pipelines",
        v1,
        v1.length,
        `${v1.length} pipelines`,
        ctx.prices.get("codepipeline-v1-month"),
        "a pipeline with no run in a month is free",
      ),
    );
  if (v2.length > 0) {
    const p = ctx.prices.get("codepipeline-v2-action-minute");
    lines.push(
      line.usagePriced(
        "CodePipeline V2 action minutes",
        v2,
        p.usd,
        p.unit,
        [p.id],
        "manual approvals are not billed by the minute",
      ),
    );
  }
  return lines;
}

function stateMachines(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_sfn_state_machine");
  const express = all.filter((s) => s.values.type === "EXPRESS");
  const standard = all.filter((s) => s.values.type !== "EXPRESS");
  const lines: CostLine[] = [];
  if (standard.length > 0) {
    const p = ctx.prices.get("sfn-standard-transitions-1k");
    lines.push(line.usagePriced("Step Functions state transitions", standard, p.usd, p.unit, [p.id]));
  }
  if (express.length > 0) {
    const p = ctx.prices.get("sfn-express-requests-million");
    lines.push(
      line.usagePriced(
        "Step Functions Express requests",
        express,
        p.usd,
        p.unit,
        [p.id],
        "plus their duration, not in the table",
      ),
    );
  }
  const traced = all.filter((s) => block(s.values.tracing_configuration)?.enabled === true);
  if (traced.length > 0) {
    const p = ctx.prices.get("xray-traces-million");
    lines.push(line.usagePriced("X-Ray traces", traced, p.usd, p.unit, [p.id], "100,000 a month are free"));
  }
  return lines;
}

/** A rule fed only by AWS services' own events (or a schedule) costs nothing. */
function freeRule(rule: CostResource): boolean {
  if (typeof rule.values.schedule_expression === "string" && rule.values.schedule_expression !== "")
    return true;
  try {
    const pattern = JSON.parse(String(rule.values.event_pattern ?? "{}")) as { source?: unknown };
    return (
      Array.isArray(pattern.source) &&
      pattern.source.every((s) => typeof s === "string" && s.startsWith("aws."))
    );
  } catch {
    return false;
  }
}

function events(ctx: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  const schedules = ctx.of("aws_scheduler_schedule");
  if (schedules.length > 0) {
    const p = ctx.prices.get("scheduler-invocations-million");
    lines.push(
      line.usagePriced(
        "EventBridge Scheduler invocations",
        schedules,
        p.usd,
        p.unit,
        [p.id],
        "14 million a month are free",
      ),
    );
  }
  const rules = ctx.of("aws_cloudwatch_event_rule");
  const free = rules.filter(freeRule);
  const custom = rules.filter((r) => !free.includes(r));
  if (free.length > 0)
    lines.push(
      line.free(
        "EventBridge rules on AWS service events",
        free,
        "events AWS services send to the default bus are free",
      ),
    );
  if (custom.length > 0) {
    const p = ctx.prices.get("eventbridge-custom-events-million");
    lines.push(line.usagePriced("EventBridge custom events", custom, p.usd, p.unit, [p.id]));
  }
  return lines;
}

function messaging(ctx: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  const queues = ctx.of("aws_sqs_queue");
  if (queues.length > 0) {
    const p = ctx.prices.get("sqs-requests-million");
    lines.push(line.usagePriced("SQS requests", queues, p.usd, p.unit, [p.id], "a million a month are free"));
  }
  const topics = ctx.of("aws_sns_topic");
  if (topics.length > 0) {
    const p = ctx.prices.get("sns-publishes-million");
    lines.push(
      line.usagePriced(
        "SNS publishes",
        topics,
        p.usd,
        p.unit,
        [p.id],
        "a million a month are free; e-mail deliveries are $2.00 per 100,000",
      ),
    );
  }
  return lines;
}

function budgets(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_budgets_budget");
  if (all.length === 0) return [];
  if (all.length <= 2)
    return [line.free("AWS Budgets budgets", all, "an account's first two budgets are free")];
  const day = ctx.prices.get("budget-day");
  const extra = all.length - 2;
  const days = Math.round((ctx.hours / 24) * 100) / 100;
  return [line.fixed("AWS Budgets budgets beyond two", all, extra * days, `${extra} × ${days} days`, day)];
}

export const workflows: Pricer = {
  types: [
    "aws_codebuild_project",
    "aws_codepipeline",
    "aws_sfn_state_machine",
    "aws_cloudwatch_event_rule",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_budgets_budget",
  ],
  lines: (ctx) => [...builds(ctx), ...stateMachines(ctx), ...events(ctx), ...messaging(ctx), ...budgets(ctx)],
};
