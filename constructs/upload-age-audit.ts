import { Construct } from "constructs";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import type { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import type { EncryptionKey } from "./encryption-key";
import { allow } from "./iam";
import { checkLogRetention, checkRange, MAX_UPLOAD_AGE_DAYS, refuse, type Range } from "./limits";
import type { Naming } from "./naming";
import { loggedStateMachine, scheduleStateMachine } from "./state-machine";

/** The metrics' namespace; the bucket is their one dimension. */
export const UPLOAD_AUDIT_NAMESPACE = "MyAmazingApp/Uploads";
/** Ages the audit may be asked to enforce: the mission's promise is the ceiling. */
const MAX_AGE_DAYS: Range = { min: 1, max: MAX_UPLOAD_AGE_DAYS, unit: "days (the mission's promise)" };
const DAY_MS = 86_400_000;

export interface UploadAgeAuditProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guards). */
  readonly account: string;
  /** Name of the uploads bucket. */
  readonly bucketName: string;
  /** ARN of the uploads bucket. */
  readonly bucketArn: string;
  /** An object this many days old or older breaks the promise. @default 14 (MAX_UPLOAD_AGE_DAYS) */
  readonly maxAgeDays?: number;
  /** When the audit runs, an EventBridge Scheduler expression in UTC. @default cron(0 6 * * ? *) (daily) */
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

/**
 * JSONata (Step Functions' own expression language) that judges one page of ListObjectsV2: how many objects
 * are at least `maxAgeDays` old when the execution started, and the oldest age in days, added to what earlier
 * pages found. Exported so the tests evaluate exactly what the state machine runs.
 */
export function pageVerdict(maxAgeDays: number): string {
  const started = "$toMillis($states.context.Execution.StartTime)";
  const objects = "$states.result.Contents";
  return [
    "{% {",
    `'token': $states.result.NextContinuationToken,`,
    `'objects': $states.input.objects + $count(${objects}),`,
    `'overAge': $states.input.overAge + $count(${objects}[$toMillis(LastModified) <= ${started} - ${maxAgeDays * DAY_MS}]),`,
    `'oldestDays': $max([$states.input.oldestDays, (${started} - $min(${objects}.$toMillis(LastModified))) / ${DAY_MS}])`,
    "} %}",
  ].join(" ");
}

/** The state machine's definition: list every page of the bucket, then publish the verdict as metrics. */
export function auditDefinition(bucketName: string, maxAgeDays: number): Record<string, unknown> {
  const dimensions = [{ Name: "Bucket", Value: bucketName }];
  const metric = (name: string, value: string, unit: string) => ({
    MetricName: name,
    Dimensions: dimensions,
    Unit: unit,
    Value: `{% ${value} %}`,
  });
  return {
    Comment: `Counts the objects in ${bucketName} at least ${maxAgeDays} days old (there must be none)`,
    QueryLanguage: "JSONata",
    StartAt: "Start",
    States: {
      Start: { Type: "Pass", Output: { objects: 0, overAge: 0, oldestDays: 0 }, Next: "ListPage" },
      ListPage: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        Arguments: `{% $merge([{'Bucket': '${bucketName}'}, $exists($states.input.token) ? {'ContinuationToken': $states.input.token} : {}]) %}`,
        Output: pageVerdict(maxAgeDays),
        Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 3, IntervalSeconds: 5, BackoffRate: 2 }],
        Next: "MorePages",
      },
      MorePages: {
        Type: "Choice",
        Choices: [{ Condition: "{% $exists($states.input.token) %}", Next: "ListPage" }],
        Default: "Publish",
      },
      Publish: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:cloudwatch:putMetricData",
        Arguments: {
          Namespace: UPLOAD_AUDIT_NAMESPACE,
          MetricData: [
            metric("ObjectsOverAge", "$states.input.overAge", "Count"),
            metric("OldestObjectAgeDays", "$states.input.oldestDays", "None"),
            metric("ObjectsAudited", "$states.input.objects", "Count"),
          ],
        },
        Output: "{% $states.input %}",
        End: true,
      },
    },
  };
}

/**
 * Proof of the two-week promise that an auditor can read: every day a Step Functions state machine lists the
 * uploads bucket and publishes how many objects are at least `maxAgeDays` old (CloudWatch keeps the daily
 * figures 15 months). An alarm fires when any is, and when the audit itself fails or stops reporting, so a
 * silent audit is never read as a passing one. It reads object metadata only, never contents.
 */
export class UploadAgeAudit extends Construct {
  public readonly stateMachine: SfnStateMachine;
  public readonly schedule: SchedulerSchedule;
  public readonly overAgeAlarm: CloudwatchMetricAlarm;
  public readonly failedAlarm: CloudwatchMetricAlarm;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: UploadAgeAuditProps) {
    super(scope, id);
    const maxAgeDays = props.maxAgeDays ?? MAX_UPLOAD_AGE_DAYS;
    refuse("UploadAgeAudit", {
      maxAgeDays: checkRange(MAX_AGE_DAYS, maxAgeDays),
      logRetentionDays: checkLogRetention(props.logRetentionDays),
    });
    const { naming, account } = props;

    const machine = loggedStateMachine(this, {
      naming,
      account,
      purpose: "upload-age-audit",
      description: "The upload age audit lists the uploads bucket and publishes its verdict",
      definition: auditDefinition(props.bucketName, maxAgeDays),
      statements: [
        allow("ListTheUploads", "s3:ListBucket", props.bucketArn),
        allow("PublishTheVerdict", "cloudwatch:PutMetricData", "*", {
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
      purpose: "upload-age-audit",
      stateMachine: this.stateMachine,
      scheduleExpression: props.scheduleExpression ?? "cron(0 6 * * ? *)",
      description: `Daily: are all uploads younger than ${maxAgeDays} days?`,
      roleDescription: "EventBridge Scheduler starts the daily upload age audit",
      encryptionKey: props.encryptionKey,
    });

    const alarm = (short: string, description: string, spec: Record<string, unknown>) =>
      new CloudwatchMetricAlarm(this, short, {
        alarmName: naming.name(short),
        alarmDescription: description,
        period: 86400,
        evaluationPeriods: 1,
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
        ...spec,
      });
    // No figure for a day means the audit did not run: that is not a pass.
    this.overAgeAlarm = alarm(
      "uploads-over-age",
      `An upload in ${props.bucketName} is ${maxAgeDays} days old or older, or the daily audit did not report`,
      {
        namespace: UPLOAD_AUDIT_NAMESPACE,
        metricName: "ObjectsOverAge",
        dimensions: { Bucket: props.bucketName },
        treatMissingData: "breaching",
      },
    );
    this.failedAlarm = alarm("upload-age-audit-failed", "The daily upload age audit failed", {
      namespace: "AWS/States",
      metricName: "ExecutionsFailed",
      dimensions: { StateMachineArn: this.stateMachine.arn },
      statistic: "Sum",
      treatMissingData: "notBreaching",
    });
  }
}
