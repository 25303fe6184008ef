import type { DatabaseProps } from "../constructs/database";
import type { OidcProviderSource } from "../constructs/github-oidc";
import type { NetworkProps } from "../constructs/network";
import type { AlarmThresholds } from "../constructs/service-alarms";
import type { UsageAssumptions } from "../cost/usage";

/**
 * The shape of an environment file (environments/<name>.json). Everything that differs between
 * environments lives here, and every setting is required (only the `emulator`, `delivery`, `githubActions` and
 * `mail` sections may be left out): a file says all of it, and nothing is decided by a default somewhere else. The stacks
 * (stacks/) hand these values to the constructs; where a section is exactly a construct's props, its type is.
 * The JSON Schema in ./environment-schema.ts mirrors this interface and is what files are checked against.
 */
export interface EnvironmentConfig {
  /** Editor completion only. */
  readonly $schema?: string;
  /** Environment name; must equal the file name without `.json`. */
  readonly name: string;
  /** AWS account the stack may touch (the provider refuses any other). */
  readonly account: string;
  /** AWS region. */
  readonly region: string;
  /** Team that owns the resources (the `owner` tag). */
  readonly owner: string;
  /** Where alarms are e-mailed. */
  readonly alarmEmail: string;
  readonly domain: DomainConfig;
  readonly network: NetworkConfig;
  readonly service: ServiceConfig;
  readonly database: DatabaseConfig;
  readonly uploads: UploadsConfig;
  readonly statsTask: StatsTaskConfig;
  /** CloudWatch Logs retention for application, flow and job logs, in days. */
  readonly logRetentionDays: number;
  /**
   * Days the log archive on S3 keeps what every log group sends it (through Firehose) and the load balancer's
   * access logs (30 to 3653); CloudWatch keeps its copy for `logRetentionDays`.
   */
  readonly logArchiveDays: number;
  /** Alarm thresholds; each one left out takes the default documented in constructs/service-alarms.ts. */
  readonly alarms: AlarmThresholds;
  /** The environment's AWS Budgets limit, cost anomaly detection, and the usage its cost estimate assumes. */
  readonly cost: CostConfig;
  /** The web application firewall in front of the load balancer. */
  readonly waf: WafConfig;
  /** What `terraform destroy` may remove, and how fast. */
  readonly teardown: TeardownConfig;
  /**
   * Deployed by GitHub Actions from the infrastructure repository: the stack gets the GitHub OIDC plan and
   * deploy roles, and the GitHub stack an environment of this name. Absent for the local emulator.
   */
  readonly githubActions?: GithubActionsConfig;
  /** Names of external-service secrets (container env var names); values are set by an operator. */
  readonly secrets: string[];
  /** Plain (non-secret) settings passed to the Rails containers. */
  readonly appEnvironment: Record<string, string>;
  /** Present only for an environment that deploys to a local AWS emulator. */
  readonly emulator?: EmulatorConfig;
  /** Continuous delivery of the app from GitHub; absent means no pipeline (the emulator lacks CodePipeline). */
  readonly delivery?: DeliveryConfig;
  /** Mail from the app through Amazon SES; absent means the stack makes no mail resources and sets no MAIL_FROM. */
  readonly mail?: MailConfig;
}

export interface MailConfig {
  /** The one address the app sends from, in the app's domain (`domain.name`), e.g. noreply@myamazingapp.cdlib.org. */
  readonly fromAddress: string;
}

export interface GithubActionsConfig {
  /**
   * The account's GitHub OIDC provider (one per account): `create` it in this environment's stack, or use the
   * `existing` one (created by another environment's stack in the same account, or by hand).
   */
  readonly oidcProvider: OidcProviderSource;
}

export interface CostConfig {
  /** Monthly cost budget in US dollars; alerts at 80% of the forecast and 100% of the actual cost. */
  readonly monthlyBudgetUsd: number;
  /**
   * Keep a budget whose actual-cost alert would fire every month at the estimated cost: the synth then warns
   * instead of refusing (docs/cost.md).
   */
  readonly acceptBudgetBelowEstimate: boolean;
  /** What the environment is expected to do in a month: the usage `npm run cost` and the budget check assume. */
  readonly usage: UsageAssumptions;
  /**
   * Cost anomaly detection for the account (one service monitor per account: on in one environment of each
   * account; off where the emulator lacks Cost Explorer's anomaly API).
   */
  readonly anomalyDetection: boolean;
}

export interface WafConfig {
  /** Requests one IP address may make in any five minutes before the rest are blocked. */
  readonly requestsPerFiveMinutesPerIp: number;
  /** Count what the rules match instead of blocking it (how new rules are tried first). */
  readonly countOnly: boolean;
}

export interface TeardownConfig {
  /** The load balancer refuses deletion (the database has its own `database.deletionProtection`). */
  readonly loadBalancerDeletionProtection: boolean;
  /** `terraform destroy` empties the buckets (uploads, access logs, artifacts) and the image repository first. */
  readonly emptyOnDestroy: boolean;
  /** Days a deleted secret can be restored: 7 to 30, or 0 to delete at once (throw-away environments). */
  readonly secretRecoveryDays: number;
}

export interface DeliveryConfig {
  /** GitHub repository of the Rails app, `owner/name`. */
  readonly appRepository: string;
  /** Branch whose every push is built and released. */
  readonly branch: string;
  /** Wait for a manual approval between build and release (production). */
  readonly requireApproval: boolean;
  /**
   * Release the images another environment released (e.g. staging) instead of building: after the approval, the
   * pipeline copies that environment's released image, by digest, and releases it. @default build from source
   */
  readonly promoteFrom?: string;
}

export interface DomainConfig {
  /** Fully qualified name the app is served at. */
  readonly name: string;
  /** Route 53 hosted zone that holds the records; the domain must be inside it. */
  readonly zoneName: string;
  /** Create the zone (a delegated subdomain) instead of looking up an existing one. */
  readonly createZone: boolean;
}

/** The network's settings are the Network construct's own props (documented there). */
export type NetworkConfig = Pick<NetworkProps, "cidr" | "availabilityZones" | "natGateways" | "dualStack">;

export interface ServiceConfig {
  /** Fargate task CPU units. */
  readonly cpu: number;
  /** Fargate task memory, MiB. */
  readonly memory: number;
  /** Tasks at deploy time and the autoscaling floor. */
  readonly minCount: number;
  /** Autoscaling ceiling. */
  readonly maxCount: number;
  /** Average CPU % that target tracking aims for. */
  readonly targetCpuPercent: number;
  /** Port the Rails server listens on. */
  readonly containerPort: number;
  /** Path the load balancer health check requests. */
  readonly healthCheckPath: string;
  /** Fargate ephemeral storage, GiB (21 to 200). */
  readonly ephemeralStorageGiB: number;
  /** ALB idle timeout, seconds (60 to 4000); long enough for slow clients on large transfers. */
  readonly idleTimeoutSeconds: number;
  /** Image tag deployed until the pipeline ships a newer one. */
  readonly imageTag: string;
  /** Run target-tracking autoscaling (off only where the emulator lacks the API). */
  readonly autoscaling: boolean;
  /** TCP ports the tasks may reach on the internet besides HTTPS (443), each with why, e.g. LDAPS 636. */
  readonly outboundPorts: ReadonlyArray<{ readonly port: number; readonly description: string }>;
}

/** The database's settings are the Database construct's own props (documented there). */
export type DatabaseConfig = Pick<
  DatabaseProps,
  | "instanceClass"
  | "engineVersion"
  | "allocatedStorageGiB"
  | "maxAllocatedStorageGiB"
  | "backupRetentionDays"
  | "deletionProtection"
  | "performanceInsights"
  | "parameterGroup"
  | "enhancedMonitoring"
  | "restoreFromSnapshot"
>;

export interface UploadsConfig {
  /** Days after which the daily sweep deletes an upload (and S3's lifecycle expires it); at most 12 (limits.ts). */
  readonly expireAfterDays: number;
  /** Days after which the sweep and S3's lifecycle abort an unfinished multipart upload. */
  readonly abortIncompleteUploadsAfterDays: number;
  /** Largest upload the app accepts, GiB (drives part-size guidance and validation). */
  readonly maxUploadGiB: number;
}

export interface StatsTaskConfig {
  /** EventBridge Scheduler cron expression that fires once a week. */
  readonly schedule: string;
  /** IANA time zone the cron expression is read in. */
  readonly timezone: string;
  /** Rake task name run as `bundle exec rake <task>`. */
  readonly rakeTask: string;
  /** Scheduler retries when RunTask fails (0 to 185). */
  readonly retryAttempts: number;
}

export interface EmulatorConfig {
  /** Loopback endpoint of the emulator; `LOCAL_AWS_PORT` overrides the port. */
  readonly endpoint: string;
}
