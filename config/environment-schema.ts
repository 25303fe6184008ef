/**
 * JSON Schema of environment files: the source of environments/environment.schema.json (written by
 * `npm run schema`, kept in sync by a test) and what config/load.ts checks every file against. Its patterns
 * and ranges are the constructs' own (constructs/limits.ts); rules that relate two settings are the
 * constructs' statics, which the loader calls after the schema.
 */
import {
  ABORT_INCOMPLETE_UPLOAD_DAYS,
  LOG_ARCHIVE_DAYS,
  ACCOUNT_ID,
  AWS_REGIONS,
  AVAILABILITY_ZONES,
  BACKUP_RETENTION_DAYS,
  CONTAINER_PORT,
  DB_INSTANCE_CLASS,
  DB_SNAPSHOT,
  DB_STORAGE_GIB,
  DNS_NAME,
  EMAIL,
  EMULATOR_ENDPOINT,
  ENVIRONMENT_NAME,
  EPHEMERAL_STORAGE_GIB,
  FARGATE_MEMORY,
  FARGATE_SIZES,
  GIT_BRANCH,
  GITHUB_REPOSITORY,
  HEALTH_CHECK_PATH,
  IDLE_TIMEOUT_SECONDS,
  IMAGE_TAG,
  LOG_RETENTION_DAYS,
  MAX_UPLOAD_GIB,
  OWNER_TAG,
  POSTGRES_VERSION,
  RAKE_TASK,
  RETRY_ATTEMPTS,
  SECRET_RECOVERY_DAYS,
  TARGET_CPU_PERCENT,
  TASK_COUNT,
  TCP_PORT,
  UPLOAD_EXPIRY_DAYS,
  VARIABLE_NAME,
  VPC_CIDR,
  WAF_RATE_LIMIT,
  WEEKLY_CRON,
  MONTHLY_BUDGET_USD,
  REQUESTS_MILLIONS_PER_MONTH,
  DATA_GIB_PER_MONTH,
  UPLOADS_GIB_PER_DAY,
} from "../constructs/limits";
import { OIDC_PROVIDER_SOURCES } from "../constructs/github-oidc";
import { ALARM_THRESHOLD_RANGES, DEFAULT_ALARM_THRESHOLDS } from "../constructs/service-alarms";
import { flag, oneOf, section, text, whole } from "./schema";

/** An alarm threshold: its range, and its default, which applies when the file leaves it out. */
function threshold(name: keyof typeof ALARM_THRESHOLD_RANGES, description: string) {
  // The same node whole() made (its rule words the errors), with the default added.
  return Object.assign(whole(ALARM_THRESHOLD_RANGES[name], description), {
    default: DEFAULT_ALARM_THRESHOLDS[name],
  });
}

const settings = {
  name: text(ENVIRONMENT_NAME, "Environment name; equals the file name without .json"),
  account: text(ACCOUNT_ID, "AWS account the stack may touch (the provider refuses any other)"),
  region: oneOf(AWS_REGIONS, "AWS region"),
  owner: text(OWNER_TAG, "Owning team (the owner tag)"),
  alarmEmail: text(EMAIL, "Where alarms are e-mailed"),
  domain: section(
    {
      name: text(DNS_NAME, "Fully qualified domain the app is served at"),
      zoneName: text(DNS_NAME, "Route 53 hosted zone holding the records; the domain must be inside it"),
      createZone: flag("true: the stack creates the zone (delegate it); false: look up an existing zone."),
    },
    "The app's DNS name and its hosted zone.",
  ),
  network: section(
    {
      cidr: text(VPC_CIDR, "VPC IPv4 CIDR block"),
      availabilityZones: whole(AVAILABILITY_ZONES, "Availability Zones to spread over"),
      natGateways: oneOf(["per-az", "single"], "per-az for high availability, single to save cost"),
      dualStack: flag("IPv6 on the public subnets and a dual-stack load balancer (A and AAAA records)."),
    },
    "The VPC: three tiers over the Availability Zones.",
  ),
  service: section(
    {
      cpu: oneOf(Object.keys(FARGATE_SIZES).map(Number), "Fargate CPU units"),
      memory: whole(FARGATE_MEMORY, "Fargate memory"),
      minCount: whole(TASK_COUNT, "Tasks at deploy time and the autoscaling floor"),
      maxCount: whole(TASK_COUNT, "Autoscaling ceiling"),
      targetCpuPercent: whole(TARGET_CPU_PERCENT, "Average CPU target tracking aims for"),
      containerPort: whole(CONTAINER_PORT, "Port the Rails server listens on"),
      healthCheckPath: text(HEALTH_CHECK_PATH, "Path the load balancer's health check requests"),
      ephemeralStorageGiB: whole(EPHEMERAL_STORAGE_GIB, "Fargate ephemeral storage"),
      idleTimeoutSeconds: whole(IDLE_TIMEOUT_SECONDS, "Load balancer idle timeout"),
      imageTag: text(IMAGE_TAG, "Image tag deployed until the pipeline ships one"),
      autoscaling: flag("Target-tracking autoscaling between minCount and maxCount."),
      outboundPorts: {
        type: "array",
        maxItems: 10,
        items: section(
          {
            port: whole(TCP_PORT, "Port"),
            description: {
              type: "string",
              minLength: 3,
              maxLength: 200,
              description: "What the tasks reach on it",
            },
          },
          "A port the tasks may open connections to on the internet.",
        ),
        description:
          "TCP ports the tasks may reach on the internet besides HTTPS (443), e.g. LDAPS 636 (mail goes through the SES API on 443).",
      },
    },
    "The Rails web service on Fargate.",
  ),
  database: section(
    {
      instanceClass: text(DB_INSTANCE_CLASS, "RDS instance class"),
      engineVersion: text(POSTGRES_VERSION, "PostgreSQL version"),
      allocatedStorageGiB: whole(DB_STORAGE_GIB, "Initial storage"),
      maxAllocatedStorageGiB: whole(DB_STORAGE_GIB, "Storage autoscaling ceiling"),
      backupRetentionDays: whole(BACKUP_RETENTION_DAYS, "Automated backup retention"),
      deletionProtection: flag("Deletion protection and a final snapshot."),
      performanceInsights: flag("Performance Insights (7 days)."),
      parameterGroup: flag(
        "Own parameter group: TLS-only connections (rds.force_ssl) and slow-query logging.",
      ),
      enhancedMonitoring: flag("Enhanced Monitoring every 60 s (the database host's own metrics)."),
      restoreFromSnapshot: text(
        DB_SNAPSHOT,
        "Create the database from this snapshot (moving the app, docs/moving.md); read by the first deploy only",
      ),
    },
    "RDS PostgreSQL, Multi-AZ.",
    ["restoreFromSnapshot"],
  ),
  uploads: section(
    {
      expireAfterDays: whole(
        UPLOAD_EXPIRY_DAYS,
        "Age at which the daily sweep deletes an upload, and S3's lifecycle expires it as the second line",
      ),
      abortIncompleteUploadsAfterDays: whole(
        ABORT_INCOMPLETE_UPLOAD_DAYS,
        "Days until unfinished multipart uploads are aborted",
      ),
      maxUploadGiB: whole(MAX_UPLOAD_GIB, "Largest upload accepted"),
    },
    "The uploads bucket: files live less than two weeks.",
  ),
  statsTask: section(
    {
      schedule: text(WEEKLY_CRON, "When the weekly stats task runs"),
      timezone: {
        type: "string",
        description: "IANA time zone the schedule is read in, e.g. America/Los_Angeles",
      },
      rakeTask: text(RAKE_TASK, "Rake task run as bundle exec rake <task>"),
      retryAttempts: whole(RETRY_ATTEMPTS, "Scheduler retries of a RunTask that failed"),
    },
    "The weekly rake task.",
  ),
  logRetentionDays: oneOf(LOG_RETENTION_DAYS, "CloudWatch Logs retention in days"),
  logArchiveDays: whole(
    LOG_ARCHIVE_DAYS,
    "Days the log archive on S3 keeps every log group (through Firehose) and the load balancer's access logs",
  ),
  alarms: section(
    {
      errorRatePercent: threshold("errorRatePercent", "Load balancer or app 5xx responses, % of requests"),
      p95LatencyMs: threshold("p95LatencyMs", "p95 target response time"),
      serviceCpuPercent: threshold("serviceCpuPercent", "Average CPU of the web service"),
      serviceMemoryPercent: threshold("serviceMemoryPercent", "Average memory of the web service"),
      databaseCpuPercent: threshold("databaseCpuPercent", "Average database CPU"),
      databaseFreeStoragePercent: threshold(
        "databaseFreeStoragePercent",
        "Free database storage below this share of allocatedStorageGiB",
      ),
      databaseFreeableMemoryMiB: threshold("databaseFreeableMemoryMiB", "Freeable database memory below"),
      databaseConnections: threshold("databaseConnections", "Database connections above"),
    },
    "Alarm thresholds; each one left out takes its default (docs/operations.md says what each alarm means).",
    Object.keys(ALARM_THRESHOLD_RANGES),
  ),
  cost: section(
    {
      monthlyBudgetUsd: whole(
        MONTHLY_BUDGET_USD,
        "AWS Budgets monthly cost budget of the account; alerts at 80% forecast and 100% actual",
      ),
      anomalyDetection: flag(
        "Cost Anomaly Detection for the account (one per account; off where the emulator lacks it).",
      ),
      acceptBudgetBelowEstimate: flag(
        "Keep a monthlyBudgetUsd below the estimated monthly cost (the synth warns instead of refusing; docs/cost.md).",
      ),
      usage: section(
        {
          requestsMillionsPerMonth: whole(
            REQUESTS_MILLIONS_PER_MONTH,
            "Requests reaching the load balancer (web ACL requests, load balancer capacity)",
          ),
          loadBalancerGiBPerMonth: whole(
            DATA_GIB_PER_MONTH,
            "Data the load balancer carries, requests and responses (capacity, data out to the internet)",
          ),
          natGiBPerMonth: whole(
            DATA_GIB_PER_MONTH,
            "Data through the NAT gateways: the tasks' calls to the internet and to AWS services without an endpoint",
          ),
          logsGiBPerMonth: whole(
            DATA_GIB_PER_MONTH,
            "Logs all of the environment's log groups take in (app, flow logs, web ACL, jobs), archived too",
          ),
          uploadsGiBPerDay: whole(
            UPLOADS_GIB_PER_DAY,
            "New uploads; each is held until the uploads bucket's lifecycle rule expires it",
          ),
        },
        "What the environment is expected to do in a month: the usage its cost estimate assumes (npm run cost).",
      ),
    },
    "What the environment may cost, and the usage its estimate assumes.",
  ),
  waf: section(
    {
      requestsPerFiveMinutesPerIp: whole(WAF_RATE_LIMIT, "Per-IP rate limit of the web ACL"),
      countOnly: flag("Count what the rules match instead of blocking it (try new rules first)."),
    },
    "The web application firewall in front of the load balancer.",
  ),
  teardown: section(
    {
      loadBalancerDeletionProtection: flag(
        "The load balancer refuses deletion (the database has its own database.deletionProtection).",
      ),
      emptyOnDestroy: flag(
        "terraform destroy empties the buckets (uploads, access logs, artifacts) and the image repository first; only for throw-away environments.",
      ),
      secretRecoveryDays: oneOf(
        SECRET_RECOVERY_DAYS.allowed,
        "Days a deleted secret can be restored (0 deletes at once; only for throw-away environments)",
      ),
    },
    "What terraform destroy may remove, and how fast.",
  ),
  githubActions: section(
    {
      oidcProvider: oneOf(
        OIDC_PROVIDER_SOURCES,
        "The account's GitHub OIDC provider (one per account): create it in this stack, or use the existing one",
      ),
    },
    "Deployed by GitHub Actions from the infrastructure repository: OIDC plan and deploy roles, and a GitHub environment (leave out for the emulator).",
  ),
  secrets: {
    type: "array",
    uniqueItems: true,
    maxItems: 40,
    items: text(VARIABLE_NAME, "Secret name"),
    description: "External-service secret names (container env vars); values are set by an operator.",
  },
  appEnvironment: {
    type: "object",
    propertyNames: text(VARIABLE_NAME, "Variable name"),
    additionalProperties: { type: "string", maxLength: 4096 },
    description: "Plain settings for the Rails containers (never secrets).",
  },
  delivery: section(
    {
      appRepository: text(GITHUB_REPOSITORY, "GitHub repository of the Rails app"),
      branch: text(GIT_BRANCH, "Release branch: every push to it is built and released"),
      requireApproval: flag("Wait for a manual approval in CodePipeline before migrating and deploying."),
      promoteFrom: text(
        ENVIRONMENT_NAME,
        "Release the image this environment released (e.g. staging), copied by digest, instead of building",
      ),
    },
    "Continuous delivery of the app from GitHub (leave out for no pipeline).",
    ["promoteFrom"],
  ),
  mail: section(
    {
      fromAddress: text(EMAIL, "The one address the app sends from, in the app's domain (domain.name)"),
    },
    "Mail from the app through Amazon SES: the domain verified with DKIM, a MAIL FROM subdomain, bounces and complaints to the alarm topic, the task role allowed to send (leave out for no mail).",
  ),
  emulator: section(
    {
      endpoint: text(
        EMULATOR_ENDPOINT,
        "Loopback endpoint of the local AWS emulator (LOCAL_AWS_PORT overrides the port)",
      ),
    },
    "Deploy to a local AWS emulator instead of AWS (leave out for AWS).",
  ),
};
/** Sections an environment file may leave out. */
const OPTIONAL = ["delivery", "emulator", "githubActions", "mail"];

export const environmentSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://myamazingapp.cdlib.org/schemas/environment.schema.json",
  title: "MyAmazingApp environment",
  description: "Everything that differs between deployments of MyAmazingApp.",
  type: "object",
  additionalProperties: false,
  required: Object.keys(settings).filter((k) => !OPTIONAL.includes(k)),
  properties: {
    $schema: { type: "string", description: "Path to this schema, for editor completion." },
    ...settings,
  },
};
