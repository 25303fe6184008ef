import { Construct } from "constructs";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import type { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import type { EncryptionKey } from "./encryption-key";
import { allow } from "./iam";
import {
  ABORT_INCOMPLETE_UPLOAD_DAYS,
  checkLogRetention,
  checkRange,
  refuse,
  UPLOAD_EXPIRY_DAYS,
  UPLOAD_SWEEP_TIMEOUT_SECONDS,
} from "./limits";
import type { Naming } from "./naming";
import { loggedStateMachine, scheduleStateMachine } from "./state-machine";
import { UPLOAD_AUDIT_NAMESPACE } from "./upload-age-audit";

const DAY_MS = 86_400_000;
/** S3 lists and deletes at most 1,000 keys a request: one page of objects is one DeleteObjects. */
const PAGE = 1000;
/** Abort calls the sweep makes at once. */
const ABORTS_AT_ONCE = 10;

export interface UploadSweepProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guards). */
  readonly account: string;
  /** Name of the uploads bucket (unversioned). */
  readonly bucketName: string;
  /** ARN of the uploads bucket. */
  readonly bucketArn: string;
  /** Objects this many days old or older are deleted, in days (1 to 12). */
  readonly deleteAfterDays: number;
  /** Unfinished multipart uploads started this many days ago or earlier are aborted, in days (1 to 3). */
  readonly abortAfterDays: number;
  /** When the sweep runs, an EventBridge Scheduler expression in UTC. @default cron(0 5 * * ? *) (daily) */
  readonly scheduleExpression?: string;
  /** SNS topic of the alarms. */
  readonly alarmTopicArn: string;
  /** Key of the execution log. */
  readonly logEncryptionKeyArn: string;
  /** Days the execution log is kept (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** Key that encrypts the schedule's target input. */
  readonly encryptionKey: EncryptionKey;
}

const RETRY = [{ ErrorEquals: ["States.ALL"], MaxAttempts: 3, IntervalSeconds: 5, BackoffRate: 2 }];
const started = "$toMillis($states.context.Execution.StartTime)";
/** JSONata: the counts a state hands on unchanged. */
const carry = (...except: string[]) =>
  ["deleted", "failed", "aborted"]
    .filter((name) => !except.includes(name))
    .map((name) => `'${name}': $states.input.${name}`)
    .join(", ");

/**
 * The sweep's definition: refuse a versioned bucket (a delete there keeps the data as a noncurrent version);
 * list every page of objects and delete, one DeleteObjects per page, those at least `deleteAfterDays` old when
 * the execution started; list every page of unfinished multipart uploads and abort those started at least
 * `abortAfterDays` before; publish the counts; fail if any delete failed, so the missed-sweep alarm fires.
 */
export function sweepDefinition(
  bucketName: string,
  deleteAfterDays: number,
  abortAfterDays: number,
): Record<string, unknown> {
  const bucket = `'${bucketName}'`;
  const olderThan = (days: number) => `${started} - ${days * DAY_MS}`;
  const metric = (name: string, value: string) => ({
    MetricName: name,
    Dimensions: [{ Name: "Bucket", Value: bucketName }],
    Unit: "Count",
    Value: `{% ${value} %}`,
  });
  return {
    Comment: `Deletes every object of ${bucketName} ${deleteAfterDays} days old or older, and aborts every unfinished upload started ${abortAfterDays} days ago or earlier`,
    QueryLanguage: "JSONata",
    TimeoutSeconds: UPLOAD_SWEEP_TIMEOUT_SECONDS,
    StartAt: "Start",
    States: {
      Start: { Type: "Pass", Output: { deleted: 0, failed: 0, aborted: 0 }, Next: "CheckVersioning" },
      CheckVersioning: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:s3:getBucketVersioning",
        Arguments: { Bucket: bucketName },
        Output: `{% {${carry()}, 'versioning': $states.result.Status} %}`,
        Retry: RETRY,
        Next: "Unversioned",
      },
      Unversioned: {
        Type: "Choice",
        Choices: [{ Condition: "{% $exists($states.input.versioning) %}", Next: "Versioned" }],
        Default: "ListObjects",
      },
      Versioned: {
        Type: "Fail",
        Error: "BucketVersioned",
        Cause: `Versioning was turned on for ${bucketName}: a delete would keep each file as a noncurrent version. Nothing was deleted.`,
      },
      ListObjects: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        Arguments: `{% $merge([{'Bucket': ${bucket}, 'MaxKeys': ${PAGE}}, $exists($states.input.token) ? {'ContinuationToken': $states.input.token} : {}]) %}`,
        Output: `{% {${carry()}, 'token': $states.result.NextContinuationToken, 'old': [$states.result.Contents[$toMillis(LastModified) <= ${olderThan(deleteAfterDays)}].{'Key': Key}]} %}`,
        Retry: RETRY,
        Next: "AnyOld",
      },
      AnyOld: {
        Type: "Choice",
        Choices: [{ Condition: "{% $count($states.input.old) > 0 %}", Next: "DeleteOld" }],
        Default: "MoreObjects",
      },
      DeleteOld: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:s3:deleteObjects",
        Arguments: `{% {'Bucket': ${bucket}, 'Delete': {'Objects': $states.input.old, 'Quiet': true}} %}`,
        // Quiet: S3 answers with the keys it could not delete, and only those.
        Output: `{% {${carry("deleted", "failed")}, 'deleted': $states.input.deleted + $count($states.input.old) - $count($states.result.Errors), 'failed': $states.input.failed + $count($states.result.Errors), 'token': $states.input.token} %}`,
        Retry: RETRY,
        Next: "MoreObjects",
      },
      MoreObjects: {
        Type: "Choice",
        Choices: [{ Condition: "{% $exists($states.input.token) %}", Next: "ListObjects" }],
        Default: "ListUploads",
      },
      ListUploads: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:s3:listMultipartUploads",
        Arguments: `{% $merge([{'Bucket': ${bucket}, 'MaxUploads': ${PAGE}}, $exists($states.input.keyMarker) ? {'KeyMarker': $states.input.keyMarker, 'UploadIdMarker': $states.input.uploadIdMarker} : {}]) %}`,
        Output: `{% {${carry()}, 'keyMarker': $states.result.IsTruncated ? $states.result.NextKeyMarker, 'uploadIdMarker': $states.result.IsTruncated ? $states.result.NextUploadIdMarker, 'stale': [$states.result.Uploads[$toMillis(Initiated) <= ${olderThan(abortAfterDays)}].{'Key': Key, 'UploadId': UploadId}]} %}`,
        Retry: RETRY,
        Next: "AnyStale",
      },
      AnyStale: {
        Type: "Choice",
        Choices: [{ Condition: "{% $count($states.input.stale) > 0 %}", Next: "AbortStale" }],
        Default: "MoreUploads",
      },
      AbortStale: {
        Type: "Map",
        Items: "{% $states.input.stale %}",
        MaxConcurrency: ABORTS_AT_ONCE,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "Abort",
          States: {
            Abort: {
              Type: "Task",
              Resource: "arn:aws:states:::aws-sdk:s3:abortMultipartUpload",
              Arguments: {
                Bucket: bucketName,
                Key: "{% $states.input.Key %}",
                UploadId: "{% $states.input.UploadId %}",
              },
              // Completed or aborted since it was listed: gone already, which is what the sweep wants.
              Retry: [{ ErrorEquals: ["S3.NoSuchUploadException"], MaxAttempts: 0 }, ...RETRY],
              Catch: [{ ErrorEquals: ["S3.NoSuchUploadException"], Next: "AlreadyGone" }],
              End: true,
            },
            AlreadyGone: { Type: "Succeed" },
          },
        },
        Output: `{% {${carry("aborted")}, 'aborted': $states.input.aborted + $count($states.result), 'keyMarker': $states.input.keyMarker, 'uploadIdMarker': $states.input.uploadIdMarker} %}`,
        Next: "MoreUploads",
      },
      MoreUploads: {
        Type: "Choice",
        Choices: [{ Condition: "{% $exists($states.input.keyMarker) %}", Next: "ListUploads" }],
        Default: "Report",
      },
      Report: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:cloudwatch:putMetricData",
        Arguments: {
          Namespace: UPLOAD_AUDIT_NAMESPACE,
          MetricData: [
            metric("ObjectsDeleted", "$states.input.deleted"),
            metric("DeleteFailures", "$states.input.failed"),
            metric("UploadsAborted", "$states.input.aborted"),
          ],
        },
        Output: "{% $states.input %}",
        Retry: RETRY,
        Next: "Outcome",
      },
      Outcome: {
        Type: "Choice",
        Choices: [{ Condition: "{% $states.input.failed > 0 %}", Next: "DeleteFailed" }],
        Default: "Swept",
      },
      DeleteFailed: {
        Type: "Fail",
        Error: "DeleteFailed",
        Cause: `S3 could not delete some objects of ${bucketName}; the rest were deleted (DeleteFailures).`,
      },
      Swept: { Type: "Succeed" },
    },
  };
}

/**
 * Removal that does not wait on S3: every day a Step Functions state machine deletes every upload
 * `deleteAfterDays` old or older and aborts every unfinished multipart upload `abortAfterDays` old or older, so
 * an upload is gone within a day (and one run, at most an hour) of reaching the limit. S3's lifecycle rules stay
 * as the second line, and the upload age audit checks the result. An alarm fires on any day without a
 * successful sweep (failed, timed out or not started), a day before the audit's limit is reached.
 */
export class UploadSweep extends Construct {
  public readonly stateMachine: SfnStateMachine;
  public readonly schedule: SchedulerSchedule;
  public readonly missedAlarm: CloudwatchMetricAlarm;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: UploadSweepProps) {
    super(scope, id);
    refuse("UploadSweep", {
      deleteAfterDays: checkRange(UPLOAD_EXPIRY_DAYS, props.deleteAfterDays),
      abortAfterDays: checkRange(ABORT_INCOMPLETE_UPLOAD_DAYS, props.abortAfterDays),
      logRetentionDays: checkLogRetention(props.logRetentionDays),
    });
    const { naming, account, bucketArn } = props;

    const machine = loggedStateMachine(this, {
      naming,
      account,
      purpose: "upload-sweep",
      description: "The upload sweep deletes old uploads and aborts stale multipart uploads",
      definition: sweepDefinition(props.bucketName, props.deleteAfterDays, props.abortAfterDays),
      statements: [
        allow(
          "ListTheUploads",
          ["s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:GetBucketVersioning"],
          bucketArn,
        ),
        allow("DeleteOldUploads", ["s3:DeleteObject", "s3:AbortMultipartUpload"], `${bucketArn}/*`),
        allow("PublishTheCounts", "cloudwatch:PutMetricData", "*", {
          StringEquals: { "cloudwatch:namespace": UPLOAD_AUDIT_NAMESPACE },
        }),
      ],
      logEncryptionKeyArn: props.logEncryptionKeyArn,
      logRetentionDays: props.logRetentionDays,
    });
    this.stateMachine = machine.stateMachine;
    this.logGroup = machine.logGroup;

    this.schedule = scheduleStateMachine(this, {
      naming,
      account,
      purpose: "upload-sweep",
      stateMachine: this.stateMachine,
      scheduleExpression: props.scheduleExpression ?? "cron(0 5 * * ? *)",
      description: `Daily: delete uploads ${props.deleteAfterDays} days old or older`,
      roleDescription: "EventBridge Scheduler starts the daily upload sweep",
      encryptionKey: props.encryptionKey,
    });

    // No successful execution in a day, whatever the reason (failed, timed out, never started): breaching.
    this.missedAlarm = new CloudwatchMetricAlarm(this, "missed", {
      alarmName: naming.name("upload-sweep-missed"),
      alarmDescription: `No daily sweep of ${props.bucketName} succeeded: uploads are not being removed`,
      namespace: "AWS/States",
      metricName: "ExecutionsSucceeded",
      dimensions: { StateMachineArn: this.stateMachine.arn },
      statistic: "Sum",
      period: 86400,
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
      alarmActions: [props.alarmTopicArn],
      okActions: [props.alarmTopicArn],
    });
  }
}
