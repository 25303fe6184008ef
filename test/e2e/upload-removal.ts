/**
 * Removal that does not wait on S3, in the emulator: objects and unfinished multipart uploads of given ages go
 * into the deployed uploads bucket, the deployed sweep's definition (read back from the emulator) runs against
 * it, then the deployed audit's. moto runs no JSONata state machine (its interpreter needs a JVM and jars from
 * Maven), so test/state-machine-runner.ts runs them, its aws-sdk tasks sent to the emulator with the SDK.
 */
import * as cloudwatch from "@aws-sdk/client-cloudwatch";
import * as s3sdk from "@aws-sdk/client-s3";
import { DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { loadEnvironment } from "../../config/load";
import { Naming } from "../../constructs/naming";
import { type AwsClientConfig, emulatorClientConfig } from "../../scripts/lib/aws";
import { LOCAL_ENVIRONMENT_FILE } from "../../scripts/local/session";
import { APPLICATION } from "../../stacks/names";
import { type Execution, runStateMachine, type ServiceCall } from "../state-machine-runner";
import { ROOT } from "./local-run";

/** The emulator's test header (scripts/emulator/moto_server.py, 15): the object or upload is dated N days back. */
const AGE_HEADER = "x-moto-age-days";

const CLIENTS = {
  s3: [s3sdk.S3Client, s3sdk],
  cloudwatch: [cloudwatch.CloudWatchClient, cloudwatch],
} as const;

/** Answers aws-sdk tasks with the AWS SDK for JavaScript: `s3:listObjectsV2` is ListObjectsV2Command. */
export function sdkCall(config: AwsClientConfig): ServiceCall {
  return async (service, action, args) => {
    const entry = CLIENTS[service as keyof typeof CLIENTS];
    const Command = entry && (entry[1] as any)[`${action[0].toUpperCase()}${action.slice(1)}Command`];
    if (!Command) throw new Error(`no SDK command for ${service}:${action}`);
    const client = new (entry[0] as any)(config);
    const output = await client.send(new Command(args));
    delete output.$metadata;
    // As Step Functions hands a result on: JSON, dates as ISO 8601 text.
    return JSON.parse(JSON.stringify(output));
  };
}

/** A command whose request carries the emulator's age header. */
function aged<C extends { middlewareStack: any }>(command: C, days: number): C {
  command.middlewareStack.add(
    (next: any) => (args: any) => {
      args.request.headers[AGE_HEADER] = String(days);
      return next(args);
    },
    { step: "build", name: "datedForTheTest" },
  );
  return command;
}

const PREFIX = "removal-test/";

export interface RemovalRun {
  readonly sweep: Execution;
  readonly audit: Execution;
  /** Keys under the test's prefix after the sweep, sorted. */
  readonly objectsLeft: string[];
  /** Keys of the unfinished uploads under the prefix after the sweep. */
  readonly uploadsLeft: string[];
}

/**
 * Puts objects of the given ages and starts multipart uploads of the given ages under a prefix of `bucket`,
 * then runs the sweep and the audit definitions as executions started now.
 */
export async function sweepAndAudit(
  config: AwsClientConfig,
  bucket: string,
  definitions: { sweep: Record<string, unknown>; audit: Record<string, unknown> },
  ages: { objects: number[]; uploads: number[] },
): Promise<RemovalRun> {
  const s3 = new s3sdk.S3Client(config);
  for (const days of ages.objects) {
    await s3.send(
      aged(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: `${PREFIX}${days}`, Body: "x" }), days),
    );
  }
  for (const days of ages.uploads) {
    await s3.send(
      aged(new s3sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: `${PREFIX}${days}` }), days),
    );
  }
  const call = sdkCall(config);
  const startTime = new Date().toISOString();
  const sweep = await runStateMachine(definitions.sweep, {}, { startTime, call });
  const listed = await s3.send(new s3sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: PREFIX }));
  const uploads = await s3.send(new s3sdk.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: PREFIX }));
  const audit = await runStateMachine(definitions.audit, {}, { startTime, call });
  return {
    sweep,
    audit,
    objectsLeft: (listed.Contents ?? []).map((o) => o.Key!.slice(PREFIX.length)).sort(),
    uploadsLeft: (uploads.Uploads ?? []).map((u) => u.Key!.slice(PREFIX.length)).sort(),
  };
}

/** The deployed local environment: its sweep and audit, read back from the emulator, on its uploads bucket. */
export async function uploadsRemovedOnTime(port: number, file = LOCAL_ENVIRONMENT_FILE): Promise<void> {
  const env = loadEnvironment(file);
  const prefix = new Naming(APPLICATION, env.name).prefix;
  const config = emulatorClientConfig(port, env.region, ROOT, env.account);
  const sfn = new SFNClient(config);
  const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
  const definitionOf = async (purpose: string) => {
    const machine = stateMachines?.find((m) => m.name === `${prefix}-${purpose}`);
    expect(machine).toBeDefined();
    const { definition } = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: machine!.stateMachineArn }),
    );
    return JSON.parse(definition!);
  };
  const bucket = `${prefix}-uploads-${env.account}`;
  const expiry = env.uploads.expireAfterDays;
  const abort = env.uploads.abortIncompleteUploadsAfterDays;
  // Ages either side of the limits; the emulator's clock is the execution's.
  const young = [0.5, expiry - 0.1];
  const old = [expiry + 0.1, 13, 30];
  const run = await sweepAndAudit(
    config,
    bucket,
    { sweep: await definitionOf("upload-sweep"), audit: await definitionOf("upload-age-audit") },
    { objects: [...young, ...old], uploads: [abort - 0.5, abort + 0.5] },
  );
  expect(run.sweep).toMatchObject({ status: "SUCCEEDED" });
  expect(run.objectsLeft).toEqual(young.map(String).sort());
  expect(run.uploadsLeft).toEqual([String(abort - 0.5)]);
  const deleteCalls = run.sweep.calls.filter((c) => c.action === "deleteObjects");
  expect(deleteCalls.flatMap((c) => c.args.Delete.Objects.map((o: { Key: string }) => o.Key)).sort()).toEqual(
    old.map((days) => `${PREFIX}${days}`).sort(),
  );
  // The audit, after the sweep: nothing 14 days old or older is left.
  expect(run.audit).toMatchObject({ status: "SUCCEEDED", output: expect.objectContaining({ overAge: 0 }) });
}
