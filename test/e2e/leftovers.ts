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
import { ListConfigurationSetsCommand, ListEmailIdentitiesCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListSubscriptionsCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ListWebACLsCommand, WAFV2Client } from "@aws-sdk/client-wafv2";
import type { EnvironmentConfig } from "../../config/environment";
import { Naming } from "../../constructs/naming";
import { type AwsClientConfig, emulatorClientConfig } from "../../scripts/lib/aws";
import { APPLICATION } from "../../stacks/names";
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

/** The stack an environment file deploys, as the checks recognize it. */
export function stackOf(env: EnvironmentConfig): Stack {
  return {
    prefix: new Naming(APPLICATION, env.name).prefix,
    path: `/${APPLICATION}/${env.name}`,
    domain: env.domain.name,
    account: env.account,
    region: env.region,
  };
}

/** A check of one resource type: the emulator's client settings in the stack's account and region, and the stack. */
type Check = (cfg: AwsClientConfig, stack: Stack) => Promise<string[]>;

const named = (names: Array<string | undefined>, prefix: string) =>
  names.filter((n): n is string => n !== undefined && n.startsWith(prefix));
const nameTag = (tags: Tag[] | undefined) => tags?.find((t) => t.Key === "Name")?.Value;

const ec2 = (cfg: AwsClientConfig) => new EC2Client(cfg);

/** One check per resource type the local stack creates. */
export const LEFTOVER_CHECKS: Record<string, Check> = {
  aws_acm_certificate: async (cfg, { domain }) => {
    const { CertificateSummaryList } = await new ACMClient(cfg).send(new ListCertificatesCommand({}));
    return (CertificateSummaryList ?? []).map((c) => c.DomainName ?? "").filter((d) => d === domain);
  },
  aws_appautoscaling_target: async (cfg, { prefix }) => {
    const { ScalableTargets } = await new ApplicationAutoScalingClient(cfg).send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }),
    );
    return (ScalableTargets ?? []).map((t) => t.ResourceId ?? "").filter((id) => id.includes(prefix));
  },
  aws_appautoscaling_policy: async (cfg, { prefix }) => {
    const { ScalingPolicies } = await new ApplicationAutoScalingClient(cfg).send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }),
    );
    return named(
      (ScalingPolicies ?? []).map((p) => p.PolicyName),
      prefix,
    );
  },
  aws_cloudwatch_event_rule: async (cfg, { prefix }) => {
    const { Rules } = await new EventBridgeClient(cfg).send(new ListRulesCommand({ NamePrefix: prefix }));
    return named(
      (Rules ?? []).map((r) => r.Name),
      prefix,
    );
  },
  aws_cloudwatch_log_group: async (cfg, { path, prefix }) => {
    // The app's groups under its path, and the groups of the database's exported logs, named by RDS.
    const found: string[] = [];
    for (const start of [path, `/aws/rds/instance/${prefix}-db/`]) {
      const { logGroups } = await new CloudWatchLogsClient(cfg).send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: start }),
      );
      found.push(
        ...named(
          (logGroups ?? []).map((g) => g.logGroupName),
          start,
        ),
      );
    }
    return found;
  },
  aws_budgets_budget: async (cfg, { prefix, account }) => {
    const { Budgets } = await new BudgetsClient(cfg).send(new DescribeBudgetsCommand({ AccountId: account }));
    return named(
      (Budgets ?? []).map((b) => b.BudgetName),
      prefix,
    );
  },
  aws_cloudwatch_composite_alarm: async (cfg, { prefix }) => {
    const { CompositeAlarms } = await new CloudWatchClient(cfg).send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ["CompositeAlarm"] }),
    );
    return named(
      (CompositeAlarms ?? []).map((a) => a.AlarmName),
      prefix,
    );
  },
  aws_cloudwatch_dashboard: async (cfg, { prefix }) => {
    const { DashboardEntries } = await new CloudWatchClient(cfg).send(
      new ListDashboardsCommand({ DashboardNamePrefix: prefix }),
    );
    return named(
      (DashboardEntries ?? []).map((d) => d.DashboardName),
      prefix,
    );
  },
  aws_kinesis_firehose_delivery_stream: async (cfg, { prefix }) => {
    const { DeliveryStreamNames } = await new FirehoseClient(cfg).send(new ListDeliveryStreamsCommand({}));
    return named(DeliveryStreamNames ?? [], prefix);
  },
  aws_sfn_state_machine: async (cfg, { prefix }) => {
    const { stateMachines } = await new SFNClient(cfg).send(new ListStateMachinesCommand({}));
    return named(
      (stateMachines ?? []).map((m) => m.name),
      prefix,
    );
  },
  aws_cloudwatch_log_resource_policy: async (cfg, { prefix }) => {
    const { resourcePolicies } = await new CloudWatchLogsClient(cfg).send(
      new DescribeResourcePoliciesCommand({}),
    );
    return named(
      (resourcePolicies ?? []).map((p) => p.policyName),
      prefix,
    );
  },
  aws_cloudwatch_metric_alarm: async (cfg, { prefix }) => {
    const { MetricAlarms } = await new CloudWatchClient(cfg).send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: prefix }),
    );
    return named(
      (MetricAlarms ?? []).map((a) => a.AlarmName),
      prefix,
    );
  },
  aws_db_instance: async (cfg, { prefix }) => {
    const { DBInstances } = await new RDSClient(cfg).send(new DescribeDBInstancesCommand({}));
    return named(
      (DBInstances ?? []).map((d) => d.DBInstanceIdentifier),
      prefix,
    );
  },
  aws_db_subnet_group: async (cfg, { prefix }) => {
    const { DBSubnetGroups } = await new RDSClient(cfg).send(new DescribeDBSubnetGroupsCommand({}));
    return named(
      (DBSubnetGroups ?? []).map((g) => g.DBSubnetGroupName),
      prefix,
    );
  },
  aws_ecr_repository: async (cfg, { prefix }) => {
    const { repositories } = await new ECRClient(cfg).send(new DescribeRepositoriesCommand({}));
    return named(
      (repositories ?? []).map((r) => r.repositoryName),
      prefix,
    );
  },
  aws_ecs_cluster: async (cfg, { prefix }) => {
    const { clusters } = await new ECSClient(cfg).send(new DescribeClustersCommand({ clusters: [prefix] }));
    return (clusters ?? []).filter((c) => c.status === "ACTIVE").map((c) => c.clusterName ?? "");
  },
  aws_ecs_task_definition: async (cfg, { prefix }) => {
    // moto reads familyPrefix as the whole family name, so the prefix is matched here.
    const { taskDefinitionArns } = await new ECSClient(cfg).send(
      new ListTaskDefinitionsCommand({ status: "ACTIVE" }),
    );
    return (taskDefinitionArns ?? []).filter((arn) => arn.includes(`:task-definition/${prefix}-`));
  },
  aws_eip: async (cfg, { prefix }) => {
    const { Addresses } = await ec2(cfg).send(new DescribeAddressesCommand({}));
    return named(
      (Addresses ?? []).map((a) => nameTag(a.Tags)),
      prefix,
    );
  },
  aws_flow_log: async (cfg, { path }) => {
    const { FlowLogs } = await ec2(cfg).send(new DescribeFlowLogsCommand({}));
    return (FlowLogs ?? [])
      .filter((f) => (f.LogGroupName ?? f.LogDestination ?? "").includes(`${path}/`))
      .map((f) => f.FlowLogId ?? "");
  },
  aws_iam_role: async (cfg, { prefix }) => {
    const { Roles } = await new IAMClient(cfg).send(new ListRolesCommand({}));
    return named(
      (Roles ?? []).map((r) => r.RoleName),
      prefix,
    );
  },
  aws_iam_policy: async (cfg, { prefix }) => {
    const { Policies } = await new IAMClient(cfg).send(new ListPoliciesCommand({ Scope: "Local" }));
    return named(
      (Policies ?? []).map((p) => p.PolicyName),
      prefix,
    );
  },
  aws_internet_gateway: async (cfg, { prefix }) => {
    const { InternetGateways } = await ec2(cfg).send(new DescribeInternetGatewaysCommand({}));
    return named(
      (InternetGateways ?? []).map((g) => nameTag(g.Tags)),
      prefix,
    );
  },
  aws_kms_alias: async (cfg, { prefix }) => {
    const { Aliases } = await new KMSClient(cfg).send(new ListAliasesCommand({}));
    return named(
      (Aliases ?? []).map((a) => a.AliasName),
      `alias/${prefix}`,
    );
  },
  aws_kms_key: async (cfg, { prefix }) => {
    // A destroyed key is scheduled for deletion (KMS keeps it 7-30 days); only a usable one is left over.
    const kms = new KMSClient(cfg);
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
  aws_lb: async (cfg, { prefix }) => {
    const { LoadBalancers } = await new ElasticLoadBalancingV2Client(cfg).send(
      new DescribeLoadBalancersCommand({}),
    );
    return named(
      (LoadBalancers ?? []).map((l) => l.LoadBalancerName),
      prefix,
    );
  },
  aws_lb_target_group: async (cfg, { prefix }) => {
    const { TargetGroups } = await new ElasticLoadBalancingV2Client(cfg).send(
      new DescribeTargetGroupsCommand({}),
    );
    return named(
      (TargetGroups ?? []).map((t) => t.TargetGroupName),
      prefix,
    );
  },
  aws_nat_gateway: async (cfg, { prefix }) => {
    const { NatGateways } = await ec2(cfg).send(new DescribeNatGatewaysCommand({}));
    const live = (NatGateways ?? []).filter((n) => n.State !== "deleted" && n.State !== "deleting");
    return named(
      live.map((n) => nameTag(n.Tags)),
      prefix,
    );
  },
  aws_route_table: async (cfg, { prefix }) => {
    const { RouteTables } = await ec2(cfg).send(new DescribeRouteTablesCommand({}));
    return named(
      (RouteTables ?? []).map((r) => nameTag(r.Tags)),
      prefix,
    );
  },
  aws_route53_zone: async (cfg, { domain }) => {
    const { HostedZones } = await new Route53Client(cfg).send(new ListHostedZonesCommand({}));
    return (HostedZones ?? []).map((z) => z.Name ?? "").filter((n) => n === `${domain}.`);
  },
  aws_s3_bucket: async (cfg, { prefix }) => {
    const { Buckets } = await new S3Client(cfg).send(new ListBucketsCommand({}));
    return named(
      (Buckets ?? []).map((b) => b.Name),
      prefix,
    );
  },
  aws_scheduler_schedule: async (cfg, { prefix }) => {
    const { Schedules } = await new SchedulerClient(cfg).send(new ListSchedulesCommand({}));
    return named(
      (Schedules ?? []).map((s) => s.Name),
      prefix,
    );
  },
  aws_scheduler_schedule_group: async (cfg, { prefix }) => {
    const { ScheduleGroups } = await new SchedulerClient(cfg).send(new ListScheduleGroupsCommand({}));
    return named(
      (ScheduleGroups ?? []).map((g) => g.Name),
      prefix,
    );
  },
  aws_secretsmanager_secret: async (cfg, { path }) => {
    const { SecretList } = await new SecretsManagerClient(cfg).send(
      new ListSecretsCommand({ IncludePlannedDeletion: true }),
    );
    return named(
      (SecretList ?? []).map((s) => s.Name),
      `${path.slice(1)}/`,
    );
  },
  aws_security_group: async (cfg, { prefix }) => {
    const { SecurityGroups } = await ec2(cfg).send(new DescribeSecurityGroupsCommand({}));
    return named(
      (SecurityGroups ?? []).map((g) => g.GroupName),
      prefix,
    );
  },
  aws_sesv2_configuration_set: async (cfg, { prefix }) => {
    const { ConfigurationSets } = await new SESv2Client(cfg).send(new ListConfigurationSetsCommand({}));
    return named(ConfigurationSets ?? [], prefix);
  },
  aws_sesv2_email_identity: async (cfg, { domain }) => {
    const { EmailIdentities } = await new SESv2Client(cfg).send(new ListEmailIdentitiesCommand({}));
    return (EmailIdentities ?? []).map((i) => i.IdentityName ?? "").filter((name) => name === domain);
  },
  aws_sns_topic: async (cfg, { prefix }) => {
    const { Topics } = await new SNSClient(cfg).send(new ListTopicsCommand({}));
    return (Topics ?? [])
      .map((t) => t.TopicArn ?? "")
      .filter((arn) => arn.split(":").pop()?.startsWith(prefix));
  },
  aws_sns_topic_subscription: async (cfg, { prefix }) => {
    const { Subscriptions } = await new SNSClient(cfg).send(new ListSubscriptionsCommand({}));
    return (Subscriptions ?? [])
      .map((s) => s.TopicArn ?? "")
      .filter((arn) => arn.split(":").pop()?.startsWith(prefix));
  },
  aws_sqs_queue: async (cfg, { prefix }) => {
    const { QueueUrls } = await new SQSClient(cfg).send(new ListQueuesCommand({}));
    return (QueueUrls ?? []).filter((url) => url.split("/").pop()?.startsWith(prefix));
  },
  aws_ssm_parameter: async (cfg, { path }) => {
    const { Parameters } = await new SSMClient(cfg).send(
      new GetParametersByPathCommand({ Path: path, Recursive: true }),
    );
    return named(
      (Parameters ?? []).map((p) => p.Name),
      path,
    );
  },
  aws_subnet: async (cfg, { prefix }) => {
    const { Subnets } = await ec2(cfg).send(new DescribeSubnetsCommand({}));
    return named(
      (Subnets ?? []).map((s) => nameTag(s.Tags)),
      prefix,
    );
  },
  aws_vpc: async (cfg, { prefix }) => {
    const { Vpcs } = await ec2(cfg).send(new DescribeVpcsCommand({}));
    return named(
      (Vpcs ?? []).map((v) => nameTag(v.Tags)),
      prefix,
    );
  },
  aws_wafv2_web_acl: async (cfg, { prefix }) => {
    const { WebACLs } = await new WAFV2Client(cfg).send(new ListWebACLsCommand({ Scope: "REGIONAL" }));
    return named(
      (WebACLs ?? []).map((w) => w.Name),
      prefix,
    );
  },
  aws_vpc_endpoint: async (cfg, { prefix }) => {
    const { VpcEndpoints } = await ec2(cfg).send(new DescribeVpcEndpointsCommand({}));
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
  aws_sesv2_configuration_set_event_destination: "aws_sesv2_configuration_set", // deleted with its set
  aws_sesv2_email_identity_mail_from_attributes: "aws_sesv2_email_identity", // an attribute of the identity
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
  const cfg = emulatorClientConfig(port, stack.region, ROOT, stack.account);
  const checks = [...new Set(types.map((t) => (t in LEFTOVER_CHECKS ? t : CHECKED_THROUGH[t])))].sort();
  const found: string[] = [];
  for (const type of checks) {
    for (const name of await LEFTOVER_CHECKS[type](cfg, stack)) found.push(`${type}: ${name}`);
  }
  return found;
}
