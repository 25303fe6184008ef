import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { allow, assumedBy, policyDocument } from "./iam";
import { checkLogRetention, refuse } from "./limits";
import type { Naming } from "./naming";
import { loggedStateMachine } from "./state-machine";

export interface RotationRestartProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (trust-policy guards). */
  readonly account: string;
  /** ARNs of the secrets whose rotation the tasks must follow (the RDS-managed database credentials). */
  readonly secretArns: string[];
  /** Name of the ECS cluster. */
  readonly clusterName: string;
  /** Name of the web service. */
  readonly serviceName: string;
  /** ARN of the web service. */
  readonly serviceArn: string;
  /** Topic told when a restart fails (the tasks would keep a password that no longer works). */
  readonly alarmTopicArn: string;
  /** Key of the execution log. */
  readonly logEncryptionKeyArn: string;
  /** Days the execution log is kept. */
  readonly logRetentionDays: number;
}

/**
 * Rotation without an outage. The tasks receive the database password once, when they start; when RDS rotates
 * it (every 7 days), new connections from running tasks would fail. Secrets Manager reports each new current
 * value (its native `Secret Label Updated` event, label AWSCURRENT: the end of a rotation, managed by RDS or not,
 * or a value set by hand) to EventBridge, whose rule starts a state machine that forces a new deployment of the
 * web service (`ecs:UpdateService`, an AWS SDK integration): new tasks start with the new password, become
 * healthy, and only then do the old ones stop (100% minimum healthy, the circuit breaker on). What a request
 * sees during the switch is in docs/operations.md. One-off tasks (the weekly job, migrations) start fresh and
 * always read the current password.
 */
export class RotationRestart extends Construct {
  public readonly rule: CloudwatchEventRule;
  public readonly stateMachine: SfnStateMachine;
  /** A restart that failed: the tasks still hold the old password, and new connections will fail. */
  public readonly failedAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: RotationRestartProps) {
    super(scope, id);
    refuse("RotationRestart", {
      secretArns: props.secretArns.length === 0 ? "name at least one secret to follow" : undefined,
      logRetentionDays: checkLogRetention(props.logRetentionDays),
    });
    const { naming, account } = props;

    this.stateMachine = loggedStateMachine(this, {
      naming,
      account,
      purpose: "rotation-restart",
      description: "Forces a new deployment of the web service after a secret rotated",
      definition: restartDefinition(props.clusterName, props.serviceName),
      statements: [allow("RestartTheWebService", "ecs:UpdateService", props.serviceArn)],
      logEncryptionKeyArn: props.logEncryptionKeyArn,
      logRetentionDays: props.logRetentionDays,
    }).stateMachine;

    this.rule = new CloudwatchEventRule(this, "rotated", {
      name: naming.name("secret-rotated"),
      description: "A secret the web tasks read has a new current value: replace the tasks",
      // Sent by Secrets Manager itself, without CloudTrail, whenever AWSCURRENT moves to a new version.
      eventPattern: JSON.stringify({
        source: ["aws.secretsmanager"],
        "detail-type": ["Secret Label Updated"],
        resources: props.secretArns,
        detail: { labelUpdated: ["AWSCURRENT"] },
      }),
    });
    const eventsRole = new IamRole(this, "events-role", {
      name: naming.name("rotation-restart-events"),
      description: "EventBridge starts the rotation restart",
      assumeRolePolicy: assumedBy("events.amazonaws.com", account),
    });
    new IamRolePolicy(this, "events-policy", {
      role: eventsRole.id,
      name: "start-restart",
      policy: policyDocument(allow("StartTheRestart", "states:StartExecution", this.stateMachine.arn)),
    });
    new CloudwatchEventTarget(this, "restart", {
      rule: this.rule.name,
      arn: this.stateMachine.arn,
      roleArn: eventsRole.arn,
    });
    this.failedAlarm = new CloudwatchMetricAlarm(this, "failed", {
      alarmName: naming.name("rotation-restart-failed"),
      alarmDescription:
        "Replacing the web tasks after a new database password failed: they hold the old one; run ops restart",
      namespace: "AWS/States",
      metricName: "ExecutionsFailed",
      dimensions: { StateMachineArn: this.stateMachine.arn },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
      alarmActions: [props.alarmTopicArn],
      okActions: [props.alarmTopicArn],
    });
  }
}

/** Forces a new deployment of the service: ECS starts new tasks, which read the current secret values. */
export function restartDefinition(clusterName: string, serviceName: string): Record<string, unknown> {
  return {
    Comment: `Replaces the tasks of ${serviceName} so they read the rotated secret`,
    QueryLanguage: "JSONata",
    StartAt: "ForceNewDeployment",
    States: {
      ForceNewDeployment: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
        Arguments: { Cluster: clusterName, Service: serviceName, ForceNewDeployment: true },
        Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 5, IntervalSeconds: 10, BackoffRate: 2 }],
        End: true,
      },
    },
  };
}
