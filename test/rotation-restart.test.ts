import { Naming } from "../constructs/naming";
import {
  restartDefinition,
  RotationRestart,
  type RotationRestartProps,
} from "../constructs/rotation-restart";
import { newStack, ref, synthConstruct, type Synthesized } from "./helpers";
import { matchesPattern } from "./event-pattern";

const DB_SECRET = "arn:aws:secretsmanager:us-west-2:111111111111:secret:rds!db-1234-AbC";
const SERVICE = "arn:aws:ecs:us-west-2:111111111111:service/myamazingapp-test/myamazingapp-test-web";
const TOPIC = "arn:aws:sns:us-west-2:111111111111:myamazingapp-test-alarms";
const props: RotationRestartProps = {
  naming: new Naming("myamazingapp", "test"),
  account: "111111111111",
  secretArns: [DB_SECRET],
  clusterName: "myamazingapp-test",
  serviceName: "myamazingapp-test-web",
  serviceArn: SERVICE,
  alarmTopicArn: TOPIC,
  logEncryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
  logRetentionDays: 365,
};

describe("RotationRestart", () => {
  let synth: Synthesized;
  let restart: RotationRestart;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      restart = new RotationRestart(scope, "rotation", props);
    });
  });

  it("listens for a new current value of the database secret, and of nothing else", () => {
    const pattern = JSON.parse(synth.of(restart.rule).event_pattern);
    expect(pattern).toEqual({
      source: ["aws.secretsmanager"],
      "detail-type": ["Secret Label Updated"],
      resources: [DB_SECRET],
      detail: { labelUpdated: ["AWSCURRENT"] },
    });
  });

  // The event as Secrets Manager documents it (secretsmanager/latest/userguide/event-detail-secret-label-updated).
  const labelUpdated = (resource: string, label: string) => ({
    "detail-type": "Secret Label Updated",
    source: "aws.secretsmanager",
    resources: [resource],
    detail: { name: "rds!db-1", labelUpdated: label, versionId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" },
  });

  it.each([
    ["the end of a rotation of the database secret", labelUpdated(DB_SECRET, "AWSCURRENT"), true],
    ["another secret's new value", labelUpdated(`${DB_SECRET}-other`, "AWSCURRENT"), false],
    ["a custom label moved on the database secret", labelUpdated(DB_SECRET, "RELEASED"), false],
  ])("matches %s: %p", (_what, event, matched) => {
    expect(matchesPattern(JSON.parse(synth.of(restart.rule).event_pattern), event)).toBe(matched);
  });

  it("tells the alarm topic when a restart fails, and when it recovers", () => {
    expect(synth.of(restart.failedAlarm)).toMatchObject({
      alarm_name: "myamazingapp-test-rotation-restart-failed",
      namespace: "AWS/States",
      metric_name: "ExecutionsFailed",
      dimensions: { StateMachineArn: ref(restart.stateMachine, "arn") },
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
  });

  it("starts the state machine, which forces a new deployment of the web service", () => {
    const [target] = synth.resources("aws_cloudwatch_event_target");
    expect(target.arn).toBe(ref(restart.stateMachine, "arn"));
    const definition = JSON.parse(synth.of(restart.stateMachine).definition);
    expect(definition).toEqual(restartDefinition("myamazingapp-test", "myamazingapp-test-web"));
    expect(definition.States.ForceNewDeployment).toMatchObject({
      Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
      Arguments: { Cluster: "myamazingapp-test", Service: "myamazingapp-test-web", ForceNewDeployment: true },
    });
  });

  it("may update that one service and start that one state machine, nothing more", () => {
    const policies = synth.resources("aws_iam_role_policy");
    const restartPolicy = JSON.parse(policies.find((p) => p.name === "rotation-restart")!.policy);
    const ecs = restartPolicy.Statement.filter((s: any) =>
      [s.Action].flat().some((a: string) => a.startsWith("ecs:")),
    );
    expect(ecs).toEqual([expect.objectContaining({ Action: "ecs:UpdateService", Resource: SERVICE })]);
    const start = JSON.parse(policies.find((p) => p.name === "start-restart")!.policy);
    expect(start.Statement).toEqual([
      expect.objectContaining({
        Action: "states:StartExecution",
        Resource: ref(restart.stateMachine, "arn"),
      }),
    ]);
  });

  it("refuses to follow no secret", () => {
    expect(() => new RotationRestart(newStack(), "r", { ...props, secretArns: [] })).toThrow(
      "RotationRestart: secretArns: name at least one secret to follow",
    );
  });
});
