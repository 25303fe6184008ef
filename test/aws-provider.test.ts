import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AwsProviderForEnvironment } from "../constructs/aws-provider";
import { type Block, newStack, synthConstruct, type Synthesized } from "./helpers";

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

  it("with an emulator: no endpoints block (the local tooling gives the address as AWS_ENDPOINT_URL, for every service)", () => {
    // The provider spends 3.5 s of CPU validating an endpoints block each time it is configured.
    expect(providerOf(emulated)).not.toHaveProperty("endpoints");
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
