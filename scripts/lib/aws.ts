/**
 * AWS SDK client settings for an environment: its region and the default credential chain (or a named profile)
 * in AWS, or the local emulator (its endpoint, its own certificate, its documented test credentials) for an
 * environment with an `emulator` section. The operator's command line, the bootstrap and the end-to-end test
 * share them, and the one check that credentials belong to the environment's account.
 */
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { EnvironmentConfig } from "../../config/environment";
import { applyLocalOverrides, endpointPort } from "../../config/local";
import { emulatorAccessKey } from "../../constructs/aws-provider";
import { emulatorCertificate } from "./emulator-certificate";
import { PROJECT_ROOT } from "./terraform";

// On Node 20 the SDK prints, at the first client of every run, that its releases after January 2027 need Node 22.
// The README says which Node versions the project supports; an operator's output is for the operator. This is
// the SDK's documented switch (aws/aws-sdk-js-v3#7983), set before any client exists; a value given is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export interface AwsClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A profile of the shared AWS config files (`aws configure`, `aws sso login`), instead of the default chain. */
  readonly profile?: string;
  /** Added to every request's User-Agent as `app/<id>`: CloudTrail (and the emulator's recorder) see which tool called. */
  readonly userAgentAppId?: string;
  readonly forcePathStyle?: boolean;
  readonly maxAttempts?: number;
  readonly requestHandler?: NodeHttpHandler;
}

/** The emulator's own account: what it acts in for any other access key. */
export const EMULATOR_ACCOUNT = "123456789012";

/** Client settings for the emulator on a port of this machine, acting in `account`. */
export function emulatorClientConfig(
  port: number,
  region: string,
  projectRoot = PROJECT_ROOT,
  account = EMULATOR_ACCOUNT,
): AwsClientConfig {
  return {
    region,
    endpoint: `https://127.0.0.1:${port}`,
    // The emulator acts in the account its access key names (scripts/emulator/moto_server.py).
    credentials: { accessKeyId: emulatorAccessKey(account), secretAccessKey: "test" },
    forcePathStyle: true,
    maxAttempts: 3, // a lost answer is asked for again, and replayed (scripts/emulator/moto_server.py, 12)
    requestHandler: new NodeHttpHandler({
      httpsAgent: new Agent({ ca: readFileSync(emulatorCertificate(projectRoot).cert) }),
    }),
  };
}

export interface ClientOptions {
  /** Where LOCAL_AWS_PORT is read. @default process.env */
  readonly vars?: NodeJS.ProcessEnv;
  /** A profile of the shared AWS config files; with the emulator too (its keys name the account). @default none */
  readonly profile?: string;
  /** The tool that calls, for the User-Agent (`myamazingapp-ops`). @default none */
  readonly tool?: string;
}

/**
 * Client settings for an environment: the emulator's, or the region's with the default credentials; `profile`
 * replaces the credentials with a named profile's, so one command can act in two accounts (a move).
 */
export function clientConfigFor(env: EnvironmentConfig, options: ClientOptions = {}): AwsClientConfig {
  const { emulator } = applyLocalOverrides(env, options.vars ?? process.env); // LOCAL_AWS_PORT moves the emulator
  const base: AwsClientConfig = emulator
    ? emulatorClientConfig(endpointPort(emulator.endpoint), env.region, PROJECT_ROOT, env.account)
    : { region: env.region };
  const { credentials, ...rest } = base;
  return {
    ...rest,
    ...(options.profile ? { profile: options.profile } : credentials ? { credentials } : {}),
    ...(options.tool ? { userAgentAppId: options.tool } : {}),
  };
}

export interface Caller {
  readonly account: string;
  readonly arn: string;
}

/** Who the credentials of `config` are (sts:GetCallerIdentity, which no policy can refuse). */
export async function callerIdentity(config: AwsClientConfig): Promise<Caller> {
  const { Account, Arn } = await new STSClient(config).send(new GetCallerIdentityCommand({}));
  return { account: Account ?? "", arn: Arn ?? "" };
}

/** Thrown for credentials that are missing, or of another account than the environment's. */
export class WrongAccountError extends Error {}

/**
 * Refuses credentials of another account than `env`'s, or none at all, naming both accounts; returns the caller.
 * Every tool calls it before anything else, so the wrong profile is never read as "not deployed".
 */
export async function requireAccount(
  config: AwsClientConfig,
  env: Pick<EnvironmentConfig, "name" | "account">,
): Promise<Caller> {
  let caller: Caller;
  try {
    caller = await callerIdentity(config);
  } catch (error) {
    const from = config.profile ? ` in profile ${config.profile}` : "";
    throw new WrongAccountError(
      `no AWS credentials${from} for ${env.name} (account ${env.account}): sign in first, e.g. aws sso login (${(error as Error).message})`,
    );
  }
  if (caller.account !== env.account) {
    throw new WrongAccountError(
      `the credentials${config.profile ? ` of profile ${config.profile}` : ""} are for account ${caller.account} (${caller.arn}), but ${env.name} is in account ${env.account}: sign in to account ${env.account}`,
    );
  }
  return caller;
}
