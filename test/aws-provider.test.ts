import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { EnvironmentConfig } from "../config/environment";
import { AwsProviderForEnvironment, EMULATED_SERVICES } from "../constructs/aws-provider";
import { type Block, newStack, synthConstruct, type Synthesized } from "./helpers";

const env: EnvironmentConfig = {
  name: "staging",
  account: "222222222222",
  region: "us-west-2",
  owner: "uc3-devops",
  alarmEmail: "myamazingapp-alerts@cdlib.org",
  domain: {
    name: "staging.myamazingapp.cdlib.org",
    zoneName: "staging.myamazingapp.cdlib.org",
    createZone: true,
  },
  network: { cidr: "10.41.0.0/16", availabilityZones: 2, natGateways: "single", dualStack: true },
  service: {
    cpu: 512,
    memory: 1024,
    minCount: 2,
    maxCount: 4,
    targetCpuPercent: 70,
    containerPort: 3000,
    healthCheckPath: "/up",
    ephemeralStorageGiB: 30,
    idleTimeoutSeconds: 300,
    imageTag: "bootstrap",
    autoscaling: true,
  },
  database: {
    instanceClass: "db.t4g.medium",
    engineVersion: "16.4",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    backupRetentionDays: 7,
    deletionProtection: false,
    performanceInsights: true,
    parameterGroup: true,
  },
  uploads: { expireAfterDays: 12, abortIncompleteUploadsAfterDays: 1, maxUploadGiB: 6 },
  statsTask: {
    schedule: "cron(0 4 ? * MON *)",
    timezone: "America/Los_Angeles",
    rakeTask: "stats:users",
    retryAttempts: 3,
  },
  logRetentionDays: 30,
  secrets: ["SECRET_KEY_BASE"],
  appEnvironment: { RAILS_ENV: "production" },
};
const EMULATOR = "https://127.0.0.1:4566";
const local: EnvironmentConfig = {
  ...env,
  name: "local",
  account: "000000000000",
  emulator: { endpoint: EMULATOR },
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
  let real: Synthesized;
  let emulated: Synthesized;
  let realProvider: AwsProviderForEnvironment;
  let emulatedProvider: AwsProviderForEnvironment;
  const providerOf = (synth: Synthesized): Block => {
    const providers = synth.config.provider.aws;
    expect(providers).toHaveLength(1);
    return providers[0];
  };
  beforeAll(() => {
    real = synthConstruct((scope) => {
      realProvider = new AwsProviderForEnvironment(scope, "aws", { env, application: "myamazingapp" });
    });
    emulated = synthConstruct((scope) => {
      emulatedProvider = new AwsProviderForEnvironment(scope, "aws", {
        env: local,
        application: "myamazingapp",
      });
    });
  });

  it("targets the environment's region and refuses any account but its own", () => {
    expect(real.json).toHaveProviderWithProperties(AwsProvider, {
      region: "us-west-2",
      allowed_account_ids: ["222222222222"],
    });
  });

  it("tags every resource with application, environment and owner (provider default tags)", () => {
    expect(providerOf(real).default_tags).toEqual([
      {
        tags: expect.objectContaining({
          application: "myamazingapp",
          environment: "staging",
          owner: "uc3-devops",
        }),
      },
    ]);
  });

  it("without an emulator: real endpoints, real credentials, default retries", () => {
    const provider = providerOf(real);
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

  it("with an emulator: uses the emulator's test credentials and skips AWS-only checks", () => {
    expect(providerOf(emulated)).toMatchObject({
      access_key: "test",
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
      () =>
        new AwsProviderForEnvironment(newStack(), "aws", {
          env: { ...local, emulator: { endpoint } },
          application: "a",
        }),
    ).toThrow(`AwsProviderForEnvironment: emulator endpoint "${endpoint}" must be https on loopback`);
  });

  it("accepts localhost as a loopback emulator endpoint", () => {
    expect(
      () =>
        new AwsProviderForEnvironment(newStack(), "aws", {
          env: { ...local, emulator: { endpoint: "https://localhost:4566" } },
          application: "a",
        }),
    ).not.toThrow();
  });
});
