import { Construct } from "constructs";
import { S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { BackendSettings } from "../config/backend";
import type { EnvironmentConfig } from "../config/environment";
import { AlarmTopic } from "./alarm-topic";
import { AppSecrets } from "./app-secrets";
import { AppTaskDefinition } from "./app-task-definition";
import { AwsProviderForEnvironment } from "./aws-provider";
import { ContainerRepository } from "./container-repository";
import { Database } from "./database";
import { Domain } from "./domain";
import { LoadBalancer } from "./load-balancer";
import { Naming } from "./naming";
import { Network } from "./network";
import { ScheduledTask } from "./scheduled-task";
import { UploadsBucket } from "./uploads-bucket";
import { WebService } from "./web-service";

export const APPLICATION = "myamazingapp";

export interface AppStackProps {
  /** The validated environment file. */
  readonly env: EnvironmentConfig;
  /** State backend settings from backend.tf.json. */
  readonly backend: BackendSettings;
}

/** Name of an environment's AWS stack (also its state key). */
export function appStackName(envName: string): string {
  return `${APPLICATION}-${envName}`;
}

/** MyAmazingApp's whole AWS home for one environment, composed from one construct per concern. */
export class AppStack extends TerraformStack {
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

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id);
    const { env } = props;
    const naming = (this.naming = new Naming(APPLICATION, env.name));
    // A throw-away environment (the local emulator) must tear down completely; real ones keep data.
    const disposable = env.emulator !== undefined;

    const provider = new AwsProviderForEnvironment(this, "aws", { env, application: APPLICATION });
    this.configureBackend(props.backend, id, provider.emulatorEndpoint);

    this.alarms = new AlarmTopic(this, "alarms", { naming, account: env.account, email: env.alarmEmail });

    this.network = new Network(this, "network", {
      naming,
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones,
      natGateways: env.network.natGateways,
      dualStack: env.network.dualStack,
      flowLogRetentionDays: env.logRetentionDays,
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
      accessLogRetentionDays: Math.max(env.logRetentionDays, 30),
      deletionProtection: !disposable,
      dualStack: this.network.dualStack,
      accessLogBucketName: naming.name(`alb-logs-${env.account}`),
    });
    this.domain.aliasTo({
      dnsName: this.loadBalancer.alb.dnsName,
      zoneId: this.loadBalancer.alb.zoneId,
      dualStack: this.network.dualStack,
    });

    this.repository = new ContainerRepository(this, "repository", { naming, forceDelete: disposable });

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
    });

    const appOrigin = `https://${env.domain.name}`;
    this.uploads = new UploadsBucket(this, "uploads", {
      bucketName: naming.name(`uploads-${env.account}`),
      expireAfterDays: env.uploads.expireAfterDays,
      abortIncompleteUploadsAfterDays: env.uploads.abortIncompleteUploadsAfterDays,
      allowedOrigins: [appOrigin],
      forceDestroy: disposable,
    });

    this.secrets = new AppSecrets(this, "secrets", {
      naming,
      names: env.secrets,
      recoveryWindowInDays: disposable ? 0 : 30,
    });

    const dbSecret = this.database.masterUserSecretArn;
    this.task = new AppTaskDefinition(this, "task", {
      naming,
      account: env.account,
      region: env.region,
      image: this.repository.image(env.service.imageTag),
      cpu: env.service.cpu,
      memory: env.service.memory,
      ephemeralStorageGiB: env.service.ephemeralStorageGiB,
      containerPort: env.service.containerPort,
      logRetentionDays: env.logRetentionDays,
      environment: {
        ...env.appEnvironment,
        APP_DOMAIN: env.domain.name,
        PORT: String(env.service.containerPort),
        AWS_REGION: env.region,
        DATABASE_HOST: this.database.instance.address,
        DATABASE_PORT: String(this.database.port),
        DATABASE_NAME: this.database.databaseName,
        UPLOADS_BUCKET: this.uploads.bucket.bucket.bucket,
        UPLOADS_EXPIRE_DAYS: String(env.uploads.expireAfterDays),
        UPLOADS_MAX_BYTES: String(env.uploads.maxUploadGiB * 1024 ** 3),
      },
      secrets: [
        // RDS keeps the generated credentials as JSON; ECS extracts each key at task start.
        { name: "DATABASE_USERNAME", valueFrom: `${dbSecret}:username::` },
        { name: "DATABASE_PASSWORD", valueFrom: `${dbSecret}:password::` },
        ...this.secrets.containerSecrets(),
      ],
    });
    this.secrets.restrictReadTo(this.task.executionRole);
    this.task.grantSecretRead("database-credentials", dbSecret);
    this.uploads.grantReadWrite(this.task.taskRole);

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
    });
    this.web.service.node.addDependency(this.loadBalancer.httpsListener);
    this.loadBalancer.allowTo(this.web.securityGroup.id, env.service.containerPort);
    this.database.allowFrom(this.web.securityGroup.id, "From the app tasks");

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
    });

    this.outputs(appOrigin);
  }

  private configureBackend(backend: BackendSettings, stackName: string, emulatorEndpoint?: string): void {
    new S3Backend(this, {
      bucket: backend.bucket,
      key: `${backend.keyPrefix}${stackName}.tfstate`,
      region: backend.region,
      encrypt: backend.encrypt,
      ...(emulatorEndpoint
        ? {
            endpoints: { s3: emulatorEndpoint },
            usePathStyle: true,
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipRegionValidation: true,
            skipMetadataApiCheck: true,
            accessKey: "test",
            secretKey: "test",
          }
        : {}),
    });
    // cdktf 0.21's S3Backend has no typed use_lockfile (Terraform >= 1.10 native S3 locking).
    this.addOverride("terraform.backend.s3.use_lockfile", backend.useLockfile);
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
  }
}
