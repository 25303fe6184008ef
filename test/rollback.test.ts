/**
 * `npm run ops -- rollback`: which release it goes back to, and how it runs the release step (release.sh, run
 * for real with a stubbed AWS CLI): its output as it comes, a folder of its own, the environment's region
 * whatever the operator's shell says, the release lock the pipeline takes too, and a Ctrl-C that lets the step
 * stop cleanly. The emulator runs it end to end (test/e2e/day-two.ts).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnvironment } from "../config/load";
import { releasesInEffect, rollback, rollbackTarget } from "../scripts/ops/rollback";
import { type Call, makeStubs, type Rule, type Stubs } from "./delivery-script-runner";
import { recorder, type Recording, service, taskDefinition } from "./ops-recording";

const ROOT = join(__dirname, "..");
const production = loadEnvironment(join(ROOT, "environments", "production.json"));
const REPO = "111111111111.dkr.ecr.us-west-2.amazonaws.com/myamazingapp-production-web";
const [A, B, C] = ["a1", "b2", "c3"].map((tag) => `${REPO}:${tag}`);
const LOCK = "/myamazingapp/production/release-lock";
const IMAGE_PARAMETER = "/myamazingapp/production/image";
const FAMILY = "arn:aws:ecs:us-west-2:111111111111:task-definition/myamazingapp-production-web";
const NEW_REVISION = `${FAMILY}:13`;
const DEPLOYMENT = "ecs-svc/7777";

describe("the release a rollback goes back to", () => {
  it.each<[string, string[], string | undefined, string | undefined]>([
    ["the one before the current", [A, B, C], undefined, B],
    ["after a rollback to A from B: nothing before A, not B again", [A, B, A], undefined, undefined],
    ["the same image released twice in a row: the one before it", [A, B, B], undefined, A],
    ["after rolling C back to B: the one before B", [A, B, C, B], undefined, A],
    ["a running image nothing recorded yet (its release ended early): the last recorded", [A, B], C, B],
    ["a running image that is an earlier release: the one before that", [A, B, C], B, A],
    ["one release only: none", [A], undefined, undefined],
  ])("%s", (_case, history, running, expected) => {
    const inEffect = releasesInEffect(history, running);
    expect(inEffect[inEffect.length - 2]).toBe(expected);
  });

  it("reads the history from SSM, placeholders left out, and refuses when nothing is before the current", async () => {
    const history = (...values: string[]) => ({
      GetParameterHistory: { Parameters: values.map((Value) => ({ Value })) },
    });
    const recorded = recorder(production);
    expect(await rollbackTarget(recorded(history(`${REPO}:bootstrap`, A, B, B)).ctx)).toBe(A);
    await expect(rollbackTarget(recorded(history(`${REPO}:bootstrap`, A, B, A)).ctx)).rejects.toThrow(
      `no earlier release to roll back to: ${A} is the oldest release in effect`,
    );
    expect(await rollbackTarget(recorded(history(A)).ctx, C)).toBe(C);
  });
});

/** What ECS and SSM answer the SDK side of a rollback of production, whose service runs `running`. */
function recording(running: string, history: string[]): Recording {
  const withImage = { ...taskDefinition.containerDefinitions[0], image: running };
  return {
    DescribeServices: { services: [service] },
    DescribeTaskDefinition: { taskDefinition: { ...taskDefinition, containerDefinitions: [withImage] } },
    GetParameterHistory: { Parameters: history.map((Value) => ({ Value })) },
  };
}

/** What the AWS CLI answers release.sh in a rollback that goes well; the deploy wait takes `waitMs`. */
function cli(waitMs = 0, describeServices?: Rule): Record<string, Rule[]> {
  const settled = {
    desiredCount: 2,
    taskDefinition: service.taskDefinition,
    deployments: service.deployments,
  };
  return {
    aws: [
      { match: "--version", stdout: "aws-cli/1.32.0" },
      describeServices ?? {
        match: "ecs describe-services",
        responses: [
          { stdout: { services: [settled] } },
          {
            stdout: {
              services: [
                {
                  ...settled,
                  taskDefinition: NEW_REVISION,
                  deployments: [{ id: DEPLOYMENT, status: "PRIMARY", rolloutState: "COMPLETED" }],
                },
              ],
            },
          },
        ],
      },
      {
        match: "ecs describe-task-definition",
        stdout: {
          taskDefinition: {
            ...taskDefinition,
            containerDefinitions: [{ ...taskDefinition.containerDefinitions[0], image: C }],
          },
          tags: [],
        },
      },
      { match: "ecs list-task-definitions", stdout: { taskDefinitionArns: [service.taskDefinition] } },
      {
        match: "ecs register-task-definition",
        stdout: { taskDefinition: { taskDefinitionArn: NEW_REVISION } },
      },
      {
        match: "ecs update-service",
        stdout: { service: { deployments: [{ id: DEPLOYMENT, status: "PRIMARY" }] } },
      },
      { match: "ecs wait services-stable", delayMs: waitMs },
      { match: "ecr batch-get-image", exit: 255 },
      { match: "ecs deregister-task-definition", stdout: {} },
    ],
  };
}

/** The stubbed CLI first on PATH for what runs in this process, as long as `body` runs. */
async function withStubs<T>(
  stubs: Stubs,
  body: () => Promise<T>,
  extra: Record<string, string> = {},
): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, { PATH: `${stubs.bin}:${process.env.PATH}`, ...stubs.env, ...extra });
  try {
    return await body();
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

const scratch = () => mkdtempSync(join(tmpdir(), "rollback-test-"));
const awsCalls = (stubs: Stubs): Call[] => stubs.calls().filter((c) => c.args[0] !== "--version");

describe("rolling back through the release step", () => {
  it("shows the step's output as it comes, not when it ends", async () => {
    const stubs = makeStubs(scratch(), cli(2_000), { [IMAGE_PARAMETER]: C });
    const shown: Array<{ text: string; at: number }> = [];
    const { ctx } = recorder(production, {
      line: () => undefined,
      progress: (text) => shown.push({ text, at: Date.now() }),
    })(recording(C, [A, B, C]));
    expect(await withStubs(stubs, () => rollback(ctx))).toBe(B);
    const ended = Date.now();
    const deploying = shown.find((s) => s.text.startsWith(`Deploying ${NEW_REVISION}`));
    expect(deploying).toBeDefined();
    // Shown before the two-second deploy wait, not with everything at the end.
    expect(ended - deploying!.at).toBeGreaterThanOrEqual(1_500);
  }, 60_000);

  it("runs in a folder of its own each time, removed afterwards, in the environment's region whatever the shell says", async () => {
    const folders: string[] = [];
    for (let run = 0; run < 2; run++) {
      const stubs = makeStubs(scratch(), cli(), { [IMAGE_PARAMETER]: C });
      const { ctx } = recorder(production)(recording(C, [A, B, C]));
      await withStubs(stubs, () => rollback(ctx), {
        AWS_REGION: "eu-central-1",
        AWS_DEFAULT_REGION: "eu-west-1",
      });
      const calls = awsCalls(stubs);
      expect(new Set(calls.map((c) => c.cwd)).size).toBe(1);
      expect(calls.map((c) => [c.region, c.defaultRegion])).toEqual(
        calls.map(() => ["us-west-2", "us-west-2"]),
      );
      folders.push(calls[0].cwd);
    }
    expect(folders[0]).not.toBe(folders[1]);
    for (const folder of folders) {
      expect(folder).not.toBe(join(ROOT, ".local", "rollback"));
      expect(existsSync(folder)).toBe(false);
    }
  }, 60_000);

  it("is refused while a pipeline release holds the environment's release lock, changing nothing", async () => {
    const held = JSON.stringify({
      holder: "the pipeline release step (build myamazingapp-production-release:42)",
      image: `${REPO}:d4`,
      since: "2026-11-27T07:00:00Z",
      until: Math.floor(Date.now() / 1000) + 3_600,
    });
    const stubs = makeStubs(scratch(), cli(), { [IMAGE_PARAMETER]: C, [LOCK]: held });
    const { ctx } = recorder(production)(recording(C, [A, B, C]));
    await expect(withStubs(stubs, () => rollback(ctx))).rejects.toThrow(
      "Another release or rollback of this environment is running: the pipeline release step (build myamazingapp-production-release:42)",
    );
    expect(awsCalls(stubs).filter((c) => c.args[0] === "ecs")).toEqual([]);
    expect(stubs.ssm()[LOCK]).toBe(held);
  }, 60_000);

  it("on Ctrl-C lets the step stop cleanly: the lock is given back, ECS's rollout left alone, exit 130", async () => {
    const dir = scratch();
    const rollingOut: Rule = {
      match: "ecs describe-services",
      responses: [
        {
          stdout: {
            services: [
              { desiredCount: 2, taskDefinition: service.taskDefinition, deployments: service.deployments },
            ],
          },
        },
        {
          stdout: {
            services: [
              {
                desiredCount: 2,
                taskDefinition: NEW_REVISION,
                deployments: [{ id: DEPLOYMENT, status: "PRIMARY", rolloutState: "IN_PROGRESS" }],
              },
            ],
          },
        },
      ],
    };
    const stubs = makeStubs(dir, cli(30_000, rollingOut), { [IMAGE_PARAMETER]: C });
    const answers = join(dir, "recording.json");
    writeFileSync(answers, JSON.stringify(recording(C, [A, B, C])));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(__dirname, "rollback-driver.ts"), answers],
      {
        cwd: ROOT,
        env: { ...process.env, PATH: `${stubs.bin}:${process.env.PATH}`, ...stubs.env },
        detached: true, // a process group of its own, as a terminal starts a command
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const waiting = () => stubs.calls().some((c) => c.args.join(" ").startsWith("ecs wait services-stable"));
    for (let i = 0; i < 400 && !waiting(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(waiting()).toBe(true);
    process.kill(-child.pid!, "SIGINT"); // what the terminal does on Ctrl-C
    expect(await exited).toBe(130);
    expect(output).toContain(`Deployment ${DEPLOYMENT} is still rolling out ${NEW_REVISION}`);
    expect(output).toContain("ops: rollback interrupted");
    expect(stubs.ssm()[LOCK]).toBeUndefined();
    expect(stubs.ssm()[IMAGE_PARAMETER]).toBe(C);
    expect(awsCalls(stubs).filter((c) => c.args[1] === "deregister-task-definition")).toEqual([]);
  }, 90_000);
});
