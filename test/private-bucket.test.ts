import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { PrivateBucket } from "../constructs/private-bucket";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

describe("PrivateBucket", () => {
  let synth: Synthesized;
  let bucket: PrivateBucket;
  let emptied: PrivateBucket;
  let statements: Block[];
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      bucket = new PrivateBucket(scope, "logs", {
        bucketName: "myamazingapp-test-logs",
        forceDestroy: false,
      });
      emptied = new PrivateBucket(scope, "emptied", {
        bucketName: "myamazingapp-test-emptied",
        forceDestroy: true,
      });
      bucket.addToPolicy({
        Sid: "Delivery",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: bucket.objectsArn,
      });
    });
    statements = JSON.parse(synth.of(bucket.policy).policy).Statement;
  });

  it("creates the bucket with the given name, emptied on destroy only when asked", () => {
    expect(synth.of(bucket.bucket)).toMatchObject({ bucket: "myamazingapp-test-logs", force_destroy: false });
    expect(synth.of(emptied.bucket)).toMatchObject({ force_destroy: true });
  });

  it("blocks every public access path (all four settings)", () => {
    expect(synth.json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket: ref(bucket.bucket, "id"),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("encrypts objects by default", () => {
    expect(synth.json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      bucket: ref(bucket.bucket, "id"),
      rule: [
        expect.objectContaining({ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }),
      ],
    });
  });

  it("disables ACLs (BucketOwnerEnforced)", () => {
    expect(synth.json).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      bucket: ref(bucket.bucket, "id"),
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });

  it("denies every request made without TLS (aws:SecureTransport false)", () => {
    expect(statements).toContainEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [ref(bucket.bucket, "arn"), `${ref(bucket.bucket, "arn")}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("puts statements added with addToPolicy into its single bucket policy", () => {
    const ofThisBucket = synth
      .resources("aws_s3_bucket_policy")
      .filter((p) => p.bucket === ref(bucket.bucket, "id"));
    expect(ofThisBucket).toHaveLength(1);
    expect(statements.map((s) => s.Sid)).toEqual(["DenyInsecureTransport", "Delivery"]);
    expect(statements[1]).toMatchObject({
      Action: "s3:PutObject",
      Resource: `${ref(bucket.bucket, "arn")}/*`,
    });
  });

  it("applies the policy only after the public access block", () => {
    expect(synth.of(bucket.policy).depends_on).toEqual([
      expect.stringMatching(/^aws_s3_bucket_public_access_block\./),
    ]);
  });

  it.each([
    ["too short", "ab"],
    ["upper case", "MyAmazingApp-logs"],
    ["an underscore", "myamazingapp_logs"],
    ["a leading dash", "-myamazingapp-logs"],
    ["two dots in a row", "myamazingapp..logs"],
    ["64 characters", "a".repeat(64)],
  ])("refuses an invalid bucket name (%s)", (_why, bucketName) => {
    expect(() => new PrivateBucket(newStack(), "b", { bucketName, forceDestroy: false })).toThrow(
      /PrivateBucket: bucketName: ".*" is malformed; expected an S3 bucket name/,
    );
  });
});
