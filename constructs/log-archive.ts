import { Construct } from "constructs";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogSubscriptionFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import type { EncryptionKey } from "./encryption-key";
import { allow, policyDocument } from "./iam";
import { checkRange, LOG_ARCHIVE_DAYS, refuse } from "./limits";
import type { Naming } from "./naming";
import { PrivateBucket } from "./private-bucket";

export interface LogArchiveProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guards). */
  readonly account: string;
  /** AWS region (the log groups' ARNs). */
  readonly region: string;
  /** Globally unique name of the archive bucket. */
  readonly bucketName: string;
  /** Days an archived log is kept before S3 expires it (30 to 3653). */
  readonly retentionDays: number;
  /** The environment's logs key: it encrypts the bucket and the delivery stream. */
  readonly encryptionKey: EncryptionKey;
  /** Bucket that takes this bucket's S3 server access logs. */
  readonly accessLogBucket: PrivateBucket;
  /** Let `terraform destroy` empty the bucket; only for throw-away environments. */
  readonly forceDestroy: boolean;
}

/** Seconds or megabytes Firehose gathers before it writes an object: whichever comes first (64 MB is the least
 * dynamic partitioning takes). */
const BUFFER = { seconds: 300, megabytes: 64 };

/** The partition key the prefix names. */
const PARTITION_KEY = "log_group";

/**
 * The jq (1.6) that names each envelope's partition: its log group without the leading slash, so the prefix has
 * no empty segment (`cloudwatch/myamazingapp/production/web/`, not `cloudwatch//...`).
 */
export const PARTITION_QUERY = `{${PARTITION_KEY}: (.logGroup | ltrimstr("/"))}`;

/**
 * Lifecycle rules of a log archive kept `days`: Standard-IA after 30 days and Glacier Instant Retrieval after
 * 90 where the logs stay long enough for the move to pay (S3 bills IA 30 days and Glacier IR 90 days at least),
 * expiry after `days`, old versions after a week, unfinished uploads after a day. The load balancer's access
 * log bucket uses the same rules.
 */
export function archiveLifecycle(days: number): S3BucketLifecycleConfigurationRule[] {
  const transition = [
    ...(days >= 60 ? [{ days: 30, storageClass: "STANDARD_IA" }] : []),
    ...(days >= 180 ? [{ days: 90, storageClass: "GLACIER_IR" }] : []),
  ];
  return [
    {
      id: "archive",
      status: "Enabled",
      filter: [{ prefix: "" }],
      ...(transition.length > 0 ? { transition } : {}),
      expiration: [{ days }],
      noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
    },
  ];
}

/**
 * The environment's log archive on S3: every log group stays in CloudWatch for its retention and is also
 * delivered, through a subscription filter and the environment's one Kinesis Data Firehose stream, to an
 * encrypted, versioned bucket under `cloudwatch/<log group name>/YYYY/MM/DD/HH/` (UTC), gzipped, moved to colder
 * storage and expired after `retentionDays`. Firehose opens CloudWatch Logs' gzipped envelopes and partitions them
 * by the log group each names (dynamic partitioning, its built-in jq), so one stream serves every group; an object
 * holds one envelope per line: the group, the log stream, and each event's id, timestamp and message, as written.
 * `archive(group, name)` adds a group; stacks/app-stack.ts archives every group of the stack, and the
 * `logs-archived` rule checks it.
 */
export class LogArchive extends Construct {
  public readonly bucket: PrivateBucket;
  /** The role Firehose writes to the bucket with. */
  public readonly deliveryRole: IamRole;
  /** The role CloudWatch Logs puts records into the stream with. */
  public readonly subscriptionRole: IamRole;
  /** The delivery stream every archived group's subscription filter sends to. */
  public readonly stream: KinesisFirehoseDeliveryStream;
  private readonly subscriptionPolicy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    refuse("LogArchive", { retentionDays: checkRange(LOG_ARCHIVE_DAYS, props.retentionDays) });
    const { naming, account, encryptionKey } = props;

    this.bucket = new PrivateBucket(this, "bucket", {
      bucketName: props.bucketName,
      forceDestroy: props.forceDestroy,
      encryptionKeyArn: encryptionKey.key.arn,
      versioned: true,
    });
    this.bucket.logAccessTo(props.accessLogBucket);
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.bucket.id,
      rule: archiveLifecycle(props.retentionDays),
    });

    this.deliveryRole = new IamRole(this, "delivery-role", {
      name: naming.name("log-archive-delivery"),
      description: "Kinesis Data Firehose writes the environment's logs to the archive bucket",
      assumeRolePolicy: policyDocument({
        Effect: "Allow",
        Principal: { Service: "firehose.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      }),
    });
    new IamRolePolicy(this, "delivery-policy", {
      role: this.deliveryRole.id,
      name: "write-archive",
      policy: policyDocument(
        allow(
          "WriteTheArchive",
          [
            "s3:AbortMultipartUpload",
            "s3:GetBucketLocation",
            "s3:ListBucket",
            "s3:ListBucketMultipartUploads",
            "s3:PutObject",
          ],
          [this.bucket.bucket.arn, this.bucket.objectsArn],
        ),
      ),
    });
    encryptionKey.grantUse(this.deliveryRole);

    this.stream = new KinesisFirehoseDeliveryStream(this, "stream", {
      name: naming.name("logs"),
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: encryptionKey.key.arn },
      extendedS3Configuration: {
        bucketArn: this.bucket.bucket.arn,
        roleArn: this.deliveryRole.arn,
        prefix: `cloudwatch/!{partitionKeyFromQuery:${PARTITION_KEY}}/!{timestamp:yyyy/MM/dd/HH}/`,
        errorOutputPrefix: "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
        bufferingInterval: BUFFER.seconds,
        bufferingSize: BUFFER.megabytes,
        compressionFormat: "GZIP",
        kmsKeyArn: encryptionKey.key.arn,
        dynamicPartitioningConfiguration: { enabled: true },
        processingConfiguration: {
          enabled: true,
          processors: [
            // CloudWatch Logs delivers gzipped JSON envelopes; partitioning reads them opened.
            {
              type: "Decompression",
              parameters: [{ parameterName: "CompressionFormat", parameterValue: "GZIP" }],
            },
            {
              type: "MetadataExtraction",
              parameters: [
                { parameterName: "JsonParsingEngine", parameterValue: "JQ-1.6" },
                { parameterName: "MetadataExtractionQuery", parameterValue: PARTITION_QUERY },
              ],
            },
            // One envelope per line, so the objects read as JSON Lines.
            { type: "AppendDelimiterToRecord", parameters: [] },
          ],
        },
      },
      dependsOn: [this.bucket.policy],
    });

    this.subscriptionRole = new IamRole(this, "subscription-role", {
      name: naming.name("log-archive-subscription"),
      description: "CloudWatch Logs sends the environment's log events to the archive's delivery stream",
      assumeRolePolicy: policyDocument({
        Effect: "Allow",
        Principal: { Service: "logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringLike: { "aws:SourceArn": `arn:aws:logs:${props.region}:${account}:log-group:*` },
          StringEquals: { "aws:SourceAccount": account },
        },
      }),
    });
    this.subscriptionPolicy = new IamRolePolicy(this, "subscription-policy", {
      role: this.subscriptionRole.id,
      name: "put-records",
      policy: policyDocument(
        allow("PutIntoTheArchivesStream", ["firehose:PutRecord", "firehose:PutRecordBatch"], this.stream.arn),
      ),
    });
  }

  /**
   * Archives a log group: its subscription filter sends every event to the archive's stream, which files it
   * under the group's name. `name` is short and unique in the environment, e.g. `web` or `delivery-build`.
   */
  public archive(group: CloudwatchLogGroup, name: string): CloudwatchLogSubscriptionFilter {
    return new CloudwatchLogSubscriptionFilter(new Construct(this, name), "subscription", {
      name: "archive",
      logGroupName: group.name,
      filterPattern: "",
      destinationArn: this.stream.arn,
      roleArn: this.subscriptionRole.arn,
      dependsOn: [this.subscriptionPolicy],
    });
  }
}
