import { Construct } from "constructs";
import { Lazy } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { policyDocument, type PolicyStatement } from "./iam";
import { BUCKET_NAME, checkPattern, refuse } from "./limits";

export interface PrivateBucketProps {
  /** Globally unique bucket name (3-63 lowercase letters, digits, dots, dashes). */
  readonly bucketName: string;
  /** Let `terraform destroy` empty the bucket first; only for throw-away environments. */
  readonly forceDestroy: boolean;
}

/**
 * An S3 bucket nobody reaches by accident: every public access path blocked, ACLs disabled, default
 * encryption, and a policy that refuses requests without TLS. Callers add their own statements with
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
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });

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

  /** ARN matching every object in the bucket. */
  public get objectsArn(): string {
    return `${this.bucket.arn}/*`;
  }
}
