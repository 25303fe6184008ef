/**
 * Resource types AWS does not charge for, each with why. An estimate lists them as no-charge lines, so a reader
 * sees that every resource was looked at; a type in neither this list nor a pricer is listed as unpriced.
 */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  aws_acm_certificate: "public ACM certificates are free",
  aws_acm_certificate_validation: "a Terraform wait, not an AWS resource",
  aws_appautoscaling_policy: "Application Auto Scaling is free (the alarms it makes are not in the stack)",
  aws_ce_anomaly_monitor: "Cost Anomaly Detection is free",
  aws_ce_anomaly_subscription: "Cost Anomaly Detection is free",
  aws_cloudwatch_event_target: "targets are free; the events are priced on their rules",
  aws_cloudwatch_log_resource_policy: "a policy",
  aws_cloudwatch_log_subscription_filter: "free; what it sends is priced as Firehose ingestion",
  aws_codestarconnections_connection: "connections are free",
  aws_codestarnotifications_notification_rule:
    "notification rules are free; their SNS messages are priced on the topic",
  aws_db_parameter_group: "configuration",
  aws_db_subnet_group: "configuration",
  aws_default_security_group: "security groups are free",
  aws_ecr_lifecycle_policy: "a policy",
  aws_ecr_repository_policy: "a policy",
  aws_iam_openid_connect_provider: "IAM is free",
  aws_iam_policy: "IAM is free",
  aws_iam_role: "IAM is free",
  aws_iam_role_policy: "IAM is free",
  aws_iam_role_policy_attachment: "IAM is free",
  aws_internet_gateway:
    "internet gateways are free (data out to the internet is priced on the load balancer)",
  aws_kms_alias: "aliases are free",
  aws_lb_listener: "priced with its load balancer",
  aws_lb_target_group: "priced with its load balancer",
  aws_route: "routes are free",
  aws_route53_record:
    "records are free (queries are priced on the zone; alias queries to AWS resources are free)",
  aws_route_table: "route tables are free",
  aws_route_table_association: "route tables are free",
  aws_s3_bucket_cors_configuration: "configuration of a bucket",
  aws_s3_bucket_lifecycle_configuration:
    "configuration of a bucket (the estimate reads it to price the bucket)",
  aws_s3_bucket_logging: "configuration of a bucket (the log objects are stored in the log bucket)",
  aws_s3_bucket_ownership_controls: "configuration of a bucket",
  aws_s3_bucket_policy: "a policy",
  aws_s3_bucket_public_access_block: "configuration of a bucket",
  aws_s3_bucket_server_side_encryption_configuration:
    "configuration of a bucket (its KMS requests are usage-priced on the keys)",
  aws_s3_bucket_versioning:
    "configuration of a bucket (noncurrent versions are stored until the lifecycle removes them)",
  aws_scheduler_schedule_group: "schedule groups are free",
  aws_secretsmanager_secret_policy: "a policy",
  aws_security_group: "security groups are free",
  aws_sesv2_configuration_set:
    "configuration; SES charges per message sent ($0.10 per 1,000), a use the estimate does not assume",
  aws_sesv2_configuration_set_event_destination:
    "configuration; the bounce and complaint notices are priced on the alarm topic",
  aws_sesv2_email_identity:
    "identities are free; SES charges per message sent ($0.10 per 1,000), a use the estimate does not assume",
  aws_sesv2_email_identity_mail_from_attributes: "configuration",
  aws_sns_topic_policy: "a policy",
  aws_sns_topic_subscription: "priced as the topic's deliveries",
  aws_sqs_queue_policy: "a policy",
  aws_subnet: "subnets are free",
  aws_vpc: "VPCs are free",
  aws_vpc_security_group_egress_rule: "security groups are free",
  aws_vpc_security_group_ingress_rule: "security groups are free",
  aws_wafv2_web_acl_association: "priced with its web ACL",
  aws_wafv2_web_acl_logging_configuration: "its logs are priced as CloudWatch Logs ingestion",
};
