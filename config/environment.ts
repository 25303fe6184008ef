/**
 * The shape of an environment file (environments/<name>.json). Everything that differs between
 * environments lives here; the constructs take their props from it and nothing else.
 * The JSON Schema in ./schema.ts mirrors this interface and is what files are checked against.
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
  /** Names of external-service secrets (container env var names); values are set by an operator. */
  readonly secrets: string[];
  /** Plain (non-secret) settings passed to the Rails containers. */
  readonly appEnvironment: Record<string, string>;
  /** Present only for an environment that deploys to a local AWS emulator. */
  readonly emulator?: EmulatorConfig;
  /** Continuous delivery of the app from GitHub; absent means no pipeline (the emulator lacks CodePipeline). */
  readonly delivery?: DeliveryConfig;
}

export interface DeliveryConfig {
  /** GitHub repository of the Rails app, `owner/name`. */
  readonly appRepository: string;
  /** Branch whose every push is built and released. */
  readonly branch: string;
  /** Wait for a manual approval between build and release (production). */
  readonly requireApproval: boolean;
}

export interface DomainConfig {
  /** Fully qualified name the app is served at. */
  readonly name: string;
  /** Route 53 hosted zone that holds the records; the domain must be inside it. */
  readonly zoneName: string;
  /** Create the zone (a delegated subdomain) instead of looking up an existing one. */
  readonly createZone: boolean;
}

export interface NetworkConfig {
  /** VPC IPv4 CIDR, /16 to /20. */
  readonly cidr: string;
  /** How many Availability Zones to spread over (2 to 3). */
  readonly availabilityZones: number;
  /** `per-az` (highly available) or `single` (cheaper; egress fails with that AZ). */
  readonly natGateways: "per-az" | "single";
  /** IPv6 on the public tier and a dual-stack load balancer with an AAAA record. */
  readonly dualStack: boolean;
}

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
  /** ALB idle timeout, seconds; long enough for slow clients on large downloads. */
  readonly idleTimeoutSeconds: number;
  /** Image tag deployed until the pipeline ships a newer one. */
  readonly imageTag: string;
  /** Run target-tracking autoscaling (off only where the emulator lacks the API). */
  readonly autoscaling: boolean;
}

export interface DatabaseConfig {
  /** RDS instance class. */
  readonly instanceClass: string;
  /** PostgreSQL major.minor version. */
  readonly engineVersion: string;
  /** Initial storage, GiB. */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling, GiB. */
  readonly maxAllocatedStorageGiB: number;
  /** Automated backup retention, days (7 to 35). */
  readonly backupRetentionDays: number;
  /** Refuse deletion and take a final snapshot (production). */
  readonly deletionProtection: boolean;
  /** Performance Insights (off only where the emulator or instance class lacks it). */
  readonly performanceInsights: boolean;
  /** Own parameter group forcing TLS and logging slow queries (off only where the emulator lacks it). */
  readonly parameterGroup: boolean;
}

export interface UploadsConfig {
  /** Lifecycle expiration in days; S3 rounds up to the next midnight UTC, so at most 13. */
  readonly expireAfterDays: number;
  /** Days after which incomplete multipart uploads are aborted. */
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
