import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SchedulerScheduleGroup } from "@cdktf/provider-aws/lib/scheduler-schedule-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import type { AppTaskDefinition } from "./app-task-definition";
import type { EncryptionKey } from "./encryption-key";
import { assumedBy, policyDocument } from "./iam";
import { checkLogRetention, checkRange, checkTimeZone, refuse, RETRY_ATTEMPTS, type Range } from "./limits";
import type { Naming } from "./naming";

/** The heartbeat window is an SQS retention, so SQS's 14-day maximum bounds it. */
const SUCCESS_WITHIN_HOURS: Range = { min: 1, max: 336, unit: "hours (SQS keeps messages 14 days)" };
/** Eight days: a weekly run may slip a day before the alarm says it was missed. */
const DEFAULT_SUCCESS_WITHIN_HOURS = 192;

export interface ScheduledTaskProps {
  /** Resource names. */
  readonly naming: Naming;
  /** Short purpose used in names and the ECS task group, e.g. `weekly-stats`. */
  readonly purpose: string;
  /** AWS account id (trust-policy guard). */
  readonly account: string;
  /** Cluster the task runs in. */
  readonly clusterArn: string;
  /** The app's task definition; the newest revision of its family runs. */
  readonly task: AppTaskDefinition;
  /** Command run in the app container, e.g. `["bundle", "exec", "rake", "stats:users"]`. */
  readonly command: string[];
  /** EventBridge Scheduler expression, e.g. `cron(0 3 ? * MON *)`. */
  readonly scheduleExpression: string;
  /** IANA time zone the expression is read in, e.g. `America/Los_Angeles`. */
  readonly timezone: string;
  /** Private subnets for the task. */
  readonly subnetIds: string[];
  /** Security groups of the task (the app's, so it reaches the database). */
  readonly securityGroupIds: string[];
  /** Scheduler retries when RunTask fails (0 to 185). */
  readonly retryAttempts: number;
  /** Hours without a successful run before the "missing run" alarm fires (max 336). @default 192 (8 days) */
  readonly successWithinHours?: number;
  /** SNS topic for failure and missing-run alarms. */
  readonly alarmTopicArn: string;
  /** Customer-managed key that encrypts the schedule's target input. */
  readonly encryptionKey: EncryptionKey;
  /** Name of the log group that records every run (`npm run ops -- status` reads the last). @default none */
  readonly runsLogGroupName?: string;
  /** Key of the runs log. Required with `runsLogGroupName`. */
  readonly logEncryptionKeyArn?: string;
  /** Days the runs log is kept. Required with `runsLogGroupName`. */
  readonly logRetentionDays?: number;
}

/**
 * A recurring one-off Fargate task that cannot fail quietly. EventBridge Scheduler runs it (retries, then a
 * dead-letter queue); an EventBridge rule on ECS task state changes reports a run whose container exits
 * non-zero or that fails to start; and a heartbeat queue holds one message per successful run for
 * `successWithinHours`, so an empty (or silent) queue alarms when no run has succeeded in that window.
 * CloudWatch alarms look back at most 7 days, which is why the window is kept by SQS retention instead.
 */
export class ScheduledTask extends Construct {
  public readonly schedule: SchedulerSchedule;
  public readonly deadLetterQueue: SqsQueue;
  public readonly heartbeatQueue: SqsQueue;
  public readonly failureRule: CloudwatchEventRule;
  public readonly missedRunAlarm: CloudwatchMetricAlarm;
  /** ECS task group the scheduled runs carry; the rules match on it. */
  public readonly taskGroup: string;
  /** Every run's stop event (exit code, reason, task), one log event per run. */
  public readonly runsLog?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    const { naming, task, purpose } = props;
    ScheduledTask.validate(props);
    const { retryAttempts } = props;
    const successWithinHours = props.successWithinHours ?? DEFAULT_SUCCESS_WITHIN_HOURS;
    this.taskGroup = purpose;
    const taskFamilyArn = task.taskDefinition.arnWithoutRevision;

    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: naming.name(`${purpose}-dlq`),
      messageRetentionSeconds: 14 * 24 * 3600,
      sqsManagedSseEnabled: true,
    });

    const role = new IamRole(this, "scheduler-role", {
      name: naming.name(`${purpose}-scheduler`),
      description: `EventBridge Scheduler: start the ${purpose} task`,
      assumeRolePolicy: assumedBy("scheduler.amazonaws.com", props.account),
    });
    new IamRolePolicy(this, "scheduler-policy", {
      role: role.id,
      name: "run-task",
      policy: policyDocument(
        {
          Sid: "RunTheAppTaskInItsCluster",
          Effect: "Allow",
          Action: ["ecs:RunTask", "ecs:TagResource"],
          Resource: [`${taskFamilyArn}:*`, taskFamilyArn],
          Condition: { ArnEquals: { "ecs:cluster": props.clusterArn } },
        },
        {
          Sid: "PassTheTaskRoles",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: [task.executionRole.arn, task.taskRole.arn],
          Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        {
          Sid: "DeadLetters",
          Effect: "Allow",
          Action: "sqs:SendMessage",
          Resource: this.deadLetterQueue.arn,
        },
      ),
    });

    // The scheduler decrypts the target input with the role when it starts a run.
    props.encryptionKey.grantUse(role);

    const group = new SchedulerScheduleGroup(this, "group", { name: naming.name(purpose) });
    this.schedule = new SchedulerSchedule(this, "schedule", {
      name: naming.name(purpose),
      groupName: group.name,
      description: `Runs \`${props.command.join(" ")}\` on Fargate`,
      scheduleExpression: props.scheduleExpression,
      scheduleExpressionTimezone: props.timezone,
      state: "ENABLED",
      kmsKeyArn: props.encryptionKey.key.arn,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: props.clusterArn,
        roleArn: role.arn,
        input: JSON.stringify({ containerOverrides: [{ name: task.containerName, command: props.command }] }),
        retryPolicy: { maximumRetryAttempts: retryAttempts, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
        ecsParameters: {
          // Without a revision the newest one runs, i.e. the image the pipeline deployed last.
          taskDefinitionArn: taskFamilyArn,
          launchType: "FARGATE",
          platformVersion: "LATEST",
          taskCount: 1,
          group: this.taskGroup,
          networkConfiguration: {
            subnets: props.subnetIds,
            securityGroups: props.securityGroupIds,
            assignPublicIp: false,
          },
        },
      },
    });

    const stoppedRun = {
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: { clusterArn: [props.clusterArn], group: [this.taskGroup], lastStatus: ["STOPPED"] },
    };

    // A failed run: the app container exited non-zero, or the task never started (no exit code at all).
    this.failureRule = new CloudwatchEventRule(this, "failed-run", {
      name: naming.name(`${purpose}-failed`),
      description: `A ${purpose} run exited non-zero or failed to start`,
      eventPattern: JSON.stringify({
        ...stoppedRun,
        detail: {
          ...stoppedRun.detail,
          $or: [
            { containers: { name: [task.containerName], exitCode: [{ "anything-but": 0 }] } },
            { stopCode: ["TaskFailedToStart"] },
          ],
        },
      }),
    });
    new CloudwatchEventTarget(this, "failed-run-alarm", {
      rule: this.failureRule.name,
      arn: props.alarmTopicArn,
      inputTransformer: {
        inputPaths: { task: "$.detail.taskArn", reason: "$.detail.stoppedReason", code: "$.detail.stopCode" },
        inputTemplate: `"ALARM: ${naming.prefix} ${purpose} run failed (<code>): <reason>. Task: <task>"`,
      },
    });

    // Success heartbeats: one message per successful run, kept exactly as long as the allowed gap.
    this.heartbeatQueue = new SqsQueue(this, "heartbeat", {
      name: naming.name(`${purpose}-heartbeat`),
      messageRetentionSeconds: successWithinHours * 3600,
      sqsManagedSseEnabled: true,
    });
    const successRule = new CloudwatchEventRule(this, "succeeded-run", {
      name: naming.name(`${purpose}-succeeded`),
      description: `A ${purpose} run finished with exit code 0`,
      eventPattern: JSON.stringify({
        ...stoppedRun,
        detail: { ...stoppedRun.detail, containers: { name: [task.containerName], exitCode: [0] } },
      }),
    });
    new SqsQueuePolicy(this, "heartbeat-policy", {
      queueUrl: this.heartbeatQueue.url,
      policy: policyDocument({
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: this.heartbeatQueue.arn,
        Condition: { ArnEquals: { "aws:SourceArn": successRule.arn } },
      }),
    });
    new CloudwatchEventTarget(this, "succeeded-run-heartbeat", {
      rule: successRule.name,
      arn: this.heartbeatQueue.arn,
    });

    if (props.runsLogGroupName) this.runsLog = this.recordRuns(props, stoppedRun);

    const queueAlarm = (alarmId: string, queue: SqsQueue, description: string, below: boolean) =>
      new CloudwatchMetricAlarm(this, alarmId, {
        alarmName: naming.name(`${purpose}-${alarmId}`),
        alarmDescription: description,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queue.name },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        threshold: below ? 1 : 0,
        comparisonOperator: below ? "LessThanThreshold" : "GreaterThanThreshold",
        // An idle empty queue publishes no metrics: for the heartbeat that silence is itself the failure.
        treatMissingData: below ? "breaching" : "notBreaching",
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    this.missedRunAlarm = queueAlarm(
      "missed",
      this.heartbeatQueue,
      `No successful ${purpose} run in the last ${successWithinHours} hours`,
      true,
    );
    queueAlarm(
      "not-started",
      this.deadLetterQueue,
      `EventBridge Scheduler could not start the ${purpose} task after retries`,
      false,
    );
  }

  /** Every stopped run, as EventBridge's event, in a log group: when it ran, its exit code, its task. */
  private recordRuns(props: ScheduledTaskProps, stoppedRun: Record<string, unknown>): CloudwatchLogGroup {
    const { naming, purpose } = props;
    const group = new CloudwatchLogGroup(this, "runs", {
      name: props.runsLogGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logEncryptionKeyArn,
    });
    const rule = new CloudwatchEventRule(this, "stopped-run", {
      name: naming.name(`${purpose}-stopped`),
      description: `Every ${purpose} run that stopped, recorded in its runs log`,
      eventPattern: JSON.stringify(stoppedRun),
    });
    // EventBridge writes to a log group through CloudWatch Logs' resource policy, for this group only.
    const policy = new CloudwatchLogResourcePolicy(this, "runs-policy", {
      policyName: naming.name(`${purpose}-runs`),
      policyDocument: policyDocument({
        Sid: "EventBridgeRecordsRuns",
        Effect: "Allow",
        Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${group.arn}:*`,
        Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
      }),
    });
    new CloudwatchEventTarget(this, "stopped-run-record", {
      rule: rule.name,
      arn: group.arn,
      dependsOn: [policy],
    });
    return group;
  }

  /** Refuses a schedule EventBridge Scheduler would not accept, or a run that cannot be watched. */
  public static validate(props: ScheduledTaskProps): void {
    refuse("ScheduledTask", {
      scheduleExpression: /^(cron|rate|at)\(.+\)$/.test(props.scheduleExpression)
        ? undefined
        : `"${props.scheduleExpression}" must be cron(...), rate(...) or at(...)`,
      timezone: checkTimeZone(props.timezone),
      command: props.command.length === 0 ? "must not be empty" : undefined,
      retryAttempts: checkRange(RETRY_ATTEMPTS, props.retryAttempts),
      runsLogGroupName:
        props.runsLogGroupName && (!props.logEncryptionKeyArn || props.logRetentionDays === undefined)
          ? "needs logEncryptionKeyArn and logRetentionDays"
          : undefined,
      logRetentionDays:
        props.logRetentionDays === undefined ? undefined : checkLogRetention(props.logRetentionDays),
      successWithinHours: checkRange(
        SUCCESS_WITHIN_HOURS,
        props.successWithinHours ?? DEFAULT_SUCCESS_WITHIN_HOURS,
      ),
    });
  }
}
