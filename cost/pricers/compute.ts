/**
 * Fargate: each ECS service's tasks (its autoscaling floor, or its desired count), at its task definition's vCPU,
 * memory and ephemeral storage; scheduled tasks and autoscaling above the floor as usage-priced task hours; the
 * cluster's Container Insights metrics.
 */
import { line, type CostLine, type Pricer, type PricingContext } from "../lines";
import type { Price } from "../price-table";
import { usd } from "../render";
import { block, blocks, countOf, num, refersTo, type CostResource } from "../resources";

/** Every Fargate task has this much ephemeral storage without charge, GiB. */
const FREE_EPHEMERAL_GIB = 20;

/** The service's autoscaling target, if it has one. */
function scalingTarget(ctx: PricingContext, service: CostResource): CostResource | undefined {
  const name = service.values.name;
  return ctx.of("aws_appautoscaling_target").find((t) => {
    const id = t.values.resource_id;
    if (t.values.service_namespace !== "ecs" || typeof id !== "string") return false;
    return refersTo(id, service) || (typeof name === "string" && id.endsWith(`/${name}`));
  });
}

/** Tasks a service runs at rest: its autoscaling floor when it scales, else its desired count. */
export function desiredTasks(
  ctx: PricingContext,
  service: CostResource,
): { value: number; max?: number; note?: string } {
  const target = scalingTarget(ctx, service);
  if (target) {
    const min = countOf(target.values.min_capacity);
    const max = num(target.values.max_capacity);
    if (min) return { value: min.value, max, note: min.note };
  }
  const desired = countOf(service.values.desired_count);
  return desired ?? { value: 1, note: "desired count unknown until applied; priced as 1" };
}

/** The task definition a service or schedule runs: the one it names, or the stack's only one. */
function taskDefinitionOf(ctx: PricingContext, reference: unknown): CostResource | undefined {
  const all = ctx.of("aws_ecs_task_definition");
  return all.find((td) => refersTo(reference, td)) ?? (all.length === 1 ? all[0] : undefined);
}

interface TaskSize {
  vcpu: number;
  gib: number;
  extraEphemeralGiB: number;
  vcpuPrice: Price;
  gibPrice: Price;
  /** One task for an hour. */
  hourUsd: number;
}

function sizeOf(ctx: PricingContext, td: CostResource): TaskSize | string {
  const cpu = num(td.values.cpu);
  const memory = num(td.values.memory);
  if (cpu === undefined || memory === undefined) return "task definition without a task-level cpu and memory";
  const platform = block(td.values.runtime_platform);
  const os = String(platform?.operating_system_family ?? "LINUX");
  if (os !== "LINUX") return `Fargate on ${os} is not in the price table`;
  const arch = String(platform?.cpu_architecture ?? "X86_64");
  const vcpuPrice = ctx.prices.find("fargate-vcpu-hour", arch);
  const gibPrice = ctx.prices.find("fargate-gb-hour", arch);
  if (!vcpuPrice || !gibPrice) return `Fargate on ${arch} is not in the price table`;
  const vcpu = cpu / 1024;
  const gib = memory / 1024;
  const ephemeral = num(block(td.values.ephemeral_storage)?.size_in_gib) ?? FREE_EPHEMERAL_GIB;
  const extraEphemeralGiB = Math.max(0, ephemeral - FREE_EPHEMERAL_GIB);
  const storage = ctx.prices.get("fargate-ephemeral-gb-hour");
  const hourUsd = vcpu * vcpuPrice.usd + gib * gibPrice.usd + extraEphemeralGiB * storage.usd;
  return { vcpu, gib, extraEphemeralGiB, vcpuPrice, gibPrice, hourUsd };
}

const isFargate = (s: CostResource) =>
  s.values.launch_type === "FARGATE" ||
  blocks(s.values.capacity_provider_strategy).some((c) => c.capacity_provider === "FARGATE");

function services(ctx: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  for (const service of ctx.of("aws_ecs_service")) {
    if (!isFargate(service)) {
      lines.push(
        line.of(
          line.unpriced(
            "ECS service tasks",
            [service],
            "not Fargate on demand (EC2 or Fargate Spot): not in the price table",
          ),
          service,
        ),
      );
      continue;
    }
    const td = taskDefinitionOf(ctx, service.values.task_definition);
    const size = td ? sizeOf(ctx, td) : "its task definition is not in the stack";
    if (typeof size === "string") {
      lines.push(line.of(line.unpriced("Fargate tasks", [service], size), service));
      continue;
    }
    const tasks = desiredTasks(ctx, service);
    const taskHours = tasks.value * ctx.hours;
    const of = [service, ...(td ? [td] : [])];
    const q = (per: number, unit: string) => `${tasks.value} tasks × ${per} ${unit} × ${ctx.hours} h`;
    lines.push(
      line.of(
        line.fixed(
          "Fargate vCPU",
          of,
          taskHours * size.vcpu,
          q(size.vcpu, "vCPU"),
          size.vcpuPrice,
          tasks.note,
        ),
        service,
      ),
      line.of(
        line.fixed("Fargate memory", of, taskHours * size.gib, q(size.gib, "GB"), size.gibPrice),
        service,
      ),
    );
    if (size.extraEphemeralGiB > 0) {
      const storage = ctx.prices.get("fargate-ephemeral-gb-hour");
      lines.push(
        line.of(
          line.fixed(
            "Fargate ephemeral storage",
            of,
            taskHours * size.extraEphemeralGiB,
            q(size.extraEphemeralGiB, "GB"),
            storage,
            `the GiB beyond the ${FREE_EPHEMERAL_GIB} every task has`,
          ),
          service,
        ),
      );
    }
    if (tasks.max !== undefined && tasks.max > tasks.value) {
      lines.push(
        line.of(
          line.usagePriced(
            "Fargate tasks above the autoscaling floor",
            of,
            size.hourUsd,
            "task-hour",
            priceIds(size),
            `autoscaling may run up to ${tasks.max} tasks; each one for a month costs ${usd(size.hourUsd * ctx.hours)}`,
          ),
          service,
        ),
      );
    }
  }
  return lines;
}

function priceIds(size: TaskSize): string[] {
  return [
    size.vcpuPrice.id,
    size.gibPrice.id,
    ...(size.extraEphemeralGiB > 0 ? ["fargate-ephemeral-gb-hour"] : []),
  ];
}

function scheduledTasks(ctx: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  for (const schedule of ctx.of("aws_scheduler_schedule")) {
    const ecs = block(block(schedule.values.target)?.ecs_parameters);
    if (!ecs) continue;
    const td = taskDefinitionOf(ctx, ecs.task_definition_arn);
    const size = td ? sizeOf(ctx, td) : "its task definition is not in the stack";
    if (typeof size === "string") {
      lines.push(line.of(line.unpriced("Scheduled Fargate task", [schedule], size), schedule));
      continue;
    }
    lines.push(
      line.of(
        line.usagePriced(
          "Scheduled Fargate task hours",
          [schedule, ...(td ? [td] : [])],
          size.hourUsd * (num(ecs.task_count) ?? 1),
          "run-hour",
          priceIds(size),
          `${String(schedule.values.schedule_expression ?? "")}: the run's length is not assumed`,
        ),
        schedule,
      ),
    );
  }
  return lines;
}

function clusters(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_ecs_cluster");
  const insights = all.filter((c) =>
    blocks(c.values.setting).some(
      (s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(String(s.value)),
    ),
  );
  const lines: CostLine[] = [];
  if (all.length > insights.length)
    lines.push(
      line.free(
        "ECS clusters",
        all.filter((c) => !insights.includes(c)),
        "a cluster costs nothing; its tasks are priced on their services",
      ),
    );
  if (insights.length > 0) {
    const metric = ctx.prices.get("custom-metric-month");
    lines.push(
      line.usagePriced(
        "Container Insights metrics",
        insights,
        metric.usd,
        metric.unit,
        [metric.id],
        "custom metrics per cluster, service and task family, plus their performance log events as CloudWatch Logs ingestion; how many is not estimated",
      ),
    );
  }
  return lines;
}

export const compute: Pricer = {
  types: [
    "aws_ecs_service",
    "aws_ecs_task_definition",
    "aws_ecs_cluster",
    "aws_appautoscaling_target",
    "aws_scheduler_schedule",
  ],
  lines: (ctx) => {
    const lines = [...services(ctx), ...scheduledTasks(ctx), ...clusters(ctx)];
    const runs = new Set(lines.flatMap((l) => l.resources));
    const idle = ctx.of("aws_ecs_task_definition").filter((td) => !runs.has(td.address));
    if (idle.length > 0)
      lines.push(
        line.free(
          "Task definitions no service or schedule runs",
          idle,
          "a task definition costs nothing until a task runs",
        ),
      );
    const targets = ctx.of("aws_appautoscaling_target");
    if (targets.length > 0)
      lines.push(
        line.free(
          "Autoscaling targets",
          targets,
          "Application Auto Scaling is free; the tasks it starts are priced on the service",
        ),
      );
    return lines;
  },
};
