import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { archiveLifecycle, LogArchive, type LogArchiveProps } from "../constructs/log-archive";
import { Naming } from "../constructs/naming";
import { PrivateBucket } from "../constructs/private-bucket";
import { type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";

const naming = new Naming("myamazingapp", "test");

describe("LogArchive", () => {
  let synth: Synthesized;
  let archive: LogArchive;
  let group: CloudwatchLogGroup;
  let stream: Block;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      const key = testKey(scope, "logs", naming);
      const accessLogs = new PrivateBucket(scope, "access-logs", {
        bucketName: "access-logs",
        forceDestroy: false,
      });
      archive = new LogArchive(scope, "archive", {
        naming,
        account: "111111111111",
        region: "us-west-2",
        bucketName: "myamazingapp-test-logs",
        retentionDays: 365,
        encryptionKey: key,
        accessLogBucket: accessLogs,
        forceDestroy: false,
      });
      group = new CloudwatchLogGroup(scope, "group", { name: "/myamazingapp/test/web" });
      archive.archive(group, "web");
    });
    stream = synth.resources("aws_kinesis_firehose_delivery_stream")[0];
  });

  it("delivers the group through its own stream, gzipped, under cloudwatch/<group>/ (Firehose adds the date)", () => {
    expect(stream.name).toBe("myamazingapp-test-logs-web");
    expect(stream.destination).toBe("extended_s3");
    expect(stream.extended_s3_configuration).toMatchObject({
      bucket_arn: ref(archive.bucket.bucket, "arn"),
      prefix: "cloudwatch/myamazingapp/test/web/",
      compression_format: "GZIP",
      role_arn: ref(archive.deliveryRole, "arn"),
    });
    const [filter] = synth.resources("aws_cloudwatch_log_subscription_filter");
    expect(filter).toMatchObject({
      log_group_name: ref(group, "name"),
      filter_pattern: "",
      destination_arn: ref(archive.streams.get("/myamazingapp/test/web")!, "arn"),
      role_arn: ref(archive.subscriptionRole, "arn"),
    });
  });

  it("unpacks CloudWatch Logs' gzipped envelopes and keeps the log lines", () => {
    const processors = stream.extended_s3_configuration.processing_configuration.processors;
    expect(processors.map((p: Block) => p.type)).toEqual(["Decompression", "CloudWatchLogProcessing"]);
    expect(processors[1].parameters).toEqual([
      { parameter_name: "DataMessageExtraction", parameter_value: "true" },
    ]);
  });

  it("encrypts the stream and the objects with the logs key, and the bucket is private and versioned", () => {
    expect(stream.server_side_encryption).toMatchObject({ enabled: true, key_type: "CUSTOMER_MANAGED_CMK" });
    expect(stream.extended_s3_configuration.kms_key_arn).toBe(stream.server_side_encryption.key_arn);
    expect(synth.of(archive.bucket.bucket).bucket).toBe("myamazingapp-test-logs");
    expect(synth.resources("aws_s3_bucket_versioning")).toHaveLength(1);
    expect(synth.resources("aws_s3_bucket_public_access_block")).toHaveLength(2);
  });

  it("lets CloudWatch Logs put records into the environment's streams only, and Firehose write only the bucket", () => {
    const policies = synth.resources("aws_iam_role_policy");
    const put = policies.find((p) => p.name === "put-records")!;
    expect(JSON.parse(put.policy).Statement).toEqual([
      expect.objectContaining({
        Action: ["firehose:PutRecord", "firehose:PutRecordBatch"],
        Resource: "arn:aws:firehose:us-west-2:111111111111:deliverystream/myamazingapp-test-logs-*",
      }),
    ]);
    const write = policies.find((p) => p.name === "write-archive")!;
    const [statement] = JSON.parse(write.policy).Statement;
    expect(statement.Action).toContain("s3:PutObject");
    expect(statement.Action.some((a: string) => /Delete|GetObject$/.test(a))).toBe(false);
    const trust = JSON.parse(synth.of(archive.subscriptionRole).assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: "logs.amazonaws.com" });
    expect(trust.Condition.StringEquals["aws:SourceAccount"]).toBe("111111111111");
  });

  it("refuses an archive kept less than 30 days", () => {
    expect(
      () =>
        new LogArchive(newStack(), "a", {
          retentionDays: 14,
        } as unknown as LogArchiveProps),
    ).toThrow("LogArchive: retentionDays: 14 is out of range; allowed: 30 to 3653 days");
  });
});

describe("archiveLifecycle", () => {
  it.each([
    [30, []],
    [90, ["STANDARD_IA"]],
    [365, ["STANDARD_IA", "GLACIER_IR"]],
  ])("kept %p days: moves to %p before it expires", (days, classes) => {
    const [rule] = archiveLifecycle(days);
    expect((rule.transition as Block[] | undefined)?.map((t) => t.storageClass) ?? []).toEqual(classes);
    expect(rule.expiration).toEqual([{ days }]);
    expect(rule.abortIncompleteMultipartUpload).toEqual([{ daysAfterInitiation: 1 }]);
  });
});
