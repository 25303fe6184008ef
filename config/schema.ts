/**
 * JSON Schema for environment files: the source of environments/environment.schema.json (written by
 * `npm run schema`, checked in sync by a test) and what config/load.ts validates every file against.
 * Rules JSON Schema cannot state (domain inside its zone, weekly cron, counts in order) live in load.ts.
 */

/** AWS commercial regions a stack may target. */
export const AWS_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
] as const;

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Valid Fargate CPU units and, for each, the memory sizes (MiB) it allows. */
export const FARGATE_SIZES: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** Largest expiration that keeps every upload under 14 days old (S3 rounds expiry up to midnight UTC). */
export const MAX_EXPIRE_DAYS = 13;

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

const integer = (minimum: number, maximum: number, description: string) => ({
  type: "integer",
  minimum,
  maximum,
  description,
});

const DNS_NAME = "^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$";

export const environmentSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://myamazingapp.cdlib.org/schemas/environment.schema.json",
  title: "MyAmazingApp environment",
  description: "Everything that differs between deployments of MyAmazingApp.",
  type: "object",
  additionalProperties: false,
  required: [
    "name",
    "account",
    "region",
    "owner",
    "alarmEmail",
    "domain",
    "network",
    "service",
    "database",
    "uploads",
    "statsTask",
    "logRetentionDays",
    "secrets",
    "appEnvironment",
  ],
  properties: {
    $schema: { type: "string", description: "Path to this schema, for editor completion." },
    name: {
      type: "string",
      pattern: "^[a-z][a-z0-9-]{1,15}$",
      description: "Environment name (lowercase letters, digits, dashes; 2-16 chars); equals the file name.",
    },
    account: { type: "string", pattern: "^[0-9]{12}$", description: "12-digit AWS account id." },
    region: { type: "string", enum: [...AWS_REGIONS], description: "AWS region." },
    owner: {
      type: "string",
      pattern: "^[A-Za-z0-9 ._:/=+@-]{1,64}$",
      description: "Owning team (the owner tag).",
    },
    alarmEmail: {
      type: "string",
      pattern: "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$",
      description: "E-mail address alarms are sent to.",
    },
    domain: {
      type: "object",
      additionalProperties: false,
      required: ["name", "zoneName", "createZone"],
      properties: {
        name: {
          type: "string",
          pattern: DNS_NAME,
          description: "Fully qualified domain the app is served at.",
        },
        zoneName: {
          type: "string",
          pattern: DNS_NAME,
          description: "Route 53 hosted zone holding the records.",
        },
        createZone: {
          type: "boolean",
          description: "true: the stack creates the zone (delegate it); false: look up an existing zone.",
        },
      },
    },
    network: {
      type: "object",
      additionalProperties: false,
      required: ["cidr", "availabilityZones", "natGateways", "dualStack"],
      properties: {
        cidr: {
          type: "string",
          pattern: "^([0-9]{1,3}\\.){3}[0-9]{1,3}/(1[6-9]|20)$",
          description: "VPC IPv4 CIDR block, /16 to /20.",
        },
        availabilityZones: integer(2, 3, "Availability Zones to spread over."),
        natGateways: {
          type: "string",
          enum: ["per-az", "single"],
          description: "per-az for high availability, single to save cost.",
        },
        dualStack: {
          type: "boolean",
          description: "IPv6 on the public subnets and a dual-stack load balancer (A and AAAA records).",
        },
      },
    },
    service: {
      type: "object",
      additionalProperties: false,
      required: [
        "cpu",
        "memory",
        "minCount",
        "maxCount",
        "targetCpuPercent",
        "containerPort",
        "healthCheckPath",
        "ephemeralStorageGiB",
        "idleTimeoutSeconds",
        "imageTag",
        "autoscaling",
      ],
      properties: {
        cpu: {
          type: "integer",
          enum: Object.keys(FARGATE_SIZES).map(Number),
          description: "Fargate CPU units.",
        },
        memory: integer(512, 122880, "Fargate memory in MiB (must suit the CPU)."),
        minCount: integer(2, 100, "Minimum running tasks (at least 2 for high availability)."),
        maxCount: integer(2, 100, "Maximum running tasks."),
        targetCpuPercent: integer(10, 90, "Average CPU % target tracking aims for."),
        containerPort: integer(1024, 65535, "Port the Rails server listens on."),
        healthCheckPath: {
          type: "string",
          pattern: "^/[A-Za-z0-9/_.-]*$",
          description: "Health check path, e.g. /up.",
        },
        ephemeralStorageGiB: integer(21, 200, "Fargate ephemeral storage in GiB."),
        idleTimeoutSeconds: integer(60, 4000, "Load balancer idle timeout in seconds."),
        imageTag: {
          type: "string",
          pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
          description: "Image tag deployed until the pipeline ships one.",
        },
        autoscaling: {
          type: "boolean",
          description: "Target-tracking autoscaling between minCount and maxCount.",
        },
      },
    },
    database: {
      type: "object",
      additionalProperties: false,
      required: [
        "instanceClass",
        "engineVersion",
        "allocatedStorageGiB",
        "maxAllocatedStorageGiB",
        "backupRetentionDays",
        "deletionProtection",
        "performanceInsights",
        "parameterGroup",
      ],
      properties: {
        instanceClass: {
          type: "string",
          pattern: "^db\\.[a-z0-9]+\\.[a-z0-9]+$",
          description: "RDS instance class, e.g. db.t4g.medium.",
        },
        engineVersion: {
          type: "string",
          pattern: "^1[4-7](\\.[0-9]+)?$",
          description: "PostgreSQL version 14 to 17, e.g. 16.4.",
        },
        allocatedStorageGiB: integer(20, 65536, "Initial storage in GiB."),
        maxAllocatedStorageGiB: integer(20, 65536, "Storage autoscaling ceiling in GiB."),
        backupRetentionDays: integer(7, 35, "Automated backup retention in days."),
        deletionProtection: { type: "boolean", description: "Deletion protection and a final snapshot." },
        performanceInsights: { type: "boolean", description: "Enable Performance Insights." },
        parameterGroup: {
          type: "boolean",
          description: "Own parameter group: TLS-only connections (rds.force_ssl) and slow-query logging.",
        },
      },
    },
    uploads: {
      type: "object",
      additionalProperties: false,
      required: ["expireAfterDays", "abortIncompleteUploadsAfterDays", "maxUploadGiB"],
      properties: {
        expireAfterDays: integer(
          1,
          MAX_EXPIRE_DAYS,
          "Days until S3 expires an upload; S3 rounds up to the next midnight UTC, so 13 at most keeps every file under 14 days.",
        ),
        abortIncompleteUploadsAfterDays: integer(
          1,
          3,
          "Days until incomplete multipart uploads are aborted.",
        ),
        maxUploadGiB: integer(1, 6, "Largest upload accepted, GiB (the mission caps it at 6)."),
      },
    },
    statsTask: {
      type: "object",
      additionalProperties: false,
      required: ["schedule", "timezone", "rakeTask", "retryAttempts"],
      properties: {
        schedule: {
          type: "string",
          description: "Weekly EventBridge Scheduler cron, e.g. cron(0 3 ? * MON *).",
        },
        timezone: { type: "string", description: "IANA time zone for the cron, e.g. America/Los_Angeles." },
        rakeTask: {
          type: "string",
          pattern: "^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)*$",
          description: "Rake task, e.g. stats:users.",
        },
        retryAttempts: integer(0, 185, "Scheduler retries of a failed RunTask."),
      },
    },
    logRetentionDays: {
      type: "integer",
      enum: [...LOG_RETENTION_DAYS],
      description: "CloudWatch Logs retention in days.",
    },
    secrets: {
      type: "array",
      uniqueItems: true,
      maxItems: 40,
      items: { type: "string", pattern: "^[A-Z][A-Z0-9_]{1,63}$" },
      description: "External-service secret names (container env vars); values are set by an operator.",
    },
    appEnvironment: {
      type: "object",
      propertyNames: { pattern: "^[A-Z][A-Z0-9_]{0,63}$" },
      additionalProperties: { type: "string", maxLength: 4096 },
      description: "Plain settings for the Rails containers (never secrets).",
    },
    delivery: {
      type: "object",
      additionalProperties: false,
      required: ["appRepository", "branch", "requireApproval"],
      description: "Continuous delivery of the app from GitHub (leave out for no pipeline).",
      properties: {
        appRepository: {
          type: "string",
          pattern: "^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$",
          description: "GitHub repository of the Rails app, owner/name, e.g. cdlib/myamazingapp.",
        },
        branch: {
          type: "string",
          pattern: "^(?!-)(?!.*\\.\\.)[A-Za-z0-9._/-]{1,255}$",
          description: "Release branch: every push to it is built and released, e.g. main.",
        },
        requireApproval: {
          type: "boolean",
          description: "Wait for a manual approval in CodePipeline before migrating and deploying.",
        },
      },
    },
    emulator: {
      type: "object",
      additionalProperties: false,
      required: ["endpoint"],
      properties: {
        endpoint: {
          type: "string",
          pattern: "^https://(127\\.0\\.0\\.1|localhost):[0-9]{1,5}$",
          description: "Loopback endpoint of the local AWS emulator (LOCAL_AWS_PORT overrides the port).",
        },
      },
    },
  },
} as const;
