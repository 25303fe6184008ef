import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import type { Naming } from "./naming";

export interface DashboardProps {
  /** Resource names. */
  readonly naming: Naming;
  /** Region of the metrics. */
  readonly region: string;
  /** `arn_suffix` of the load balancer. */
  readonly loadBalancerArnSuffix: string;
  /** `arn_suffix` of the app's target group. */
  readonly targetGroupArnSuffix: string;
  /** ECS cluster of the web service. */
  readonly clusterName: string;
  /** The web service's name. */
  readonly serviceName: string;
  /** RDS instance identifier. */
  readonly databaseIdentifier: string;
  /** Queue that receives one message per successful weekly run. */
  readonly weeklySuccessQueueName: string;
  /** EventBridge rule that matches a failed weekly run. */
  readonly weeklyFailureRuleName: string;
  /** Name of the uploads bucket. */
  readonly uploadsBucketName: string;
  /** CloudWatch namespace of the upload age audit's figures. */
  readonly uploadAuditNamespace: string;
  /** Alarms whose states the dashboard shows. */
  readonly alarmArns: string[];
}

type Metric = (string | Record<string, unknown>)[];

/**
 * One CloudWatch dashboard per environment, named after it: requests, errors and latency; tasks with their
 * CPU and memory; the database; the weekly job's successful and failed runs; the uploads bucket's object
 * count, size and oldest object; and every alarm's state. Rows read top-down from "is it up" to "what is it
 * costing the database".
 */
export class Dashboard extends Construct {
  public readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const { region } = props;
    const lb = ["LoadBalancer", props.loadBalancerArnSuffix];
    const tg = [...lb, "TargetGroup", props.targetGroupArnSuffix];
    const service = ["ClusterName", props.clusterName, "ServiceName", props.serviceName];
    const db = ["DBInstanceIdentifier", props.databaseIdentifier];
    const m = (namespace: string, metric: string, dims: string[], options: Record<string, unknown> = {}) =>
      [namespace, metric, ...dims, options] as Metric;

    const graphs: Array<[string, Metric[], Record<string, unknown>?]> = [
      [
        "Requests and errors (per minute)",
        [
          m("AWS/ApplicationELB", "RequestCount", lb, { stat: "Sum" }),
          m("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, { stat: "Sum" }),
          m("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, { stat: "Sum" }),
          m("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tg, { stat: "Sum" }),
        ],
      ],
      [
        "Response time (seconds)",
        ["p50", "p95", "p99"].map((stat) =>
          m("AWS/ApplicationELB", "TargetResponseTime", tg, { stat, label: stat }),
        ),
      ],
      [
        "Tasks: running, desired, healthy targets",
        [
          m("ECS/ContainerInsights", "RunningTaskCount", service),
          m("ECS/ContainerInsights", "DesiredTaskCount", service),
          m("AWS/ApplicationELB", "HealthyHostCount", tg, { stat: "Minimum" }),
        ],
      ],
      [
        "Tasks: CPU and memory (%)",
        [m("AWS/ECS", "CPUUtilization", service), m("AWS/ECS", "MemoryUtilization", service)],
      ],
      [
        "Database: CPU (%) and connections",
        [m("AWS/RDS", "CPUUtilization", db), m("AWS/RDS", "DatabaseConnections", db, { yAxis: "right" })],
      ],
      [
        "Database: free storage and freeable memory (bytes)",
        [m("AWS/RDS", "FreeStorageSpace", db), m("AWS/RDS", "FreeableMemory", db)],
      ],
      [
        "Weekly job: successful and failed runs",
        [
          m("AWS/SQS", "NumberOfMessagesSent", ["QueueName", props.weeklySuccessQueueName], {
            stat: "Sum",
            label: "succeeded",
          }),
          m("AWS/Events", "TriggeredRules", ["RuleName", props.weeklyFailureRuleName], {
            stat: "Sum",
            label: "failed",
          }),
        ],
        { period: 86400, view: "bar" },
      ],
      [
        "Uploads: objects, size (bytes), oldest (days)",
        [
          m("AWS/S3", "NumberOfObjects", [
            "BucketName",
            props.uploadsBucketName,
            "StorageType",
            "AllStorageTypes",
          ]),
          m(
            "AWS/S3",
            "BucketSizeBytes",
            ["BucketName", props.uploadsBucketName, "StorageType", "StandardStorage"],
            {
              yAxis: "right",
            },
          ),
          m(props.uploadAuditNamespace, "OldestObjectAgeDays", ["Bucket", props.uploadsBucketName], {
            stat: "Maximum",
          }),
        ],
        { period: 86400 },
      ],
    ];

    const width = 12;
    const height = 6;
    const widgets: Record<string, unknown>[] = [
      {
        type: "alarm",
        x: 0,
        y: 0,
        width: 24,
        height: 4,
        properties: { title: "Alarms", alarms: props.alarmArns, sortBy: "stateUpdatedTimestamp" },
      },
      ...graphs.map(([title, metrics, extra], i) => ({
        type: "metric",
        x: (i % 2) * width,
        y: 4 + Math.floor(i / 2) * height,
        width,
        height,
        properties: { title, region, metrics, period: 60, stat: "Average", view: "timeSeries", ...extra },
      })),
    ];
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.naming.name(""),
      dashboardBody: JSON.stringify({ widgets }),
    });
  }
}
