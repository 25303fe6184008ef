import type { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import type { EncryptionKey } from "./encryption-key";
import { allow, assumedBy, policyDocument, type PolicyStatement } from "./iam";
import type { Naming } from "./naming";

export interface LoggedStateMachineProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guard). */
  readonly account: string;
  /** What the machine is for, in names: `<prefix>-<purpose>` and `/<app>/<env>/<purpose>`. */
  readonly purpose: string;
  /** The role's description: what the machine does. */
  readonly description: string;
  /** The state machine's definition (Amazon States Language). */
  readonly definition: Record<string, unknown>;
  /** What the machine's own work needs (its service calls); logging and tracing are added. */
  readonly statements: PolicyStatement[];
  /** Key of the execution log. */
  readonly logEncryptionKeyArn: string;
  /** Days the execution log is kept. */
  readonly logRetentionDays: number;
}

/** Step Functions delivers execution logs through CloudWatch Logs' log delivery, which has no resource ARN. */
const LOG_DELIVERY = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
];

/**
 * A standard Step Functions state machine as every one of this project is: its own role (the given statements,
 * plus log delivery and X-Ray), its execution errors logged to an encrypted log group with retention, its calls
 * traced (the sfn-logged-and-traced rule). The resources are made in `scope` (ids `role`, `policy`, `logs`,
 * `state-machine`), so the construct that owns the machine keeps their addresses.
 */
export function loggedStateMachine(
  scope: Construct,
  props: LoggedStateMachineProps,
): { stateMachine: SfnStateMachine; role: IamRole; logGroup: CloudwatchLogGroup } {
  const { naming, purpose } = props;
  const role = new IamRole(scope, "role", {
    name: naming.name(purpose),
    description: props.description,
    assumeRolePolicy: assumedBy("states.amazonaws.com", props.account),
  });
  new IamRolePolicy(scope, "policy", {
    role: role.id,
    name: purpose,
    policy: policyDocument(
      ...props.statements,
      allow("DeliverExecutionLogs", LOG_DELIVERY, "*"),
      allow("Traces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
    ),
  });
  const logGroup = new CloudwatchLogGroup(scope, "logs", {
    name: naming.path(purpose),
    retentionInDays: props.logRetentionDays,
    kmsKeyId: props.logEncryptionKeyArn,
  });
  const stateMachine = new SfnStateMachine(scope, "state-machine", {
    name: naming.name(purpose),
    type: "STANDARD",
    roleArn: role.arn,
    definition: JSON.stringify(props.definition),
    loggingConfiguration: {
      level: "ERROR",
      includeExecutionData: false,
      logDestination: `${logGroup.arn}:*`,
    },
    tracingConfiguration: { enabled: true },
  });
  return { stateMachine, role, logGroup };
}

export interface StateMachineScheduleProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guard). */
  readonly account: string;
  /** What the machine is for, in names: the schedule `<prefix>-<purpose>`, its role `<prefix>-<purpose>-scheduler`. */
  readonly purpose: string;
  /** The machine the schedule starts. */
  readonly stateMachine: SfnStateMachine;
  /** When, an EventBridge Scheduler expression in UTC. */
  readonly scheduleExpression: string;
  /** What the schedule asks, and what its role does. */
  readonly description: string;
  readonly roleDescription: string;
  /** Key that encrypts the schedule's target input. */
  readonly encryptionKey: EncryptionKey;
}

/**
 * EventBridge Scheduler starting a state machine: a role that may start only that machine, and a schedule in UTC
 * with retries, its input encrypted with the given key. Made in `scope` (ids `scheduler-role`,
 * `scheduler-policy`, `schedule`).
 */
export function scheduleStateMachine(scope: Construct, props: StateMachineScheduleProps): SchedulerSchedule {
  const { naming } = props;
  const role = new IamRole(scope, "scheduler-role", {
    name: naming.name(`${props.purpose}-scheduler`),
    description: props.roleDescription,
    assumeRolePolicy: assumedBy("scheduler.amazonaws.com", props.account),
  });
  new IamRolePolicy(scope, "scheduler-policy", {
    role: role.id,
    name: "start-execution",
    policy: policyDocument(allow("StartTheMachine", "states:StartExecution", props.stateMachine.arn)),
  });
  props.encryptionKey.grantUse(role);
  return new SchedulerSchedule(scope, "schedule", {
    name: naming.name(props.purpose),
    description: props.description,
    scheduleExpression: props.scheduleExpression,
    scheduleExpressionTimezone: "UTC",
    state: "ENABLED",
    kmsKeyArn: props.encryptionKey.key.arn,
    flexibleTimeWindow: { mode: "OFF" },
    target: {
      arn: props.stateMachine.arn,
      roleArn: role.arn,
      input: "{}",
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
    },
  });
}
