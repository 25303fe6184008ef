/**
 * After `destroy:local`: what the stack created that is still in the emulator. There is one check per resource
 * type the stack creates, or a named parent whose deletion AWS refuses while the child exists (or that takes the
 * child with it). `uncheckedTypes` says which synthesized types have neither, so a new resource type cannot
 * slip past the destroy test unnoticed.
 */
import { ACMClient, ListCertificatesCommand } from "@aws-sdk/client-acm";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, DescribeAlarmsCommand, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeResourcePoliciesCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { BudgetsClient, DescribeBudgetsCommand } from "@aws-sdk/client-budgets";
import { FirehoseClient, ListDeliveryStreamsCommand } from "@aws-sdk/client-firehose";
import { ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import {
  DescribeAddressesCommand,
  DescribeFlowLogsCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Tag,
} from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { DescribeClustersCommand, ECSClient, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { IAMClient, ListPoliciesCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand, RDSClient } from "@aws-sdk/client-rds";
import { ListHostedZonesCommand, Route53Client } from "@aws-sdk/client-route-53";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { ListScheduleGroupsCommand, ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListSubscriptionsCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ListWebACLsCommand, WAFV2Client } from "@aws-sdk/client-wafv2";
import { emulatorClientConfig } from "../../scripts/lib/aws";
import { ROOT } from "./local-run";

/** What the checks need to recognize the stack's resources. */
export interface Stack {
  /** Resource name prefix, `<application>-<environment>`. */
  readonly prefix: string;
  /** Path prefix of log groups and parameters, `/<application>/<environment>`. */
  readonly path: string;
  /** The served domain (certificate, hosted zone). */
  readonly domain: string;
  /** The AWS account it is in (the emulator acts in it for its access key; budgets are listed per account). */
  readonly account: string;
  /** The region it is in. */
  readonly region: string;
}

/** The stack the checks look at now: they run one at a time, for one stack at a time (leftovers). */
let current: Pick<Stack, "account" | "region"> = { account: "123456789012", region: "us-east-1" };
const clientConfig = (port: number) => emulatorClientConfig(port, current.region, ROOT, current.account);

type Check = (port: number, stack: Stack) => Promise<string[]>;

const named = (names: Array<string | undefined>, prefix: string) =>
  names.filter((n): n is string => n !== undefined && n.startsWith(prefix));
const nameTag = (tags: Tag[] | undefined) => tags?.find((t) => t.Key === "Name")?.Value;

const ec2 = (port: number) => new EC2Client(clientConfig(port));

/** One check per resource type the local stack creates. */
export const LEFTOVER_CHECKS: Record<string, Check> = {
  aws_acm_certificate: async (port, { domain }) => {
    const { CertificateSummaryList } = await new ACMClient(clientConfig(port)).send(
      new ListCertificatesCommand({}),
    );
    return (CertificateSummaryList ?? []).map((c) => c.DomainName ?? "").filter((d) => d === domain);
  },
  aws_appautoscaling_target: async (port, { prefix }) => {
    const { ScalableTargets } = await new ApplicationAutoScalingClient(clientConfig(port)).send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }),
    );
    return (ScalableTargets ?? []).map((t) => t.ResourceId ?? "").filter((id) => id.includes(prefix));
  },
  aws_appautoscaling_policy: async (port, { prefix }) => {
    const { ScalingPolicies } = await new ApplicationAutoScalingClient(clientConfig(port)).send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }),
    );
    return named(
      (ScalingPolicies ?? []).map((p) => p.PolicyName),
      prefix,
    );
  },
  aws_cloudwatch_event_rule: async (port, { prefix }) => {
    const { Rules } = await new EventBridgeClient(clientConfig(port)).send(
      new ListRulesCommand({ NamePrefix: prefix }),
    );
    return named(
      (Rules ?? []).map((r) => r.Name),
      prefix,
    );
  },
  aws_cloudwatch_log_group: async (port, { path }) => {
    const { logGroups } = await new CloudWatchLogsClient(clientConfig(port)).send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: path }),
    );
    return named(
      (logGroups ?? []).map((g) => g.logGroupName),
      path,
    );
  },
  aws_budgets_budget: async (port, { prefix, account }) => {
    const { Budgets } = await new BudgetsClient(clientConfig(port)).send(
      new DescribeBudgetsCommand({ AccountId: account }),
    );
    return named(
      (Budgets ?? []).map((b) => b.BudgetName),
      prefix,
    );
  },
  aws_cloudwatch_composite_alarm: async (port, { prefix }) => {
    const { CompositeAlarms } = await new CloudWatchClient(clientConfig(port)).send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ["CompositeAlarm"] }),
    );
    return named(
      (CompositeAlarms ?? []).map((a) => a.AlarmName),
      prefix,
    );
  },
  aws_cloudwatch_dashboard: async (port, { prefix }) => {
    const { DashboardEntries } = await new CloudWatchClient(clientConfig(port)).send(
      new ListDashboardsCommand({ DashboardNamePrefix: prefix }),
    );
    return named(
      (DashboardEntries ?? []).map((d) => d.DashboardName),
      prefix,
    );
  },
  aws_kinesis_firehose_delivery_stream: async (port, { prefix }) => {
    const { DeliveryStreamNames } = await new FirehoseClient(clientConfig(port)).send(
      new ListDeliveryStreamsCommand({}),
    );
    return named(DeliveryStreamNames ?? [], prefix);
  },
  aws_sfn_state_machine: async (port, { prefix }) => {
    const { stateMachines } = await new SFNClient(clientConfig(port)).send(new ListStateMachinesCommand({}));
    return named(
      (stateMachines ?? []).map((m) => m.name),
      prefix,
    );
  },
  aws_cloudwatch_log_resource_policy: async (port, { prefix }) => {
    const { resourcePolicies } = await new CloudWatchLogsClient(clientConfig(port)).send(
      new DescribeResourcePoliciesCommand({}),
    );
    return named(
      (resourcePolicies ?? []).map((p) => p.policyName),
      prefix,
    );
  },
  aws_cloudwatch_metric_alarm: async (port, { prefix }) => {
    const { MetricAlarms } = await new CloudWatchClient(clientConfig(port)).send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: prefix }),
    );
    return named(
      (MetricAlarms ?? []).map((a) => a.AlarmName),
      prefix,
    );
  },
  aws_db_instance: async (port, { prefix }) => {
    const { DBInstances } = await new RDSClient(clientConfig(port)).send(new DescribeDBInstancesCommand({}));
    return named(
      (DBInstances ?? []).map((d) => d.DBInstanceIdentifier),
      prefix,
    );
  },
  aws_db_subnet_group: async (port, { prefix }) => {
    const { DBSubnetGroups } = await new RDSClient(clientConfig(port)).send(
      new DescribeDBSubnetGroupsCommand({}),
    );
    return named(
      (DBSubnetGroups ?? []).map((g) => g.DBSubnetGroupName),
      prefix,
    );
  },
  aws_ecr_repository: async (port, { prefix }) => {
    const { repositories } = await new ECRClient(clientConfig(port)).send(
      new DescribeRepositoriesCommand({}),
    );
    return named(
      (repositories ?? []).map((r) => r.repositoryName),
      prefix,
    );
  },
  aws_ecs_cluster: async (port, { prefix }) => {
    const { clusters } = await new ECSClient(clientConfig(port)).send(
      new DescribeClustersCommand({ clusters: [prefix] }),
    );
    return (clusters ?? []).filter((c) => c.status === "ACTIVE").map((c) => c.clusterName ?? "");
  },
  aws_ecs_task_definition: async (port, { prefix }) => {
    // moto reads familyPrefix as the whole family name, so the prefix is matched here.
    const { taskDefinitionArns } = await new ECSClient(clientConfig(port)).send(
      new ListTaskDefinitionsCommand({ status: "ACTIVE" }),
    );
    return (taskDefinitionArns ?? []).filter((arn) => arn.includes(`:task-definition/${prefix}-`));
  },
  aws_eip: async (port, { prefix }) => {
    const { Addresses } = await ec2(port).send(new DescribeAddressesCommand({}));
    return named(
      (Addresses ?? []).map((a) => nameTag(a.Tags)),
      prefix,
    );
  },
  aws_flow_log: async (port, { path }) => {
    const { FlowLogs } = await ec2(port).send(new DescribeFlowLogsCommand({}));
    return (FlowLogs ?? [])
      .filter((f) => (f.LogGroupName ?? f.LogDestination ?? "").includes(`${path}/`))
      .map((f) => f.FlowLogId ?? "");
  },
  aws_iam_role: async (port, { prefix }) => {
    const { Roles } = await new IAMClient(clientConfig(port)).send(new ListRolesCommand({}));
    return named(
      (Roles ?? []).map((r) => r.RoleName),
      prefix,
    );
  },
  aws_iam_policy: async (port, { prefix }) => {
    const { Policies } = await new IAMClient(clientConfig(port)).send(
      new ListPoliciesCommand({ Scope: "Local" }),
    );
    return named(
      (Policies ?? []).map((p) => p.PolicyName),
      prefix,
    );
  },
  aws_internet_gateway: async (port, { prefix }) => {
    const { InternetGateways } = await ec2(port).send(new DescribeInternetGatewaysCommand({}));
    return named(
      (InternetGateways ?? []).map((g) => nameTag(g.Tags)),
      prefix,
    );
  },
  aws_kms_alias: async (port, { prefix }) => {
    const { Aliases } = await new KMSClient(clientConfig(port)).send(new ListAliasesCommand({}));
    return named(
      (Aliases ?? []).map((a) => a.AliasName),
      `alias/${prefix}`,
    );
  },
  aws_kms_key: async (port, { prefix }) => {
    // A destroyed key is scheduled for deletion (KMS keeps it 7-30 days); only a usable one is left over.
    const kms = new KMSClient(clientConfig(port));
    const { Keys } = await kms.send(new ListKeysCommand({}));
    const left: string[] = [];
    for (const { KeyId } of Keys ?? []) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId }));
      if (KeyMetadata?.Description?.startsWith(prefix) && KeyMetadata.KeyState !== "PendingDeletion") {
        left.push(`${KeyId} (${KeyMetadata.KeyState})`);
      }
    }
    return left;
  },
  aws_lb: async (port, { prefix }) => {
    const { LoadBalancers } = await new ElasticLoadBalancingV2Client(clientConfig(port)).send(
      new DescribeLoadBalancersCommand({}),
    );
    return named(
      (LoadBalancers ?? []).map((l) => l.LoadBalancerName),
      prefix,
    );
  },
  aws_lb_target_group: async (port, { prefix }) => {
    const { TargetGroups } = await new ElasticLoadBalancingV2Client(clientConfig(port)).send(
      new DescribeTargetGroupsCommand({}),
    );
    return named(
      (TargetGroups ?? []).map((t) => t.TargetGroupName),
      prefix,
    );
  },
  aws_nat_gateway: async (port, { prefix }) => {
    const { NatGateways } = await ec2(port).send(new DescribeNatGatewaysCommand({}));
    const live = (NatGateways ?? []).filter((n) => n.State !== "deleted" && n.State !== "deleting");
    return named(
      live.map((n) => nameTag(n.Tags)),
      prefix,
    );
  },
  aws_route_table: async (port, { prefix }) => {
    const { RouteTables } = await ec2(port).send(new DescribeRouteTablesCommand({}));
    return named(
      (RouteTables ?? []).map((r) => nameTag(r.Tags)),
      prefix,
    );
  },
  aws_route53_zone: async (port, { domain }) => {
    const { HostedZones } = await new Route53Client(clientConfig(port)).send(new ListHostedZonesCommand({}));
    return (HostedZones ?? []).map((z) => z.Name ?? "").filter((n) => n === `${domain}.`);
  },
  aws_s3_bucket: async (port, { prefix }) => {
    const { Buckets } = await new S3Client(clientConfig(port)).send(new ListBucketsCommand({}));
    return named(
      (Buckets ?? []).map((b) => b.Name),
      prefix,
    );
  },
  aws_scheduler_schedule: async (port, { prefix }) => {
    const { Schedules } = await new SchedulerClient(clientConfig(port)).send(new ListSchedulesCommand({}));
    return named(
      (Schedules ?? []).map((s) => s.Name),
      prefix,
    );
  },
  aws_scheduler_schedule_group: async (port, { prefix }) => {
    const { ScheduleGroups } = await new SchedulerClient(clientConfig(port)).send(
      new ListScheduleGroupsCommand({}),
    );
    return named(
      (ScheduleGroups ?? []).map((g) => g.Name),
      prefix,
    );
  },
  aws_secretsmanager_secret: async (port, { path }) => {
    const { SecretList } = await new SecretsManagerClient(clientConfig(port)).send(
      new ListSecretsCommand({ IncludePlannedDeletion: true }),
    );
    return named(
      (SecretList ?? []).map((s) => s.Name),
      `${path.slice(1)}/`,
    );
  },
  aws_security_group: async (port, { prefix }) => {
    const { SecurityGroups } = await ec2(port).send(new DescribeSecurityGroupsCommand({}));
    return named(
      (SecurityGroups ?? []).map((g) => g.GroupName),
      prefix,
    );
  },
  aws_sns_topic: async (port, { prefix }) => {
    const { Topics } = await new SNSClient(clientConfig(port)).send(new ListTopicsCommand({}));
    return (Topics ?? [])
      .map((t) => t.TopicArn ?? "")
      .filter((arn) => arn.split(":").pop()?.startsWith(prefix));
  },
  aws_sns_topic_subscription: async (port, { prefix }) => {
    const { Subscriptions } = await new SNSClient(clientConfig(port)).send(new ListSubscriptionsCommand({}));
    return (Subscriptions ?? [])
      .map((s) => s.TopicArn ?? "")
      .filter((arn) => arn.split(":").pop()?.startsWith(prefix));
  },
  aws_sqs_queue: async (port, { prefix }) => {
    const { QueueUrls } = await new SQSClient(clientConfig(port)).send(new ListQueuesCommand({}));
    return (QueueUrls ?? []).filter((url) => url.split("/").pop()?.startsWith(prefix));
  },
  aws_ssm_parameter: async (port, { path }) => {
    const { Parameters } = await new SSMClient(clientConfig(port)).send(
      new GetParametersByPathCommand({ Path: path, Recursive: true }),
    );
    return named(
      (Parameters ?? []).map((p) => p.Name),
      path,
    );
  },
  aws_subnet: async (port, { prefix }) => {
    const { Subnets } = await ec2(port).send(new DescribeSubnetsCommand({}));
    return named(
      (Subnets ?? []).map((s) => nameTag(s.Tags)),
      prefix,
    );
  },
  aws_vpc: async (port, { prefix }) => {
    const { Vpcs } = await ec2(port).send(new DescribeVpcsCommand({}));
    return named(
      (Vpcs ?? []).map((v) => nameTag(v.Tags)),
      prefix,
    );
  },
  aws_wafv2_web_acl: async (port, { prefix }) => {
    const { WebACLs } = await new WAFV2Client(clientConfig(port)).send(
      new ListWebACLsCommand({ Scope: "REGIONAL" }),
    );
    return named(
      (WebACLs ?? []).map((w) => w.Name),
      prefix,
    );
  },
  aws_vpc_endpoint: async (port, { prefix }) => {
    const { VpcEndpoints } = await ec2(port).send(new DescribeVpcEndpointsCommand({}));
    const live = (VpcEndpoints ?? []).filter((e) => !["deleted", "deleting"].includes(e.State ?? ""));
    return named(
      live.map((e) => nameTag(e.Tags)),
      prefix,
    );
  },
};

/**
 * Types checked through their parent: AWS refuses to delete the parent while the child exists, or deletes the
 * child with it, so a parent that is gone proves the child is gone.
 */
export const CHECKED_THROUGH: Record<string, string> = {
  aws_acm_certificate_validation: "aws_acm_certificate", // no AWS object of its own: a wait for the certificate
  aws_cloudwatch_event_target: "aws_cloudwatch_event_rule", // DeleteRule refuses a rule that still has targets
  aws_cloudwatch_log_subscription_filter: "aws_cloudwatch_log_group", // deleted with its log group
  aws_default_security_group: "aws_vpc", // the VPC's own group: it goes when the VPC goes
  aws_ecr_lifecycle_policy: "aws_ecr_repository",
  aws_ecs_service: "aws_ecs_cluster", // DeleteCluster refuses a cluster that still has services
  aws_iam_role_policy: "aws_iam_role", // DeleteRole refuses a role with inline policies
  aws_iam_role_policy_attachment: "aws_iam_role", // ... or with attached policies
  aws_lb_listener: "aws_lb", // listeners are deleted with their load balancer
  aws_route: "aws_route_table",
  aws_route_table_association: "aws_subnet",
  aws_route53_record: "aws_route53_zone", // DeleteHostedZone refuses a zone with records of its own
  aws_s3_bucket_cors_configuration: "aws_s3_bucket",
  aws_s3_bucket_lifecycle_configuration: "aws_s3_bucket",
  aws_s3_bucket_logging: "aws_s3_bucket",
  aws_s3_bucket_ownership_controls: "aws_s3_bucket",
  aws_s3_bucket_policy: "aws_s3_bucket",
  aws_s3_bucket_public_access_block: "aws_s3_bucket",
  aws_s3_bucket_server_side_encryption_configuration: "aws_s3_bucket",
  aws_s3_bucket_versioning: "aws_s3_bucket",
  aws_secretsmanager_secret_policy: "aws_secretsmanager_secret",
  aws_sns_topic_policy: "aws_sns_topic",
  aws_sqs_queue_policy: "aws_sqs_queue",
  aws_vpc_security_group_egress_rule: "aws_security_group",
  aws_vpc_security_group_ingress_rule: "aws_security_group",
  aws_wafv2_web_acl_association: "aws_wafv2_web_acl", // DeleteWebACL refuses an ACL still associated
  aws_wafv2_web_acl_logging_configuration: "aws_wafv2_web_acl", // deleted with its web ACL
};

/** Resource types of a stack that neither have a check nor a checked parent. */
export function uncheckedTypes(types: string[]): string[] {
  return types.filter((t) => !(t in LEFTOVER_CHECKS) && !(CHECKED_THROUGH[t] in LEFTOVER_CHECKS));
}

/** Every leftover of the given resource types, as `<type>: <name>`. */
export async function leftovers(port: number, stack: Stack, types: string[]): Promise<string[]> {
  current = stack;
  const checks = [...new Set(types.map((t) => (t in LEFTOVER_CHECKS ? t : CHECKED_THROUGH[t])))].sort();
  const found: string[] = [];
  for (const type of checks) {
    for (const name of await LEFTOVER_CHECKS[type](port, stack)) found.push(`${type}: ${name}`);
  }
  return found;
}
