/**
 * What every verb of the operator's command line starts from: the environment's settings, its names, AWS
 * clients for it (or for the emulator), and the way to report progress. A verb reads what it needs from AWS
 * (the service's network, the task definition's log group and secrets) rather than guessing it.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  type Service,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { EnvironmentConfig } from "../../config/environment";
import { Naming } from "../../constructs/naming";
import { APPLICATION, operatorNames } from "../../stacks/names";
import { type AwsClientConfig, type Caller, clientConfigFor, requireAccount } from "../lib/aws";
import { emulatorCertificate } from "../lib/emulator-certificate";

/** The command line's name in the User-Agent of its calls (CloudTrail, the emulator's recorder). */
export const OPS_TOOL = "myamazingapp-ops";

/** A failure the operator can act on: printed as one message, exit code 1 (or the given one). */
export class OpsError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface Output {
  /** A result line (stdout). */
  line(text: string): void;
  /** Progress on a long wait (stderr, so results stay clean). */
  progress(text: string): void;
}

export const consoleOutput: Output = {
  line: (text) => process.stdout.write(`${text}\n`),
  progress: (text) => process.stderr.write(`... ${text}\n`),
};

/** The SDK found no credentials (nothing signed in, no profile, an SSO session never started). */
const NO_CREDENTIALS = ["CredentialsProviderError", "TokenProviderError"];
/** AWS's names for a session that was valid and has run out. */
const EXPIRED_CREDENTIALS = ["ExpiredToken", "ExpiredTokenException"];
/** AWS's names for a key it does not know or a signature that does not match. */
const INVALID_CREDENTIALS = [
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
];

export class OpsContext {
  readonly names: ReturnType<typeof operatorNames>;
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
  /** Milliseconds between polls of a long wait (the tests shorten it). */
  readonly pollMs: number;
  private caller?: Promise<Caller>;

  constructor(
    readonly env: EnvironmentConfig,
    readonly out: Output = consoleOutput,
    readonly config: AwsClientConfig = clientConfigFor(env, { tool: OPS_TOOL }),
    options: { pollMs?: number } = {},
  ) {
    this.names = operatorNames(new Naming(APPLICATION, env.name));
    this.ecs = new ECSClient(config);
    this.logs = new CloudWatchLogsClient(config);
    this.ssm = new SSMClient(config);
    this.secrets = new SecretsManagerClient(config);
    this.pollMs = options.pollMs ?? 3000;
  }

  /** The web service as ECS describes it; an error that says so when it is not deployed. */
  async service(): Promise<Service> {
    const { services } = await this.call(() =>
      this.ecs.send(
        new DescribeServicesCommand({ cluster: this.names.cluster, services: [this.names.service] }),
      ),
    );
    const service = services?.[0];
    if (!service || service.status === "INACTIVE") {
      throw new OpsError(
        `${this.names.service} is not deployed in ${this.env.name} (cluster ${this.names.cluster})`,
      );
    }
    return service;
  }

  /** The web service, and the newest revision of its task definition's family (what a one-off task runs). */
  async serviceAndTaskDefinition(): Promise<{ service: Service; taskDefinition: TaskDefinition }> {
    const service = await this.service();
    const family = service.taskDefinition?.split("/").pop()?.replace(/:\d+$/, "");
    if (!family) throw new OpsError(`${this.names.service} has no task definition`);
    return { service, taskDefinition: await this.taskDefinition(family) };
  }

  /** The newest revision of the app's task definition family: what a one-off task runs. */
  async taskDefinition(family: string): Promise<TaskDefinition> {
    const { taskDefinition } = await this.call(() =>
      this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })),
    );
    if (!taskDefinition) throw new OpsError(`no task definition ${family}`);
    return taskDefinition;
  }

  /** Where the app container logs: its awslogs group and stream prefix. */
  logConfiguration(taskDefinition: TaskDefinition): { group: string; prefix: string; container: string } {
    const container = taskDefinition.containerDefinitions?.[0];
    const options = container?.logConfiguration?.options ?? {};
    const group = options["awslogs-group"];
    if (!container?.name || !group)
      throw new OpsError(`${taskDefinition.family} does not log to CloudWatch Logs`);
    return { group, prefix: options["awslogs-stream-prefix"] ?? "ecs", container: container.name };
  }

  /**
   * Who the credentials are, once they are known to be of the environment's account: asked of STS once, before
   * any other call (every call goes through `call`), so the wrong profile is refused naming both accounts
   * instead of reading as "not deployed".
   */
  requireAccount(): Promise<Caller> {
    this.caller ??= requireAccount(this.config, this.env).catch((error: Error) => {
      throw new OpsError(error.message);
    });
    return this.caller;
  }

  /**
   * Runs an AWS call; credential and access problems become one clear message, chosen by the error's name
   * (what the SDK or AWS says went wrong), never by a word in its message: any other error is passed on as is.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    await this.requireAccount();
    try {
      return await fn();
    } catch (error) {
      const { name, message } = error as Error;
      const where = `${this.env.name} (account ${this.env.account})`;
      if (NO_CREDENTIALS.includes(name)) {
        throw new OpsError(`no AWS credentials for ${where}: sign in first, e.g. aws sso login`);
      }
      if (EXPIRED_CREDENTIALS.includes(name)) {
        throw new OpsError(`the AWS credentials for ${where} have expired: sign in again (${message})`);
      }
      if (INVALID_CREDENTIALS.includes(name)) {
        throw new OpsError(`AWS refused the credentials for ${where} as invalid: ${message}`);
      }
      if (name === "AccessDeniedException" || name === "AccessDenied") {
        throw new OpsError(`access denied in ${this.env.name}: ${message}`);
      }
      throw error;
    }
  }

  /**
   * The environment of an AWS CLI the verb runs (the rollback's release script, the console's ECS Exec): the same
   * profile, the same keys, or the same default chain as the context's clients; for the emulator, its endpoint and
   * certificate; and the tool's name in the User-Agent (`app/<tool>`).
   */
  cliEnvironment(tool: string = OPS_TOOL, inherited: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const { config } = this;
    const vars: NodeJS.ProcessEnv = { ...inherited, AWS_SDK_UA_APP_ID: tool };
    if (config.profile || config.credentials) {
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"])
        delete vars[name];
    }
    if (config.profile) vars.AWS_PROFILE = config.profile;
    else if (config.credentials) {
      vars.AWS_ACCESS_KEY_ID = config.credentials.accessKeyId;
      vars.AWS_SECRET_ACCESS_KEY = config.credentials.secretAccessKey;
      if (config.credentials.sessionToken) vars.AWS_SESSION_TOKEN = config.credentials.sessionToken;
    }
    if (config.endpoint) {
      // The emulator: the AWS CLI goes to it, trusting its own certificate.
      vars.AWS_ENDPOINT_URL = config.endpoint;
      vars.AWS_CA_BUNDLE = emulatorCertificate().cert;
    }
    return vars;
  }

  sleep(): Promise<void> {
    return new Promise((r) => setTimeout(r, this.pollMs));
  }
}

/** The id at the end of a task ARN. */
export const taskId = (arn: string): string => arn.split("/").pop() ?? arn;
