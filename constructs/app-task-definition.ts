import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { ContainerSecret } from "./app-secrets";
import { assumedBy, policyDocument } from "./iam";
import type { Naming } from "./naming";

export interface AppTaskDefinitionProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guard). */
  readonly account: string;
  /** AWS region (log driver). */
  readonly region: string;
  /** Image reference, `repository:tag`. */
  readonly image: string;
  /** Fargate CPU units. @default 512 */
  readonly cpu?: number;
  /** Fargate memory, MiB. @default 1024 */
  readonly memory?: number;
  /** Fargate ephemeral storage, GiB (21 to 200). @default 21 */
  readonly ephemeralStorageGiB?: number;
  /** Port the Rails server listens on. @default 3000 */
  readonly containerPort?: number;
  /** Plain settings (`environment`). @default {} */
  readonly environment?: Record<string, string>;
  /** Secret settings, each read from Secrets Manager at task start (`secrets` / `valueFrom`). @default [] */
  readonly secrets?: ContainerSecret[];
  /** Log retention, days. @default 30 */
  readonly logRetentionDays?: number;
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

  constructor(scope: Construct, id: string, props: AppTaskDefinitionProps) {
    super(scope, id);
    const { naming, account } = props;
    const ephemeral = props.ephemeralStorageGiB ?? 21;
    if (!Number.isInteger(ephemeral) || ephemeral < 21 || ephemeral > 200) {
      throw new Error(`AppTaskDefinition: ephemeralStorageGiB must be 21 to 200, got ${ephemeral}`);
    }
    this.containerPort = props.containerPort ?? 3000;
    const secrets = props.secrets ?? [];
    const environment = props.environment ?? {};
    const clash = secrets.find((s) => s.name in environment);
    if (clash) {
      throw new Error(`AppTaskDefinition: "${clash.name}" is both a secret and a plain setting`);
    }

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: naming.path("web"),
      retentionInDays: props.logRetentionDays ?? 30,
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
      cpu: String(props.cpu ?? 512),
      memory: String(props.memory ?? 1024),
      ephemeralStorage: { sizeInGib: ephemeral },
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

  /** Lets the execution role read secrets that are not part of AppSecrets (the RDS-managed password). */
  public grantSecretRead(id: string, secretArn: string): void {
    new IamRolePolicy(this, `read-${id}`, {
      role: this.executionRole.id,
      name: `read-${id}`,
      policy: policyDocument({
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: secretArn,
      }),
    });
  }
}
