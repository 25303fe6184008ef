import { Construct } from "constructs";
import { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
  type CloudwatchMetricAlarmMetricQuery,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import {
  checkRange,
  DB_CONNECTIONS,
  FREEABLE_MEMORY_MIB,
  LATENCY_MS,
  PERCENT,
  refuse,
  type Checks,
} from "./limits";
import type { Naming } from "./naming";

/** What an environment file may set about its alarms; every threshold left out takes its default. */
export interface AlarmThresholds {
  /** Load balancer or target 5xx responses, as % of requests, over five minutes. @default 5 */
  readonly errorRatePercent?: number;
  /** p95 target response time, milliseconds, over five minutes. @default 2000 */
  readonly p95LatencyMs?: number;
  /** Average CPU of the web service, %. @default 85 */
  readonly serviceCpuPercent?: number;
  /** Average memory of the web service, %. @default 85 */
  readonly serviceMemoryPercent?: number;
  /** Average database CPU, %. @default 80 */
  readonly databaseCpuPercent?: number;
  /** Free database storage below this % of the initial allocation. @default 10 */
  readonly databaseFreeStoragePercent?: number;
  /** Freeable database memory below this many MiB. @default 256 */
  readonly databaseFreeableMemoryMiB?: number;
  /** Database connections above this many. @default 300 */
  readonly databaseConnections?: number;
}

/** The defaults of every threshold: what the environment files do not say. */
export const DEFAULT_ALARM_THRESHOLDS: Required<AlarmThresholds> = {
  errorRatePercent: 5,
  p95LatencyMs: 2000,
  serviceCpuPercent: 85,
  serviceMemoryPercent: 85,
  databaseCpuPercent: 80,
  databaseFreeStoragePercent: 10,
  databaseFreeableMemoryMiB: 256,
  databaseConnections: 300,
};

/** The rule of each threshold (limits.ts), for the construct and the environment schema alike. */
export const ALARM_THRESHOLD_RANGES = {
  errorRatePercent: PERCENT,
  p95LatencyMs: LATENCY_MS,
  serviceCpuPercent: PERCENT,
  serviceMemoryPercent: PERCENT,
  databaseCpuPercent: PERCENT,
  databaseFreeStoragePercent: PERCENT,
  databaseFreeableMemoryMiB: FREEABLE_MEMORY_MIB,
  databaseConnections: DB_CONNECTIONS,
} as const satisfies Record<keyof AlarmThresholds, unknown>;

export interface ServiceAlarmsProps {
  /** Resource names. */
  readonly naming: Naming;
  /** SNS topic every alarm notifies, on alarm and on recovery. */
  readonly alarmTopicArn: string;
  /** `arn_suffix` of the load balancer (the metrics' LoadBalancer dimension). */
  readonly loadBalancerArnSuffix: string;
  /** `arn_suffix` of the app's target group (the metrics' TargetGroup dimension). */
  readonly targetGroupArnSuffix: string;
  /** Availability Zones the targets run in: one healthy-target alarm each (at least two). */
  readonly availabilityZones: string[];
  /** ECS cluster of the web service. */
  readonly clusterName: string;
  /** The web service's name. */
  readonly serviceName: string;
  /** ARN of the web service (the circuit breaker's events name it). */
  readonly serviceArn: string;
  /** RDS instance identifier. */
  readonly databaseIdentifier: string;
  /** The database's initial storage, GiB: the free-storage threshold is a share of it. */
  readonly databaseAllocatedStorageGiB: number;
  /** Identifiers of read replicas, each with a replica-lag alarm. @default [] (Multi-AZ has a standby, no replica) */
  readonly replicaIdentifiers?: string[];
  /** Seconds of replica lag that alarm. @default 300 */
  readonly replicaLagSeconds?: number;
  /** Thresholds; each left out takes DEFAULT_ALARM_THRESHOLDS. @default DEFAULT_ALARM_THRESHOLDS */
  readonly thresholds?: AlarmThresholds;
}

/** Minutes a condition must hold before an alarm fires: a deploy or a burst does not page anyone. */
const MINUTES = 5;

/**
 * The web tier's and the database's alarms, each to the alarm topic on alarm and on recovery, and a composite
 * "site down". Availability alarms treat missing data as breaching (a service that reports nothing is down);
 * rate and saturation alarms treat it as not breaching (no requests mean no errors), because the availability
 * alarms already catch the silence. A deployment the circuit breaker rolled back is reported by an EventBridge
 * rule, since it is an event, not a metric. docs/operations.md says what each alarm means and what to do first.
 */
export class ServiceAlarms extends Construct {
  /** Every metric alarm, by its short name (e.g. `running-tasks`, `healthy-targets-1`). */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The composite: no healthy target in any Availability Zone, or the load balancer failing requests. */
  public readonly siteDown: CloudwatchCompositeAlarm;
  /** Deployments the ECS circuit breaker rolled back. */
  public readonly rollbackRule: CloudwatchEventRule;
  private readonly props: ServiceAlarmsProps;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    ServiceAlarms.validate(props);
    this.props = props;
    const t = { ...DEFAULT_ALARM_THRESHOLDS, ...(props.thresholds ?? {}) };
    const lb = { LoadBalancer: props.loadBalancerArnSuffix };
    const tg = { ...lb, TargetGroup: props.targetGroupArnSuffix };
    const service = { ClusterName: props.clusterName, ServiceName: props.serviceName };
    const db = { DBInstanceIdentifier: props.databaseIdentifier };

    // ----- Availability: silence is failure.
    this.add("running-tasks", "Fewer web tasks running than desired", "breaching", {
      metricQuery: [
        query("running", "ECS/ContainerInsights", "RunningTaskCount", service, "Average"),
        query("desired", "ECS/ContainerInsights", "DesiredTaskCount", service, "Average"),
        { id: "missing", expression: "desired - running", label: "Tasks missing", returnData: true },
      ],
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
    });
    props.availabilityZones.forEach((zone, i) =>
      this.add(
        `healthy-targets-${i + 1}`,
        `No healthy web target in Availability Zone ${i + 1}`,
        "breaching",
        {
          namespace: "AWS/ApplicationELB",
          metricName: "HealthyHostCount",
          dimensions: { ...tg, AvailabilityZone: zone },
          statistic: "Minimum",
          comparisonOperator: "LessThanThreshold",
          threshold: 1,
        },
      ),
    );

    // ----- Errors and latency, as rates of the requests.
    const rate = (name: string, what: string, metric: string, dims: Record<string, string>) =>
      this.add(name, `${what} above ${t.errorRatePercent}% of requests`, "notBreaching", {
        metricQuery: [
          query("errors", "AWS/ApplicationELB", metric, dims, "Sum"),
          query("requests", "AWS/ApplicationELB", "RequestCount", dims, "Sum"),
          {
            id: "rate",
            expression: "100 * FILL(errors, 0) / requests",
            label: `${metric} per 100 requests`,
            returnData: true,
          },
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.errorRatePercent,
      });
    rate("load-balancer-5xx", "Load balancer 5xx responses", "HTTPCode_ELB_5XX_Count", lb);
    rate("target-5xx", "App 5xx responses", "HTTPCode_Target_5XX_Count", tg);
    this.add("p95-latency", `p95 response time above ${t.p95LatencyMs} ms`, "notBreaching", {
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions: tg,
      extendedStatistic: "p95",
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.p95LatencyMs / 1000,
    });

    // ----- Saturation of the service.
    const average = (namespace: string, metric: string, dims: Record<string, string>) => ({
      namespace,
      metricName: metric,
      dimensions: dims,
      statistic: "Average",
    });
    this.add("service-cpu", `Web service CPU above ${t.serviceCpuPercent}%`, "notBreaching", {
      ...average("AWS/ECS", "CPUUtilization", service),
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.serviceCpuPercent,
    });
    this.add("service-memory", `Web service memory above ${t.serviceMemoryPercent}%`, "notBreaching", {
      ...average("AWS/ECS", "MemoryUtilization", service),
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.serviceMemoryPercent,
    });

    // ----- The database: it always reports, so its silence is an outage too.
    this.add("database-cpu", `Database CPU above ${t.databaseCpuPercent}%`, "breaching", {
      ...average("AWS/RDS", "CPUUtilization", db),
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.databaseCpuPercent,
    });
    const freeStorageGiB = (props.databaseAllocatedStorageGiB * t.databaseFreeStoragePercent) / 100;
    this.add("database-free-storage", `Database free storage below ${freeStorageGiB} GiB`, "breaching", {
      ...average("AWS/RDS", "FreeStorageSpace", db),
      comparisonOperator: "LessThanThreshold",
      threshold: Math.round(freeStorageGiB * 1024 ** 3),
    });
    this.add(
      "database-freeable-memory",
      `Database freeable memory below ${t.databaseFreeableMemoryMiB} MiB`,
      "breaching",
      {
        ...average("AWS/RDS", "FreeableMemory", db),
        comparisonOperator: "LessThanThreshold",
        threshold: t.databaseFreeableMemoryMiB * 1024 ** 2,
      },
    );
    this.add("database-connections", `Database connections above ${t.databaseConnections}`, "breaching", {
      ...average("AWS/RDS", "DatabaseConnections", db),
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.databaseConnections,
    });
    const lagSeconds = props.replicaLagSeconds ?? 300;
    (props.replicaIdentifiers ?? []).forEach((replica, i) =>
      this.add(`replica-lag-${i + 1}`, `Read replica ${replica} over ${lagSeconds} s behind`, "breaching", {
        ...average("AWS/RDS", "ReplicaLag", { DBInstanceIdentifier: replica }),
        comparisonOperator: "GreaterThanThreshold",
        threshold: lagSeconds,
      }),
    );

    // ----- The composite an on-call rota pages on.
    const zones = props.availabilityZones.map(
      (_, i) => `ALARM("${this.alarmName(`healthy-targets-${i + 1}`)}")`,
    );
    this.siteDown = new CloudwatchCompositeAlarm(this, "site-down", {
      alarmName: props.naming.name("site-down"),
      alarmDescription:
        "The site is down: no healthy web target in any Availability Zone, or the load balancer failing requests",
      alarmRule: `(${zones.join(" AND ")}) OR ALARM("${this.alarmName("load-balancer-5xx")}")`,
      alarmActions: [props.alarmTopicArn],
      okActions: [props.alarmTopicArn],
      dependsOn: Object.values(this.alarms),
    });

    this.rollbackRule = new CloudwatchEventRule(this, "rolled-back", {
      name: props.naming.name("deploy-rolled-back"),
      description: "The ECS deployment circuit breaker rolled back a deployment of the web service",
      eventPattern: JSON.stringify({
        source: ["aws.ecs"],
        "detail-type": ["ECS Deployment State Change"],
        resources: [props.serviceArn],
        detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
      }),
    });
    new CloudwatchEventTarget(this, "rolled-back-alarm", {
      rule: this.rollbackRule.name,
      arn: props.alarmTopicArn,
      inputTransformer: {
        inputPaths: { deployment: "$.detail.deploymentId", reason: "$.detail.reason" },
        inputTemplate: `"ALARM: ${props.naming.prefix} deployment <deployment> failed and was rolled back: <reason>"`,
      },
    });
  }

  /** Every alarm the composite and the dashboard show, metric alarms first. */
  public get alarmArns(): string[] {
    return [...Object.values(this.alarms).map((a) => a.arn), this.siteDown.arn];
  }

  /** Refuses thresholds outside their ranges, naming each. */
  public static validate(props: Pick<ServiceAlarmsProps, "thresholds" | "availabilityZones">): void {
    const checks: Checks = {
      availabilityZones:
        props.availabilityZones.length < 2
          ? `needs at least two Availability Zones, got ${props.availabilityZones.length}`
          : undefined,
    };
    for (const [name, value] of Object.entries(props.thresholds ?? {})) {
      const range = ALARM_THRESHOLD_RANGES[name as keyof AlarmThresholds];
      checks[`thresholds.${name}`] = range
        ? checkRange(range, value as number)
        : `unknown threshold; allowed: ${Object.keys(ALARM_THRESHOLD_RANGES).join(", ")}`;
    }
    refuse("ServiceAlarms", checks);
  }

  private alarmName(short: string): string {
    return this.props.naming.name(short);
  }

  private add(
    short: string,
    description: string,
    missing: "breaching" | "notBreaching",
    spec: Partial<CloudwatchMetricAlarmConfig>,
  ): CloudwatchMetricAlarm {
    const alarm = new CloudwatchMetricAlarm(this, short, {
      alarmName: this.alarmName(short),
      alarmDescription: description,
      period: spec.metricQuery ? undefined : 60,
      evaluationPeriods: MINUTES,
      datapointsToAlarm: MINUTES,
      treatMissingData: missing,
      alarmActions: [this.props.alarmTopicArn],
      okActions: [this.props.alarmTopicArn],
      comparisonOperator: "GreaterThanThreshold",
      ...spec,
    });
    this.alarms[short] = alarm;
    return alarm;
  }
}

/** One metric of a metric-math alarm, a minute at a time. */
function query(
  id: string,
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  stat: string,
): CloudwatchMetricAlarmMetricQuery {
  return { id, metric: { namespace, metricName, dimensions, stat, period: 60 }, returnData: false };
}
