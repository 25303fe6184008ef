import { Construct } from "constructs";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { S3BucketCorsConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { policyDocument } from "./iam";
import { ABORT_INCOMPLETE_UPLOAD_DAYS, checkRange, refuse, UPLOAD_EXPIRY_DAYS } from "./limits";
import type { EncryptionKey } from "./encryption-key";
import { PrivateBucket } from "./private-bucket";

/** An origin a browser sends: https, a host, no path, no wildcard. */
const HTTPS_ORIGIN = /^https:\/\/[a-z0-9.-]+$/;

export interface UploadsBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** Days after which S3 expires an upload (1 to 13, so every object is gone before it is 14 days old). */
  readonly expireAfterDays: number;
  /** Days after which S3 aborts an unfinished multipart upload and frees its parts (1 to 3). */
  readonly abortIncompleteUploadsAfterDays: number;
  /** Origins allowed to upload directly from the browser, e.g. `https://myamazingapp.cdlib.org`. */
  readonly allowedOrigins: string[];
  /** Let `terraform destroy` empty the bucket; only for throw-away environments. */
  readonly forceDestroy: boolean;
  /** The customer-managed key that encrypts the files. */
  readonly encryptionKey: EncryptionKey;
  /** Where the bucket's server access logs go (an SSE-S3 bucket). */
  readonly accessLogBucket: PrivateBucket;
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
  private readonly encryptionKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: UploadsBucketProps) {
    super(scope, id);
    UploadsBucket.validate(props);
    const { expireAfterDays, abortIncompleteUploadsAfterDays: abortDays } = props;
    this.expireAfterDays = expireAfterDays;

    // Never versioned: no old copy can outlive the expiry.
    this.bucket = new PrivateBucket(this, "files", {
      bucketName: props.bucketName,
      forceDestroy: props.forceDestroy,
      encryptionKeyArn: props.encryptionKey.key.arn,
      versioned: false,
    });
    this.encryptionKey = props.encryptionKey;
    this.bucket.logAccessTo(props.accessLogBucket);
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
          // The browser PUTs a file (Active Storage's direct upload) or each part of a multipart upload, and
          // GETs or HEADs a download, all through presigned URLs; the app creates, completes and aborts
          // multipart uploads itself, so the browser never POSTs or DELETEs here (docs/rails.md).
          allowedMethods: ["PUT", "GET", "HEAD"],
          // What Active Storage's S3 service has the browser send with a direct upload (Content-Type,
          // Content-MD5, Content-Disposition, custom metadata as x-amz-meta-*), and newer checksums (x-amz-*).
          allowedHeaders: ["content-type", "content-md5", "content-disposition", "x-amz-*"],
          // The browser must read each part's ETag to complete the multipart upload.
          exposeHeaders: ["ETag"],
          maxAgeSeconds: 3600,
        },
      ],
    });
  }

  /** Refuses an expiry that breaks the two-week promise, and origins that would open CORS wide. */
  public static validate(props: UploadsBucketProps): void {
    refuse("UploadsBucket", {
      expireAfterDays: checkRange(UPLOAD_EXPIRY_DAYS, props.expireAfterDays),
      abortIncompleteUploadsAfterDays:
        checkRange(ABORT_INCOMPLETE_UPLOAD_DAYS, props.abortIncompleteUploadsAfterDays) ??
        UploadsBucket.checkAbortDays(props.abortIncompleteUploadsAfterDays, props.expireAfterDays),
      allowedOrigins:
        props.allowedOrigins.length > 0 && props.allowedOrigins.every((o) => HTTPS_ORIGIN.test(o))
          ? undefined
          : `must be https origins without a path or wildcard, got ${JSON.stringify(props.allowedOrigins)}`,
    });
  }

  /**
   * Why unfinished uploads may not outlive finished ones (their parts would stay after the files expired),
   * or undefined.
   */
  public static checkAbortDays(abortDays: number, expireAfterDays: number): string | undefined {
    return abortDays > expireAfterDays
      ? `${abortDays} is above the expiry of ${expireAfterDays} days; allowed: 1 to ${expireAfterDays}`
      : undefined;
  }

  /** Lets a role read, write and delete uploads (multipart included) and use their key, and nothing else. */
  public grantReadWrite(role: IamRole): IamRolePolicy {
    this.encryptionKey.grantUse(role);
    const arn = this.bucket.bucket.arn;
    return new IamRolePolicy(this, `read-write-${role.node.id}`, {
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
