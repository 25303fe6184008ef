import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import {
  APP_CONTAINER,
  AppTaskDefinition,
  type AppTaskDefinitionProps,
  PLATFORM_SECRETS,
  PLATFORM_VARIABLES,
} from "../constructs/app-task-definition";
import { Naming } from "../constructs/naming";
import { type Block, newStack, PLATFORM_ENVIRONMENT, ref, synthConstruct, type Synthesized } from "./helpers";

const SECRET_ARN =
  "arn:aws:secretsmanager:us-west-2:111111111111:secret:myamazingapp/test/SMTP_PASSWORD-AbCdEf";
const DB_SECRET = "arn:aws:secretsmanager:us-west-2:111111111111:secret:rds!db-1234-XyZ";
const props: AppTaskDefinitionProps = {
  naming: new Naming("myamazingapp", "test"),
  account: "111111111111",
  region: "us-west-2",
  image: "111111111111.dkr.ecr.us-west-2.amazonaws.com/myamazingapp-test-web:3f2a1b0",
  cpu: 1024,
  memory: 3072,
  ephemeralStorageGiB: 50,
  containerPort: 8080,
  platformEnvironment: PLATFORM_ENVIRONMENT,
  appEnvironment: { RAILS_ENV: "production" },
  databaseCredentialsSecretArn: DB_SECRET,
  appSecrets: [{ name: "SMTP_PASSWORD", valueFrom: SECRET_ARN }],
  logRetentionDays: 14,
  logEncryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
  appTmpPath: "/srv/app/tmp",
};

describe("AppTaskDefinition", () => {
  let synth: Synthesized;
  let task: AppTaskDefinition;
  let taskDef: Block;
  let container: Block;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      task = new AppTaskDefinition(scope, "task", props);
    });
    taskDef = synth.of(task.taskDefinition);
    const containers = JSON.parse(taskDef.container_definitions);
    expect(containers).toHaveLength(1);
    container = containers[0];
  });
  const rolePolicies = (roleId: string) =>
    synth
      .resources("aws_iam_role_policy")
      .filter((p) => p.role === roleId)
      .map((p) => JSON.parse(p.policy));

  it("is a Fargate task definition in awsvpc network mode", () => {
    expect(synth.json).toHaveResourceWithProperties(EcsTaskDefinition, {
      family: "myamazingapp-test-web",
      requires_compatibilities: ["FARGATE"],
      network_mode: "awsvpc",
      cpu: "1024",
      memory: "3072",
    });
  });

  it("runs the image as the essential app container listening on the container port", () => {
    expect(container).toMatchObject({
      name: APP_CONTAINER,
      image: props.image,
      essential: true,
      portMappings: [expect.objectContaining({ containerPort: 8080, protocol: "tcp" })],
    });
  });

  it("makes the root filesystem read-only", () => {
    expect(container.readonlyRootFilesystem).toBe(true);
  });

  it("mounts writable scratch volumes, including /tmp and the app's tmp path", () => {
    const volumes: string[] = taskDef.volume.map((v: Block) => v.name);
    const mounts: Block[] = container.mountPoints;
    const paths = mounts.map((m) => m.containerPath);
    expect(paths).toEqual(expect.arrayContaining(["/tmp", "/srv/app/tmp"]));
    for (const mount of mounts) {
      expect(mount.readOnly).toBe(false);
      expect(volumes).toContain(mount.sourceVolume);
    }
    // Bind mounts without a host path or EFS live on the task's ephemeral storage.
    for (const volume of taskDef.volume) expect(Object.keys(volume)).toEqual(["name"]);
  });

  it("keeps ECS Exec working under the read-only root: the SSM agent's paths are writable", () => {
    const paths = container.mountPoints.map((m: Block) => m.containerPath);
    expect(paths).toEqual(
      expect.arrayContaining(["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"]),
    );
  });

  it("sizes ephemeral storage from props", () => {
    expect(taskDef.ephemeral_storage).toEqual({ size_in_gib: 50 });
  });

  it("passes the database credentials and the app's secrets as valueFrom references, never as values", () => {
    expect(container.secrets).toEqual([
      { name: "DATABASE_PASSWORD", valueFrom: `${DB_SECRET}:password::` },
      { name: "DATABASE_USERNAME", valueFrom: `${DB_SECRET}:username::` },
      { name: "SMTP_PASSWORD", valueFrom: SECRET_ARN },
    ]);
    for (const secret of container.secrets) expect(Object.keys(secret).sort()).toEqual(["name", "valueFrom"]);
  });

  it("passes every platform variable and the app's plain settings as environment, none of them a secret", () => {
    expect(container.environment).toEqual(
      [
        ...PLATFORM_VARIABLES.map((name) => ({ name, value: `platform-${name}` })),
        { name: "RAILS_ENV", value: "production" },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );
    const secretNames = container.secrets.map((s: Block) => s.name);
    for (const { name, value } of container.environment) {
      expect(secretNames).not.toContain(name);
      expect(value).not.toMatch(/secretsmanager/);
    }
  });

  it("logs through awslogs to its log group, which keeps logs for the given retention, encrypted with the key", () => {
    expect(container.logConfiguration).toMatchObject({
      logDriver: "awslogs",
      options: expect.objectContaining({
        "awslogs-group": ref(task.logGroup, "name"),
        "awslogs-region": "us-west-2",
        "awslogs-stream-prefix": expect.any(String),
      }),
    });
    expect(synth.json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/myamazingapp/test/web",
      retention_in_days: 14,
      kms_key_id: "arn:aws:kms:us-west-2:111111111111:key/logs",
    });
  });

  it("uses separate execution and task roles, both assumable only by ECS tasks of this account", () => {
    expect(taskDef.execution_role_arn).toBe(ref(task.executionRole, "arn"));
    expect(taskDef.task_role_arn).toBe(ref(task.taskRole, "arn"));
    for (const role of [task.executionRole, task.taskRole]) {
      expect(JSON.parse(synth.of(role).assume_role_policy).Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } },
        },
      ]);
    }
  });

  it("gives the execution role AmazonECSTaskExecutionRolePolicy (pull the image, write logs)", () => {
    expect(synth.json).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      role: ref(task.executionRole, "name"),
      policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    });
  });

  it("grants the execution role nothing beyond the managed policy (secrets grant themselves)", () => {
    expect(rolePolicies(ref(task.executionRole, "id"))).toEqual([]);
  });

  it("lets the task role open ECS Exec channels (ssmmessages), and do nothing else by default", () => {
    const policies = rolePolicies(ref(task.taskRole, "id"));
    expect(policies).toHaveLength(1);
    const actions = policies[0].Statement.flatMap((s: Block) => [s.Action].flat());
    expect(actions.sort()).toEqual([
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]);
    expect(synth.resources("aws_iam_role_policy_attachment").map((a) => a.role)).not.toContain(
      ref(task.taskRole, "name"),
    );
  });

  it("runs an init process, so ECS Exec's children are reaped", () => {
    expect(container.linuxParameters).toEqual({ initProcessEnabled: true });
  });

  it.each([20, 201, 30.5])(
    "refuses ephemeralStorageGiB %p (Fargate allows 21 to 200)",
    (ephemeralStorageGiB) => {
      expect(() => new AppTaskDefinition(newStack(), "task", { ...props, ephemeralStorageGiB })).toThrow(
        /AppTaskDefinition: ephemeralStorageGiB: .* is out of range; allowed: 21 to 200/,
      );
    },
  );

  it("refuses a name that is both a secret and a plain setting", () => {
    expect(
      () =>
        new AppTaskDefinition(newStack(), "task", {
          ...props,
          appEnvironment: { ...props.appEnvironment, SMTP_PASSWORD: "hunter2" },
        }),
    ).toThrow(/AppTaskDefinition: appEnvironment: "SMTP_PASSWORD" is also a secret/);
  });

  it.each([...PLATFORM_VARIABLES, ...PLATFORM_SECRETS, "AWS_ACCESS_KEY_ID", "ECS_AGENT_URI", "DATABASE_URL"])(
    "refuses %s as a plain setting of the app: the platform sets it",
    (name) => {
      expect(
        () =>
          new AppTaskDefinition(newStack(), "task", {
            ...props,
            appEnvironment: { [name]: "from the file" },
          }),
      ).toThrow(`AppTaskDefinition: appEnvironment: "${name}" is set by the stack itself`);
    },
  );

  it.each([...PLATFORM_SECRETS, "AWS_SECRET_ACCESS_KEY"])(
    "refuses %s as one of the app's secrets",
    (name) => {
      expect(
        () =>
          new AppTaskDefinition(newStack(), "task", {
            ...props,
            appSecrets: [{ name, valueFrom: SECRET_ARN }],
          }),
      ).toThrow(`AppTaskDefinition: appSecrets: "${name}" is set by the stack itself`);
    },
  );

  it("refuses a plain setting whose name says it is a secret", () => {
    expect(
      () => new AppTaskDefinition(newStack(), "task", { ...props, appEnvironment: { STRIPE_API_KEY: "sk" } }),
    ).toThrow(/appEnvironment: "STRIPE_API_KEY" looks like a secret; list it under secrets/);
  });

  it.each([
    [256, 4096],
    [1024, 1024],
    [4096, 31744],
  ])("refuses %p CPU units with %p MiB (not a Fargate size)", (cpu, memory) => {
    expect(() => new AppTaskDefinition(newStack(), "task", { ...props, cpu, memory })).toThrow(
      new RegExp(`AppTaskDefinition: memory: ${memory} MiB does not fit ${cpu} CPU units`),
    );
  });
});
