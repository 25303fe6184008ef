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
  PutBucketEncryptionCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { loadEnvironment } from "../config/load";
import { bootstrap, describeSteps, requireAccount } from "../scripts/bootstrap";
import type { AwsClientConfig } from "../scripts/lib/aws";
import { environmentNamed } from "../scripts/lib/environments";
import { type OwnEmulator, startOwnEmulator } from "./own-emulator";

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

  it("refuses credentials of another account, naming both", async () => {
    await expect(requireAccount(config, "111111111111")).rejects.toThrow(
      "the credentials are for account 123456789012, but the environment is in account 111111111111",
    );
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
