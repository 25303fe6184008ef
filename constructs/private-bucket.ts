import { Construct } from "constructs";
import { Lazy } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { policyDocument, type PolicyStatement } from "./iam";
import { BUCKET_NAME, checkPattern, refuse } from "./limits";

export interface PrivateBucketProps {
  /** Globally unique bucket name (3-63 lowercase letters, digits, dots, dashes). */
  readonly bucketName: string;
  /** Let `terraform destroy` empty the bucket first; only for throw-away environments. */
  readonly forceDestroy: boolean;
  /** Customer-managed KMS key for default encryption (with an S3 Bucket Key). @default SSE-S3 (AES256) */
  readonly encryptionKeyArn?: string;
  /** Keep every version of an object (old versions still go by the caller's lifecycle rules). @default false */
  readonly versioned?: boolean;
}

/**
 * An S3 bucket nobody reaches by accident: every public access path blocked, ACLs disabled, default
 * encryption (with a customer-managed key where the writers allow it), and a policy that refuses requests
 * without TLS. Callers add their own statements with
 * `addToPolicy`; the bucket keeps a single policy resource, as S3 allows only one.
 */
export class PrivateBucket extends Construct {
  public readonly bucket: S3Bucket;
  /** Resources that must exist before the bucket takes writes from other services. */
  public readonly policy: S3BucketPolicy;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    refuse("PrivateBucket", { bucketName: checkPattern(BUCKET_NAME, props.bucketName) });
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.encryptionKeyArn
            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.encryptionKeyArn }
            : { sseAlgorithm: "AES256" },
          bucketKeyEnabled: true,
        },
      ],
    });
    if (props.versioned) {
      new S3BucketVersioningA(this, "versioning", {
        bucket: this.bucket.id,
        versioningConfiguration: { status: "Enabled" },
      });
    }

    this.addToPolicy({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: Lazy.stringValue({ produce: () => policyDocument(...this.statements) }),
      // S3 rejects a policy while the public access block is still being applied.
      dependsOn: [publicAccessBlock],
    });
  }

  /** Adds a statement to the bucket's one policy. */
  public addToPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }

  /**
   * Sends this bucket's server access logs to `target` under `s3/<bucket>/`, and lets the S3 logging service
   * write there (for this bucket only). The target must use SSE-S3: server access logs cannot be KMS-encrypted.
   */
  public logAccessTo(target: PrivateBucket): void {
    const prefix = `s3/${this.bucket.bucket}/`;
    target.addToPolicy({
      Sid: `S3ServerAccessLogs${target.statements.filter((s) => s.Sid?.startsWith("S3ServerAccessLogs")).length}`,
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${target.bucket.arn}/${prefix}*`,
      Condition: { ArnLike: { "aws:SourceArn": this.bucket.arn } },
    });
    new S3BucketLoggingA(this, "access-logs", {
      bucket: this.bucket.id,
      targetBucket: target.bucket.id,
      targetPrefix: prefix,
      // S3 checks the target's policy when logging is turned on.
      dependsOn: [target.policy],
    });
  }

  /** ARN matching every object in the bucket. */
  public get objectsArn(): string {
    return `${this.bucket.arn}/*`;
  }
}
