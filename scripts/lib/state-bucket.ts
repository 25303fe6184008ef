/**
 * The Terraform state bucket of an account and region, made and kept right by `npm run bootstrap`: versioned,
 * encrypted, public access blocked, ACLs off, TLS only, protected from deletion (the bucket and old versions),
 * old versions expired after 90 days (the newest 10 kept), unfinished uploads aborted. Each part is read
 * first and written only when it differs, so a second run changes nothing and says so.
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetBucketOwnershipControlsCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from "@aws-sdk/client-s3";

export interface StateBucketSpec {
  readonly bucket: string;
  readonly region: string;
}

/** What one run did to one part of the bucket. */
export interface Step {
  readonly part: string;
  readonly action: "created" | "updated" | "unchanged";
}

/** Days an old state version is kept (the newest ten are kept whatever their age). */
export const NONCURRENT_DAYS = 90;

export function statePolicy(bucket: string): object {
  const arn = `arn:aws:s3:::${bucket}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        // Removing the bucket or rewriting history takes an administrator changing this policy first.
        Sid: "ProtectStateAndHistory",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:DeleteBucket", "s3:DeleteObjectVersion", "s3:PutBucketVersioning"],
        Resource: [arn, `${arn}/*`],
      },
    ],
  };
}

/** The bootstrap's own lifecycle rule, by its id; other rules on the bucket are someone else's and stay. */
const LIFECYCLE_RULE = {
  ID: "old-state-versions",
  Status: "Enabled",
  Filter: { Prefix: "" },
  NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_DAYS, NewerNoncurrentVersions: 10 },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
} as const;

const BLOCK_ALL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** Reads a part, or undefined when it is not configured (S3 answers 404 with a part-specific code). */
async function read<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return undefined;
    throw error;
  }
}

/** Creates the bucket if needed and brings every part to the spec; returns what it did, part by part. */
export async function ensureStateBucket(s3: S3Client, spec: StateBucketSpec): Promise<Step[]> {
  const { bucket, region } = spec;
  const Bucket = bucket;
  const steps: Step[] = [];
  const step = async (part: string, same: boolean, put: () => Promise<unknown>, existed = true) => {
    if (!same) await put();
    steps.push({ part, action: same ? "unchanged" : existed ? "updated" : "created" });
  };

  const exists = (await read(() => s3.send(new HeadBucketCommand({ Bucket })))) !== undefined;
  await step(
    "bucket",
    exists,
    () =>
      s3.send(
        new CreateBucketCommand({
          Bucket,
          ...(region === "us-east-1"
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      ),
    false,
  );

  const block = await read(() => s3.send(new GetPublicAccessBlockCommand({ Bucket })));
  await step(
    "public access block",
    JSON.stringify(block?.PublicAccessBlockConfiguration) === JSON.stringify(BLOCK_ALL),
    () => s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: BLOCK_ALL })),
    block !== undefined,
  );

  const ownership = await read(() => s3.send(new GetBucketOwnershipControlsCommand({ Bucket })));
  await step(
    "ACLs disabled (bucket owner enforced)",
    ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership === "BucketOwnerEnforced",
    () =>
      s3.send(
        new PutBucketOwnershipControlsCommand({
          Bucket,
          OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
        }),
      ),
    ownership !== undefined,
  );

  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket }));
  await step(
    "versioning",
    versioning.Status === "Enabled",
    () => s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } })),
    versioning.Status !== undefined,
  );

  const encryption = await read(() => s3.send(new GetBucketEncryptionCommand({ Bucket })));
  const rule = encryption?.ServerSideEncryptionConfiguration?.Rules?.[0];
  await step(
    "encryption (SSE-KMS, bucket key)",
    rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm === "aws:kms" && rule.BucketKeyEnabled === true,
    () =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [
              { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BucketKeyEnabled: true },
            ],
          },
        }),
      ),
    encryption !== undefined,
  );

  // S3 replaces a bucket's whole lifecycle configuration on every write: ours is merged in by its id, and
  // every other rule (an administrator's, another tool's) is written back as it was read.
  const lifecycle = await read(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })));
  const current = lifecycle?.Rules?.find((r) => r.ID === LIFECYCLE_RULE.ID);
  const others = (lifecycle?.Rules ?? []).filter((r) => r.ID !== LIFECYCLE_RULE.ID);
  await step(
    `lifecycle (old versions after ${NONCURRENT_DAYS} days)`,
    current?.Status === "Enabled" &&
      current.NoncurrentVersionExpiration?.NoncurrentDays === NONCURRENT_DAYS &&
      current.AbortIncompleteMultipartUpload?.DaysAfterInitiation === 1,
    () =>
      s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket,
          LifecycleConfiguration: { Rules: [...others, LIFECYCLE_RULE as never] },
          ...(lifecycle?.TransitionDefaultMinimumObjectSize
            ? { TransitionDefaultMinimumObjectSize: lifecycle.TransitionDefaultMinimumObjectSize }
            : {}),
        }),
      ),
    lifecycle !== undefined,
  );

  const policy = await read(() => s3.send(new GetBucketPolicyCommand({ Bucket })));
  const wanted = statePolicy(bucket);
  await step(
    "policy (TLS only, no deletion)",
    policy?.Policy !== undefined && sameJson(JSON.parse(policy.Policy), wanted),
    () => s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(wanted) })),
    policy !== undefined,
  );
  return steps;
}

/** JSON equality regardless of key order (S3 may return a policy's keys reordered). */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
