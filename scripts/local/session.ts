/**
 * The state of one local deploy or destroy run: where it works, how it reports progress, and how it runs
 * Terraform (recording its pid, and releasing a state lock only when the deploy that held it is dead).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { applyLocalOverrides, endpointPort } from "../../config/local";
import { loadEnvironment } from "../../config/load";
import { appStackName } from "../../stacks/names";
import { emulatorCertificate, emulatorProblemsSince, emulatorLogSize } from "../lib/emulator";
import { PROJECT_ROOT, runTerraform, terraformEnv, type TerraformResult } from "../lib/terraform";
import { identify } from "../lib/process";
import {
  lockHolder,
  lockIdFromError,
  markerIsStale,
  readMarker,
  recordRunLockChild,
  writeMarker,
} from "./state-lock";

/**
 * The environment the local mode deploys: `local`, or another emulator environment named by LOCAL_ENVIRONMENT
 * (environments/<name>.json; several deploy side by side into one emulator, each in its own account).
 */
export const LOCAL_ENVIRONMENT = process.env.LOCAL_ENVIRONMENT?.trim() || "local";
export const STACK = appStackName(LOCAL_ENVIRONMENT);
/** The environment file the local mode deploys. */
export const LOCAL_ENVIRONMENT_FILE = path.join(PROJECT_ROOT, "environments", `${LOCAL_ENVIRONMENT}.json`);
export const LOCAL_DIR = path.join(PROJECT_ROOT, ".local");
export const WORK_DIR = path.join(LOCAL_DIR, "work", STACK);
/** The emulator answers in milliseconds; more parallel calls shorten the provider's fixed waits overall. */
export const PARALLELISM = "-parallelism=30";

/** A failure the user can act on: printed without a stack trace. */
export class DeployError extends Error {}

/**
 * The port of the local environment's emulator: its endpoint in environments/local.json, or LOCAL_AWS_PORT,
 * the same way the synth computes the endpoint the stack talks to.
 */
export function localEmulatorPort(vars: NodeJS.ProcessEnv = process.env): number {
  return endpointPort(localEmulatorEndpoint(vars));
}

/** The local environment's emulator endpoint (`https://127.0.0.1:<port>`), LOCAL_AWS_PORT applied. */
export function localEmulatorEndpoint(vars: NodeJS.ProcessEnv = process.env): string {
  const local = applyLocalOverrides(loadEnvironment(LOCAL_ENVIRONMENT_FILE), vars);
  if (!local.emulator)
    throw new DeployError(`${LOCAL_ENVIRONMENT_FILE} has no emulator section to deploy to`);
  return local.emulator.endpoint;
}

/** When this run began (for the closing "ready in" line). */
export const started = Date.now();
let stageStarted = started;
export function stage(n: number, total: number, title: string): void {
  const now = Date.now();
  if (n > 1) console.log(`   done in ${((now - stageStarted) / 1000).toFixed(1)} s`);
  stageStarted = now;
  console.log(`\n[${n}/${total}] ${title}`);
}
export const info = (msg: string) => console.log(`   ${msg}`);

/**
 * Terraform's environment for the local stack: the project's CLI config, trust in the emulator's certificate, and
 * the emulator's address for every AWS service (AWS_ENDPOINT_URL; see constructs/aws-provider.ts). Variables that
 * would send a service elsewhere or make the SDK ignore that address (AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) are left out.
 */
export function localTerraformEnv(
  warn: (m: string) => void = (m) => info(`warning: ${m}`),
  vars: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env = { ...terraformEnv({ projectRoot: PROJECT_ROOT, warn, baseEnv: vars }) };
  for (const key of Object.keys(env)) {
    if (key.startsWith("AWS_ENDPOINT_URL_") || key === "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") delete env[key];
  }
  return {
    ...env,
    AWS_CA_BUNDLE: emulatorCertificate().cert,
    AWS_ENDPOINT_URL: localEmulatorEndpoint(vars),
  };
}
export const tfEnv = () => localTerraformEnv();
let current: { marker: string; runLock: string; pid?: number; interrupted?: string } | undefined;

/**
 * Records this process as a running deploy (its marker file, and the run lock it holds), so a later run can
 * tell it and its Terraform child from dead ones.
 */
export function beginSession(marker: string, runLock: string): void {
  current = { marker, runLock };
}

/** The pid of the Terraform child running now, if any (to stop it cleanly on Ctrl-C). */
export function runningTerraformPid(): number | undefined {
  return current?.pid;
}

/** Notes that the run was interrupted (by `signal`): no further Terraform command starts. */
export function interruptSession(signal: string): void {
  if (current) current.interrupted ??= signal;
}

/** The signal that interrupted this run, if one did. */
export function sessionInterrupted(): string | undefined {
  return current?.interrupted;
}

/** Runs Terraform in the work folder, recording its pid, releasing a lock left by a killed deploy once. */
export async function terraform(args: string[], opts: { progress?: boolean } = {}): Promise<TerraformResult> {
  const run = () => {
    if (current?.interrupted) {
      throw new DeployError(`${current.interrupted}: stopped before terraform ${args[0]}.`);
    }
    return runTerraform(args, {
      cwd: WORK_DIR,
      env: tfEnv(),
      onStart: (pid) => {
        if (!current) return;
        current.pid = pid;
        const child = identify(pid);
        const m = readMarker(current.marker);
        if (m) writeMarker(current.marker, { ...m, terraformPid: pid, terraformStart: child.start });
        recordRunLockChild(current.runLock, identify(), child);
      },
      onLine: opts.progress ? progressLine : undefined,
    });
  };
  let result = await run();
  const lockId = lockIdFromError(result.stderr + result.stdout);
  if (result.code !== 0 && lockId) {
    const stale = staleMarkers();
    if (stale.length === 0) {
      throw new DeployError(
        `The local state is locked: ${lockHolder(result.stderr)}. Another deploy or destroy is running; ` +
          `wait for it to finish, then run again. Nothing was changed by this run.`,
      );
    }
    info(`Releasing state lock ${lockId} left by a deploy that was killed (${stale.join(", ")})`);
    const unlock = await runTerraform(["force-unlock", "-force", lockId], { cwd: WORK_DIR, env: tfEnv() });
    if (unlock.code !== 0) throw new DeployError(`terraform force-unlock failed:\n${unlock.stderr}`);
    for (const f of stale) fs.rmSync(f, { force: true });
    result = await run();
  }
  return result;
}

/** Marker files of deploys in this checkout whose processes are all gone. */
export function staleMarkers(): string[] {
  if (!fs.existsSync(LOCAL_DIR)) return [];
  return fs
    .readdirSync(LOCAL_DIR)
    .filter((f) => f.startsWith(`${STACK}.deploy.`) && f.endsWith(".json"))
    .map((f) => path.join(LOCAL_DIR, f))
    .filter((f) => f !== current?.marker && markerIsStale(readMarker(f)));
}

let applied = 0;
function progressLine(line: string): void {
  const plain = line.replace(/\x1b\[[0-9;]*m/g, ""); // eslint-disable-line no-control-regex
  const done = /^(\S+): (Creation|Modifications|Destruction) complete after (\S+)/.exec(plain);
  if (done) {
    applied += 1;
    const verb = { Creation: "created", Modifications: "updated", Destruction: "destroyed" }[done[2]];
    info(`${String(applied).padStart(3)} ${verb} ${done[1]} (${done[3]})`);
  }
  if (/^(Apply|Destroy) complete!/.test(plain)) info(plain);
}

/** Where the emulator's log stood when this run began. */
const emulatorLogAtStart = emulatorLogSize();

export function fail(what: string, result: TerraformResult): never {
  const problems = emulatorProblemsSince(emulatorLogAtStart);
  const emulator = problems.length
    ? `\n\nThe emulator logged during this run (.local/moto.log):\n  ${problems.slice(-10).join("\n  ")}`
    : "";
  throw new DeployError(`${what} failed:\n${(result.stderr || result.stdout).trim()}${emulator}`);
}
