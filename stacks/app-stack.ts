import type { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { BackendSettings } from "../config/backend";
import type { EnvironmentConfig } from "../config/environment";
import type { Promotion, PromotionPeer } from "../config/promotion";
import { ECR_PULL } from "../constructs/delivery/build-step";
import { promoteRoleName, type PromotionSource } from "../constructs/delivery/promote-step";
import { type GithubSettings, repositoryFullName } from "../config/github";
import { AlarmTopic } from "../constructs/alarm-topic";
import { AppSecrets } from "../constructs/app-secrets";
import {
  AppTaskDefinition,
  type OptionalPlatformVariable,
  type PlatformVariable,
} from "../constructs/app-task-definition";
import { AwsProviderForEnvironment } from "../constructs/aws-provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CostControls } from "../constructs/cost-controls";
import { Dashboard } from "../constructs/dashboard";
import { LogArchive } from "../constructs/log-archive";
import { LogDelivery } from "../constructs/log-delivery";
import { RotationRestart } from "../constructs/rotation-restart";
import { ServiceAlarms } from "../constructs/service-alarms";
import { UPLOAD_AUDIT_NAMESPACE, UploadAgeAudit } from "../constructs/upload-age-audit";
import { UploadSweep } from "../constructs/upload-sweep";
import { ContainerRepository } from "../constructs/container-repository";
import { Database } from "../constructs/database";
import { DeliveryPipeline } from "../constructs/delivery/delivery-pipeline";
import { Domain } from "../constructs/domain";
import { EncryptionKey } from "../constructs/encryption-key";
import type { AccessScope } from "../constructs/access/types";
import { GithubOidc } from "../constructs/github-oidc";
import { LoadBalancer } from "../constructs/load-balancer";
import { Mail } from "../constructs/mail";
import { Naming } from "../constructs/naming";
import { Network } from "../constructs/network";
import { PermissionsBoundary } from "../constructs/permissions-boundary";
import { ScheduledTask } from "../constructs/scheduled-task";
import { useS3Backend } from "../constructs/state-backend";
import { UploadsBucket } from "../constructs/uploads-bucket";
import { WebAcl } from "../constructs/web-acl";
import { WebService } from "../constructs/web-service";
import { APPLICATION, operatorNames, stateBackend } from "./names";
import { SelfContainedStack } from "./self-contained-stack";

export interface AppStackProps {
  /** The validated environment file. */
  readonly env: EnvironmentConfig;
  /** State backend settings from backend.tf.json. */
  readonly backend: BackendSettings;
  /** Validated config/github.json (the repository GitHub Actions deploys from). */
  readonly github: GithubSettings;
  /** Which environment's released images this one promotes, and which promote its own. @default none */
  readonly promotion?: Promotion;
  /** Domains other environments serve under this one's: its deploy role may not change their records. @default none */
  readonly foreignSubdomains?: readonly string[];
}

/**
 * Addresses the grants had before they moved to the resources they grant (Database.grantReadCredentials,
 * AppSecrets.grantRead): `moved` blocks let Terraform keep the same policies instead of deleting and
 * recreating them. They can go once every environment has been applied with them.
 */
/** Services the deploy role may hand the environment's roles to. */
const PASSED_TO_SERVICES = [
  "ecs-tasks.amazonaws.com",
  "scheduler.amazonaws.com",
  "codebuild.amazonaws.com",
  "codepipeline.amazonaws.com",
  "monitoring.rds.amazonaws.com",
  "firehose.amazonaws.com",
  "logs.amazonaws.com",
  "states.amazonaws.com",
  "events.amazonaws.com",
];

/** AWS managed policies the stack attaches to its roles (the only ones outside its own a role may be given). */
const MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
  "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
];

/** What CloudWatch Logs does with the logs key for the environment's log groups. */
const LOGS_KEY_USE = [
  "kms:Encrypt*",
  "kms:Decrypt*",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:Describe*",
];

/** The repository of the environment whose released images are promoted, named as its own stack names it. */
function promotionSource(from: PromotionPeer): PromotionSource {
  const name = operatorNames(new Naming(APPLICATION, from.environment)).repository;
  return {
    account: from.account,
    repositoryUri: `${from.account}.dkr.ecr.${from.region}.amazonaws.com/${name}`,
    repositoryArn: `arn:aws:ecr:${from.region}:${from.account}:repository/${name}`,
  };
}

/** A parameter the stack does not manage (release.sh makes and removes it), by its name and ARN. */
function ssmParameter(env: EnvironmentConfig, name: string): { name: string; arn: string } {
  return { name, arn: `arn:aws:ssm:${env.region}:${env.account}:parameter${name}` };
}

const MOVED_FROM = {
  databaseCredentials: "aws_iam_role_policy.task_read-database-credentials_181E04DE",
  appSecrets: "aws_iam_role_policy.secrets_read_ABEA197E",
  // The alarm topic's key became an EncryptionKey, used only through SNS: the same key and alias.
  alarmsKey: "aws_kms_key.alarms_key_47B57B13",
  alarmsAlias: "aws_kms_alias.alarms_alias_7067314E",
};

/**
 * MyAmazingApp's whole AWS home for one environment: the environment file's settings handed to one construct
 * per concern, and the constructs wired to each other. Nothing here decides a value the file does not give.
 */
export class AppStack extends SelfContainedStack {
  public readonly naming: Naming;
  public readonly network: Network;
  public readonly domain: Domain;
  public readonly loadBalancer: LoadBalancer;
  public readonly repository: ContainerRepository;
  public readonly database: Database;
  public readonly uploads: UploadsBucket;
  public readonly secrets: AppSecrets;
  public readonly task: AppTaskDefinition;
  public readonly web: WebService;
  public readonly statsTask: ScheduledTask;
  public readonly alarms: AlarmTopic;
  /** The image the delivery pipeline released last. */
  public readonly deployedImage: SsmParameter;
  public readonly delivery?: DeliveryPipeline;
  public readonly githubOidc?: GithubOidc;
  public readonly boundary: PermissionsBoundary;
  /** Where the environment's resources are, as the access data (constructs/access/) scopes its policies. */
  public readonly access: AccessScope;
  public readonly webAcl: WebAcl;
  /** Every log group's copy on S3. */
  public readonly logArchive: LogArchive;
  public readonly serviceAlarms: ServiceAlarms;
  public readonly dashboard: Dashboard;
  public readonly cost: CostControls;
  public readonly uploadAudit: UploadAgeAudit;
  public readonly uploadSweep: UploadSweep;
  /** Mail through SES, where the environment file asks for it. */
  public readonly mail?: Mail;
  public readonly rotationRestart: RotationRestart;
  /** The environment's customer-managed keys, one per kind of data. */
  public readonly keys: {
    readonly logs: EncryptionKey;
    readonly secrets: EncryptionKey;
    readonly data: EncryptionKey;
  };

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id);
    const { env, backend } = props;
    const { teardown } = env;
    const naming = (this.naming = new Naming(APPLICATION, env.name));
    const emulatorEndpoint = env.emulator?.endpoint;

    new AwsProviderForEnvironment(this, "aws", {
      region: env.region,
      account: env.account,
      tags: { application: APPLICATION, environment: env.name, owner: env.owner, "managed-by": "cdktf" },
      emulatorEndpoint,
    });
    const state = stateBackend(backend, id, env, emulatorEndpoint);
    useS3Backend(this, state);

    this.alarms = new AlarmTopic(this, "alarms", {
      naming,
      account: env.account,
      region: env.region,
      email: env.alarmEmail,
      // SES sends the mail configuration set's bounces and complaints there.
      additionalPublishers: env.mail ? ["ses.amazonaws.com"] : [],
    });
    this.alarms.key.moveFromId(MOVED_FROM.alarmsKey);
    this.alarms.alias.moveFromId(MOVED_FROM.alarmsAlias);

    this.keys = this.encryptionKeys(env, naming);
    // Every role of the environment carries this boundary; the deploy role can create none without it.
    const where: Omit<AccessScope, "boundaryArn"> = {
      application: APPLICATION,
      environment: env.name,
      account: env.account,
      region: env.region,
      prefix: naming.prefix,
      iamPath: naming.iamPath,
      accessPath: naming.accessPath,
      domain: env.domain.name,
      foreignSubdomains: props.foreignSubdomains ?? [],
      stateObjectArn: `arn:aws:s3:::${state.bucket}/${state.key}`,
      secretsKeyArn: this.keys.secrets.key.arn,
      databaseArn: `arn:aws:rds:${env.region}:${env.account}:db:${operatorNames(naming).database}`,
      promotionSources: props.promotion?.from ? [promotionSource(props.promotion.from).repositoryArn] : [],
      passedToServices: PASSED_TO_SERVICES,
      managedPolicies: MANAGED_POLICIES,
      metricNamespaces: [UPLOAD_AUDIT_NAMESPACE],
      emptyBucketsOnDestroy: teardown.emptyOnDestroy,
    };
    this.boundary = new PermissionsBoundary(this, "permissions-boundary", { naming, scope: where });
    const access = (this.access = { ...where, boundaryArn: this.boundary.arn });

    this.network = new Network(this, "network", {
      naming,
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones,
      natGateways: env.network.natGateways,
      dualStack: env.network.dualStack,
      flowLogRetentionDays: env.logRetentionDays,
      logEncryptionKeyArn: this.keys.logs.key.arn,
    });

    this.domain = new Domain(this, "domain", {
      domainName: env.domain.name,
      zoneName: env.domain.zoneName,
      createZone: env.domain.createZone,
    });

    this.loadBalancer = new LoadBalancer(this, "load-balancer", {
      naming,
      vpcId: this.network.vpc.id,
      publicSubnetIds: this.network.publicSubnetIds,
      certificateArn: this.domain.certificateArn,
      targetPort: env.service.containerPort,
      healthCheckPath: env.service.healthCheckPath,
      idleTimeoutSeconds: env.service.idleTimeoutSeconds,
      accessLogRetentionDays: env.logArchiveDays,
      deletionProtection: teardown.loadBalancerDeletionProtection,
      emptyLogsOnDestroy: teardown.emptyOnDestroy,
      dualStack: this.network.dualStack,
      accessLogBucketName: naming.name(`alb-logs-${env.account}`),
    });
    this.domain.aliasTo({
      dnsName: this.loadBalancer.alb.dnsName,
      zoneId: this.loadBalancer.alb.zoneId,
      dualStack: this.network.dualStack,
    });

    this.logArchive = new LogArchive(this, "log-archive", {
      naming,
      account: env.account,
      region: env.region,
      bucketName: naming.name(`logs-${env.account}`),
      retentionDays: env.logArchiveDays,
      encryptionKey: this.keys.logs,
      accessLogBucket: this.loadBalancer.logBucket,
      forceDestroy: teardown.emptyOnDestroy,
    });

    // The state machines' and the web ACL's logging write through AWS's log delivery, which this policy admits.
    new LogDelivery(this, "log-delivery", { naming, account: env.account, region: env.region });

    this.repository = new ContainerRepository(this, "repository", {
      naming,
      forceDelete: teardown.emptyOnDestroy,
      encryptionKeyArn: this.keys.data.key.arn,
    });
    // Environments that promote this one's released images pull them from here, by their promote role only.
    this.repository.allowPullBy(
      (props.promotion?.to ?? []).map((peer) =>
        new Naming(APPLICATION, peer.environment).roleArn(
          peer.account,
          promoteRoleName(new Naming(APPLICATION, peer.environment)),
        ),
      ),
      ECR_PULL,
    );

    this.database = new Database(this, "database", {
      naming,
      vpcId: this.network.vpc.id,
      subnetIds: this.network.isolatedSubnetIds,
      engineVersion: env.database.engineVersion,
      instanceClass: env.database.instanceClass,
      allocatedStorageGiB: env.database.allocatedStorageGiB,
      maxAllocatedStorageGiB: env.database.maxAllocatedStorageGiB,
      backupRetentionDays: env.database.backupRetentionDays,
      deletionProtection: env.database.deletionProtection,
      performanceInsights: env.database.performanceInsights,
      parameterGroup: env.database.parameterGroup,
      databaseName: APPLICATION,
      enhancedMonitoring: env.database.enhancedMonitoring,
      restoreFromSnapshot: env.database.restoreFromSnapshot,
      encryptionKeyArn: this.keys.data.key.arn,
      secretEncryptionKey: this.keys.secrets,
      logsKeyArn: this.keys.logs.key.arn,
      logRetentionDays: env.logRetentionDays,
    });

    const appOrigin = `https://${env.domain.name}`;
    this.uploads = new UploadsBucket(this, "uploads", {
      bucketName: naming.name(`uploads-${env.account}`),
      expireAfterDays: env.uploads.expireAfterDays,
      abortIncompleteUploadsAfterDays: env.uploads.abortIncompleteUploadsAfterDays,
      allowedOrigins: [appOrigin],
      forceDestroy: teardown.emptyOnDestroy,
      encryptionKey: this.keys.data,
      accessLogBucket: this.loadBalancer.logBucket,
    });

    this.secrets = new AppSecrets(this, "secrets", {
      naming,
      names: env.secrets,
      recoveryWindowInDays: teardown.secretRecoveryDays,
      encryptionKey: this.keys.secrets,
    });

    // The release step writes the image it deployed here; Terraform reads it back (ignoring its own value),
    // so a task definition revision Terraform registers keeps the released image, not the bootstrap tag.
    this.deployedImage = new SsmParameter(this, "deployed-image", {
      name: operatorNames(naming).imageParameter,
      description: "Image URI of the last release (written by the delivery pipeline)",
      type: "String",
      insecureValue: this.repository.image(env.service.imageTag),
      lifecycle: { ignoreChanges: ["insecure_value"] },
    });

    if (env.mail) {
      this.mail = new Mail(this, "mail", {
        naming,
        region: env.region,
        domainName: env.domain.name,
        zoneId: this.domain.zoneId,
        fromAddress: env.mail.fromAddress,
        alarmTopicArn: this.alarms.topic.arn,
      });
    }

    // What the platform tells the app; the type makes the stack give every variable the app relies on.
    const platformEnvironment: Record<PlatformVariable, string> &
      Partial<Record<OptionalPlatformVariable, string>> = {
      APP_DOMAIN: env.domain.name,
      PORT: String(env.service.containerPort),
      // The app answers it with 200 over plain HTTP, before any redirect or host check (docs/rails.md).
      HEALTH_CHECK_PATH: env.service.healthCheckPath,
      AWS_REGION: env.region,
      DATABASE_HOST: this.database.instance.address,
      DATABASE_PORT: String(this.database.port),
      DATABASE_NAME: this.database.databaseName,
      UPLOADS_BUCKET: this.uploads.bucket.bucket.bucket,
      UPLOADS_EXPIRE_DAYS: String(env.uploads.expireAfterDays),
      UPLOADS_MAX_BYTES: String(env.uploads.maxUploadGiB * 1024 ** 3),
      ...(this.mail ? { MAIL_FROM: this.mail.fromAddress } : {}),
    };
    this.task = new AppTaskDefinition(this, "task", {
      naming,
      account: env.account,
      region: env.region,
      image: this.deployedImage.insecureValue,
      cpu: env.service.cpu,
      memory: env.service.memory,
      ephemeralStorageGiB: env.service.ephemeralStorageGiB,
      containerPort: env.service.containerPort,
      logRetentionDays: env.logRetentionDays,
      logEncryptionKeyArn: this.keys.logs.key.arn,
      platformEnvironment,
      appEnvironment: env.appEnvironment,
      databaseCredentialsSecretArn: this.database.masterUserSecretArn,
      appSecrets: this.secrets.containerSecrets(),
    });
    // ECS reads the secrets for the container at start (execution role); the app itself uses the bucket.
    this.secrets.grantRead(this.task.executionRole)?.moveFromId(MOVED_FROM.appSecrets);
    this.database.grantReadCredentials(this.task.executionRole).moveFromId(MOVED_FROM.databaseCredentials);
    this.uploads.grantReadWrite(this.task.taskRole);
    this.mail?.grantSend(this.task.taskRole);

    this.web = new WebService(this, "web", {
      naming,
      vpcId: this.network.vpc.id,
      subnetIds: this.network.privateSubnetIds,
      task: this.task,
      targetGroupArn: this.loadBalancer.targetGroup.arn,
      loadBalancerSecurityGroupId: this.loadBalancer.securityGroup.id,
      minCount: env.service.minCount,
      maxCount: env.service.maxCount,
      targetCpuPercent: env.service.targetCpuPercent,
      autoscaling: env.service.autoscaling,
      outboundPorts: env.service.outboundPorts,
      logsKey: this.keys.logs,
      logRetentionDays: env.logRetentionDays,
      // Until the pipeline releases an image, the bootstrap tag names nothing in ECR: run no task till then.
      awaitFirstRelease: {
        releasedImage: this.deployedImage.insecureValue,
        placeholderImage: this.repository.image(env.service.imageTag),
      },
    });
    this.web.service.node.addDependency(this.loadBalancer.httpsListener);
    this.loadBalancer.allowTo(this.web.securityGroup.id, env.service.containerPort);
    this.database.allowFrom(this.web.securityGroup.id, "From the app tasks");
    this.web.allowTo(this.database.securityGroup.id, this.database.port, "To the database");
    this.webAcl = new WebAcl(this, "web-acl", {
      naming,
      loadBalancerArn: this.loadBalancer.alb.arn,
      requestsPerFiveMinutesPerIp: env.waf.requestsPerFiveMinutesPerIp,
      countOnly: env.waf.countOnly,
      logEncryptionKeyArn: this.keys.logs.key.arn,
      logRetentionDays: env.logRetentionDays,
    });

    this.statsTask = new ScheduledTask(this, "stats", {
      naming,
      purpose: "weekly-stats",
      account: env.account,
      clusterArn: this.web.cluster.arn,
      task: this.task,
      command: ["bundle", "exec", "rake", env.statsTask.rakeTask],
      scheduleExpression: env.statsTask.schedule,
      timezone: env.statsTask.timezone,
      retryAttempts: env.statsTask.retryAttempts,
      subnetIds: this.network.privateSubnetIds,
      securityGroupIds: [this.web.securityGroup.id],
      alarmTopicArn: this.alarms.topic.arn,
      encryptionKey: this.keys.data,
      runsLogGroupName: operatorNames(naming).weeklyRunsLogGroup,
      logEncryptionKeyArn: this.keys.logs.key.arn,
      logRetentionDays: env.logRetentionDays,
    });

    if (env.delivery) {
      this.delivery = new DeliveryPipeline(this, "delivery", {
        naming,
        account: env.account,
        region: env.region,
        appRepository: env.delivery.appRepository,
        branch: env.delivery.branch,
        requireApproval: env.delivery.requireApproval,
        ecrRepository: this.repository.repository,
        clusterArn: this.web.cluster.arn,
        clusterName: this.web.cluster.name,
        serviceName: this.web.service.name,
        task: this.task,
        subnetIds: this.network.privateSubnetIds,
        securityGroupIds: [this.web.securityGroup.id],
        alarmTopicArn: this.alarms.topic.arn,
        logRetentionDays: env.logRetentionDays,
        imageParameter: this.deployedImage,
        releaseLockParameter: ssmParameter(env, operatorNames(naming).releaseLockParameter),
        minCount: env.service.minCount,
        promoteFrom: props.promotion?.from ? promotionSource(props.promotion.from) : undefined,
        forceDestroy: teardown.emptyOnDestroy,
        artifactKey: this.keys.data,
        logEncryptionKeyArn: this.keys.logs.key.arn,
        accessLogBucket: this.loadBalancer.logBucket,
      });
    }
    // The tasks read the database password at start: a rotation replaces them (RotationRestart).
    this.rotationRestart = new RotationRestart(this, "rotation-restart", {
      naming,
      account: env.account,
      secretArns: [this.database.masterUserSecretArn],
      clusterName: this.web.cluster.name,
      serviceName: this.web.service.name,
      serviceArn: this.web.service.id,
      alarmTopicArn: this.alarms.topic.arn,
      logEncryptionKeyArn: this.keys.logs.key.arn,
      logRetentionDays: env.logRetentionDays,
    });
    // Removal does not wait on S3: the sweep deletes daily what reached the expiry; the audit checks after it.
    this.uploadSweep = new UploadSweep(this, "upload-sweep", {
      naming,
      account: env.account,
      bucketName: this.uploads.bucket.bucket.bucket,
      bucketArn: this.uploads.bucket.bucket.arn,
      deleteAfterDays: env.uploads.expireAfterDays,
      abortAfterDays: env.uploads.abortIncompleteUploadsAfterDays,
      alarmTopicArn: this.alarms.topic.arn,
      logEncryptionKeyArn: this.keys.logs.key.arn,
      logRetentionDays: env.logRetentionDays,
      encryptionKey: this.keys.data,
    });
    this.uploadAudit = new UploadAgeAudit(this, "upload-audit", {
      naming,
      account: env.account,
      bucketName: this.uploads.bucket.bucket.bucket,
      bucketArn: this.uploads.bucket.bucket.arn,
      alarmTopicArn: this.alarms.topic.arn,
      logEncryptionKeyArn: this.keys.logs.key.arn,
      logRetentionDays: env.logRetentionDays,
      encryptionKey: this.keys.data,
    });
    this.serviceAlarms = new ServiceAlarms(this, "service-alarms", {
      naming,
      alarmTopicArn: this.alarms.topic.arn,
      loadBalancerArnSuffix: this.loadBalancer.alb.arnSuffix,
      targetGroupArnSuffix: this.loadBalancer.targetGroup.arnSuffix,
      availabilityZones: this.network.availabilityZoneNames,
      clusterName: this.web.cluster.name,
      serviceName: this.web.service.name,
      serviceArn: this.web.service.id,
      databaseIdentifier: this.database.instance.identifier,
      databaseAllocatedStorageGiB: env.database.allocatedStorageGiB,
      thresholds: env.alarms,
    });
    this.dashboard = new Dashboard(this, "dashboard", {
      naming,
      region: env.region,
      loadBalancerArnSuffix: this.loadBalancer.alb.arnSuffix,
      targetGroupArnSuffix: this.loadBalancer.targetGroup.arnSuffix,
      clusterName: this.web.cluster.name,
      serviceName: this.web.service.name,
      databaseIdentifier: this.database.instance.identifier,
      weeklySuccessQueueName: this.statsTask.heartbeatQueue.name,
      weeklyFailureRuleName: this.statsTask.failureRule.name,
      uploadsBucketName: this.uploads.bucket.bucket.bucket,
      uploadAuditNamespace: UPLOAD_AUDIT_NAMESPACE,
      alarmArns: [
        ...this.serviceAlarms.alarmArns,
        this.statsTask.missedRunAlarm.arn,
        this.uploadAudit.overAgeAlarm.arn,
        this.uploadSweep.missedAlarm.arn,
        ...(this.mail?.alarms.map((alarm) => alarm.arn) ?? []),
      ],
    });
    this.cost = new CostControls(this, "cost", {
      naming,
      account: env.account,
      monthlyBudgetUsd: env.cost.monthlyBudgetUsd,
      anomalyDetection: env.cost.anomalyDetection,
      alarmTopicArn: this.alarms.topic.arn,
    });

    if (env.githubActions) {
      this.githubOidc = new GithubOidc(this, "github-oidc", {
        naming,
        account: env.account,
        repository: repositoryFullName(props.github, "infra"),
        stateBucket: state.bucket,
        stateKey: state.key,
        access,
        oidcProvider: env.githubActions.oidcProvider,
      });
      this.boundary.protect(this.githubOidc);
    }
    // The execution role reads every secret at the tasks' start: who it is, and what it may read, is the access
    // layer's (an administrator applies its changes).
    this.boundary.protect(this.task.executionRole);

    this.archiveEveryLogGroup();
    this.outputs(appOrigin);
  }

  /**
   * Every log group of the stack, whichever construct made it, gets its copy on S3: a group added later is
   * archived without anyone remembering to (and the logs-archived rule fails a stack where one is not).
   */
  private archiveEveryLogGroup(): void {
    const groups = this.node
      .findAll()
      .filter((c): c is CloudwatchLogGroup => c instanceof CloudwatchLogGroup);
    for (const group of groups) {
      // Below the app and the stack: task/logs -> task, web/exec-logs -> web-exec-logs, delivery/build/logs
      // -> delivery-build
      const ids = group.node.scopes.slice(2).map((scope) => scope.node.id);
      if (ids[ids.length - 1] === "logs") ids.pop();
      this.logArchive.archive(group, ids.join("-"));
    }
  }

  /**
   * Three keys, each usable only through the services that hold its kind of data: logs (CloudWatch Logs, and
   * ECS Exec sessions through SSM), secrets (Secrets Manager), and data (the uploads and artifact buckets,
   * images, Performance Insights, the pipeline and the schedule's input).
   */
  private encryptionKeys(env: EnvironmentConfig, naming: Naming) {
    const { account, region } = env;
    const common = { naming, account, region };
    const logs = new EncryptionKey(this, "logs-key", {
      ...common,
      purpose: "logs",
      viaServices: ["ssm", "s3", "firehose"],
    });
    logs.allowService(
      "CloudWatchLogsEncryptsTheEnvironmentsGroups",
      `logs.${region}.amazonaws.com`,
      LOGS_KEY_USE,
      {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": [
            `arn:aws:logs:${region}:${account}:log-group:/${APPLICATION}/${env.name}/*`,
            `arn:aws:logs:${region}:${account}:log-group:aws-waf-logs-${naming.name("web-acl")}`,
            // The database's exported logs, in the groups RDS names after the instance (constructs/database.ts).
            `arn:aws:logs:${region}:${account}:log-group:/aws/rds/instance/${operatorNames(naming).database}/*`,
          ],
        },
      },
    );
    const secrets = new EncryptionKey(this, "secrets-key", {
      ...common,
      purpose: "secrets",
      viaServices: ["secretsmanager"],
    });
    const data = new EncryptionKey(this, "data-key", {
      ...common,
      purpose: "data",
      viaServices: ["s3", "ecr", "rds", "scheduler", "codebuild", "codepipeline"],
    });
    return { logs, secrets, data };
  }

  private outputs(appOrigin: string): void {
    const out = (id: string, value: string, description: string) =>
      new TerraformOutput(this, id, { value, description });
    out("url", appOrigin, "Where the app is served");
    out("load_balancer_dns", this.loadBalancer.alb.dnsName, "Load balancer DNS name");
    out("uploads_bucket", this.uploads.bucket.bucket.bucket, "Bucket for user uploads");
    out("ecr_repository_url", this.repository.repository.repositoryUrl, "Push the Rails image here");
    out("cluster_name", this.web.cluster.name, "ECS cluster");
    out("service_name", this.web.service.name, "ECS web service");
    out("task_definition_family", this.task.taskDefinition.family, "Rails task definition family");
    out("stats_schedule", this.statsTask.schedule.name, "Weekly stats schedule");
    out("database_endpoint", this.database.instance.endpoint, "PostgreSQL endpoint (private)");
    out("database_secret_arn", this.database.masterUserSecretArn, "RDS-managed credentials");
    out("alarm_topic_arn", this.alarms.topic.arn, "SNS topic for alarms");
    out("log_archive_bucket", this.logArchive.bucket.bucket.bucket, "Every log group's copy on S3");
    out("dashboard_name", this.dashboard.dashboard.dashboardName, "CloudWatch dashboard");
  }
}
