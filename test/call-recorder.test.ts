/**
 * The emulator's call recorder (scripts/emulator/moto_server.py, 14): every request becomes one JSON line with
 * who called (an account's administrator, or the role an assumed session belongs to), the User-Agent's tool, the
 * IAM action (REST APIs included: S3's operations under their IAM names, Route 53's record changes with their
 * names), the parameters that name the resource, secret values redacted, and the answer's status.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeClustersCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { emulatorCertificate } from "../scripts/lib/emulator";
import { callerTool, readCalls, recordCalls, type RecordedCall } from "./e2e/calls";
import { type OwnEmulator, startOwnEmulator } from "./own-emulator";

const REGION = "us-west-2";
const ACCOUNT = "210987654321";
let emulator: OwnEmulator;
let file: string;
let calls: RecordedCall[];

/** The recorded calls of one operation. */
const of = (operation: string) => calls.filter((c) => c.operation === operation);

beforeAll(async () => {
  emulator = await startOwnEmulator("recorder");
  file = join(mkdtempSync(join(tmpdir(), "calls-")), "calls.jsonl");
  expect(await recordCalls(emulator.port, file)).toBeNull();
  const admin = { ...emulator.config(REGION, ACCOUNT), userAgentAppId: "myamazingapp-test" };

  await new STSClient(admin).send(new GetCallerIdentityCommand({}));
  const role = await new IAMClient(admin).send(
    new CreateRoleCommand({
      RoleName: "myamazingapp-recorded-release",
      Path: "/myamazingapp/recorded/",
      AssumeRolePolicyDocument: JSON.stringify({
        Statement: [
          { Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    }),
  );
  const { Credentials } = await new STSClient(admin).send(
    new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: "build-1" }),
  );
  const asRole = {
    ...emulator.config(REGION, ACCOUNT),
    credentials: {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    },
  };
  await new ECSClient(asRole).send(new DescribeClustersCommand({ clusters: ["myamazingapp-recorded"] }));

  const s3 = new S3Client(admin);
  await s3.send(
    new CreateBucketCommand({
      Bucket: "recorded-bucket",
      CreateBucketConfiguration: { LocationConstraint: REGION },
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: "recorded-bucket", Key: "a/b c.txt", Body: "hello" }));
  await s3.send(new GetObjectCommand({ Bucket: "recorded-bucket", Key: "a/b c.txt" }));
  await s3.send(new ListObjectsV2Command({ Bucket: "recorded-bucket", Prefix: "a/" }));
  await s3.send(new GetBucketEncryptionCommand({ Bucket: "recorded-bucket" })).catch(() => undefined);

  const route53 = new Route53Client(admin);
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: "recorded.example.org", CallerReference: "recorded" }),
  );
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.HostedZone!.Id!,
      ChangeBatch: {
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: {
              Name: "_acme.recorded.example.org",
              Type: "CNAME",
              TTL: 60,
              ResourceRecords: [{ Value: "x.acm-validations.aws" }],
            },
          },
        ],
      },
    }),
  );
  await new SchedulerClient(admin)
    .send(new GetScheduleGroupCommand({ Name: "default" }))
    .catch(() => undefined);
  // SES v2 signs as ses, as v1 does, but is a REST API.
  await new SESv2Client(admin).send(
    new CreateEmailIdentityCommand({ EmailIdentity: "recorded.example.org" }),
  );
  await new SecretsManagerClient(admin).send(
    new CreateSecretCommand({ Name: "myamazingapp/recorded/SMTP_PASSWORD", SecretString: "hunter2" }),
  );
  // The AWS CLI, as the release script calls AWS.
  const cli = spawnSync("aws", ["ssm", "describe-parameters", "--region", REGION, "--output", "json"], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: `https://127.0.0.1:${emulator.port}`,
      AWS_CA_BUNDLE: emulatorCertificate().cert,
      AWS_ACCESS_KEY_ID: `MOTOACCT${ACCOUNT}`,
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_SDK_UA_APP_ID: "myamazingapp-release",
    },
    encoding: "utf8",
  });
  if (cli.error) throw new Error(`the AWS CLI is required (apt-get install awscli): ${cli.error.message}`);
  expect(await recordCalls(emulator.port, null)).toBe(file);
  // Not recorded any more.
  await new STSClient(admin).send(new GetCallerIdentityCommand({}));
  calls = readCalls(file);
}, 120_000);
afterAll(() => emulator.stop());

describe("the emulator's call recorder", () => {
  it("records the account's administrator for its MOTOACCT key, and the tool from the User-Agent", () => {
    const [identity] = of("GetCallerIdentity");
    expect(identity).toMatchObject({
      principal: { type: "account", account: ACCOUNT },
      action: "sts:GetCallerIdentity",
      region: REGION,
      status: 200,
    });
    expect(callerTool(identity)).toBe("myamazingapp-test");
    expect(of("GetCallerIdentity")).toHaveLength(1); // the one after the recording stopped is not there
  });

  it("records an assumed role's calls as the role's session, with its path", () => {
    const [describe] = of("DescribeClusters");
    expect(describe.principal).toEqual({
      type: "assumed-role",
      account: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/myamazingapp-recorded-release/build-1`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/myamazingapp/recorded/myamazingapp-recorded-release`,
      session: "build-1",
    });
    expect(describe).toMatchObject({
      action: "ecs:DescribeClusters",
      params: { clusters: ["myamazingapp-recorded"] },
    });
  });

  it("names S3's operations by their IAM actions, with the bucket and key", () => {
    const pairs = calls.filter((c) => c.service === "s3").map((c) => [c.operation, c.action]);
    expect(pairs).toEqual([
      ["CreateBucket", "s3:CreateBucket"],
      ["PutObject", "s3:PutObject"],
      ["GetObject", "s3:GetObject"],
      ["ListObjectsV2", "s3:ListBucket"],
      ["GetBucketEncryption", "s3:GetEncryptionConfiguration"],
    ]);
    expect(of("GetObject")[0].params).toMatchObject({ Bucket: "recorded-bucket", Key: "a/b c.txt" });
    expect(of("ListObjectsV2")[0].params).toMatchObject({ Bucket: "recorded-bucket", prefix: "a/" });
  });

  it("records Route 53's record changes by name, and Scheduler's REST paths", () => {
    const [change] = of("ChangeResourceRecordSets");
    expect(change.action).toBe("route53:ChangeResourceRecordSets");
    expect(change.params.Changes).toEqual([
      { Action: "UPSERT", Name: "_acme.recorded.example.org", Type: "CNAME" },
    ]);
    expect(of("GetScheduleGroup")[0]).toMatchObject({
      action: "scheduler:GetScheduleGroup",
      params: { Name: "default" },
    });
  });

  it("records SES v2's REST paths under SES's IAM actions", () => {
    expect(of("CreateEmailIdentity")[0]).toMatchObject({
      service: "ses",
      action: "ses:CreateEmailIdentity",
      params: { EmailIdentity: "recorded.example.org" },
    });
  });

  it("never records a secret's value", () => {
    const [create] = of("CreateSecret");
    expect(create.params).toMatchObject({
      Name: "myamazingapp/recorded/SMTP_PASSWORD",
      SecretString: "<redacted>",
    });
    expect(JSON.stringify(calls)).not.toContain("hunter2");
  });

  it("records the AWS CLI's calls with the app id of its environment", () => {
    const [cli] = of("DescribeParameters");
    expect(cli).toMatchObject({
      action: "ssm:DescribeParameters",
      principal: { type: "account", account: ACCOUNT },
    });
    expect(callerTool(cli)).toBe("myamazingapp-release");
    expect(cli.userAgent).toMatch(/aws-cli\//);
  });
});
