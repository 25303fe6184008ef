import jsonata from "jsonata";
import { Naming } from "../constructs/naming";
import {
  auditDefinition,
  pageVerdict,
  UPLOAD_AUDIT_NAMESPACE,
  UploadAgeAudit,
  type UploadAgeAuditProps,
} from "../constructs/upload-age-audit";
import { type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";

const STARTED = "2026-11-28T06:00:00.000Z";
const DAY = 86_400_000;
/** An object as ListObjectsV2 returns it through Step Functions, `days` old when the audit starts. */
const aged = (days: number) => ({
  Key: `upload-${days}`,
  LastModified: new Date(Date.parse(STARTED) - days * DAY).toISOString(),
  Size: 1024 ** 2,
});

/** Evaluates a `{% ... %}` expression of the definition the way Step Functions does. */
async function evaluate(expression: string, states: Block): Promise<any> {
  const body = expression.replace(/^\{%/, "").replace(/%\}$/, "");
  return jsonata(body).evaluate(
    {},
    { states: { context: { Execution: { StartTime: STARTED } }, ...states } },
  );
}

describe("the upload age audit's verdict (the JSONata the state machine runs)", () => {
  const start = { objects: 0, overAge: 0, oldestDays: 0 };
  const judge = (objects: Block[] | undefined, input: Block = start, token?: string) =>
    evaluate(pageVerdict(14), {
      input,
      result: {
        ...(objects ? { Contents: objects } : {}),
        ...(token ? { NextContinuationToken: token } : {}),
      },
    });

  it("finds nothing wrong with uploads younger than 14 days", async () => {
    const verdict = await judge([aged(0.5), aged(3), aged(13.9)]);
    expect(verdict).toMatchObject({ objects: 3, overAge: 0 });
    expect(verdict.oldestDays).toBeCloseTo(13.9, 5);
  });

  it("counts every object 14 days old or older", async () => {
    expect(await judge([aged(1), aged(14), aged(20)])).toMatchObject({
      objects: 3,
      overAge: 2,
      oldestDays: 20,
    });
  });

  it("judges a page of one object (JSONata's single value, not an array)", async () => {
    expect(await judge([aged(15)])).toMatchObject({ objects: 1, overAge: 1, oldestDays: 15 });
  });

  it("passes an empty bucket", async () => {
    expect(await judge(undefined)).toMatchObject({ objects: 0, overAge: 0, oldestDays: 0 });
  });

  it("adds a page to what the earlier pages found, and carries the continuation token", async () => {
    const first = await judge([aged(2), aged(16)], start, "page-2");
    expect(first).toMatchObject({ token: "page-2", overAge: 1 });
    const second = await judge([aged(1)], first);
    expect(second).toMatchObject({ objects: 3, overAge: 1, oldestDays: 16 });
    expect(second.token).toBeUndefined();
  });

  it("asks for the next page only when there is one", async () => {
    const definition = auditDefinition("uploads", 14) as Block;
    const list = definition.States.ListPage.Arguments;
    expect(await evaluate(list, { input: start })).toEqual({ Bucket: "uploads" });
    expect(await evaluate(list, { input: { ...start, token: "t" } })).toEqual({
      Bucket: "uploads",
      ContinuationToken: "t",
    });
    const more = definition.States.MorePages.Choices[0].Condition;
    expect(await evaluate(more, { input: { token: "t" } })).toBe(true);
    expect(await evaluate(more, { input: {} })).toBe(false);
  });
});

describe("UploadAgeAudit", () => {
  let synth: Synthesized;
  let audit: UploadAgeAudit;
  const props = (scope: any): UploadAgeAuditProps => ({
    naming: new Naming("myamazingapp", "test"),
    account: "111111111111",
    bucketName: "myamazingapp-test-uploads",
    bucketArn: "arn:aws:s3:::myamazingapp-test-uploads",
    alarmTopicArn: "arn:aws:sns:us-west-2:111111111111:alarms",
    logEncryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
    logRetentionDays: 365,
    encryptionKey: testKey(scope, "data", new Naming("myamazingapp", "test")),
  });
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      audit = new UploadAgeAudit(scope, "audit", props(scope));
    });
  });

  it("runs daily and publishes its figures for the bucket", () => {
    expect(synth.of(audit.schedule)).toMatchObject({
      state: "ENABLED",
      schedule_expression: "cron(0 6 * * ? *)",
      target: { arn: ref(audit.stateMachine, "arn") },
    });
    const definition = JSON.parse(synth.of(audit.stateMachine).definition);
    expect(definition.QueryLanguage).toBe("JSONata");
    const publish = definition.States.Publish.Arguments;
    expect(publish.Namespace).toBe(UPLOAD_AUDIT_NAMESPACE);
    expect(publish.MetricData.map((m: Block) => m.MetricName)).toEqual([
      "ObjectsOverAge",
      "OldestObjectAgeDays",
      "ObjectsAudited",
    ]);
  });

  it("alarms on any object over age, and on a day without a verdict", () => {
    expect(synth.of(audit.overAgeAlarm)).toMatchObject({
      metric_name: "ObjectsOverAge",
      dimensions: { Bucket: "myamazingapp-test-uploads" },
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      period: 86400,
      treat_missing_data: "breaching",
    });
    expect(synth.of(audit.failedAlarm)).toMatchObject({
      metric_name: "ExecutionsFailed",
      namespace: "AWS/States",
    });
  });

  it("may list the bucket's keys and nothing more of it", () => {
    const policy = synth.resources("aws_iam_role_policy").find((p) => p.name === "upload-age-audit")!;
    const onBucket = JSON.parse(policy.policy).Statement.filter((s: Block) =>
      JSON.stringify(s.Resource).includes("uploads"),
    );
    expect(onBucket.map((s: Block) => s.Action)).toEqual(["s3:ListBucket"]);
  });

  it("refuses an age beyond the mission's 14 days", () => {
    const stack = newStack();
    expect(() => new UploadAgeAudit(stack, "a", { ...props(stack), maxAgeDays: 30 })).toThrow(
      "UploadAgeAudit: maxAgeDays: 30 is out of range; allowed: 1 to 14 days",
    );
  });
});
