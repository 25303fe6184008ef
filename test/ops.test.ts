/**
 * The operator's command line with recorded AWS responses, for what the emulator cannot show: ECS Exec (the
 * console), a task that fails or never starts, missing credentials. The verbs that moto supports run against
 * the deployed emulator in the end-to-end test (test/e2e/day-two.ts).
 */
import { KMSClient } from "@aws-sdk/client-kms";
import { RDSClient } from "@aws-sdk/client-rds";
import { STSClient } from "@aws-sdk/client-sts";
import { loadEnvironment } from "../config/load";
import { ops } from "../scripts/ops";
import { consoleCommand } from "../scripts/ops/console";
import { OpsContext, OpsError, type Output } from "../scripts/ops/context";
import { parseSince } from "../scripts/ops/logs";
import { runOneOff } from "../scripts/ops/run";
import { join } from "node:path";
import { recorder, type Recording, service, taskDefinition } from "./ops-recording";

const production = loadEnvironment(join(__dirname, "..", "environments", "production.json"));
const recorded = recorder(production);
const TASK = "arn:aws:ecs:us-west-2:111111111111:task/myamazingapp-production/0123456789abcdef";

const logsNotYet = Object.assign(new Error("The specified log stream does not exist."), {
  name: "ResourceNotFoundException",
});

describe("console (ECS Exec, recorded)", () => {
  it("opens bin/rails console on a running task of the service, in the app container", async () => {
    const { ctx } = recorded({ DescribeServices: { services: [service] }, ListTasks: { taskArns: [TASK] } });
    expect(await consoleCommand(ctx)).toEqual([
      "ecs",
      "execute-command",
      "--region",
      "us-west-2",
      "--cluster",
      "myamazingapp-production",
      "--task",
      TASK,
      "--container",
      "web",
      "--interactive",
      "--command",
      "bin/rails console",
    ]);
  });

  it("says there is no running task, and where to look, instead of failing somewhere in the CLI", async () => {
    const { ctx } = recorded({
      DescribeServices: { services: [{ ...service, desiredCount: 0, runningCount: 0 }] },
      ListTasks: { taskArns: [] },
    });
    await expect(consoleCommand(ctx)).rejects.toThrow(
      "no running task of myamazingapp-production-web (0 desired): nothing to open a console on; see npm run ops -- status production",
    );
  });
});

describe("the AWS CLI a verb runs (console, rollback)", () => {
  const inherited = { AWS_PROFILE: "someone-else", AWS_ACCESS_KEY_ID: "AKIAOTHER", PATH: "/usr/bin" };

  it("gets the context's profile, never the shell's credentials, and the tool's name", () => {
    const ctx = new OpsContext(production, undefined, { region: "us-west-2", profile: "prod-admin" });
    const vars = ctx.cliEnvironment(undefined, inherited);
    expect(vars).toMatchObject({
      AWS_PROFILE: "prod-admin",
      AWS_SDK_UA_APP_ID: "myamazingapp-ops",
      PATH: "/usr/bin",
    });
    expect(vars.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it("gets the context's keys (an assumed role's session too)", () => {
    const credentials = { accessKeyId: "ASIAROLE", secretAccessKey: "s", sessionToken: "t" };
    const ctx = new OpsContext(production, undefined, { region: "us-west-2", credentials });
    expect(ctx.cliEnvironment("myamazingapp-ops-rollback", inherited)).toMatchObject({
      AWS_ACCESS_KEY_ID: "ASIAROLE",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_SESSION_TOKEN: "t",
      AWS_SDK_UA_APP_ID: "myamazingapp-ops-rollback",
    });
    expect(ctx.cliEnvironment(undefined, inherited).AWS_PROFILE).toBeUndefined();
  });

  it("keeps the default chain when the context has it", () => {
    const ctx = new OpsContext(production, undefined, { region: "us-west-2" });
    expect(ctx.cliEnvironment(undefined, inherited)).toMatchObject({ AWS_PROFILE: "someone-else" });
  });
});

describe("run (recorded)", () => {
  const started = { tasks: [{ taskArn: TASK, lastStatus: "PROVISIONING" }], failures: [] };
  const stopped = (container: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    tasks: [{ taskArn: TASK, lastStatus: "STOPPED", containers: [{ name: "web", ...container }], ...extra }],
  });

  it("exits with the task's exit code, after its log lines", async () => {
    const { ctx, lines, progress } = recorded({
      DescribeServices: { services: [service] },
      DescribeTaskDefinition: { taskDefinition },
      RunTask: started,
      DescribeTasks: [{ tasks: [{ taskArn: TASK, lastStatus: "RUNNING" }] }, stopped({ exitCode: 3 })],
      GetLogEvents: [
        logsNotYet,
        { events: [{ message: "rake aborted!" }], nextForwardToken: "f2" },
        { events: [] },
      ],
    });
    const result = await runOneOff(ctx, ["bundle", "exec", "rake", "stats:users"]);
    expect(result.exitCode).toBe(3);
    expect(lines).toEqual(["rake aborted!"]);
    expect(progress).toEqual(
      expect.arrayContaining(["task 0123456789abcdef is RUNNING", "task 0123456789abcdef is STOPPED"]),
    );
  });

  it("fails with ECS's reason when the task never ran its command", async () => {
    const { ctx } = recorded({
      DescribeServices: { services: [service] },
      DescribeTaskDefinition: { taskDefinition },
      RunTask: started,
      DescribeTasks: stopped(
        {},
        {
          stopCode: "TaskFailedToStart",
          stoppedReason: "ResourceInitializationError: unable to pull secrets",
        },
      ),
      GetLogEvents: logsNotYet,
    });
    await expect(runOneOff(ctx, ["true"])).rejects.toThrow(
      "task 0123456789abcdef stopped without an exit code (TaskFailedToStart): ResourceInitializationError: unable to pull secrets",
    );
  });

  it("fails with ECS's failures when the task cannot be placed", async () => {
    const { ctx } = recorded({
      DescribeServices: { services: [service] },
      DescribeTaskDefinition: { taskDefinition },
      RunTask: { tasks: [], failures: [{ arn: "subnet-a", reason: "RESOURCE:ENI" }] },
    });
    await expect(runOneOff(ctx, ["true"])).rejects.toThrow("the task did not start: subnet-a RESOURCE:ENI");
  });

  it("says what to sign in to when there are no credentials", async () => {
    const { ctx } = recorded({
      GetCallerIdentity: Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
    });
    await expect(runOneOff(ctx, ["true"])).rejects.toThrow(
      "no AWS credentials for production (account 111111111111): sign in first, e.g. aws sso login",
    );
  });
});

describe("credentials of another account (recorded)", () => {
  const otherAccount = {
    Account: "999999999999",
    Arn: "arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_AdministratorAccess_9f8e7d/jane",
  };
  // What AWS answers in an account where the environment is not: no such cluster, no such parameter.
  const elsewhere: Recording = {
    GetCallerIdentity: otherAccount,
    DescribeServices: { services: [], failures: [{ reason: "MISSING" }] },
    GetParameterHistory: Object.assign(new Error("ParameterNotFound"), { name: "ParameterNotFound" }),
  };

  it.each<[string, string[]]>([
    ["restart", ["restart", "production"]],
    ["status", ["status", "production"]],
    ["secrets", ["secrets", "production"]],
    ["logs", ["logs", "production"]],
    ["run", ["run", "production", "--", "true"]],
    ["rollback", ["rollback", "production"]],
    ["console", ["console", "production"]],
  ])(
    "%s refuses them before any other call, naming both accounts (not 'not deployed')",
    async (_verb, argv) => {
      const { ctx, calls } = recorded(elsewhere);
      const refused = ops(argv, () => ctx);
      await expect(refused).rejects.toThrow(OpsError);
      const message = await refused.catch((e: Error) => e.message);
      expect(message).toContain("account 999999999999");
      expect(message).toContain("production is in account 111111111111");
      expect(message).not.toMatch(/not deployed/);
      expect(calls).toEqual(["GetCallerIdentity"]);
    },
  );

  it("goes on with credentials of the environment's own account", async () => {
    const { ctx, calls } = recorded({
      DescribeServices: { services: [service] },
      UpdateService: {
        service: { deployments: [{ id: "ecs-svc/2", status: "PRIMARY" }] },
      },
    });
    expect(await ops(["restart", "production", "--no-wait"], () => ctx)).toBe(0);
    expect(calls).toEqual(["GetCallerIdentity", "DescribeServices", "UpdateService"]);
  });
});

describe("a move to another account (recorded)", () => {
  // staging (222222222222) to production (111111111111): the default chain signs in to staging.
  const identities: Record<string, { Account: string; Arn: string }> = {
    default: { Account: "222222222222", Arn: "arn:aws:sts::222222222222:assumed-role/Admin/jane" },
    "staging-admin": { Account: "222222222222", Arn: "arn:aws:sts::222222222222:assumed-role/Admin/jane" },
    "prod-admin": { Account: "111111111111", Arn: "arn:aws:sts::111111111111:assumed-role/Admin/jane" },
  };
  const snapshot = (id: string, region: string, account: string) => ({
    DBSnapshots: [{ Status: "available", DBSnapshotArn: `arn:aws:rds:${region}:${account}:snapshot:${id}` }],
  });

  /** Every call, as `<Command> <profile>`, and the contexts the command line made. */
  function recordMoves(): {
    calls: string[];
    ctxFor: (env: typeof production, profile?: string) => OpsContext;
  } {
    const calls: string[] = [];
    const profileOf = (client: { config: { profile?: string } }) => client.config.profile ?? "default";
    jest.spyOn(STSClient.prototype, "send").mockImplementation(async function (this: STSClient) {
      calls.push(`GetCallerIdentity ${profileOf(this)}`);
      return identities[profileOf(this)];
    } as never);
    jest.spyOn(KMSClient.prototype, "send").mockImplementation(async function (
      this: KMSClient,
      command: { constructor: { name: string } },
    ) {
      calls.push(`${command.constructor.name.replace(/Command$/, "")} ${profileOf(this)}`);
      return { KeyMetadata: { Arn: "arn:aws:kms:us-west-2:222222222222:key/move" } };
    } as never);
    jest.spyOn(RDSClient.prototype, "send").mockImplementation(async function (
      this: RDSClient,
      command: { constructor: { name: string }; input: { DBSnapshotIdentifier?: string } },
    ) {
      const name = command.constructor.name.replace(/Command$/, "");
      calls.push(`${name} ${profileOf(this)}`);
      const id = command.input.DBSnapshotIdentifier ?? "";
      if (name !== "DescribeDBSnapshots") return {};
      const account = id.includes("-from-") ? "111111111111" : "222222222222";
      return snapshot(id, "us-west-2", account);
    } as never);
    const out: Output = { line: () => undefined, progress: () => undefined };
    const ctxFor = (env: typeof production, profile?: string) =>
      new OpsContext(env, out, { region: env.region, ...(profile ? { profile } : {}) }, { pollMs: 1 });
    return { calls, ctxFor };
  }

  it("is refused before any call without the target's own credentials (--to-profile)", async () => {
    const { calls, ctxFor } = recordMoves();
    await expect(ops(["move-database", "staging", "--to", "production"], ctxFor)).rejects.toThrow(
      "move-database: production is in account 111111111111, staging in 222222222222: name the target account's credentials with --to-profile <profile>",
    );
    expect(calls).toEqual([]);
  });

  it("is refused before its first step when --to-profile signs in to another account than the target's", async () => {
    const { calls, ctxFor } = recordMoves();
    await expect(
      ops(["move-database", "staging", "--to", "production", "--to-profile", "staging-admin"], ctxFor),
    ).rejects.toThrow(
      "the credentials of profile staging-admin are for account 222222222222 (arn:aws:sts::222222222222:assumed-role/Admin/jane), but production is in account 111111111111",
    );
    expect(calls).toEqual(["GetCallerIdentity default", "GetCallerIdentity staging-admin"]);
  });

  it("copies the snapshot into the target's account with the target's credentials, the source's steps with the source's", async () => {
    const { calls, ctxFor } = recordMoves();
    expect(
      await ops(["move-database", "staging", "--to", "production", "--to-profile", "prod-admin"], ctxFor),
    ).toBe(0);
    expect(calls.slice(0, 2)).toEqual(["GetCallerIdentity default", "GetCallerIdentity prod-admin"]);
    const steps = calls.slice(2).filter((c) => !c.startsWith("DescribeDBSnapshots"));
    expect(steps).toEqual([
      "CreateDBSnapshot default",
      "DescribeKey default",
      "CopyDBSnapshot default", // under the move key, in the source account
      "ModifyDBSnapshotAttribute default",
      "CopyDBSnapshot prod-admin", // the target's copy, in the target account
    ]);
  });

  it("move-secrets is gone, and says what to do instead", async () => {
    const { calls, ctxFor } = recordMoves();
    await expect(ops(["move-secrets", "staging", "--to", "production"], ctxFor)).rejects.toThrow(
      /no operator can read a secret's value: each secret's resource policy lets only the task execution role read it.*npm run ops -- secrets <target> set <NAME> < file/,
    );
    expect(calls).toEqual([]);
  });
});

describe("the command line", () => {
  it("prints its help without a verb, and exits 2", async () => {
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    expect(await ops([])).toBe(2);
    expect(log.mock.calls[0][0]).toMatch(/usage: npm run ops -- <verb> <environment>/);
    log.mockRestore();
  });

  it.each<[string[], RegExp]>([
    [
      ["deploy", "production"],
      /unknown verb "deploy"; verbs: status, console, run, rake, logs, rollback, secrets, restart/,
    ],
    [["status", "prod"], /unknown environment "prod"; environments: local, localwest, production, staging/],
    [["status"], /name an environment: one of local, localwest, production, staging/],
    [
      ["logs", "local", "--since", "yesterday"],
      /--since: "yesterday" is not a duration; allowed: a whole number and s, m, h or d/,
    ],
  ])("refuses %p with a clear error", async (argv, message) => {
    await expect(
      ops(argv, () => recorded({ DescribeServices: { services: [service] } }).ctx),
    ).rejects.toThrow(message);
  });

  it("reads durations", () => {
    expect(parseSince("90s")).toBe(90_000);
    expect(parseSince("2h")).toBe(7_200_000);
    expect(() => parseSince("0m")).toThrow(OpsError);
  });
});
