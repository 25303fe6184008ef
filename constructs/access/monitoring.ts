/**
 * CloudWatch alarms and the dashboard, the budget, and cost anomaly detection. Alarms, the dashboard and the
 * budget carry the environment's names; anomaly monitors and subscriptions carry ids (the environment's are tagged
 * with its application and environment, and an administrator creates them).
 */
import { type AccessScope, arn, type ServiceAccess, taggedExisting, taggedExistingOtherKeys } from "./types";

export const environmentAlarms = (s: AccessScope): string[] => [
  arn(s, "cloudwatch", `alarm:${s.prefix}-*`),
  // Dashboards are global: their ARNs carry no region.
  `arn:aws:cloudwatch::${s.account}:dashboard/${s.prefix}`,
];
export const environmentBudgets = (s: AccessScope): string =>
  `arn:aws:budgets::${s.account}:budget/${s.prefix}-*`;
const anomalyDetection = (s: AccessScope) => [
  `arn:aws:ce::${s.account}:anomalymonitor/*`,
  `arn:aws:ce::${s.account}:anomalysubscription/*`,
];

const CW_TAGS = {
  write: ["cloudwatch:TagResource", "cloudwatch:UntagResource"],
  read: ["cloudwatch:ListTagsForResource"],
};

export const ALARMS: ServiceAccess = {
  services: ["cloudwatch"],
  grants: [
    {
      sid: "EnvironmentAlarmsAndDashboard",
      resources: environmentAlarms,
      terraform: {
        aws_cloudwatch_metric_alarm: {
          write: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", ...CW_TAGS.write],
          read: ["cloudwatch:DescribeAlarms", ...CW_TAGS.read],
        },
        aws_cloudwatch_composite_alarm: {
          write: ["cloudwatch:PutCompositeAlarm", "cloudwatch:DeleteAlarms", ...CW_TAGS.write],
          read: ["cloudwatch:DescribeAlarms", ...CW_TAGS.read],
        },
        aws_cloudwatch_dashboard: {
          write: ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"],
          read: ["cloudwatch:GetDashboard"],
        },
      },
    },
  ],
  boundary: { named: environmentAlarms },
  runtime: [
    {
      sid: "OwnMetrics",
      actions: ["cloudwatch:PutMetricData"],
      resources: () => ["*"],
      condition: (s) => ({ StringEquals: { "cloudwatch:namespace": [...s.metricNamespaces] } }),
      why: "The upload age audit publishes its verdict; PutMetricData takes no resource, its namespace is checked",
    },
  ],
};

export const BUDGETS: ServiceAccess = {
  services: ["budgets"],
  grants: [
    {
      sid: "EnvironmentBudgets",
      resources: (s) => [environmentBudgets(s)],
      terraform: {
        aws_budgets_budget: {
          write: ["budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"],
          read: ["budgets:ViewBudget", "budgets:ListTagsForResource"],
        },
      },
    },
  ],
  boundary: { named: (s) => [environmentBudgets(s)] },
};

export const COST_ANOMALIES: ServiceAccess = {
  services: ["ce"],
  grants: [
    {
      sid: "EnvironmentCostAnomalyDetection",
      resources: anomalyDetection,
      condition: taggedExisting,
      terraform: {
        aws_ce_anomaly_monitor: {
          write: ["ce:UpdateAnomalyMonitor", "ce:DeleteAnomalyMonitor"],
          read: ["ce:GetAnomalyMonitors", "ce:ListTagsForResource"],
        },
        aws_ce_anomaly_subscription: {
          write: ["ce:UpdateAnomalySubscription", "ce:DeleteAnomalySubscription"],
          read: ["ce:GetAnomalySubscriptions", "ce:ListTagsForResource"],
        },
      },
    },
    {
      sid: "RetagEnvironmentCostAnomalyDetection",
      resources: anomalyDetection,
      condition: taggedExistingOtherKeys,
      terraform: {
        aws_ce_anomaly_monitor: { write: ["ce:TagResource", "ce:UntagResource"] },
        aws_ce_anomaly_subscription: { write: ["ce:TagResource", "ce:UntagResource"] },
      },
    },
  ],
  boundary: { tagged: true },
  administrator: {
    aws_ce_anomaly_monitor:
      "Monitors are the account's and carry ids; a new one's tags cannot be told apart from another's: an administrator creates it",
    aws_ce_anomaly_subscription:
      "Subscriptions carry ids; a new one's tags cannot be told apart from another's: an administrator creates it",
  },
};

export const TRACES: ServiceAccess = {
  services: ["xray"],
  grants: [],
  boundary: {},
  runtime: [
    {
      sid: "Traces",
      actions: ["xray:PutT*", "xray:GetSampling*"],
      resources: () => ["*"],
      why: "The state machines trace their runs; X-Ray's write calls take no resource",
    },
  ],
};
