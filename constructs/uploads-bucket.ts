import { Construct } from "constructs";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { S3BucketCorsConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { policyDocument } from "./iam";
import { PrivateBucket } from "./private-bucket";

/** Every upload must be gone before it is this many days old. */
export const MAX_UPLOAD_AGE_DAYS = 14;

export interface UploadsBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** Days after which S3 expires an upload. Must keep every object under 14 days. @default 12 */
  readonly expireAfterDays?: number;
  /** Days after which S3 aborts an unfinished multipart upload and frees its parts. @default 1 */
  readonly abortIncompleteUploadsAfterDays?: number;
  /** Origins allowed to upload directly from the browser, e.g. `https://myamazingapp.cdlib.org`. */
  readonly allowedOrigins: string[];
  /** Let `terraform destroy` empty the bucket; only for throw-away environments. @default false */
  readonly forceDestroy?: boolean;
}

/**
 * Short-lived user files (1 MB to 6 GiB). Browsers upload straight to S3 with presigned multipart URLs,
 * so large files never pass through the Rails containers; lifecycle rules remove every object, and
 * every unfinished upload, well before the two-week limit.
 */
export class UploadsBucket extends Construct {
  public readonly bucket: PrivateBucket;
  /** The expiration the lifecycle rule applies, in days. */
  public readonly expireAfterDays: number;

  constructor(scope: Construct, id: string, props: UploadsBucketProps) {
    super(scope, id);
    const expireAfterDays = props.expireAfterDays ?? 12;
    // S3 computes expiry as creation time + N days rounded UP to the next midnight UTC, so an object can
    // live up to N days + 24 h. Keeping N + 1 <= 14 guarantees it is expired before it is 14 days old.
    if (
      !Number.isInteger(expireAfterDays) ||
      expireAfterDays < 1 ||
      expireAfterDays + 1 > MAX_UPLOAD_AGE_DAYS
    ) {
      throw new Error(
        `UploadsBucket: expireAfterDays must be 1 to ${MAX_UPLOAD_AGE_DAYS - 1} (S3 rounds expiry up to the next midnight UTC, so N days can mean N+1), got ${expireAfterDays}`,
      );
    }
    const abortDays = props.abortIncompleteUploadsAfterDays ?? 1;
    if (!Number.isInteger(abortDays) || abortDays < 1 || abortDays > expireAfterDays) {
      throw new Error(
        `UploadsBucket: abortIncompleteUploadsAfterDays must be 1 to expireAfterDays (${expireAfterDays}), got ${abortDays}`,
      );
    }
    const badOrigin = props.allowedOrigins.find((o) => !/^https:\/\/[a-z0-9.-]+$/.test(o));
    if (props.allowedOrigins.length === 0 || badOrigin !== undefined) {
      throw new Error(
        `UploadsBucket: allowedOrigins must be https origins without a path or wildcard, got ${JSON.stringify(props.allowedOrigins)}`,
      );
    }
    this.expireAfterDays = expireAfterDays;

    // No versioning resource: the bucket is never versioned, so no old copy can outlive the expiry.
    this.bucket = new PrivateBucket(this, "files", {
      bucketName: props.bucketName,
      forceDestroy: props.forceDestroy,
    });
    const bucketId = this.bucket.bucket.id;

    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucketId,
      rule: [
        {
          id: "expire-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: expireAfterDays }],
        },
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: abortDays }],
        },
        {
          // Only matters if someone turns versioning on by hand: old versions and markers go within a day.
          id: "remove-noncurrent-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });

    new S3BucketCorsConfiguration(this, "cors", {
      bucket: bucketId,
      corsRule: [
        {
          id: "browser-direct-upload",
          allowedOrigins: props.allowedOrigins,
          // PUT for each presigned part, POST to create/complete, GET/HEAD for presigned downloads.
          allowedMethods: ["PUT", "POST", "GET", "HEAD"],
          allowedHeaders: ["content-type", "content-md5", "x-amz-*"],
          // The browser must read each part's ETag to complete the multipart upload.
          exposeHeaders: ["ETag"],
          maxAgeSeconds: 3600,
        },
      ],
    });
  }

  /** Lets a role read, write and delete uploads (multipart included), and nothing else. */
  public grantReadWrite(role: IamRole): void {
    const arn = this.bucket.bucket.arn;
    new IamRolePolicy(this, `read-write-${role.node.id}`, {
      role: role.id,
      name: "uploads-read-write",
      policy: policyDocument(
        {
          Sid: "Objects",
          Effect: "Allow",
          Action: [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
          ],
          Resource: `${arn}/*`,
        },
        {
          Sid: "Bucket",
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:GetBucketLocation"],
          Resource: arn,
        },
      ),
    });
  }
}
