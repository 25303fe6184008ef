import { Naming } from "../constructs/naming";
import { sweepDefinition, UploadSweep, type UploadSweepProps } from "../constructs/upload-sweep";
import { type Block, newStack, synthConstruct, type Synthesized, testKey } from "./helpers";
import { type Execution, runStateMachine, type ServiceCall } from "./state-machine-runner";
import { daysBefore as daysBeforeAt, FakeUploadsBucket } from "./fake-uploads-bucket";

const STARTED = "2026-11-28T05:00:00.000Z";
const BUCKET = "myamazingapp-test-uploads";
const daysBefore = (days: number) => daysBeforeAt(STARTED, days);
class Bucket extends FakeUploadsBucket {
  constructor() {
    super(BUCKET, STARTED);
  }
}

const sweep = (bucket: Bucket, deleteAfterDays = 12, abortAfterDays = 1): Promise<Execution> =>
  runStateMachine(
    sweepDefinition(BUCKET, deleteAfterDays, abortAfterDays),
    {},
    { startTime: STARTED, call: bucket.call },
  );

const published = (bucket: Bucket) =>
  Object.fromEntries(bucket.metrics.flatMap((m) => m.MetricData.map((d: Block) => [d.MetricName, d.Value])));

describe("the upload sweep's definition, run on a bucket", () => {
  it("deletes every object 12 days old or older and keeps the younger ones", async () => {
    const bucket = new Bucket();
    for (const age of [0.5, 11.99, 12, 12.5, 40]) bucket.put(`upload-${age}`, age);
    const run = await sweep(bucket);
    expect(run.status).toBe("SUCCEEDED");
    expect([...bucket.objects.keys()].sort()).toEqual(["upload-0.5", "upload-11.99"]);
    expect(published(bucket)).toMatchObject({ ObjectsDeleted: 3, DeleteFailures: 0 });
  });

  it("goes through every page, deleting each page's old objects in one DeleteObjects of at most 1,000 keys", async () => {
    const bucket = new Bucket();
    for (let i = 0; i < 2500; i++) bucket.put(`u/${String(i).padStart(5, "0")}`, i % 2 ? 13 : 1);
    const run = await sweep(bucket);
    expect(run.status).toBe("SUCCEEDED");
    expect(run.calls.filter((c) => c.action === "listObjectsV2")).toHaveLength(3);
    expect(bucket.deleteBatches.map((b) => b.length)).toEqual([500, 500, 250]);
    expect(bucket.objects.size).toBe(1250);
    expect([...bucket.objects.values()].every((date) => date === daysBefore(1))).toBe(true);
    expect(published(bucket).ObjectsDeleted).toBe(1250);
  });

  it("lists an empty bucket once, deletes nothing and succeeds", async () => {
    const bucket = new Bucket();
    const run = await sweep(bucket);
    expect(run.status).toBe("SUCCEEDED");
    expect(bucket.deleteBatches).toEqual([]);
    expect(published(bucket)).toMatchObject({ ObjectsDeleted: 0, UploadsAborted: 0 });
  });

  it("aborts every unfinished multipart upload started a day ago or earlier, over pages, and keeps newer ones", async () => {
    const bucket = new Bucket();
    for (let i = 0; i < 1500; i++) {
      bucket.uploads.push({
        Key: `big/${i}`,
        UploadId: `id-${i}`,
        Initiated: daysBefore(i % 3 === 0 ? 0.5 : 1.5),
      });
    }
    const run = await sweep(bucket);
    expect(run.status).toBe("SUCCEEDED");
    expect(run.calls.filter((c) => c.action === "listMultipartUploads")).toHaveLength(2);
    expect(bucket.uploads).toHaveLength(500);
    expect(bucket.uploads.every((u) => u.Initiated === daysBefore(0.5))).toBe(true);
    expect(published(bucket).UploadsAborted).toBe(1000);
  });

  it("counts an upload completed since it was listed as gone, not as a failure", async () => {
    const bucket = new Bucket();
    bucket.uploads.push({ Key: "done", UploadId: "finished", Initiated: daysBefore(2) });
    const call = bucket.call;
    const finishing: ServiceCall = async (service, action, args) => {
      if (action === "abortMultipartUpload") bucket.uploads = [];
      return call(service, action, args);
    };
    const run = await runStateMachine(
      sweepDefinition(BUCKET, 12, 1),
      {},
      { startTime: STARTED, call: finishing },
    );
    expect(run.status).toBe("SUCCEEDED");
    expect(run.calls.filter((c) => c.action === "abortMultipartUpload")).toHaveLength(1);
  });

  it("deletes the rest when S3 refuses a key, then fails so the missed-sweep alarm fires", async () => {
    const bucket = new Bucket();
    for (const key of ["a", "b", "c"]) bucket.put(key, 20);
    bucket.undeletable.add("b");
    const run = await sweep(bucket);
    expect(run).toMatchObject({ status: "FAILED", error: "DeleteFailed" });
    expect([...bucket.objects.keys()]).toEqual(["b"]);
    expect(published(bucket)).toMatchObject({ ObjectsDeleted: 2, DeleteFailures: 1 });
  });

  it.each(["Enabled", "Suspended"] as const)(
    "deletes nothing from a bucket whose versioning is %s (a delete would keep the data) and fails",
    async (status) => {
      const bucket = new Bucket();
      bucket.put("old", 20);
      bucket.versioning = status;
      const run = await sweep(bucket);
      expect(run).toMatchObject({ status: "FAILED", error: "BucketVersioned" });
      expect(bucket.objects.has("old")).toBe(true);
      expect(run.calls.map((c) => c.action)).toEqual(["getBucketVersioning"]);
    },
  );

  it("publishes its counts under the bucket's dimension", async () => {
    const bucket = new Bucket();
    bucket.put("old", 13);
    await sweep(bucket);
    expect(bucket.metrics).toEqual([
      expect.objectContaining({
        Namespace: "MyAmazingApp/Uploads",
        MetricData: expect.arrayContaining([
          {
            MetricName: "ObjectsDeleted",
            Dimensions: [{ Name: "Bucket", Value: BUCKET }],
            Unit: "Count",
            Value: 1,
          },
        ]),
      }),
    ]);
  });
});

describe("UploadSweep", () => {
  let synth: Synthesized;
  let sweeper: UploadSweep;
  const props = (scope: any): UploadSweepProps => ({
    naming: new Naming("myamazingapp", "test"),
    account: "111111111111",
    bucketName: BUCKET,
    bucketArn: `arn:aws:s3:::${BUCKET}`,
    deleteAfterDays: 9,
    abortAfterDays: 2,
    alarmTopicArn: "arn:aws:sns:us-west-2:111111111111:alarms",
    logEncryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
    logRetentionDays: 365,
    encryptionKey: testKey(scope, "data", new Naming("myamazingapp", "test")),
  });
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      sweeper = new UploadSweep(scope, "sweep", props(scope));
    });
  });
  const definition = () => JSON.parse(synth.of(sweeper.stateMachine).definition);

  it("runs every day at 05:00 UTC, an hour before the audit, and stops a run after an hour", () => {
    expect(synth.of(sweeper.schedule)).toMatchObject({
      schedule_expression: "cron(0 5 * * ? *)",
      schedule_expression_timezone: "UTC",
      state: "ENABLED",
    });
    expect(definition().TimeoutSeconds).toBe(3600);
  });

  it("deletes at the days it is given (9 days, uploads started 2 days ago)", async () => {
    const bucket = new Bucket();
    for (const age of [8.9, 9]) bucket.put(`upload-${age}`, age);
    bucket.uploads.push(
      { Key: "a", UploadId: "1", Initiated: daysBefore(1.9) },
      { Key: "b", UploadId: "2", Initiated: daysBefore(2) },
    );
    await runStateMachine(definition(), {}, { startTime: STARTED, call: bucket.call });
    expect([...bucket.objects.keys()]).toEqual(["upload-8.9"]);
    expect(bucket.uploads.map((u) => u.Key)).toEqual(["a"]);
  });

  it("may list, delete and abort in the uploads bucket only, and publish its counts", () => {
    const policy = synth.resources("aws_iam_role_policy").find((p) => p.name === "upload-sweep")!;
    const statements = JSON.parse(policy.policy).Statement as Block[];
    const on = (resource: string) =>
      statements.filter((s) => s.Resource === resource).flatMap((s) => s.Action);
    expect(on(`arn:aws:s3:::${BUCKET}`).sort()).toEqual([
      "s3:GetBucketVersioning",
      "s3:ListBucket",
      "s3:ListBucketMultipartUploads",
    ]);
    expect(on(`arn:aws:s3:::${BUCKET}/*`).sort()).toEqual(["s3:AbortMultipartUpload", "s3:DeleteObject"]);
    expect(statements.find((s) => s.Action === "cloudwatch:PutMetricData")?.Condition).toEqual({
      StringEquals: { "cloudwatch:namespace": "MyAmazingApp/Uploads" },
    });
    expect(JSON.stringify(statements)).not.toMatch(/"s3:\*"|"s3:GetObject"|"s3:PutObject"/);
  });

  it("alarms on every day without a successful sweep, a day without figures included", () => {
    expect(synth.of(sweeper.missedAlarm)).toMatchObject({
      alarm_name: "myamazingapp-test-upload-sweep-missed",
      namespace: "AWS/States",
      metric_name: "ExecutionsSucceeded",
      statistic: "Sum",
      period: 86400,
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      treat_missing_data: "breaching",
      alarm_actions: ["arn:aws:sns:us-west-2:111111111111:alarms"],
    });
  });

  it.each([
    [
      "deleteAfterDays",
      { deleteAfterDays: 13 },
      /deleteAfterDays: 13 is out of range; allowed: 1 to 12 days/,
    ],
    ["deleteAfterDays", { deleteAfterDays: 0 }, /deleteAfterDays: 0 is out of range/],
    ["abortAfterDays", { abortAfterDays: 4 }, /abortAfterDays: 4 is out of range; allowed: 1 to 3 days/],
  ])("refuses a %s that breaks the promise", (_name, override, message) => {
    const stack = newStack();
    expect(() => new UploadSweep(stack, "s", { ...props(stack), ...override })).toThrow(message);
  });
});
