/**
 * `npm run deploy:local` / `npm run destroy:local`: the whole MyAmazingApp stack on a local AWS emulator.
 *
 *   deploy   start moto if none answers, create the state bucket, synth, init, plan, apply, converge, outputs
 *   destroy  destroy everything the deploy created, then stop the emulator if this project started it
 *            (`--keep-emulator` leaves it running, for inspection)
 *
 * LOCAL_AWS_PORT moves the emulator (default: the port in environments/local.json); TF_PROVIDER_MIRROR points
 * Terraform at a provider mirror.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironment } from "../../config/load";
import { DeregisterTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { Naming } from "../../constructs/naming";
import { APPLICATION, operatorNames } from "../../stacks/names";
import { bootstrap } from "../bootstrap";
import { emulatorClientConfig } from "../lib/aws";
import { ownedEmulatorPid, resetEmulator, startEmulator, stopEmulator } from "../lib/emulator";
import { PROJECT_ROOT, requireTerraform, runTerraform } from "../lib/terraform";
import { plannedChanges, type PlanJson } from "./plan-check";
import {
  beginSession,
  DeployError,
  interruptSession,
  fail,
  info,
  LOCAL_DIR,
  LOCAL_ENVIRONMENT_FILE,
  localEmulatorPort,
  PARALLELISM,
  runningTerraformPid,
  sessionInterrupted,
  STACK,
  started,
  stage,
  staleMarkers,
  terraform,
  tfEnv,
  WORK_DIR,
} from "./session";
import { identify, isAlive } from "../lib/process";
import {
  markerFile,
  readMarker,
  releaseRunLock,
  runLockMessage,
  tryAcquireRunLock,
  writeMarker,
} from "./state-lock";

export { DeployError, localEmulatorPort, localTerraformEnv } from "./session";

function synthLocalStack(port: number): void {
  const outdir = path.join(LOCAL_DIR, "synth");
  try {
    execFileSync(process.execPath, [path.join(PROJECT_ROOT, "scripts", "synth.js")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOCAL_AWS_PORT: String(port), CDKTF_OUTDIR: outdir },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    throw new DeployError(`synth failed:\n${String((err as { stderr?: Buffer }).stderr ?? err)}`);
  }
  const json = path.join(outdir, "stacks", STACK, "cdk.tf.json");
  if (!fs.existsSync(json))
    throw new DeployError(`synth wrote no stack ${STACK}: is ${LOCAL_ENVIRONMENT_FILE} there?`);
  fs.mkdirSync(WORK_DIR, { recursive: true });
  fs.copyFileSync(json, path.join(WORK_DIR, "cdk.tf.json"));
}

/** A fresh plan: its exit code (0 nothing to do, 2 changes) and, when it changes something, what. */
async function freshPlan(): Promise<{ code: number; plan?: PlanJson }> {
  const plan = await terraform([
    "plan",
    "-input=false",
    "-no-color",
    PARALLELISM,
    "-detailed-exitcode",
    "-out=tfplan",
  ]);
  if (plan.code === 1) fail("terraform plan", plan);
  if (plan.code === 0) return { code: 0 };
  const show = await runTerraform(["show", "-json", "tfplan"], { cwd: WORK_DIR, env: tfEnv() });
  if (show.code !== 0) fail("terraform show", show);
  return { code: plan.code, plan: JSON.parse(show.stdout) as PlanJson };
}

async function init(): Promise<void> {
  // -reconfigure: the backend endpoint follows LOCAL_AWS_PORT, and the state lives in that emulator.
  const result = await terraform(["init", "-input=false", "-no-color", "-reconfigure"]);
  if (result.code !== 0) fail("terraform init", result);
}

async function deploy(): Promise<void> {
  const total = 7;
  stage(1, total, "Checking Terraform");
  info(`Terraform ${requireTerraform(tfEnv())}`);

  stage(2, total, "Local AWS emulator");
  const port = localEmulatorPort();
  const emu = await startEmulator(port, { projectRoot: PROJECT_ROOT });
  info(
    emu.started
      ? `Started moto on 127.0.0.1:${port} (pid ${emu.pid}; log .local/moto.log); destroy:local stops it`
      : `Using the emulator already answering on 127.0.0.1:${port}`,
  );

  stage(3, total, "State bucket");
  await recoverFromKilledDeploy(port);
  // The same bootstrap a real account gets: the state bucket of the environment's account and region.
  const { bucket, steps } = await bootstrap(loadEnvironment(LOCAL_ENVIRONMENT_FILE));
  const made = steps.filter((s) => s.action !== "unchanged").length;
  info(
    `s3://${bucket} bootstrapped (${made === 0 ? "no changes" : `${made} change(s)`}); locking with use_lockfile`,
  );

  stage(4, total, "Synthesizing");
  synthLocalStack(port);
  info(`${STACK} -> .local/work/${STACK}/cdk.tf.json`);

  stage(5, total, "terraform init");
  await init();

  // Apply plans and applies in one pass (one refresh of every resource instead of two); its summary says
  // whether anything changed, and only then is a fresh plan needed to prove convergence.
  stage(6, total, "Apply");
  const result = await terraform(["apply", "-auto-approve", "-input=false", "-no-color", PARALLELISM], {
    progress: true,
  });
  if (result.code !== 0) fail("terraform apply", result);
  if (/Resources: 0 added, 0 changed, 0 destroyed/.test(result.stdout)) {
    info("No changes: the local deployment already matches the code.");
  } else {
    await converge();
  }

  stage(7, total, "Outputs");
  await printOutputs();
  console.log(`\nLocal deployment ready in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

/**
 * A deploy killed hard (SIGKILL, OOM, lost machine) may have created resources Terraform never recorded:
 * Terraform saves state every 20 s and on a clean stop, not after each resource. An interrupted one may too: a
 * second Ctrl-C makes Terraform exit at once, and a create in flight when it stops can be lost. On AWS one would
 * import them; the local emulator is disposable, so when this project started it, it is emptied and the deploy
 * starts over, which converges to the same result.
 */
async function recoverFromKilledDeploy(port: number): Promise<void> {
  const killed = staleMarkers();
  if (killed.length === 0) return;
  const pids = killed.map((f) => readMarker(f)?.deployPid).join(", ");
  info(
    `A previous deploy (pid ${pids}) was interrupted or killed while it ran; its state may miss resources it created.`,
  );
  if (ownedEmulatorPid({ projectRoot: PROJECT_ROOT }) === undefined) {
    throw new DeployError(
      `The emulator on port ${port} was not started by this project, so it is not reset automatically. ` +
        "Restart it (or run npm run destroy:local if this project started it), then deploy again.",
    );
  }
  await resetEmulator(port);
  for (const f of killed) fs.rmSync(f, { force: true });
  info("Emptied the emulator this project started; deploying from scratch.");
}

/** After an apply, a fresh plan must be empty: the deployment is what the code says, and a second deploy changes nothing. */
async function converge(): Promise<void> {
  const { code, plan } = await freshPlan();
  if (code !== 0) {
    throw new DeployError(
      `The deployment did not converge; a new plan still changes:\n  ${plannedChanges(plan ?? {}).join("\n  ")}`,
    );
  }
  info("Converged: a fresh plan changes nothing.");
}

async function printOutputs(): Promise<void> {
  const out = await runTerraform(["output", "-json"], { cwd: WORK_DIR, env: tfEnv() });
  if (out.code !== 0) fail("terraform output", out);
  const values = JSON.parse(out.stdout) as Record<string, { value: unknown }>;
  const show: Array<[string, string]> = [
    ["URL", "url"],
    ["Load balancer", "load_balancer_dns"],
    ["Uploads bucket", "uploads_bucket"],
    ["ECR repository", "ecr_repository_url"],
    ["ECS cluster", "cluster_name"],
    ["ECS service", "service_name"],
    ["Stats schedule", "stats_schedule"],
    ["Database endpoint", "database_endpoint"],
    ["Alarm topic", "alarm_topic_arn"],
  ];
  for (const [label, key] of show) info(`${label.padEnd(18)} ${String(values[key]?.value ?? "-")}`);
}

/**
 * Terraform destroys the task definition revision it registered; those the release step registered (a release,
 * a rollback) are not in its state. They are deregistered here so nothing of the app is left behind.
 */
async function deregisterReleasedRevisions(port: number): Promise<number> {
  const env = loadEnvironment(LOCAL_ENVIRONMENT_FILE);
  const ecs = new ECSClient(emulatorClientConfig(port, env.region, PROJECT_ROOT, env.account));
  const family = operatorNames(new Naming(APPLICATION, env.name)).taskFamily;
  const { taskDefinitionArns } = await ecs.send(new ListTaskDefinitionsCommand({ status: "ACTIVE" }));
  const ours = (taskDefinitionArns ?? []).filter((arn) => arn.includes(`:task-definition/${family}:`));
  for (const arn of ours) await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
  return ours.length;
}

async function destroy(keepEmulator: boolean): Promise<void> {
  const total = 3;
  stage(1, total, "Local AWS emulator");
  const port = localEmulatorPort();
  if (!fs.existsSync(path.join(WORK_DIR, "cdk.tf.json"))) {
    info("Nothing was deployed from this checkout.");
  } else {
    const emu = await startEmulator(port, { projectRoot: PROJECT_ROOT });
    info(emu.started ? `Started moto on 127.0.0.1:${port}` : `Using the emulator on 127.0.0.1:${port}`);
    stage(2, total, "terraform destroy");
    synthLocalStack(port);
    await init();
    // No refresh first: reading every resource back finds nothing the state does not already hold in a
    // disposable emulator (a resource a killed deploy left unrecorded is in no state either way), and cost most
    // of a local destroy. The delete calls themselves treat an already deleted resource as gone.
    const result = await terraform(
      ["destroy", "-auto-approve", "-input=false", "-no-color", "-refresh=false", PARALLELISM],
      { progress: true },
    );
    if (result.code !== 0) fail("terraform destroy", result);
    const withdrawn = await deregisterReleasedRevisions(port);
    if (withdrawn > 0)
      info(`Deregistered ${withdrawn} task definition revision(s) the releases had registered.`);
  }
  stage(3, total, "Stopping the emulator");
  if (keepEmulator) {
    info("Left running (--keep-emulator).");
    return;
  }
  info(
    (await stopEmulator({ projectRoot: PROJECT_ROOT }))
      ? "Stopped the emulator this project started."
      : "No emulator of ours was running.",
  );
}

async function main(command: string | undefined, flags: string[]): Promise<void> {
  if ((command !== "deploy" && command !== "destroy") || flags.some((f) => f !== "--keep-emulator")) {
    throw new DeployError("usage: deploy.ts deploy | destroy [--keep-emulator]");
  }
  fs.mkdirSync(LOCAL_DIR, { recursive: true });
  const runLock = path.join(LOCAL_DIR, `${STACK}.run.lock`);
  const holder = tryAcquireRunLock(runLock);
  if (holder !== undefined)
    throw new DeployError(runLockMessage(path.relative(PROJECT_ROOT, runLock), holder));
  const marker = markerFile(LOCAL_DIR, STACK, process.pid);
  beginSession(marker, runLock);
  const self = identify();
  writeMarker(marker, { deployPid: self.pid, deployStart: self.start, startedAt: new Date().toISOString() });
  // Ctrl-C: the terminal sends SIGINT to the whole process group, Terraform included, and one interrupt lets it
  // stop cleanly (it saves state and releases its lock); a second would make it exit at once, without saving.
  // So a SIGINT is not passed on. A SIGTERM is sent to this process alone: Terraform gets one SIGINT from here.
  // Either way no further Terraform command starts, and the marker stays, so the next deploy recovers as from a
  // killed one: an interrupted apply may have created what its state does not hold.
  process.on("SIGINT", () => {
    interruptSession("SIGINT");
    console.error("\nSIGINT: Terraform is stopping; the next deploy recovers from this run.");
  });
  process.on("SIGTERM", () => {
    const first = sessionInterrupted() === undefined;
    interruptSession("SIGTERM");
    const pid = runningTerraformPid();
    if (first && pid && isAlive(pid)) process.kill(pid, "SIGINT");
    console.error("\nSIGTERM: stopping Terraform; the next deploy recovers from this run.");
  });
  try {
    await (command === "deploy" ? deploy() : destroy(flags.includes("--keep-emulator")));
  } finally {
    const interrupted = sessionInterrupted();
    if (interrupted) {
      const m = readMarker(marker);
      if (m) writeMarker(marker, { ...m, interrupted: true });
    } else {
      fs.rmSync(marker, { force: true });
    }
    releaseRunLock(runLock);
  }
}

if (require.main === module) {
  main(process.argv[2], process.argv.slice(3)).catch((err: Error) => {
    console.error(`\n${err instanceof DeployError ? err.message : (err.stack ?? err.message)}`);
    process.exit(1);
  });
}
