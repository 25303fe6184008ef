import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { ContainerSecret } from "./app-secrets";
import { assumedBy, policyDocument } from "./iam";
import {
  checkLogRetention,
  checkOneOf,
  checkPattern,
  checkRange,
  CONTAINER_PORT,
  EPHEMERAL_STORAGE_GIB,
  FARGATE_SIZES,
  refuse,
  VARIABLE_NAME,
} from "./limits";
import type { Naming } from "./naming";

/**
 * Variables the platform sets in every app container: where the app is served and which path the load balancer's
 * health check requests, where its database and uploads bucket are. The stack must give each (the type says so);
 * no environment file may set one. What each means to the Rails app: docs/rails.md.
 */
export const PLATFORM_VARIABLES = [
  "APP_DOMAIN",
  "PORT",
  "HEALTH_CHECK_PATH",
  "AWS_REGION",
  "DATABASE_HOST",
  "DATABASE_PORT",
  "DATABASE_NAME",
  "UPLOADS_BUCKET",
  "UPLOADS_EXPIRE_DAYS",
  "UPLOADS_MAX_BYTES",
] as const;
export type PlatformVariable = (typeof PLATFORM_VARIABLES)[number];

/** Variables the platform sets where the environment has the feature: MAIL_FROM where it sends mail (SES). */
export const OPTIONAL_PLATFORM_VARIABLES = ["MAIL_FROM"] as const;
export type OptionalPlatformVariable = (typeof OPTIONAL_PLATFORM_VARIABLES)[number];

/** Secret variables the platform sets: the RDS-managed database credentials. */
export const PLATFORM_SECRETS = ["DATABASE_USERNAME", "DATABASE_PASSWORD"] as const;

/**
 * Prefixes the platform owns: AWS_ and ECS_ are read by the AWS SDK and set by ECS (task credentials,
 * metadata), and DATABASE_ and DB_ name the database connection (a DATABASE_URL would override it).
 */
const PLATFORM_PREFIXES = ["AWS_", "ECS_", "DATABASE_", "DB_"];

/** Names that say "secret": such values belong in Secrets Manager, never in a config file. */
const SECRET_LIKE = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL)/;

export interface AppTaskDefinitionProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guard). */
  readonly account: string;
  /** AWS region (log driver). */
  readonly region: string;
  /** Image reference, `repository:tag`. */
  readonly image: string;
  /** Fargate CPU units. */
  readonly cpu: number;
  /** Fargate memory, MiB; must be a size Fargate offers for `cpu`. */
  readonly memory: number;
  /** Fargate ephemeral storage, GiB (21 to 200). */
  readonly ephemeralStorageGiB: number;
  /** Port the Rails server listens on. */
  readonly containerPort: number;
  /** Log retention, days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** Customer-managed KMS key of the log group. */
  readonly logEncryptionKeyArn: string;
  /** What the platform tells the app (`environment`): its domain, database, uploads bucket, mail sender. */
  readonly platformEnvironment: Readonly<Record<PlatformVariable, string>> &
    Readonly<Partial<Record<OptionalPlatformVariable, string>>>;
  /** The environment file's plain settings (`environment`); platform names and secret-looking names are refused. */
  readonly appEnvironment: Readonly<Record<string, string>>;
  /** The RDS-managed secret (JSON with `username` and `password`) behind DATABASE_USERNAME and DATABASE_PASSWORD. */
  readonly databaseCredentialsSecretArn: string;
  /** The app's own secrets (`secrets` / `valueFrom`), each read from Secrets Manager at task start. */
  readonly appSecrets: ContainerSecret[];
  /** Writable directory the Rails app needs under its read-only root. @default "/rails/tmp" */
  readonly appTmpPath?: string;
}

/** Name of the Rails container in every task (the scheduled job overrides its command). */
export const APP_CONTAINER = "web";

/**
 * The Rails task definition shared by the web service, the weekly job and migrations: read-only root
 * filesystem with writable scratch volumes, logs to CloudWatch, secrets injected by ECS at start, and
 * the two roles (execution: pull image, read secrets; task: what the app itself may do).
 */
export class AppTaskDefinition extends Construct {
  public readonly taskDefinition: EcsTaskDefinition;
  public readonly executionRole: IamRole;
  public readonly taskRole: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly containerName = APP_CONTAINER;
  public readonly containerPort: number;
  /** ARNs of every Secrets Manager secret the container reads at start (the release's preflight checks them). */
  public readonly secretArns: string[];

  constructor(scope: Construct, id: string, props: AppTaskDefinitionProps) {
    super(scope, id);
    const { naming, account } = props;
    AppTaskDefinition.validate(props);
    this.containerPort = props.containerPort;
    const environment: Record<string, string> = { ...props.appEnvironment, ...props.platformEnvironment };
    const credentials = props.databaseCredentialsSecretArn;
    const secrets: ContainerSecret[] = [
      // RDS keeps the generated credentials as JSON; ECS extracts each key at task start.
      { name: "DATABASE_USERNAME", valueFrom: `${credentials}:username::` },
      { name: "DATABASE_PASSWORD", valueFrom: `${credentials}:password::` },
      ...props.appSecrets,
    ];
    // valueFrom may name a JSON key (`<arn>:password::`); the secret is the ARN's first seven fields.
    this.secretArns = [
      credentials,
      ...props.appSecrets.map((s) => s.valueFrom.split(":").slice(0, 7).join(":")),
    ];

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: naming.path("web"),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logEncryptionKeyArn,
    });

    this.executionRole = new IamRole(this, "execution-role", {
      name: naming.name("task-execution"),
      description: "ECS agent: pull the image, write logs, read the app's secrets",
      assumeRolePolicy: assumedBy("ecs-tasks.amazonaws.com", account),
    });
    new IamRolePolicyAttachment(this, "execution-managed", {
      role: this.executionRole.name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    });

    this.taskRole = new IamRole(this, "task-role", {
      name: naming.name("task"),
      description: "The Rails app: its uploads bucket and ECS Exec, nothing else",
      assumeRolePolicy: assumedBy("ecs-tasks.amazonaws.com", account),
    });
    // ECS Exec opens its channel through SSM Session Manager; these actions take no resource ARN.
    new IamRolePolicy(this, "ecs-exec", {
      role: this.taskRole.id,
      name: "ecs-exec",
      policy: policyDocument({
        Effect: "Allow",
        Action: [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: "*",
      }),
    });

    // Scratch space on the task's ephemeral storage: Rails' tmp and /tmp, plus the paths the ECS Exec agent
    // writes to, which is what lets ECS Exec work with a read-only root (aws/containers-roadmap#1359).
    const scratch: Record<string, string> = {
      "app-tmp": props.appTmpPath ?? "/rails/tmp",
      tmp: "/tmp",
      "exec-agent": "/managed-agents",
      "exec-ssm-lib": "/var/lib/amazon/ssm",
      "exec-ssm-log": "/var/log/amazon/ssm",
    };

    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: naming.name("web"),
      // The delivery pipeline registers newer revisions (same settings, new image): Terraform compares its
      // configuration with the family's newest revision, not with the one it registered last.
      trackLatest: true,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memory),
      ephemeralStorage: { sizeInGib: props.ephemeralStorageGiB },
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      volume: Object.keys(scratch).map((name) => ({ name })),
      containerDefinitions: JSON.stringify([
        {
          name: APP_CONTAINER,
          image: props.image,
          essential: true,
          readonlyRootFilesystem: true,
          portMappings: [{ name: "http", containerPort: this.containerPort, protocol: "tcp" }],
          mountPoints: Object.entries(scratch).map(([sourceVolume, containerPath]) => ({
            sourceVolume,
            containerPath,
            readOnly: false,
          })),
          // An init process reaps the ECS Exec agent's children and forwards signals to Rails.
          linuxParameters: { initProcessEnabled: true },
          environment: Object.entries(environment)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => ({ name, value })),
          secrets: [...secrets].sort((a, b) => a.name.localeCompare(b.name)),
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": this.logGroup.name,
              "awslogs-region": props.region,
              "awslogs-stream-prefix": "app",
              mode: "non-blocking",
              "max-buffer-size": "25m",
            },
          },
          stopTimeout: 30,
        },
      ]),
    });
  }

  /** Refuses sizes Fargate does not offer, and container variables that would shadow the platform's. */
  public static validate(props: AppTaskDefinitionProps): void {
    const secretNames = props.appSecrets.map((s) => s.name);
    const firstProblem = (names: string[], check: (name: string) => string | undefined) =>
      names.map(check).find((p) => p !== undefined);
    refuse("AppTaskDefinition", {
      cpu: checkOneOf(Object.keys(FARGATE_SIZES).map(Number), props.cpu, "Fargate CPU units"),
      memory: AppTaskDefinition.checkSize(props.cpu, props.memory),
      ephemeralStorageGiB: checkRange(EPHEMERAL_STORAGE_GIB, props.ephemeralStorageGiB),
      containerPort: checkRange(CONTAINER_PORT, props.containerPort),
      logRetentionDays: checkLogRetention(props.logRetentionDays),
      appEnvironment: firstProblem(Object.keys(props.appEnvironment), (name) =>
        AppTaskDefinition.checkPlainVariable(name, secretNames),
      ),
      appSecrets: firstProblem(secretNames, (name) => AppTaskDefinition.checkSecretVariable(name)),
    });
  }

  /** Why Fargate has no task of `cpu` units with `memory` MiB, or undefined when it has. */
  public static checkSize(cpu: number, memory: number): string | undefined {
    const memories = FARGATE_SIZES[cpu] ?? [];
    if (memories.includes(memory)) return undefined;
    if (memories.length === 0) return `no Fargate size has ${cpu} CPU units`;
    return `${memory} MiB does not fit ${cpu} CPU units; allowed: ${memories[0]} to ${memories[memories.length - 1]} in steps Fargate accepts (${memories.slice(0, 4).join(", ")}, ...)`;
  }

  /** Why `name` may not be one of the app's variables (malformed, or the platform sets it), or undefined. */
  public static checkReserved(name: string): string | undefined {
    const malformed = checkPattern(VARIABLE_NAME, name);
    if (malformed) return malformed;
    const platform = [
      ...PLATFORM_VARIABLES,
      ...OPTIONAL_PLATFORM_VARIABLES,
      ...PLATFORM_SECRETS,
    ] as readonly string[];
    if (platform.includes(name) || PLATFORM_PREFIXES.some((p) => name.startsWith(p))) {
      return `"${name}" is set by the stack itself (reserved: ${platform.join(", ")} and every name starting with ${PLATFORM_PREFIXES.join(", ")}); remove it`;
    }
    return undefined;
  }

  /** Why `name` may not be a plain setting (reserved, secret-looking, or also a secret), or undefined. */
  public static checkPlainVariable(name: string, secretNames: readonly string[]): string | undefined {
    const reserved = AppTaskDefinition.checkReserved(name);
    if (reserved) return reserved;
    if (secretNames.includes(name)) return `"${name}" is also a secret; a variable is one or the other`;
    if (SECRET_LIKE.test(name)) {
      return `"${name}" looks like a secret; list it under secrets and set its value in Secrets Manager`;
    }
    return undefined;
  }

  /** Why `name` may not be one of the app's secrets, or undefined. */
  public static checkSecretVariable(name: string): string | undefined {
    return AppTaskDefinition.checkReserved(name);
  }
}
