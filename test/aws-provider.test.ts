import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AwsProviderForEnvironment, EMULATED_SERVICES } from "../constructs/aws-provider";
import { type Block, newStack, synthConstruct, type Synthesized } from "./helpers";
import { stackText } from "./rules/harness";

const EMULATOR = "https://127.0.0.1:4566";
const TAGS = { application: "myamazingapp", environment: "staging", owner: "uc3-devops" };
const real = { region: "us-west-2", account: "222222222222", tags: TAGS };
const local = {
  ...real,
  account: "000000000000",
  tags: { ...TAGS, environment: "local" },
  emulatorEndpoint: EMULATOR,
};

/** Keys that only make sense against an emulator. */
const EMULATOR_ONLY = [
  "endpoints",
  "access_key",
  "secret_key",
  "max_retries",
  "skip_credentials_validation",
  "skip_metadata_api_check",
  "skip_region_validation",
  "s3_use_path_style",
];

describe("AwsProviderForEnvironment", () => {
  let synthReal: Synthesized;
  let emulated: Synthesized;
  let realProvider: AwsProviderForEnvironment;
  let emulatedProvider: AwsProviderForEnvironment;
  const providerOf = (synth: Synthesized): Block => {
    const providers = synth.config.provider.aws;
    expect(providers).toHaveLength(1);
    return providers[0];
  };
  beforeAll(() => {
    synthReal = synthConstruct((scope) => {
      realProvider = new AwsProviderForEnvironment(scope, "aws", real);
    });
    emulated = synthConstruct((scope) => {
      emulatedProvider = new AwsProviderForEnvironment(scope, "aws", local);
    });
  });

  it("targets the environment's region and refuses any account but its own", () => {
    expect(synthReal.json).toHaveProviderWithProperties(AwsProvider, {
      region: "us-west-2",
      allowed_account_ids: ["222222222222"],
    });
  });

  it("tags every resource with the given tags (provider default tags)", () => {
    expect(providerOf(synthReal).default_tags).toEqual([{ tags: TAGS }]);
  });

  it("without an emulator: real endpoints, real credentials, default retries", () => {
    const provider = providerOf(synthReal);
    for (const key of EMULATOR_ONLY) expect(provider).not.toHaveProperty(key);
    expect(realProvider.emulatorEndpoint).toBeUndefined();
  });

  it("with an emulator: points every listed service at it", () => {
    const [endpoints] = providerOf(emulated).endpoints;
    expect(Object.keys(endpoints).sort()).toEqual([...EMULATED_SERVICES].sort());
    for (const service of EMULATED_SERVICES) expect(endpoints[service]).toBe(EMULATOR);
    expect(emulatedProvider.emulatorEndpoint).toBe(EMULATOR);
  });

  it("with an emulator: caps retries, so a missing API fails fast instead of hanging", () => {
    const retries = providerOf(emulated).max_retries;
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(retries).toBeLessThanOrEqual(3);
  });

  it("with an emulator: acts in the environment's account (its access key) and skips AWS-only checks", () => {
    expect(providerOf(emulated)).toMatchObject({
      access_key: "MOTOACCT000000000000",
      secret_key: "test",
      skip_credentials_validation: true,
      s3_use_path_style: true,
    });
  });

  it("with an emulator: still pins the region, account and default tags", () => {
    expect(providerOf(emulated)).toMatchObject({
      region: "us-west-2",
      allowed_account_ids: ["000000000000"],
      default_tags: [{ tags: expect.objectContaining({ environment: "local" }) }],
    });
  });

  it.each([
    "https://10.0.0.5:4566",
    "http://127.0.0.1:4566",
    "https://localstack.example.org:4566",
    "https://127.0.0.1",
    "https://127.0.0.1:4566/path",
  ])("refuses emulator endpoint %p (must be https on loopback)", (endpoint) => {
    expect(
      () => new AwsProviderForEnvironment(newStack(), "aws", { ...local, emulatorEndpoint: endpoint }),
    ).toThrow(
      `AwsProviderForEnvironment: emulatorEndpoint: "${endpoint}" is malformed; expected https://127.0.0.1:<port>`,
    );
  });

  it("accepts localhost as a loopback emulator endpoint", () => {
    expect(
      () =>
        new AwsProviderForEnvironment(newStack(), "aws", {
          ...local,
          emulatorEndpoint: "https://localhost:4566",
        }),
    ).not.toThrow();
  });

  it("refuses a region that is not an AWS commercial region", () => {
    expect(() => new AwsProviderForEnvironment(newStack(), "aws", { ...real, region: "us-west-9" })).toThrow(
      /AwsProviderForEnvironment: region: "us-west-9" is not allowed/,
    );
  });
});

describe("emulated services", () => {
  /** The provider endpoint each resource type of the stack calls, by type prefix (longest first). */
  const ENDPOINT_OF: Array<[RegExp, string]> = [
    [
      /^aws_(vpc|subnet|route|eip|nat_gateway|internet_gateway|default_security_group|security_group|flow_log)/,
      "ec2",
    ],
    [/^aws_cloudwatch_log_/, "logs"],
    [/^aws_cloudwatch_(metric_alarm|composite_alarm|dashboard)$/, "cloudwatch"],
    [/^aws_kinesis_firehose_/, "firehose"],
    [/^aws_sfn_/, "sfn"],
    [/^aws_budgets_/, "budgets"],
    [/^aws_sesv2_/, "sesv2"],
    [/^aws_ce_/, "ce"],
    [/^aws_cloudwatch_event_/, "events"],
    [/^aws_lb/, "elbv2"],
    [/^aws_appautoscaling_/, "appautoscaling"],
    [/^aws_db_/, "rds"],
    [/^aws_(s3|iam|kms|acm|route53|sns|sqs|ssm|secretsmanager|scheduler|ecs|ecr|wafv2)_/, "$1"],
  ];
  const endpointOf = (type: string): string | undefined => {
    for (const [pattern, endpoint] of ENDPOINT_OF) {
      const match = pattern.exec(type);
      if (match) return endpoint.replace("$1", match[1]);
    }
    return undefined;
  };

  it("point every service the local stack calls at the emulator, so none reaches real AWS", () => {
    const types = Object.keys(JSON.parse(stackText("local")).resource);
    const services = types.map((t) => [t, endpointOf(t)]);
    expect(services.filter(([, e]) => e === undefined)).toEqual([]);
    const missing = services.filter(([, e]) => !(EMULATED_SERVICES as readonly string[]).includes(e!));
    expect(missing).toEqual([]);
  });
});
