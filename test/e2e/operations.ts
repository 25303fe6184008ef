/**
 * Operations, read back from the emulator: the log archive delivers what the app logs to S3, the alarms and
 * the composite exist and notify the alarm topic, the dashboard, the budget and the upload age audit are in
 * place. What the emulator lacks (Cost Anomaly Detection) is switched off for `local` by its setting.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  BudgetsClient,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
} from "@aws-sdk/client-budgets";
import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  DescribeSubscriptionFiltersCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { loadEnvironment } from "../../config/load";
import { Naming } from "../../constructs/naming";
import { LOCAL_ENVIRONMENT_FILE, WORK_DIR } from "../../scripts/local/session";
import { APPLICATION } from "../../stacks/names";
import { clientConfig } from "./local-run";

const ENV = loadEnvironment(LOCAL_ENVIRONMENT_FILE);
const naming = new Naming(APPLICATION, ENV.name);
const APP = naming.prefix;
const ARCHIVE = `${APP}-logs-${ENV.account}`;

/** The log lines of an archived object: JSON Lines of CloudWatch Logs envelopes, gzipped. */
export function archivedLines(body: Buffer): string[] {
  const text = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString("utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .flatMap((line) =>
      (JSON.parse(line) as { logEvents: Array<{ message: string }> }).logEvents.map((e) => e.message),
    );
}

/**
 * Writes a line to the web service's log group and one to the ECS Exec sessions' group, and finds each, as written,
 * in the archive on S3 under its own group's prefix only: the one stream tells the groups apart.
 */
export async function verifyLogArchive(port: number): Promise<string> {
  const cfg = clientConfig(port);
  const logs = new CloudWatchLogsClient(cfg);
  const groups = [naming.path("web"), naming.path("ecs-exec")];
  for (const group of groups) {
    const { subscriptionFilters } = await logs.send(
      new DescribeSubscriptionFiltersCommand({ logGroupName: group }),
    );
    expect(subscriptionFilters?.map((f) => f.destinationArn)).toEqual([
      expect.stringMatching(new RegExp(`:deliverystream/${APP}-logs$`)),
    ]);
  }
  const stream = await new FirehoseClient(cfg).send(
    new DescribeDeliveryStreamCommand({ DeliveryStreamName: `${APP}-logs` }),
  );
  expect(stream.DeliveryStreamDescription?.Destinations?.[0].ExtendedS3DestinationDescription).toMatchObject({
    BucketARN: `arn:aws:s3:::${ARCHIVE}`,
    Prefix: "cloudwatch/!{partitionKeyFromQuery:log_group}/!{timestamp:yyyy/MM/dd/HH}/",
    CompressionFormat: "GZIP",
    DynamicPartitioningConfiguration: { Enabled: true },
  });

  const lines = new Map<string, string>();
  for (const group of groups) {
    const line = `e2e archive check ${group} ${Date.now()} ${Math.random().toString(36).slice(2)}`;
    const logStream = `e2e/${Date.now()}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: logStream }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: logStream,
        logEvents: [{ timestamp: Date.now(), message: line }],
      }),
    );
    lines.set(group, line);
  }

  const s3 = new S3Client(cfg);
  const found = new Map<string, Set<string>>(); // line -> the keys of the objects that hold it
  for (let attempt = 0; attempt < 20 && found.size < lines.size; attempt++) {
    const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: ARCHIVE, Prefix: "cloudwatch/" }));
    for (const object of Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: ARCHIVE, Key: object.Key }));
      const archived = archivedLines(Buffer.from(await got.Body!.transformToByteArray()));
      for (const line of lines.values()) {
        if (archived.includes(line)) found.set(line, (found.get(line) ?? new Set()).add(object.Key!));
      }
    }
    if (found.size < lines.size) await new Promise((r) => setTimeout(r, 500));
  }
  for (const [group, line] of lines) {
    const keys = [...(found.get(line) ?? [])];
    if (keys.length === 0)
      throw new Error(`the line "${line}" never reached s3://${ARCHIVE}/cloudwatch${group}/`);
    // Once, under cloudwatch/<group>/YYYY/MM/DD/HH/<stream>-...: partitioned by log group and date
    expect(keys).toEqual([
      expect.stringMatching(new RegExp(`^cloudwatch${group}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/${APP}-logs-`)),
    ]);
  }
  return [...found.get(lines.get(groups[0])!)!][0];
}

/** The alarms notify the topic on alarm and recovery; the composite, dashboard, budget and audit exist. */
export async function verifyMonitoring(port: number): Promise<void> {
  const cfg = clientConfig(port);
  const { Topics } = await new SNSClient(cfg).send(new ListTopicsCommand({}));
  const topic = Topics?.map((t) => t.TopicArn).find((arn) => arn?.endsWith(`:${APP}-alarms`));
  expect(topic).toBeDefined();

  const cloudwatch = new CloudWatchClient(cfg);
  const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: APP }));
  // Exactly the alarms the synthesized stack declares (test/service-alarms.test.ts says which those are).
  const stack = JSON.parse(readFileSync(join(WORK_DIR, "cdk.tf.json"), "utf8")) as {
    resource: { aws_cloudwatch_metric_alarm?: Record<string, { alarm_name: string }> };
  };
  const declared = Object.values(stack.resource.aws_cloudwatch_metric_alarm ?? {}).map((a) => a.alarm_name);
  expect(declared).toContain(`${APP}-running-tasks`);
  expect((MetricAlarms ?? []).map((a) => a.AlarmName).sort()).toEqual(declared.sort());
  for (const alarm of MetricAlarms ?? []) {
    expect([alarm.AlarmName, alarm.AlarmActions, alarm.OKActions]).toEqual([
      alarm.AlarmName,
      [topic],
      [topic],
    ]);
  }
  const { CompositeAlarms } = await cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [`${APP}-site-down`], AlarmTypes: ["CompositeAlarm"] }),
  );
  expect(CompositeAlarms?.[0].AlarmRule).toContain(`ALARM("${APP}-healthy-targets-1")`);

  const dashboard = await cloudwatch.send(new GetDashboardCommand({ DashboardName: APP }));
  const widgets = JSON.parse(dashboard.DashboardBody ?? "{}").widgets as unknown[];
  expect(widgets.length).toBeGreaterThanOrEqual(9);

  const budgets = new BudgetsClient(cfg);
  const { Budget } = await budgets.send(
    new DescribeBudgetCommand({ AccountId: ENV.account, BudgetName: `${APP}-monthly` }),
  );
  expect(Budget?.BudgetLimit).toMatchObject({ Amount: String(ENV.cost.monthlyBudgetUsd), Unit: "USD" });
  const { Notifications } = await budgets.send(
    new DescribeNotificationsForBudgetCommand({ AccountId: ENV.account, BudgetName: `${APP}-monthly` }),
  );
  expect(Notifications?.map((n) => [n.NotificationType, n.Threshold])).toEqual([
    ["FORECASTED", 80],
    ["ACTUAL", 100],
  ]);

  const sfn = new SFNClient(cfg);
  const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
  const audit = stateMachines?.find((m) => m.name === `${APP}-upload-age-audit`);
  const described = await sfn.send(
    new DescribeStateMachineCommand({ stateMachineArn: audit!.stateMachineArn }),
  );
  expect(JSON.parse(described.definition!).States.ListPage.Resource).toBe(
    "arn:aws:states:::aws-sdk:s3:listObjectsV2",
  );
  expect(described.tracingConfiguration?.enabled).toBe(true);
}
