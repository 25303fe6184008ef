/**
 * CloudWatch Logs and Firehose: the environment's log groups (`/<application>/<environment>/...`, the web ACL's
 * `aws-waf-logs-<application>-<environment>-web-acl`, and RDS's `/aws/rds/instance/<application>-<environment>-<id>/<log>`) and
 * the delivery streams that copy them to the log archive.
 */
import { arn, type AccessScope, type ServiceAccess } from "./types";

/** The environment's log groups (and their streams). */
export const environmentLogGroups = (s: AccessScope): string[] => [
  arn(s, "logs", `log-group:/${s.application}/${s.environment}/*`),
  arn(s, "logs", `log-group:aws-waf-logs-${s.prefix}-*`),
  arn(s, "logs", `log-group:/aws/rds/instance/${s.prefix}-*/*`),
];
/** The environment's delivery streams. */
export const environmentStreams = (s: AccessScope): string =>
  arn(s, "firehose", `deliverystream/${s.prefix}-*`);

/**
 * The vended-logs calls that services (Step Functions, the web ACL) make with the caller's permissions. The log
 * resource policy that admits their deliveries is an administrator's (constructs/log-delivery.ts).
 */
const LOG_DELIVERIES = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
];

export const LOGS: ServiceAccess = {
  services: ["logs"],
  grants: [
    {
      sid: "EnvironmentLogGroups",
      resources: environmentLogGroups,
      terraform: {
        aws_cloudwatch_log_group: {
          write: [
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:TagLogGroup",
            "logs:DeleteLogGroup",
          ],
          read: ["logs:ListTagsForResource", "logs:ListTagsLogGroup"],
        },
        aws_cloudwatch_log_subscription_filter: {
          write: ["logs:PutSubscriptionFilter", "logs:DeleteSubscriptionFilter"],
          read: ["logs:DescribeSubscriptionFilters"],
        },
      },
    },
  ],
  unscoped: [
    {
      action: "logs:DescribeLogGroups",
      why: "Lists log group names and settings, never events; takes no resource",
      terraform: [
        "aws_cloudwatch_log_group",
        "aws_wafv2_web_acl_logging_configuration",
        "aws_sfn_state_machine",
      ],
      read: true,
    },
    {
      action: "logs:DescribeResourcePolicies",
      why: "Lists the account's log resource policies; takes no resource",
      terraform: ["aws_cloudwatch_log_resource_policy", "aws_wafv2_web_acl_logging_configuration"],
      read: true,
    },
    ...LOG_DELIVERIES.map((action) => ({
      action,
      why: "Vended log deliveries (Step Functions, the web ACL) take no resource",
      terraform: ["aws_sfn_state_machine", "aws_wafv2_web_acl_logging_configuration"],
      read: action === "logs:GetLogDelivery" || action === "logs:ListLogDeliveries",
    })),
  ],
  boundary: { named: environmentLogGroups },
  administrator: {
    aws_cloudwatch_log_resource_policy:
      "Log resource policies are the account's, and IAM authorizes them only on every one of them: an administrator applies the environment's",
  },
  runtime: [
    {
      // AmazonRDSEnhancedMonitoringRole writes the operating system metrics into the account's RDSOSMetrics group.
      sid: "RdsOsMetrics",
      actions: [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutRetentionPolicy",
        "logs:PutLogEvents",
      ],
      resources: (s) => [arn(s, "logs", "log-group:RDSOSMetrics*")],
      why: "The database's monitoring role writes Enhanced Monitoring metrics to RDS's own log group",
    },
  ],
};

export const LOG_STREAMS: ServiceAccess = {
  services: ["firehose"],
  grants: [
    {
      sid: "EnvironmentDeliveryStreams",
      resources: (s) => [environmentStreams(s)],
      terraform: {
        aws_kinesis_firehose_delivery_stream: {
          write: [
            "firehose:CreateDeliveryStream",
            "firehose:UpdateDestination",
            "firehose:StartDeliveryStreamEncryption",
            "firehose:StopDeliveryStreamEncryption",
            "firehose:TagDeliveryStream",
            "firehose:UntagDeliveryStream",
            "firehose:DeleteDeliveryStream",
          ],
          read: ["firehose:DescribeDeliveryStream", "firehose:ListTagsForDeliveryStream"],
        },
      },
    },
  ],
  boundary: { named: (s) => [environmentStreams(s)] },
};
