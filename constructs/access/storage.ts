/**
 * S3: the environment's buckets, all named `<application>-<environment>-*`. The deploy role configures them; it
 * reads and writes no object but its own state (constructs/github-oidc.ts), and empties a bucket only where the
 * environment's teardown lets `terraform destroy` do so.
 */
import type { AccessScope, ServiceAccess } from "./types";

/** The environment's buckets. */
export const environmentBuckets = (s: AccessScope): string => `arn:aws:s3:::${s.prefix}-*`;

/** What each bucket sub-resource of the provider reads and writes. */
const BUCKET_PARTS: Record<string, [write: string[], read: string[]]> = {
  aws_s3_bucket: [
    ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging"],
    [
      "s3:ListBucket",
      "s3:GetBucketLocation",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketWebsite",
      "s3:GetBucketVersioning",
      "s3:GetAccelerateConfiguration",
      "s3:GetBucketRequestPayment",
      "s3:GetBucketLogging",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketTagging",
      "s3:GetBucketPolicy",
      "s3:GetBucketOwnershipControls",
      "s3:GetBucketPublicAccessBlock",
    ],
  ],
  aws_s3_bucket_policy: [["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], ["s3:GetBucketPolicy"]],
  aws_s3_bucket_public_access_block: [
    // Deleting the block, or the controls, is a Put of none: IAM knows no Delete action for either.
    ["s3:PutBucketPublicAccessBlock"],
    ["s3:GetBucketPublicAccessBlock"],
  ],
  aws_s3_bucket_ownership_controls: [["s3:PutBucketOwnershipControls"], ["s3:GetBucketOwnershipControls"]],
  aws_s3_bucket_server_side_encryption_configuration: [
    ["s3:PutEncryptionConfiguration"],
    ["s3:GetEncryptionConfiguration"],
  ],
  aws_s3_bucket_versioning: [["s3:PutBucketVersioning"], ["s3:GetBucketVersioning"]],
  aws_s3_bucket_lifecycle_configuration: [["s3:PutLifecycleConfiguration"], ["s3:GetLifecycleConfiguration"]],
  aws_s3_bucket_logging: [["s3:PutBucketLogging"], ["s3:GetBucketLogging"]],
  aws_s3_bucket_cors_configuration: [["s3:PutBucketCORS"], ["s3:GetBucketCORS"]],
};

export const STORAGE: ServiceAccess = {
  services: ["s3"],
  grants: [
    {
      sid: "EnvironmentBuckets",
      resources: (s) => [environmentBuckets(s)],
      terraform: Object.fromEntries(
        Object.entries(BUCKET_PARTS).map(([type, [write, read]]) => [type, { write, read }]),
      ),
    },
  ],
  boundary: { named: (s) => [environmentBuckets(s)] },
};

/** What `terraform destroy` needs to empty the environment's buckets (teardown.emptyOnDestroy). */
export const EMPTY_BUCKETS = {
  sid: "EmptyTheEnvironmentsBucketsOnDestroy",
  bucket: ["s3:ListBucketVersions"],
  objects: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
} as const;
