/**
 * What the end-to-end test reads back from the emulator with the AWS SDK for JavaScript v3. Each check is
 * a requirement of the mission, asserted on the deployed resources rather than on the synthesized JSON.
 */
import { createHash, randomBytes } from "node:crypto";
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeRouteTablesCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { GetRoleCommand, IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import { DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand, RDSClient } from "@aws-sdk/client-rds";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  GetLoggingConfigurationCommand,
  GetWebACLForResourceCommand,
  WAFV2Client,
} from "@aws-sdk/client-wafv2";
import {
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  SESv2Client,
} from "@aws-sdk/client-sesv2";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { EnvironmentConfig } from "../../config/environment";
import { loadEnvironment } from "../../config/load";
import { Naming } from "../../constructs/naming";
import { LOCAL_ENVIRONMENT_FILE } from "../../scripts/local/session";
import { APPLICATION } from "../../stacks/names";
import { emulatorClientConfig } from "../../scripts/lib/aws";
import { httpsRequest, ROOT } from "./local-run";

/** What was deployed: an environment file, read as the synth reads it, and the names the checks look for. */
interface Deployed {
  readonly env: EnvironmentConfig;
  /** The resource name prefix (myamazingapp-<env>). */
  readonly app: string;
  readonly domain: string;
  readonly account: string;
  readonly region: string;
  readonly azs: number;
  readonly uploads: string;
}

function deployedFrom(file: string): Deployed {
  const env = loadEnvironment(file);
  const app = new Naming(APPLICATION, env.name).prefix;
  return {
    env,
    app,
    domain: env.domain.name,
    account: env.account,
    region: env.region,
    azs: env.network.availabilityZones,
    uploads: `${app}-uploads-${env.account}`,
  };
}

/** Client settings for the emulator, in the environment's account and region. */
const clientConfig = (port: number, d: Deployed) => emulatorClientConfig(port, d.region, ROOT, d.account);

/** Every check of what an environment's deploy made (local's unless another file is given). */
export async function verifyDeployment(port: number, file = LOCAL_ENVIRONMENT_FILE): Promise<void> {
  const d = deployedFrom(file);
  const cfg = clientConfig(port, d);
  await verifyUploadsBucket(d, new S3Client(cfg), new KMSClient(cfg));
  const { privateSubnetIds } = await verifyService(
    d,
    new ECSClient(cfg),
    new EC2Client(cfg),
    new ApplicationAutoScalingClient(cfg),
  );
  await verifyDatabase(d, new RDSClient(cfg), new EC2Client(cfg), privateSubnetIds);
  const alb = await verifyLoadBalancer(
    d,
    new ElasticLoadBalancingV2Client(cfg),
    new ACMClient(cfg),
    new EC2Client(cfg),
  );
  await verifyDns(d, new Route53Client(cfg), alb.dnsName);
  const schedule = await verifySchedule(d, new SchedulerClient(cfg), new SQSClient(cfg));
  await verifyProtection(d, port, { albArn: alb.arn, scheduleKeyArn: schedule.KmsKeyArn });
  await verifyMail(d, new SESv2Client(cfg), new Route53Client(cfg), new SNSClient(cfg));
}

async function verifyUploadsBucket(d: Deployed, s3: S3Client, kms: KMSClient): Promise<void> {
  const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: d.uploads }));
  const rule = (id: string) => lifecycle.Rules?.find((r) => r.ID === id);
  // N days, rounded up by S3 to the next midnight UTC: every object is gone before it is 14 days old.
  expect(rule("expire-uploads")).toMatchObject({
    Status: "Enabled",
    Expiration: { Days: d.env.uploads.expireAfterDays },
  });
  expect(d.env.uploads.expireAfterDays + 1).toBeLessThanOrEqual(14);
  expect(
    rule("abort-incomplete-multipart-uploads")?.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
  ).toBe(d.env.uploads.abortIncompleteUploadsAfterDays);
  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: d.uploads }));
  expect(versioning.Status).toBeUndefined();

  const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: d.uploads }));
  expect(pab.PublicAccessBlockConfiguration).toEqual({
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  });
  const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: d.uploads }));
  expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]).toMatchObject({
    ApplyServerSideEncryptionByDefault: {
      SSEAlgorithm: "aws:kms",
      KMSMasterKeyID: await keyArn(d, kms, "data"),
    },
    BucketKeyEnabled: true,
  });
  const logging = await s3.send(new GetBucketLoggingCommand({ Bucket: d.uploads }));
  expect(logging.LoggingEnabled).toEqual({
    TargetBucket: `${d.app}-alb-logs-${d.account}`,
    TargetPrefix: `s3/${d.uploads}/`,
  });
  const cors = await s3.send(new GetBucketCorsCommand({ Bucket: d.uploads }));
  expect(cors.CORSRules).toHaveLength(1);
  expect(cors.CORSRules?.[0]).toMatchObject({
    AllowedOrigins: [`https://${d.domain}`],
    ExposeHeaders: ["ETag"],
  });
  expect(cors.CORSRules?.[0].AllowedMethods).toContain("PUT");
}

async function verifyService(
  d: Deployed,
  ecs: ECSClient,
  ec2: EC2Client,
  scaling: ApplicationAutoScalingClient,
): Promise<{ privateSubnetIds: string[] }> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: d.app, services: [`${d.app}-web`] }),
  );
  const service = services?.[0];
  expect(service?.status).toBe("ACTIVE");
  // Before the first release the bootstrap tag names no image: the service runs no task (nothing crash-loops,
  // no circuit breaker trips). The first release starts minCount (test/e2e/day-two.ts).
  expect(service?.desiredCount).toBe(0);
  expect(service?.launchType).toBe("FARGATE");
  expect(service?.deploymentConfiguration).toMatchObject({
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: true, rollback: true },
  });
  expect(service?.enableExecuteCommand).toBe(true);
  const net = service?.networkConfiguration?.awsvpcConfiguration;
  expect(net?.assignPublicIp).toBe("DISABLED");
  const subnetIds = net?.subnets ?? [];
  const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
  expect(new Set(Subnets?.map((s) => s.AvailabilityZone)).size).toBe(d.azs);
  for (const s of Subnets ?? []) expect(s.MapPublicIpOnLaunch).toBe(false);
  // Private: each subnet's default route goes to a NAT gateway, never straight to the internet gateway.
  for (const id of subnetIds) {
    const { RouteTables } = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: [id] }] }),
    );
    const defaultRoute = RouteTables?.[0].Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
    expect(defaultRoute?.NatGatewayId).toMatch(/^nat-/);
  }

  // Target tracking up to the configured ceiling (local.json: 4 tasks at 60% CPU); the floor is 0 until the
  // first release.
  const resourceId = `service/${d.app}/${d.app}-web`;
  const { ScalableTargets } = await scaling.send(
    new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [resourceId] }),
  );
  expect(ScalableTargets?.[0]).toMatchObject({ MinCapacity: 0, MaxCapacity: d.env.service.maxCount });
  const { ScalingPolicies } = await scaling.send(
    new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: resourceId }),
  );
  expect(ScalingPolicies?.[0]).toMatchObject({
    PolicyType: "TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration: expect.objectContaining({
      TargetValue: d.env.service.targetCpuPercent,
      PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
    }),
  });

  const { clusters } = await ecs.send(
    new DescribeClustersCommand({ clusters: [d.app], include: ["SETTINGS"] }),
  );
  expect(clusters?.[0].settings).toContainEqual({ name: "containerInsights", value: "enabled" });

  const { taskDefinition } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: service?.taskDefinition }),
  );
  const container = taskDefinition?.containerDefinitions?.[0];
  expect(container?.readonlyRootFilesystem).toBe(true);
  const secrets = Object.fromEntries((container?.secrets ?? []).map((s) => [s.name, s.valueFrom]));
  for (const name of ["DATABASE_USERNAME", "DATABASE_PASSWORD", "SECRET_KEY_BASE", "RAILS_MASTER_KEY"]) {
    expect(secrets[name]).toMatch(new RegExp(`^arn:aws:secretsmanager:${d.region}:${d.account}:secret:`));
  }
  expect(secrets.DATABASE_PASSWORD).toMatch(/:password::$/);
  const plain = (container?.environment ?? []).map((e) => e.name);
  for (const name of Object.keys(secrets)) expect(plain).not.toContain(name);
  return { privateSubnetIds: subnetIds };
}

async function verifyDatabase(
  d: Deployed,
  rds: RDSClient,
  ec2: EC2Client,
  privateSubnetIds: string[],
): Promise<void> {
  const { DBInstances } = await rds.send(
    new DescribeDBInstancesCommand({ DBInstanceIdentifier: `${d.app}-db` }),
  );
  const db = DBInstances?.[0];
  expect(db).toMatchObject({
    Engine: "postgres",
    MultiAZ: true,
    StorageEncrypted: true,
    PubliclyAccessible: false,
  });
  expect(db?.MasterUserSecret?.SecretArn).toMatch(/^arn:aws:secretsmanager:/);
  const { DBSubnetGroups } = await rds.send(
    new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: db?.DBSubnetGroup?.DBSubnetGroupName }),
  );
  const dbSubnets = DBSubnetGroups?.[0].Subnets?.map((s) => s.SubnetIdentifier ?? "") ?? [];
  expect(new Set(DBSubnetGroups?.[0].Subnets?.map((s) => s.SubnetAvailabilityZone?.Name)).size).toBe(d.azs);
  // Isolated: not the tasks' subnets, and no route out of the VPC at all.
  for (const id of dbSubnets) {
    expect(privateSubnetIds).not.toContain(id);
    const { RouteTables } = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: [id] }] }),
    );
    expect(RouteTables?.[0].Routes?.filter((r) => r.DestinationCidrBlock === "0.0.0.0/0")).toEqual([]);
  }
}

async function verifyLoadBalancer(
  d: Deployed,
  elb: ElasticLoadBalancingV2Client,
  acm: ACMClient,
  ec2: EC2Client,
): Promise<{ dnsName: string; arn: string }> {
  const { LoadBalancers } = await elb.send(new DescribeLoadBalancersCommand({ Names: [`${d.app}-alb`] }));
  const alb = LoadBalancers?.[0];
  // moto leaves Scheme empty unless it is "internal"; what makes the ALB internet-facing is where it lives:
  // two public subnets whose default route is the internet gateway.
  expect(alb?.Scheme).not.toBe("internal");
  expect(alb?.AvailabilityZones).toHaveLength(d.azs);
  for (const zone of alb?.AvailabilityZones ?? []) {
    const { RouteTables } = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: "association.subnet-id", Values: [zone.SubnetId ?? ""] }],
      }),
    );
    expect(RouteTables?.[0].Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")?.GatewayId).toMatch(
      /^igw-/,
    );
  }
  const { Listeners } = await elb.send(
    new DescribeListenersCommand({ LoadBalancerArn: alb?.LoadBalancerArn }),
  );
  const http = Listeners?.find((l) => l.Port === 80);
  expect(http?.DefaultActions).toEqual([
    expect.objectContaining({
      Type: "redirect",
      RedirectConfig: expect.objectContaining({ Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" }),
    }),
  ]);
  const https = Listeners?.find((l) => l.Port === 443);
  expect(https?.Protocol).toBe("HTTPS");
  expect(https?.SslPolicy).toMatch(/TLS13/);
  const certificateArn = https?.Certificates?.[0].CertificateArn;
  const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: certificateArn }));
  expect(Certificate).toMatchObject({ DomainName: d.domain, Status: "ISSUED", Type: "AMAZON_ISSUED" });
  return { dnsName: alb?.DNSName ?? "", arn: alb?.LoadBalancerArn ?? "" };
}

async function verifyDns(d: Deployed, route53: Route53Client, albDnsName: string): Promise<void> {
  const { HostedZones } = await route53.send(new ListHostedZonesCommand({}));
  const zone = HostedZones?.find((z) => z.Name === `${d.domain}.`);
  expect(zone).toBeDefined();
  const { ResourceRecordSets } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zone?.Id }),
  );
  const alias = ResourceRecordSets?.find((r) => r.Name === `${d.domain}.` && r.Type === "A");
  expect(alias?.AliasTarget?.DNSName?.replace(/\.$/, "").toLowerCase()).toBe(albDnsName.toLowerCase());
}

async function verifySchedule(
  d: Deployed,
  scheduler: SchedulerClient,
  sqs: SQSClient,
): Promise<GetScheduleCommandOutput> {
  const schedule = await scheduler.send(
    new GetScheduleCommand({ Name: `${d.app}-weekly-stats`, GroupName: `${d.app}-weekly-stats` }),
  );
  expect(schedule.ScheduleExpression).toBe(d.env.statsTask.schedule);
  expect(schedule.ScheduleExpressionTimezone).toBe(d.env.statsTask.timezone);
  expect(schedule.State).toBe("ENABLED");
  expect(schedule.Target?.Arn).toBe(`arn:aws:ecs:${d.region}:${d.account}:cluster/${d.app}`);
  expect(schedule.Target?.EcsParameters).toMatchObject({
    LaunchType: "FARGATE",
    TaskDefinitionArn: `arn:aws:ecs:${d.region}:${d.account}:task-definition/${d.app}-web`,
  });
  expect(JSON.parse(schedule.Target?.Input ?? "{}")).toEqual({
    containerOverrides: [{ name: "web", command: ["bundle", "exec", "rake", d.env.statsTask.rakeTask] }],
  });
  expect(schedule.Target?.RetryPolicy).toEqual({
    MaximumRetryAttempts: d.env.statsTask.retryAttempts,
    MaximumEventAgeInSeconds: 3600,
  });
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${d.app}-weekly-stats-dlq` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  expect(schedule.Target?.DeadLetterConfig?.Arn).toBe(Attributes?.QueueArn);
  return schedule;
}

/**
 * Mail, where the file asks for it: the domain is an SES identity with three DKIM keys whose CNAMEs are in the
 * zone, its MAIL FROM domain has SES's MX record, and its default configuration set sends bounces, complaints and
 * rejections to the alarm topic.
 */
async function verifyMail(
  d: Deployed,
  ses: SESv2Client,
  route53: Route53Client,
  sns: SNSClient,
): Promise<void> {
  if (!d.env.mail) return;
  const identity = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: d.domain }));
  expect(identity.ConfigurationSetName).toBe(`${d.app}-mail`);
  expect(identity.MailFromAttributes?.MailFromDomain).toBe(`mail.${d.domain}`);
  const tokens = identity.DkimAttributes?.Tokens ?? [];
  expect(tokens).toHaveLength(3);
  const { HostedZones } = await route53.send(new ListHostedZonesCommand({}));
  const zone = HostedZones?.find((z) => z.Name === `${d.domain}.`);
  const { ResourceRecordSets } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zone?.Id }),
  );
  const record = (name: string, type: string) =>
    ResourceRecordSets?.find((r) => r.Name === `${name}.` && r.Type === type)?.ResourceRecords?.map(
      (v) => v.Value,
    );
  for (const token of tokens) {
    expect(record(`${token}._domainkey.${d.domain}`, "CNAME")).toEqual([`${token}.dkim.amazonses.com`]);
  }
  expect(record(`mail.${d.domain}`, "MX")).toEqual([`10 feedback-smtp.${d.region}.amazonses.com`]);
  const { EventDestinations } = await ses.send(
    new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: `${d.app}-mail` }),
  );
  const { Topics } = await sns.send(new ListTopicsCommand({}));
  // The event types in any order: SES keeps a set.
  const sorted = (EventDestinations ?? []).map((e) => ({
    ...e,
    MatchingEventTypes: [...(e.MatchingEventTypes ?? [])].sort(),
  }));
  expect(sorted).toEqual([
    expect.objectContaining({
      Enabled: true,
      MatchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT"],
      SnsDestination: { TopicArn: Topics?.find((t) => t.TopicArn?.endsWith(`:${d.app}-alarms`))?.TopicArn },
    }),
  ]);
}

/** The ARN of one of the environment's keys (`alias/<prefix>-<purpose>`), as the emulator resolves it. */
async function keyArn(d: Deployed, kms: KMSClient, purpose: string): Promise<string | undefined> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: `alias/${d.app}-${purpose}` }))).KeyMetadata?.Arn;
}

/**
 * The protections the policy rules require, read back from what was deployed: rotated customer keys on the
 * logs, the secrets (the RDS-managed one too), the images and the schedule; the web ACL on the load balancer,
 * logging with credentials redacted; every role of the environment under the permissions boundary; ECS Exec
 * sessions encrypted and logged.
 */
async function verifyProtection(
  d: Deployed,
  port: number,
  deployed: { albArn: string; scheduleKeyArn: string | undefined },
): Promise<void> {
  const cfg = clientConfig(port, d);
  const kms = new KMSClient(cfg);
  const keys = {
    logs: await keyArn(d, kms, "logs"),
    secrets: await keyArn(d, kms, "secrets"),
    data: await keyArn(d, kms, "data"),
  };
  for (const arn of Object.values(keys)) {
    expect(arn).toMatch(/^arn:aws:kms:/);
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: arn }))).KeyRotationEnabled).toBe(true);
  }

  const { logGroups } = await new CloudWatchLogsClient(cfg).send(new DescribeLogGroupsCommand({}));
  const ours = (logGroups ?? []).filter(
    (g) =>
      g.logGroupName?.startsWith(`/${APPLICATION}/${d.env.name}/`) ||
      g.logGroupName === `aws-waf-logs-${d.app}-web-acl` ||
      g.logGroupName?.startsWith(`/aws/rds/instance/${d.app}-db/`),
  );
  expect(ours.length).toBeGreaterThanOrEqual(4);
  // The database's exported logs go to groups of the stack's, not to groups RDS would make unencrypted.
  expect(ours.filter((g) => g.logGroupName?.startsWith("/aws/rds/")).map((g) => g.logGroupName)).toEqual([
    `/aws/rds/instance/${d.app}-db/postgresql`,
    `/aws/rds/instance/${d.app}-db/upgrade`,
  ]);
  for (const g of ours) expect([g.logGroupName, g.kmsKeyId]).toEqual([g.logGroupName, keys.logs]);

  const { SecretList } = await new SecretsManagerClient(cfg).send(new ListSecretsCommand({}));
  const secrets = (SecretList ?? []).filter(
    (x) => x.Name?.startsWith(`${APPLICATION}/${d.env.name}/`) || x.Name?.startsWith("rds!"),
  );
  expect(secrets.length).toBe(d.env.secrets.length + 1);
  for (const x of secrets) expect([x.Name, x.KmsKeyId]).toEqual([x.Name, keys.secrets]);

  const { repositories } = await new ECRClient(cfg).send(new DescribeRepositoriesCommand({}));
  expect(repositories?.find((r) => r.repositoryName === `${d.app}-web`)?.encryptionConfiguration).toEqual({
    encryptionType: "KMS",
    kmsKey: keys.data,
  });

  expect(deployed.scheduleKeyArn).toBe(keys.data);

  const waf = new WAFV2Client(cfg);
  const { WebACL } = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: deployed.albArn }));
  expect(WebACL?.Name).toBe(`${d.app}-web`);
  expect(WebACL?.Rules?.map((r) => r.Name).sort()).toEqual([
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "RequestsPerIp",
  ]);
  const { LoggingConfiguration } = await waf.send(
    new GetLoggingConfigurationCommand({ ResourceArn: WebACL?.ARN }),
  );
  expect(LoggingConfiguration?.LogDestinationConfigs).toEqual([
    `arn:aws:logs:${d.region}:${d.account}:log-group:aws-waf-logs-${d.app}-web-acl`,
  ]);
  expect(LoggingConfiguration?.RedactedFields).toEqual([
    { SingleHeader: { Name: "authorization" } },
    { SingleHeader: { Name: "cookie" } },
  ]);

  const iam = new IAMClient(cfg);
  const { Roles } = await iam.send(new ListRolesCommand({}));
  const roles = (Roles ?? []).filter((r) => r.RoleName?.startsWith(`${d.app}-`));
  expect(roles.length).toBeGreaterThanOrEqual(4);
  for (const r of roles) {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: r.RoleName }));
    expect([r.RoleName, Role?.PermissionsBoundary?.PermissionsBoundaryArn]).toEqual([
      r.RoleName,
      // The access layer's path: no role of the environment may change it.
      `arn:aws:iam::${d.account}:policy/${APPLICATION}/${d.env.name}/access/${d.app}-boundary`,
    ]);
  }

  const { clusters } = await new ECSClient(cfg).send(
    new DescribeClustersCommand({ clusters: [d.app], include: ["CONFIGURATIONS"] }),
  );
  expect(clusters?.[0]?.configuration?.executeCommandConfiguration).toEqual({
    kmsKeyId: keys.logs,
    logging: "OVERRIDE",
    logConfiguration: {
      cloudWatchLogGroupName: `/${APPLICATION}/${d.env.name}/ecs-exec`,
      cloudWatchEncryptionEnabled: true,
    },
  });
}

/**
 * As a browser does: the server starts a multipart upload and hands out presigned URLs; the client PUTs
 * each part with plain HTTP and keeps the ETags; completion and the download use presigned URLs too.
 */
export async function presignedMultipartRoundTrip(port: number): Promise<void> {
  const d = deployedFrom(LOCAL_ENVIRONMENT_FILE);
  const s3 = new S3Client(clientConfig(port, d));
  const partSize = 5 * 1024 * 1024; // the S3 minimum for every part but the last
  const body = randomBytes(2 * partSize + 1024 * 1024);
  const key = `e2e/${Date.now()}-upload.bin`;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: d.uploads, Key: key }));
  expect(UploadId).toBeTruthy();

  const parts: Array<{ PartNumber: number; ETag: string }> = [];
  for (let i = 0; i * partSize < body.length; i++) {
    const url = await getSignedUrl(
      s3,
      new UploadPartCommand({ Bucket: d.uploads, Key: key, UploadId, PartNumber: i + 1 }),
      { expiresIn: 600 },
    );
    const chunk = body.subarray(i * partSize, (i + 1) * partSize);
    const res = await httpsRequest(url, "PUT", chunk);
    expect(res.status).toBe(200);
    const etag = String(res.headers.etag ?? "");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    parts.push({ PartNumber: i + 1, ETag: etag });
  }
  expect(parts).toHaveLength(3);

  // The presigner signs the request without its body, so the client sends the part list itself.
  const completeUrl = await getSignedUrl(
    s3,
    new CompleteMultipartUploadCommand({ Bucket: d.uploads, Key: key, UploadId }),
    { expiresIn: 600 },
  );
  const xml =
    "<CompleteMultipartUpload>" +
    parts.map((p) => `<Part><PartNumber>${p.PartNumber}</PartNumber><ETag>${p.ETag}</ETag></Part>`).join("") +
    "</CompleteMultipartUpload>";
  const completed = await httpsRequest(completeUrl, "POST", xml);
  expect(completed.status).toBe(200);
  expect(completed.body.toString()).toMatch(
    /<ETag>"?[0-9a-f]{32}-3"?<\/ETag>|<ETag>&#34;[0-9a-f]{32}-3&#34;<\/ETag>/,
  );

  const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: d.uploads, Key: key }), {
    expiresIn: 600,
  });
  const download = await httpsRequest(getUrl, "GET");
  expect(download.status).toBe(200);
  const downloaded = download.body;
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  expect(downloaded.length).toBe(body.length);
  expect(sha(downloaded)).toBe(sha(body));
}
