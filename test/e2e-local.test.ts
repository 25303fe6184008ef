/**
 * End to end: the README's main job deploys the whole stack to the local emulator; the SDK then checks,
 * against the emulator (not the synthesized JSON), that what was deployed meets the mission; a browser-style
 * presigned multipart upload round-trips, and a real browser uploads through the bucket's CORS rule; a fresh
 * plan is empty; destroy leaves nothing behind. Fault cases (a killed deploy, two deploys at once, a taken
 * port, no moto) run around it.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { probeEmulator, stopEmulator } from "../scripts/lib/emulator";
import { environmentNamed, environmentNames } from "../scripts/lib/environments";
import { requireTerraform, runTerraform } from "../scripts/lib/terraform";
import { localEmulatorPort, localTerraformEnv } from "../scripts/local/deploy";
import { loadEnvironment } from "../config/load";
import { Naming } from "../constructs/naming";
import { LOCAL_ENVIRONMENT_FILE } from "../scripts/local/session";
import { APPLICATION } from "../stacks/names";
import { CHECKED_THROUGH, leftovers, LEFTOVER_CHECKS, stackOf, uncheckedTypes } from "./e2e/leftovers";
import { verifyDeployment, presignedMultipartRoundTrip } from "./e2e/verify";
import { browserUploads } from "./e2e/browser-upload";
import { uploadsRemovedOnTime } from "./e2e/upload-removal";
import { verifyLogArchive, verifyMonitoring } from "./e2e/operations";
import {
  beforeFirstRelease,
  oneOffAndLogs,
  releaseAndRollBack,
  secretsBeforeRelease,
  wrongAccountRefused,
} from "./e2e/day-two";
import { moveFromLocal } from "./e2e/move";
import { recordCalls } from "./e2e/calls";
import {
  ADMIN_CALLS,
  appliedState,
  CALLS,
  DEPLOY_CALLS,
  EVERY_FILE,
  judgeTerraform,
  judgeTools,
  type Judgement,
  PLAN_CALLS,
  startAfresh,
  TOOLS,
  writeSummary,
} from "./e2e/judge";
import { inAwsPolicies } from "./e2e/shadow";
import type { Block } from "../rules/stack-view";
import { clientConfig, ROOT, runLocal, STACK, startLocal, waitForOutput, WORK_DIR } from "./e2e/local-run";

const port = localEmulatorPort();
const localEnv = loadEnvironment(LOCAL_ENVIRONMENT_FILE);
const naming = new Naming(APPLICATION, localEnv.name);
const stack = stackOf(localEnv);
/** The second environment, another region and account, from its one file: environments/localwest.json. */
const westEnv = loadEnvironment(join(ROOT, "environments", "localwest.json"));
const west = stackOf(westEnv);
const westTypes = () =>
  Object.keys(
    JSON.parse(readFileSync(join(ROOT, ".local", "work", west.prefix, "cdk.tf.json"), "utf8"))
      .resource as object,
  ).sort();
/** Where the local stack keeps its state: the S3 backend's bucket and key in the configuration Terraform applied. */
const stateLocation = () =>
  (
    JSON.parse(readFileSync(join(WORK_DIR, "cdk.tf.json"), "utf8")) as {
      terraform: { backend: { s3: { bucket: string; key: string } } };
    }
  ).terraform.backend.s3;
/** Every resource type the deployed stack holds, from the configuration Terraform applied. */
const deployedTypes = () =>
  Object.keys(JSON.parse(readFileSync(join(WORK_DIR, "cdk.tf.json"), "utf8")).resource as object).sort();
const env = { LOCAL_AWS_PORT: String(port) };
/** The image repository of the local stack (the releases name images in it). */
const repository = () => `${localEnv.account}.dkr.ecr.${localEnv.region}.amazonaws.com/${naming.name("web")}`;
const MIN = 60_000;
/** Every environment file: the judge knows which account each environment's resources are in. */
const environments = environmentNames().map((name) => environmentNamed(name));
/** What the judge found, written to .local/e2e-calls-summary.json at the end. */
const judged: Record<string, Judgement> = {};
/** The local stack's applied state just before its destroy: the policies Terraform's calls are judged against. */
let localState: Block | undefined;
/** Runs `fn` with the emulator's calls recorded into `file`, then back into the run's own record. */
async function recordingInto<T>(file: string, fn: () => Promise<T>): Promise<T> {
  await recordCalls(port, file);
  try {
    return await fn();
  } finally {
    await recordCalls(port, CALLS);
  }
}
/** The second environment's deploy, started beside local's fresh deploy. */
let westDeploy: Promise<{ code: number; output: string }> | undefined;
/** Its destroy, started once its checks pass, beside local's next tests; its state and types just before. */
let westDestroy: Promise<{ code: number; output: string }> | undefined;
let westStateBeforeDestroy: Block | undefined;
let westTypesBeforeDestroy: string[] = [];
/** Seconds per phase of the core run (fresh deploy, verify, plan, destroy), for `npm run bench -- --e2e`. */
const timings: Record<string, number> = {};
async function timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    timings[phase] = (Date.now() - start) / 1000;
  }
}

afterAll(() => {
  writeFileSync(join(ROOT, ".local", "e2e-timings.json"), `${JSON.stringify(timings, null, 2)}\n`);
  writeSummary(judged);
});

beforeAll(async () => {
  requireTerraform(); // fails loudly, never skips, when Terraform is missing
  // Every call the emulator serves is recorded (scripts/emulator/moto_server.py, 14), from the first deploy's
  // emulator on (it inherits the variable), or from now on in one already running. The first deploy creates
  // what only an administrator may (docs/security.md): its calls are an administrator's.
  startAfresh();
  process.env.MOTO_CALL_LOG = ADMIN_CALLS;
  if ((await probeEmulator(port)) === "moto") await recordCalls(port, ADMIN_CALLS);
});

describe("faults before anything is deployed", () => {
  it(
    "refuses a port taken by something that is not the emulator, and writes nothing",
    async () => {
      const server: Server = createServer((socket) => socket.end("HTTP/1.1 200 OK\r\n\r\nnot moto"));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const taken = (server.address() as { port: number }).port;
      try {
        const result = await runLocal("deploy", { LOCAL_AWS_PORT: String(taken) });
        expect(result.code).not.toBe(0);
        expect(result.output).toMatch(new RegExp(`${taken}`));
        expect(result.output).toMatch(/LOCAL_AWS_PORT/);
        expect(result.output).not.toMatch(/\[3\/7\] State bucket/);
      } finally {
        server.close();
      }
    },
    MIN,
  );

  it(
    "says what to install when moto is missing",
    async () => {
      const path = (process.env.PATH ?? "")
        .split(":")
        .filter((dir) => !/pyenv|python/i.test(dir))
        .join(":");
      const free = await freePort();
      const result = await runLocal("deploy", {
        LOCAL_AWS_PORT: String(free),
        PATH: `${path}:/usr/bin:/bin`,
      });
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/pip install 'moto\[server\]'/);
    },
    MIN,
  );
});

describe("local deployment", () => {
  it(
    "a deploy killed halfway is picked up by the next deploy, which converges",
    async () => {
      // Killed once it has created a few resources, most likely before Terraform first saves its state (every
      // 20 s): the emulator holds resources the state does not.
      const first = startLocal("deploy", env);
      await waitForOutput(first, (out) => / 10 created /.test(out), 4 * MIN);
      process.kill(-first.child.pid!, "SIGKILL"); // the whole process group: node and terraform
      await first.done;

      // The emulator is emptied and the stack deployed from scratch: the fresh-deploy time. Once it is emptied,
      // the second environment deploys beside it (another account and region, its own state and lock): a new
      // environment, so both deploys are an administrator's, recorded together. Its checks follow below.
      const started = Date.now();
      const second = startLocal("deploy", env);
      await waitForOutput(second, (out) => /Emptied the emulator this project started/.test(out), 2 * MIN);
      const westStarted = Date.now();
      westDeploy = startLocal("deploy", { ...env, LOCAL_ENVIRONMENT: westEnv.name }).done.then((r) => {
        timings["second-deploy"] = (Date.now() - westStarted) / 1000;
        return r;
      });
      const deployed = await second.done;
      timings.deploy = (Date.now() - started) / 1000;
      const west = await westDeploy;
      timings["both-deploys"] = (Date.now() - started) / 1000;
      expect(deployed.output).toMatch(/Converged: a fresh plan changes nothing/);
      expect(deployed.code).toBe(0);
      expect(west.code).toBe(0);
      await recordCalls(port, CALLS);
    },
    10 * MIN,
  );

  it(
    "what is deployed meets the mission, read back from the emulator",
    async () => {
      await timed("verify", () => verifyDeployment(port));
    },
    2 * MIN,
  );

  it(
    "a line the app logs, and one of ECS Exec, reach the log archive on S3 as written, each under its own log group and date",
    async () => {
      await timed("archive", () => verifyLogArchive(port));
    },
    2 * MIN,
  );

  it(
    "the alarms, the site-down composite, the dashboard, the budget and the upload age audit are in place",
    async () => {
      await verifyMonitoring(port);
    },
    2 * MIN,
  );

  it(
    "a browser-style presigned multipart upload and presigned download round-trip intact",
    async () => {
      await timed("upload", () => presignedMultipartRoundTrip(port));
    },
    2 * MIN,
  );

  it(
    "a real browser at the app's origin uploads through the bucket's CORS rule: Active Storage's direct upload, multipart, downloads",
    async () => {
      await timed("browser", () => browserUploads(port));
    },
    3 * MIN,
  );

  it(
    "uploads are removed on time: the deployed sweep deletes the old ones, keeps the young, and the audit finds none",
    async () => {
      await timed("sweep", () => uploadsRemovedOnTime(port));
    },
    2 * MIN,
  );

  it(
    "a pull request's plan, plain Terraform from the synthesized cdk.tf.json alone in a fresh folder, reports no changes (no perpetual diffs, the take-over works), with the second environment deployed beside",
    async () => {
      // No node, no cdktf: Terraform, the JSON (its backend block included) and the provider, as a pull
      // request's plan runs (.github/workflows/pull-request.yml): a fresh checkout, without the state lock. It
      // runs once localwest's deploy is done, so it also shows the two environments share no name, state key or
      // record.
      expect(westDeploy).toBeDefined();
      expect((await westDeploy!).code).toBe(0);
      const dir = mkdtempSync(join(tmpdir(), "take-over-"));
      copyFileSync(join(WORK_DIR, "cdk.tf.json"), join(dir, "cdk.tf.json"));
      const terraformEnv = localTerraformEnv(() => undefined);
      const init = await runTerraform(["init", "-input=false", "-no-color"], { cwd: dir, env: terraformEnv });
      expect(init.stderr).toBe("");
      expect(init.code).toBe(0);
      const plan = await timed("plan", () =>
        recordingInto(PLAN_CALLS, () =>
          runTerraform(
            ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-parallelism=30", "-lock=false"],
            { cwd: dir, env: terraformEnv },
          ),
        ),
      );
      expect(plan.stderr).toBe("");
      expect(plan.stdout).toMatch(/No changes\. Your infrastructure matches the configuration\./);
      expect(plan.code).toBe(0);
    },
    3 * MIN,
  );

  it(
    "a second environment in another region and account deploys beside local, from its one file, and goes",
    async () => {
      const second = { ...env, LOCAL_ENVIRONMENT: westEnv.name };
      // A new environment, deployed (beside local's fresh deploy, above) and destroyed by an administrator.
      expect(westDeploy).toBeDefined();
      const deployed = await westDeploy!;
      expect(deployed.output).toMatch(/Converged: a fresh plan changes nothing/);
      expect(deployed.code).toBe(0);
      await recordCalls(port, ADMIN_CALLS);
      // It passes the same checks as local, in its own account and region...
      await verifyDeployment(port, join(ROOT, "environments", "localwest.json"));
      const westState = await appliedState(join(ROOT, ".local", "work", west.prefix));
      // ... every resource type of its stack is there...
      const types = westTypes();
      expect(uncheckedTypes(types)).toEqual([]);
      const found = new Set((await leftovers(port, west, types)).map((l) => l.split(":")[0]));
      const checked = [...new Set(types.map((t) => (t in LEFTOVER_CHECKS ? t : CHECKED_THROUGH[t])))].sort();
      expect(checked.filter((t) => !found.has(t))).toEqual([]);
      // (Local's plan, empty beside it, is the pull request's plan above.) Its destroy runs beside local's next
      // tests; it is checked before the moves, which reuse its names.
      westStateBeforeDestroy = westState;
      westTypesBeforeDestroy = types;
      westDestroy = timed("second-destroy", () => runLocal("destroy --keep-emulator", second));
      await recordCalls(port, CALLS);
    },
    10 * MIN,
  );

  it(
    "two deploys at once: exactly one is refused with a clear message, the other succeeds and changes nothing, and no lock is left behind",
    async () => {
      // Deploys of an existing environment, as CI makes them with the GitHub deploy role.
      await recordCalls(port, DEPLOY_CALLS);
      const results = await Promise.all([runLocal("deploy", env), runLocal("deploy", env)]);
      const refused = results.filter((r) => r.code !== 0);
      expect(refused).toHaveLength(1);
      expect(refused[0].output).toMatch(/The local state is locked: .*Another deploy or destroy is running/);
      expect(refused[0].output).toMatch(/Nothing was changed by this run/);
      const succeeded = results.filter((r) => r.code === 0);
      expect(succeeded).toHaveLength(1);
      expect(succeeded[0].output).toMatch(/No changes: the local deployment already matches the code/);
      expect(succeeded[0].output).toMatch(/Local deployment ready/);
      await recordCalls(port, CALLS);
      // Neither left a lock behind: the run lock, a deploy's marker, Terraform's lock file beside the state. (The
      // destroy below takes the same locks.)
      expect(existsSync(join(ROOT, ".local", `${STACK}.run.lock`))).toBe(false);
      expect(readdirSync(join(ROOT, ".local")).filter((f) => f.startsWith(`${STACK}.deploy.`))).toEqual([]);
      const { bucket, key } = stateLocation();
      const locks = await new S3Client(clientConfig(port)).send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: key }),
      );
      expect((locks.Contents ?? []).map((o) => o.Key)).toEqual([key]);
    },
    5 * MIN,
  );

  it(
    "day one: before the first release the service runs no task, and status says so",
    async () => {
      await beforeFirstRelease(port);
    },
    MIN,
  );

  it(
    "a release is refused while secrets have no value, naming each; the operator sets them",
    async () => {
      await secretsBeforeRelease(port, `${repository()}:v1`);
    },
    2 * MIN,
  );

  it(
    "the first release (the release step's script) starts minCount tasks; rollback walks the history back",
    async () => {
      const inAws = inAwsPolicies(localEnv, await appliedState(WORK_DIR)).policies;
      const releaseRole = inAws.role(naming.name("delivery-release"));
      expect(releaseRole).toBeDefined();
      await timed("release", () => releaseAndRollBack(port, repository(), releaseRole!));
    },
    3 * MIN,
  );

  it(
    "a one-off task returns its exit code; logs, the weekly runs, status and restart work",
    async () => {
      await oneOffAndLogs(port);
    },
    2 * MIN,
  );

  it(
    "every verb refuses credentials of another account before any call, naming both accounts",
    async () => {
      await wrongAccountRefused(port);
    },
    MIN,
  );

  it(
    "the second environment's destroy, run beside the tests above, leaves nothing, and Terraform's calls in its account, deploy and destroy, are all allowed to its administrator",
    async () => {
      expect(westDestroy).toBeDefined();
      const destroyed = await westDestroy!;
      expect(destroyed.output).toMatch(/Destroy complete!/);
      expect(destroyed.code).toBe(0);
      expect(await leftovers(port, west, westTypesBeforeDestroy)).toEqual([]);
      // Its calls went to whichever file the tests beside it recorded into: all of them are read.
      const terraform = judgeTerraform(
        westEnv,
        westStateBeforeDestroy!,
        environments,
        EVERY_FILE,
        "administrator",
      );
      judged["localwest: Terraform as an administrator"] = terraform;
      expect(terraform.verdicts.some((v) => /^Delete/.test(v.call.operation ?? ""))).toBe(true);
      expect(terraform.unjudged).toEqual([]);
      expect(terraform.refusals).toEqual([]);
    },
    6 * MIN,
  );

  it(
    "the runbook's moves (docs/moving.md), each side with its own account's credentials: the database restores in another account and region, the image by digest",
    async () => {
      await timed("move", () => moveFromLocal(port, repository()));
    },
    3 * MIN,
  );

  it(
    "every AWS call of the operator's tools, the bootstrap and the release step is one AWS would allow",
    async () => {
      const tools = judgeTools(localEnv, await appliedState(WORK_DIR), environments);
      judged["tools as their principals"] = tools;
      expect(tools.unjudged).toEqual([]);
      expect(tools.refusals).toEqual([]);
      // Each tool was heard: a judge that sees no call proves nothing.
      expect(TOOLS.filter((tool) => !tools.verdicts.some((v) => v.tool === tool))).toEqual([]);
    },
    2 * MIN,
  );

  it(
    "the destroy check covers every resource type the stack creates, and each check sees its resources",
    async () => {
      const types = deployedTypes();
      expect(uncheckedTypes(types)).toEqual([]);
      // While deployed, every check must find what it looks for: a check that finds nothing proves nothing.
      const found = new Set((await leftovers(port, stack, types)).map((l) => l.split(":")[0]));
      const checked = [...new Set(types.map((t) => (t in LEFTOVER_CHECKS ? t : CHECKED_THROUGH[t])))].sort();
      expect(checked.filter((t) => !found.has(t))).toEqual([]);
    },
    2 * MIN,
  );

  it(
    "destroy removes everything the deploy created",
    async () => {
      const types = deployedTypes();
      localState = await appliedState(WORK_DIR);
      // Destroying an environment is an administrator's.
      await recordCalls(port, ADMIN_CALLS);
      const result = await timed("destroy", () => runLocal("destroy --keep-emulator", env));
      expect(result.output).toMatch(/Destroy complete!/);
      expect(result.code).toBe(0);
      expect(await leftovers(port, stack, types)).toEqual([]);
      expect(await stopEmulator({ projectRoot: ROOT })).toBe(true);
    },
    6 * MIN,
  );

  it(
    "Terraform's own calls are allowed: a deploy of the existing environment to the GitHub deploy role, a pull request's plan to the plan role, the first deploy and the destroy to an administrator",
    () => {
      expect(localState).toBeDefined();
      const judge = (file: string, who: "deploy" | "plan" | "administrator") =>
        judgeTerraform(localEnv, localState!, environments, file, who);
      const deploy = (judged["local: Terraform as the deploy role"] = judge(DEPLOY_CALLS, "deploy"));
      const plan = (judged["local: terraform plan as the plan role"] = judge(PLAN_CALLS, "plan"));
      const admin = (judged["local: Terraform as an administrator"] = judge(ADMIN_CALLS, "administrator"));
      for (const j of [deploy, plan, admin]) expect(j.verdicts.length).toBeGreaterThan(0);
      expect({ deploy: deploy.unjudged, plan: plan.unjudged, admin: admin.unjudged }).toEqual({
        deploy: [],
        plan: [],
        admin: [],
      });
      expect({ deploy: deploy.refusals, plan: plan.refusals, admin: admin.refusals }).toEqual({
        deploy: [],
        plan: [],
        admin: [],
      });
    },
    2 * MIN,
  );
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}
