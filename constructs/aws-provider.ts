import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { EnvironmentConfig } from "../config/environment";

export interface AwsProviderForEnvironmentProps {
  /** The validated environment file. */
  readonly env: EnvironmentConfig;
  /** Application slug for the `application` tag. */
  readonly application: string;
}

/** Services the stack calls; with an emulator, each one is pointed at it. */
export const EMULATED_SERVICES = [
  "acm",
  "appautoscaling",
  "cloudwatch",
  "ec2",
  "ecr",
  "ecs",
  "elbv2",
  "events",
  "iam",
  "kms",
  "logs",
  "rds",
  "route53",
  "s3",
  "scheduler",
  "secretsmanager",
  "sns",
  "sqs",
  "ssm",
  "sts",
] as const;

/**
 * The AWS provider for one environment: its region, refusal of any account but the environment's own,
 * and the application/environment/owner tags on every resource (provider default tags). For an
 * environment with an `emulator`, every endpoint points at it and retries are capped so that an API the
 * emulator lacks fails in seconds instead of hanging the run.
 */
export class AwsProviderForEnvironment extends Construct {
  public readonly provider: AwsProvider;
  /** The emulator endpoint, when the environment has one. */
  public readonly emulatorEndpoint?: string;

  constructor(scope: Construct, id: string, props: AwsProviderForEnvironmentProps) {
    super(scope, id);
    const { env } = props;
    const endpoint = env.emulator?.endpoint;
    if (endpoint !== undefined && !/^https:\/\/(127\.0\.0\.1|localhost):\d{1,5}$/.test(endpoint)) {
      throw new Error(`AwsProviderForEnvironment: emulator endpoint "${endpoint}" must be https on loopback`);
    }
    this.emulatorEndpoint = endpoint;
    const tags = {
      application: props.application,
      environment: env.name,
      owner: env.owner,
      "managed-by": "cdktf",
    };

    this.provider = new AwsProvider(this, "aws", {
      region: env.region,
      allowedAccountIds: [env.account],
      defaultTags: [{ tags }],
      ...(endpoint
        ? {
            // The emulator accepts any credentials; these are its documented test values, not secrets.
            accessKey: "test",
            secretKey: "test",
            skipCredentialsValidation: true,
            skipMetadataApiCheck: "true",
            skipRegionValidation: true,
            s3UsePathStyle: true,
            maxRetries: 2,
            endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, endpoint]))],
          }
        : {}),
    });
  }
}
