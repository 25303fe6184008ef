import { spawnSync } from "node:child_process";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { archiveLifecycle, LogArchive, type LogArchiveProps } from "../constructs/log-archive";
import { Naming } from "../constructs/naming";
import { PrivateBucket } from "../constructs/private-bucket";
import { type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";

const naming = new Naming("myamazingapp", "test");

/** The partition key each envelope gets from the stream's jq query, run by the real jq (as Firehose runs jq 1.6). */
function partitionOf(query: string, envelope: object): Record<string, string> {
  const jq = spawnSync("jq", ["-c", query], { input: JSON.stringify(envelope), encoding: "utf8" });
  if (jq.error)
    throw new Error(`jq is needed to run the archive's partition query: install jq (${jq.error.message})`);
  if (jq.status !== 0) throw new Error(`jq refused the query: ${jq.stderr}`);
  return JSON.parse(jq.stdout);
}

describe("LogArchive", () => {
  let synth: Synthesized;
  let archive: LogArchive;
  let web: CloudwatchLogGroup;
  let waf: CloudwatchLogGroup;
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
      web = new CloudwatchLogGroup(scope, "web", { name: "/myamazingapp/test/web" });
      waf = new CloudwatchLogGroup(scope, "waf", { name: "aws-waf-logs-myamazingapp-test" });
      archive.archive(web, "web");
      archive.archive(waf, "web-acl");
    });
    stream = synth.resources("aws_kinesis_firehose_delivery_stream")[0];
  });

  it("sends every archived group to the environment's one delivery stream, gzipped into the archive bucket", () => {
    expect(synth.resources("aws_kinesis_firehose_delivery_stream")).toHaveLength(1);
    expect(stream.name).toBe("myamazingapp-test-logs");
    expect(stream.destination).toBe("extended_s3");
    expect(stream.extended_s3_configuration).toMatchObject({
      bucket_arn: ref(archive.bucket.bucket, "arn"),
      compression_format: "GZIP",
      role_arn: ref(archive.deliveryRole, "arn"),
    });
    const filters = synth.resources("aws_cloudwatch_log_subscription_filter");
    expect(filters.map((f) => f.log_group_name).sort()).toEqual([ref(waf, "name"), ref(web, "name")].sort());
    for (const filter of filters) {
      expect(filter).toMatchObject({
        filter_pattern: "",
        destination_arn: ref(archive.stream, "arn"),
        role_arn: ref(archive.subscriptionRole, "arn"),
      });
    }
  });

  it("files each envelope under cloudwatch/<its log group>/YYYY/MM/DD/HH/, the group named without a leading slash", () => {
    const s3 = stream.extended_s3_configuration;
    expect(s3.dynamic_partitioning_configuration).toEqual({ enabled: true });
    expect(s3.prefix).toBe("cloudwatch/!{partitionKeyFromQuery:log_group}/!{timestamp:yyyy/MM/dd/HH}/");
    expect(s3.error_output_prefix).toBe("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/");
    // Firehose opens the gzipped envelope first: the query reads the group from it.
    const processors: Block[] = s3.processing_configuration.processors;
    expect(processors.map((p) => p.type)).toEqual([
      "Decompression",
      "MetadataExtraction",
      "AppendDelimiterToRecord",
    ]);
    const parameter = (name: string) =>
      processors[1].parameters.find((p: Block) => p.parameter_name === name)?.parameter_value;
    expect(parameter("JsonParsingEngine")).toBe("JQ-1.6");
    const query = parameter("MetadataExtractionQuery");
    const envelope = { messageType: "DATA_MESSAGE", logStream: "web/app/1", logEvents: [] };
    expect(partitionOf(query, { ...envelope, logGroup: "/myamazingapp/test/web" })).toEqual({
      log_group: "myamazingapp/test/web",
    });
    expect(partitionOf(query, { ...envelope, logGroup: "aws-waf-logs-myamazingapp-test" })).toEqual({
      log_group: "aws-waf-logs-myamazingapp-test",
    });
    // 64 MB is the smallest buffer dynamic partitioning accepts.
    expect(s3.buffering_size).toBeGreaterThanOrEqual(64);
  });

  it("encrypts the stream and the objects with the logs key, and the bucket is private and versioned", () => {
    expect(stream.server_side_encryption).toMatchObject({ enabled: true, key_type: "CUSTOMER_MANAGED_CMK" });
    expect(stream.extended_s3_configuration.kms_key_arn).toBe(stream.server_side_encryption.key_arn);
    expect(synth.of(archive.bucket.bucket).bucket).toBe("myamazingapp-test-logs");
    expect(synth.resources("aws_s3_bucket_versioning")).toHaveLength(1);
    expect(synth.resources("aws_s3_bucket_public_access_block")).toHaveLength(2);
  });

  it("lets CloudWatch Logs put records into the archive's stream only, and Firehose write only the bucket", () => {
    const policies = synth.resources("aws_iam_role_policy");
    const put = policies.find((p) => p.name === "put-records")!;
    expect(JSON.parse(put.policy).Statement).toEqual([
      expect.objectContaining({
        Action: ["firehose:PutRecord", "firehose:PutRecordBatch"],
        Resource: ref(archive.stream, "arn"),
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
