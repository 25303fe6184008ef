/**
 * The operator's command line: `npm run ops -- <verb> <environment> [...]`. One short command for each thing an
 * operator does to a running environment, in the spirit of `kamal app exec` and `copilot svc logs`.
 */
import { readFileSync } from "node:fs";
import { environmentNamed } from "./lib/environments";
import { openConsole } from "./ops/console";
import type { EnvironmentConfig } from "../config/environment";
import { clientConfigFor } from "./lib/aws";
import { consoleOutput, OPS_TOOL, OpsContext, OpsError } from "./ops/context";
import { parseSince, showLogs } from "./ops/logs";
import { MOVE_SECRETS_GONE, moveDatabase, moveImage, requireBothAccounts } from "./ops/move";
import { rollback } from "./ops/rollback";
import { runOneOff } from "./ops/run";
import { checkSecretName, restart, setSecret, showSecrets } from "./ops/secrets";
import { status } from "./ops/status";

export const HELP = `usage: npm run ops -- <verb> <environment> [options]

  status                         service health, running and desired tasks, deployments in progress,
                                 the released image and when, the weekly task's last run and exit code
  console                        a Rails console on a running task (ECS Exec)
  run -- <command...>            a one-off task of the current task definition in the private subnets:
                                 waits, prints its log, exits with the task's exit code
  rake <task> [args...]          the same for bundle exec rake <task>
  logs [--weekly] [--since 1h] [--follow]
                                 the web service's log lines, or the weekly task's runs only
  rollback [--to <image>]        back to the image released before the current one, or to <image>,
                                 through the release step, without running the migrations again
  secrets                        the secrets the app reads, and which have no value yet
  secrets set <NAME>             store a secret's value, read from standard input
  restart [--no-wait]            replace every web task (after changing a secret)

Moving to another environment (docs/moving.md):
  move-database --to <target> [--to-profile <profile>]
                                 snapshot the database and copy it into the target's region
  move-image --to <target> [--to-profile <profile>]
                                 the released image by digest, and how to release it in the target
  (secrets are set in the target with secrets set: no operator may read a value)

Credentials: the default AWS credential chain (AWS_PROFILE, aws sso login), or --profile <profile>; local uses
the emulator. Every verb first checks that they are of the environment's account. A move to another account
takes the target's credentials from --to-profile.`;

const VERBS = [
  "status",
  "console",
  "run",
  "rake",
  "logs",
  "rollback",
  "secrets",
  "restart",
  "move-database",
  "move-image",
];

/** A context for an environment, with a named profile's credentials or the default chain's. */
export type ContextFor = (env: EnvironmentConfig, profile?: string) => OpsContext;

const defaultContext: ContextFor = (env, profile) =>
  new OpsContext(env, consoleOutput, clientConfigFor(env, { profile, tool: OPS_TOOL }));

/** The value after a flag, or an error naming the flag. */
function flagValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith("--")) throw new OpsError(`${flag} needs a value`);
  return value;
}

/** Where `secrets set` reads its value: standard input (the tests give their own). */
export interface StandardInput {
  /** True when it is a terminal: what is typed there would show on the screen. */
  readonly isTerminal: boolean;
  /** All of it, as bytes. */
  read(): Buffer;
}

const processStdin: StandardInput = {
  get isTerminal() {
    return process.stdin.isTTY === true;
  },
  read: () => readFileSync(0),
};

/** Takes a flag and its value out of the options (never out of a command after `--`). */
function takeFlag(args: string[], flag: string): { value?: string; rest: string[] } {
  const end = args.includes("--") ? args.indexOf("--") : args.length;
  const value = flagValue(args.slice(0, end), flag);
  if (value === undefined) return { rest: args };
  const i = args.indexOf(flag);
  return { value, rest: [...args.slice(0, i), ...args.slice(i + 2)] };
}

/** Runs one command line; returns the process exit code. */
export async function ops(
  argv: string[],
  ctxFor: ContextFor = defaultContext,
  stdin: StandardInput = processStdin,
): Promise<number> {
  const [verb, name, ...options] = argv;
  if (!verb || verb === "help" || verb === "--help" || verb === "-h") {
    console.log(HELP);
    return verb ? 0 : 2;
  }
  if (verb === "move-secrets") throw new OpsError(MOVE_SECRETS_GONE, 2);
  if (!VERBS.includes(verb))
    throw new OpsError(`unknown verb "${verb}"; verbs: ${VERBS.join(", ")}\n\n${HELP}`, 2);
  let env;
  try {
    env = environmentNamed(name);
  } catch (error) {
    throw new OpsError((error as Error).message, 2);
  }
  const { value: profile, rest: afterProfile } = takeFlag(options, "--profile");
  const { value: toProfile, rest } = takeFlag(afterProfile, "--to-profile");
  const ctx = ctxFor(env, profile);
  switch (verb) {
    case "status":
      await status(ctx);
      return 0;
    case "console":
      return openConsole(ctx);
    case "run": {
      const command = rest[0] === "--" ? rest.slice(1) : rest;
      return (await runOneOff(ctx, command)).exitCode;
    }
    case "rake": {
      if (!rest[0]) throw new OpsError("rake: name the task, e.g. rake stats:users", 2);
      return (await runOneOff(ctx, ["bundle", "exec", "rake", ...rest])).exitCode;
    }
    case "logs": {
      const since = flagValue(rest, "--since");
      await showLogs(ctx, {
        weekly: rest.includes("--weekly"),
        follow: rest.includes("--follow"),
        sinceMs: since === undefined ? undefined : parseSince(since),
      });
      return 0;
    }
    case "rollback":
      await rollback(ctx, flagValue(rest, "--to"));
      return 0;
    case "secrets": {
      if (rest[0] === "set") {
        // The name first: a typo must not wait for, or swallow, a value.
        const variable = checkSecretName(env, rest[1]);
        if (stdin.isTerminal) {
          throw new OpsError(
            `secrets set reads the value from standard input, and a terminal would show it as typed: ` +
              `npm run ops -- secrets ${env.name} set ${variable} < file-with-the-value (or pipe it in)`,
            2,
          );
        }
        await setSecret(ctx, variable, stdin.read());
        return 0;
      }
      const statuses = await showSecrets(ctx);
      return statuses.some((s) => !s.hasValue) ? 3 : 0;
    }
    case "restart":
      await restart(ctx, !rest.includes("--no-wait"));
      return 0;
    case "move-database":
    case "move-image": {
      const target = flagValue(rest, "--to");
      if (!target) throw new OpsError(`${verb}: name the target environment with --to <environment>`, 2);
      if (target === env.name) throw new OpsError(`${verb}: the target must be another environment`, 2);
      const targetEnv = environmentNamed(target);
      // One credential chain acts in one account: a target in another account needs its own (an emulated one's
      // keys name its account).
      if (targetEnv.account !== env.account && toProfile === undefined && !targetEnv.emulator) {
        throw new OpsError(
          `${verb}: ${target} is in account ${targetEnv.account}, ${env.name} in ${env.account}: name the target account's credentials with --to-profile <profile>`,
          2,
        );
      }
      const to = ctxFor(targetEnv, toProfile ?? profile);
      await requireBothAccounts(ctx, to);
      if (verb === "move-database") await moveDatabase(ctx, to);
      else await moveImage(ctx, to);
      return 0;
    }
  }
  return 2;
}

if (require.main === module) {
  ops(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: Error) => {
      console.error(`ops: ${error.message}`);
      process.exit(error instanceof OpsError ? error.exitCode : 1);
    });
}
