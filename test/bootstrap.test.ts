/**
 * `npm run bootstrap` against a fresh emulator of its own (its own port and project folder, so it never meets
 * the end-to-end test's): the state bucket comes out as Terraform and the policy rules want it, a second run
 * changes nothing, a setting someone changed by hand is put back, and foreign credentials are refused.
 */
import { join } from "node:path";
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Testing } from "cdktf";
import { loadBackend } from "../config/backend";
import { loadGithubSettings } from "../config/github";
import { GithubStack } from "../stacks/github-stack";
import { GITHUB_STACK } from "../stacks/names";
import { loadEnvironment } from "../config/load";
import { bootstrap, describeSteps } from "../scripts/bootstrap";
import { type AwsClientConfig, requireAccount } from "../scripts/lib/aws";
import { environmentNamed } from "../scripts/lib/environments";
import { type OwnEmulator, startOwnEmulator } from "./own-emulator";

// Each test makes several calls to the emulator, which a busy machine answers slowly.
jest.setTimeout(60_000);

const local = loadEnvironment(join(__dirname, "..", "environments", "local.json"));
let emulator: OwnEmulator;
let config: AwsClientConfig;
let s3: S3Client;

beforeAll(async () => {
  emulator = await startOwnEmulator("bootstrap");
  config = emulator.config(local.region);
  s3 = new S3Client(config);
}, 60_000);
afterAll(() => emulator.stop());

describe("bootstrap", () => {
  const bucket = `myamazingapp-terraform-state-${local.account}-${local.region}`;

  it("makes the state bucket of the environment's account and region, with every part", async () => {
    const result = await bootstrap(local, config);
    expect(result.bucket).toBe(bucket);
    expect(result.steps.map((s) => s.action)).toEqual(Array(result.steps.length).fill("created"));

    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
    const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(Object.values(block.PublicAccessBlockConfiguration ?? {})).toEqual([true, true, true, true]);
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]).toMatchObject({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" },
      BucketKeyEnabled: true,
    });
    const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    // Old state versions (each apply writes one) go after 90 days.
    expect(lifecycle.Rules?.[0].NoncurrentVersionExpiration?.NoncurrentDays).toBe(90);
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!);
    const denied = policy.Statement.flatMap((st: { Effect: string; Action: string | string[] }) =>
      st.Effect === "Deny" ? [st.Action].flat() : [],
    );
    expect(denied).toEqual(expect.arrayContaining(["s3:*", "s3:DeleteBucket", "s3:DeleteObjectVersion"]));
  });

  it("changes nothing the second time, and says so", async () => {
    const again = await bootstrap(local, config);
    expect(again.steps.every((s) => s.action === "unchanged")).toBe(true);
    expect(describeSteps(again).at(-1)).toBe("No changes: the account is bootstrapped.");
  });

  it("puts back a part someone changed by hand, and only that part", async () => {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
      }),
    );
    const repaired = await bootstrap(local, config);
    expect(repaired.steps.filter((s) => s.action !== "unchanged")).toEqual([
      { part: "encryption (SSE-KMS, bucket key)", action: "updated" },
    ]);
  });

  it("refuses credentials of another account, naming both, and makes nothing there", async () => {
    // The emulator acts in the account an access key names: these credentials are account 222233334444's.
    const elsewhere = emulator.config(local.region, "222233334444");
    await expect(bootstrap(local, elsewhere)).rejects.toThrow(
      new RegExp(`the credentials are for account 222233334444 .*, but local is in account ${local.account}`),
    );
    const listed = await new S3Client(elsewhere).send(new ListBucketsCommand({}));
    expect(listed.Buckets ?? []).toEqual([]);
    const production = { name: "production", account: "111111111111" };
    await expect(requireAccount(config, production)).rejects.toThrow(
      "the credentials are for account 123456789012 (arn:aws:sts::123456789012:user/moto), but production is in account 111111111111",
    );
  });

  it("keeps the bucket's other lifecycle rules when it writes its own", async () => {
    const otherRule = {
      ID: "expire-scratch-uploads",
      Status: "Enabled" as const,
      Filter: { Prefix: "scratch/" },
      Expiration: { Days: 3 },
    };
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            otherRule,
            // Ours, changed by hand: 30 days instead of 90.
            {
              ID: "old-state-versions",
              Status: "Enabled",
              Filter: { Prefix: "" },
              NoncurrentVersionExpiration: { NoncurrentDays: 30, NewerNoncurrentVersions: 10 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      }),
    );
    const repaired = await bootstrap(local, config);
    expect(repaired.steps.filter((s) => s.action !== "unchanged")).toEqual([
      { part: "lifecycle (old versions after 90 days)", action: "updated" },
    ]);
    const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(Rules?.find((r) => r.ID === "expire-scratch-uploads")).toMatchObject({
      Filter: { Prefix: "scratch/" },
      Expiration: { Days: 3 },
    });
    expect(
      Rules?.find((r) => r.ID === "old-state-versions")?.NoncurrentVersionExpiration?.NoncurrentDays,
    ).toBe(90);
    expect(Rules).toHaveLength(2);
    // And a run with everything right changes nothing, the other rule included.
    expect((await bootstrap(local, config)).steps.every((s) => s.action === "unchanged")).toBe(true);
  });

  it("makes the bucket the GitHub stack keeps its state in, with production's bootstrap", async () => {
    const production = environmentNamed("production");
    const github = new GithubStack(Testing.app(), GITHUB_STACK, {
      settings: loadGithubSettings(join(__dirname, "..", "config", "github.json")),
      backend: loadBackend(join(__dirname, "..", "backend.tf.json")),
      environments: [production, environmentNamed("staging")],
    });
    const state = JSON.parse(Testing.synth(github)).terraform.backend.s3;
    const inProduction = emulator.config(production.region, production.account);
    await bootstrap(production, inProduction);
    const where = await new S3Client(inProduction).send(new HeadBucketCommand({ Bucket: state.bucket }));
    expect(where.BucketRegion).toBe(state.region);
  });

  it("refuses an environment that does not exist, listing those that do", () => {
    expect(() => environmentNamed("prod")).toThrow(
      'unknown environment "prod"; environments: local, localwest, production, staging',
    );
    expect(() => environmentNamed(undefined)).toThrow(
      "name an environment: one of local, localwest, production, staging",
    );
  });
});
