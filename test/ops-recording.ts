/**
 * The operator's command line against recorded AWS answers: an OpsContext whose clients answer from a table
 * by command name, with the production service and task definition as ECS describes them.
 */
import { STSClient } from "@aws-sdk/client-sts";
import type { EnvironmentConfig } from "../config/environment";
import { OpsContext, type Output } from "../scripts/ops/context";

/** Recorded answers of ECS, CloudWatch Logs, SSM, Secrets Manager and STS, by command name; a list answers successive calls. */
export type Recording = Record<string, unknown | unknown[]>;

export const service = {
  serviceName: "myamazingapp-production-web",
  status: "ACTIVE",
  desiredCount: 2,
  runningCount: 2,
  taskDefinition: "arn:aws:ecs:us-west-2:111111111111:task-definition/myamazingapp-production-web:12",
  networkConfiguration: {
    awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-app"] },
  },
  deployments: [{ id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED" }],
};

export const taskDefinition = {
  family: "myamazingapp-production-web",
  revision: 12,
  taskDefinitionArn: service.taskDefinition,
  containerDefinitions: [
    {
      name: "web",
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/myamazingapp/production/web", "awslogs-stream-prefix": "app" },
      },
    },
  ],
};

export interface Recorded {
  readonly ctx: OpsContext;
  /** Result lines, progress lines, and the commands sent (by name), in order. */
  readonly lines: string[];
  readonly progress: string[];
  readonly calls: string[];
  /** The input of each command sent, by name. */
  readonly inputs: Record<string, unknown[]>;
}

/** A context of `env` whose AWS calls are answered from a recording; what it reports also goes to `also`. */
export function recorder(env: EnvironmentConfig, also?: Output): (recording: Recording) => Recorded {
  return (recording) => {
    const lines: string[] = [];
    const progress: string[] = [];
    const calls: string[] = [];
    const inputs: Record<string, unknown[]> = {};
    const out: Output = {
      line: (t) => (lines.push(t), also?.line(t)),
      progress: (t) => (progress.push(t), also?.progress(t)),
    };
    const ctx = new OpsContext(env, out, { region: env.region }, { pollMs: 1 });
    const answer = async (command: { constructor: { name: string }; input: unknown }) => {
      const name = command.constructor.name.replace(/Command$/, "");
      calls.push(name);
      (inputs[name] ??= []).push(command.input);
      const found =
        recording[name] ??
        // Every verb first asks STS whose the credentials are: by default, the environment's own account's.
        (name === "GetCallerIdentity"
          ? {
              Account: env.account,
              Arn: `arn:aws:sts::${env.account}:assumed-role/AWSReservedSSO_Admin_0a1b2c/jane`,
            }
          : undefined);
      if (found === undefined) throw new Error(`no recorded answer for ${name}`);
      if (Array.isArray(found)) return found.length > 1 ? found.shift() : found[0];
      if (found instanceof Error) throw found;
      return found;
    };
    // Plain assignment, not jest.spyOn: a script outside jest (test/rollback-driver.ts) records too.
    for (const client of [ctx.ecs, ctx.logs, ctx.ssm, ctx.secrets]) client.send = answer as never;
    // The account check makes an STS client of its own: every STS client answers from the recording.
    STSClient.prototype.send = answer as never;
    return { ctx, lines, progress, calls, inputs };
  };
}
