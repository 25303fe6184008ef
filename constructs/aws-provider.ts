import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  ACCOUNT_ID,
  AWS_REGIONS,
  checkOneOf,
  checkOptionalPattern,
  checkPattern,
  EMULATOR_ENDPOINT,
  refuse,
} from "./limits";

export interface AwsProviderForEnvironmentProps {
  /** AWS region every resource of the stack lives in. */
  readonly region: string;
  /** The only AWS account the provider may touch (it refuses credentials for any other). */
  readonly account: string;
  /** Tags on every resource the provider creates (provider default tags). */
  readonly tags: Readonly<Record<string, string>>;
  /** Loopback HTTPS endpoint of a local AWS emulator (reached through AWS_ENDPOINT_URL). @default none (real AWS) */
  readonly emulatorEndpoint?: string;
}

/**
 * The emulator's access key for an account: `MOTOACCT` and the account id. Twenty characters, as the emulator
 * expects of a key, but never AWS's `AKIA` prefix, so no secret scanner takes it for a real key. The emulator
 * acts in the account it names (scripts/emulator/moto_server.py), so environments live side by side in their own
 * accounts. Not a secret: the emulator accepts any key.
 */
export function emulatorAccessKey(account: string): string {
  return `MOTOACCT${account}`;
}

/**
 * The AWS provider for one environment: its region, refusal of any account but the environment's own,
 * and its tags on every resource (provider default tags). With an emulator endpoint, the provider acts in the
 * environment's account with the emulator's key and retries are capped, so that an API the emulator lacks fails
 * in seconds instead of hanging.
 *
 * The emulator's address reaches the provider as AWS_ENDPOINT_URL, set by the local tooling for the Terraform it
 * runs (scripts/local/session.ts), not as an `endpoints` block: the AWS SDK sends every service to that one
 * address, and the provider validated its 400-attribute `endpoints` block for 3.5 s of CPU each time a command
 * configured it (twice in a plan), a third of a local plan. Without the variable the stack still cannot act on
 * AWS: its key is the emulator's, which AWS refuses, and it allows the environment's account alone.
 */
export class AwsProviderForEnvironment extends Construct {
  public readonly provider: AwsProvider;
  /** The emulator endpoint, when the environment has one. */
  public readonly emulatorEndpoint?: string;

  constructor(scope: Construct, id: string, props: AwsProviderForEnvironmentProps) {
    super(scope, id);
    refuse("AwsProviderForEnvironment", {
      region: checkOneOf(AWS_REGIONS, props.region, "AWS commercial regions"),
      account: checkPattern(ACCOUNT_ID, props.account),
      emulatorEndpoint: checkOptionalPattern(EMULATOR_ENDPOINT, props.emulatorEndpoint),
    });
    const endpoint = props.emulatorEndpoint;
    this.emulatorEndpoint = endpoint;

    this.provider = new AwsProvider(this, "aws", {
      region: props.region,
      allowedAccountIds: [props.account],
      defaultTags: [{ tags: { ...props.tags } }],
      ...(endpoint
        ? {
            // Not secrets: the emulator accepts any key, and acts in the account this one names.
            accessKey: emulatorAccessKey(props.account),
            secretKey: "test",
            skipCredentialsValidation: true,
            skipMetadataApiCheck: "true",
            skipRegionValidation: true,
            s3UsePathStyle: true,
            // Attempts in all: a missing API fails in seconds, and an answer the emulator's server loses
            // under load is asked for again (the emulator replays it: scripts/emulator/moto_server.py, 12).
            maxRetries: 3,
          }
        : {}),
    });
  }
}
