/**
 * The operator's command line with recorded AWS responses, for what the emulator cannot show: ECS Exec (the
 * console), a task that fails or never starts, missing credentials. The verbs that moto supports run against
 * the deployed emulator in the end-to-end test (test/e2e/day-two.ts).
 */
import { loadEnvironment } from "../config/load";
import { ops } from "../scripts/ops";
import { consoleCommand } from "../scripts/ops/console";
import { OpsError } from "../scripts/ops/context";
import { parseSince } from "../scripts/ops/logs";
import { runOneOff } from "../scripts/ops/run";
import { join } from "node:path";
import { recorder, service, taskDefinition } from "./ops-recording";

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
      DescribeServices: Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
    });
    await expect(runOneOff(ctx, ["true"])).rejects.toThrow(
      "no AWS credentials for production (account 111111111111): sign in first, e.g. aws sso login",
    );
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
