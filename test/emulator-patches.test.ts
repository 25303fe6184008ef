/**
 * Patches of the emulator (scripts/emulator/moto_server.py) that this test proves against an emulator of its own:
 *
 * 18. Firehose runs an extended S3 destination's processors and dynamic partitioning as AWS does. The log archive's
 *     stream, as the construct synthesizes it, is fed by CloudWatch Logs subscriptions of two groups, and each
 *     group's line must land, gzipped and as written, under that group's prefix only. moto alone writes the gzipped
 *     envelope under the literal `cloudwatch/!{partitionKeyFromQuery:log_group}/...` prefix.
 * 19. EC2 reports the description of a security group rule that references another group (moto dropped it, so every
 *     such rule planned a change after the first apply and the local deploy applied twice).
 * 17. (in part) SES v2 lists configuration sets and identities with the POSTs current SDKs send.
 * 20. A one-off task runs until it is first described (moto took four reads to stop one, which held a waiter 18 s).
 */
import { gunzipSync } from "node:zlib";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  type ExtendedS3DestinationConfiguration,
} from "@aws-sdk/client-firehose";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import {
  CreateConfigurationSetCommand,
  CreateEmailIdentityCommand,
  ListConfigurationSetsCommand,
  ListEmailIdentitiesCommand,
  SESv2Client,
} from "@aws-sdk/client-sesv2";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LogArchive } from "../constructs/log-archive";
import { Naming } from "../constructs/naming";
import { PrivateBucket } from "../constructs/private-bucket";
import { type Block, synthConstruct, testKey } from "./helpers";
import { type OwnEmulator, startOwnEmulator } from "./own-emulator";

const REGION = "us-west-2";
const BUCKET = "myamazingapp-test-logs";
const ROLE = "arn:aws:iam::123456789012:role/myamazingapp-test-log-archive";
let emulator: OwnEmulator;
// Each test makes a few dozen emulator calls: seconds on a quiet machine, more on a busy one.
jest.setTimeout(60_000);

beforeAll(async () => {
  emulator = await startOwnEmulator("patches");
}, 60_000);
afterAll(() => emulator.stop());

/** The archive's stream as LogArchive synthesizes it, in the shape of the Firehose API. */
function archiveDestination(): ExtendedS3DestinationConfiguration {
  const naming = new Naming("myamazingapp", "test");
  const synth = synthConstruct((scope) => {
    const archive = new LogArchive(scope, "archive", {
      naming,
      account: "123456789012",
      region: REGION,
      bucketName: BUCKET,
      retentionDays: 365,
      encryptionKey: testKey(scope, "logs", naming),
      accessLogBucket: new PrivateBucket(scope, "access-logs", {
        bucketName: "access-logs",
        forceDestroy: false,
      }),
      forceDestroy: false,
    });
    archive.archive(new CloudwatchLogGroup(scope, "web", { name: "/myamazingapp/test/web" }), "web");
  });
  const s3 = synth.resources("aws_kinesis_firehose_delivery_stream")[0].extended_s3_configuration;
  return {
    BucketARN: `arn:aws:s3:::${BUCKET}`,
    RoleARN: ROLE,
    Prefix: s3.prefix,
    ErrorOutputPrefix: s3.error_output_prefix,
    CompressionFormat: s3.compression_format,
    DynamicPartitioningConfiguration: { Enabled: s3.dynamic_partitioning_configuration.enabled },
    ProcessingConfiguration: {
      Enabled: s3.processing_configuration.enabled,
      Processors: s3.processing_configuration.processors.map((p: Block) => ({
        Type: p.type,
        Parameters: (p.parameters ?? []).map((q: Block) => ({
          ParameterName: q.parameter_name,
          ParameterValue: q.parameter_value,
        })),
      })),
    },
  };
}

async function subscribe(logs: CloudWatchLogsClient, group: string, streamArn: string): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "task/1" }));
  await logs.send(
    new PutSubscriptionFilterCommand({
      logGroupName: group,
      filterName: "archive",
      filterPattern: "",
      destinationArn: streamArn,
      roleArn: ROLE,
    }),
  );
}

async function write(logs: CloudWatchLogsClient, group: string, message: string): Promise<void> {
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: "task/1",
      logEvents: [{ timestamp: Date.now(), message }],
    }),
  );
}

/** Every object of the bucket: its key and its gunzipped text. */
async function objects(s3: S3Client): Promise<Array<{ key: string; text: string }>> {
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return Promise.all(
    (Contents ?? []).map(async ({ Key }) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      const body = Buffer.from(await got.Body!.transformToByteArray());
      expect([Key, body[0], body[1]]).toEqual([Key, 0x1f, 0x8b]); // gzipped, as CompressionFormat GZIP says
      return { key: Key!, text: gunzipSync(body).toString("utf8") };
    }),
  );
}

describe("the emulator's Firehose (patch 18)", () => {
  it("files each log group's events under cloudwatch/<group>/YYYY/MM/DD/HH/, gzipped JSON Lines, as written", async () => {
    const config = emulator.config(REGION);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    const { DeliveryStreamARN } = await new FirehoseClient(config).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "myamazingapp-test-logs",
        DeliveryStreamType: "DirectPut",
        ExtendedS3DestinationConfiguration: archiveDestination(),
      }),
    );
    const logs = new CloudWatchLogsClient(config);
    await subscribe(logs, "/myamazingapp/test/web", DeliveryStreamARN!);
    await subscribe(logs, "aws-waf-logs-myamazingapp-test", DeliveryStreamARN!);
    await write(logs, "/myamazingapp/test/web", "GET /up 200");
    await write(logs, "aws-waf-logs-myamazingapp-test", '{"action":"BLOCK"}');

    const found = await objects(s3);
    const hour = /\d{4}\/\d{2}\/\d{2}\/\d{2}\/myamazingapp-test-logs-/.source;
    const web = found.filter((o) => new RegExp(`^cloudwatch/myamazingapp/test/web/${hour}`).test(o.key));
    const waf = found.filter((o) =>
      new RegExp(`^cloudwatch/aws-waf-logs-myamazingapp-test/${hour}`).test(o.key),
    );
    expect([web.length, waf.length, found.length]).toEqual([1, 1, 2]);
    // One envelope per line: the group, the stream and each event as written.
    const lines = (text: string) =>
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    expect(web[0].text.endsWith("\n")).toBe(true);
    expect(lines(web[0].text)).toEqual([
      expect.objectContaining({
        logGroup: "/myamazingapp/test/web",
        logStream: "task/1",
        logEvents: [expect.objectContaining({ message: "GET /up 200" })],
      }),
    ]);
    expect(lines(waf[0].text)).toEqual([
      expect.objectContaining({ logEvents: [expect.objectContaining({ message: '{"action":"BLOCK"}' })] }),
    ]);
  });

  it("extracts the log lines and adds the hour to a plain prefix, for a stream without partitioning", async () => {
    const config = emulator.config(REGION);
    const { DeliveryStreamARN } = await new FirehoseClient(config).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "lines",
        ExtendedS3DestinationConfiguration: {
          BucketARN: `arn:aws:s3:::${BUCKET}`,
          RoleARN: ROLE,
          Prefix: "lines/",
          CompressionFormat: "GZIP",
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: "Decompression",
                Parameters: [{ ParameterName: "CompressionFormat", ParameterValue: "GZIP" }],
              },
              {
                Type: "CloudWatchLogProcessing",
                Parameters: [{ ParameterName: "DataMessageExtraction", ParameterValue: "true" }],
              },
              { Type: "AppendDelimiterToRecord" },
            ],
          },
        },
      }),
    );
    const logs = new CloudWatchLogsClient(config);
    await subscribe(logs, "/lines", DeliveryStreamARN!);
    await write(logs, "/lines", "first line");

    const found = (await objects(new S3Client({ ...config, forcePathStyle: true }))).filter((o) =>
      o.key.startsWith("lines/"),
    );
    expect(found.map((o) => o.key)).toEqual([
      expect.stringMatching(/^lines\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/lines-/),
    ]);
    expect(found[0].text).toBe("first line\n");
  });
});

describe("the emulator's security group rules (patch 19)", () => {
  it("describes a rule that references another group with the description it was given", async () => {
    const ec2 = new EC2Client(emulator.config(REGION));
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
    const group = async (name: string) =>
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: Vpc!.VpcId }),
        )
      ).GroupId!;
    const [database, app] = [await group("database"), await group("app")];
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: database,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 5432,
            ToPort: 5432,
            UserIdGroupPairs: [{ GroupId: app, Description: "From the app tasks" }],
          },
          {
            IpProtocol: "tcp",
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: "10.9.0.0/24", Description: "Bastion" }],
          },
        ],
      }),
    );
    const { SecurityGroupRules } = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [database] }] }),
    );
    const ingress = (SecurityGroupRules ?? []).filter((r) => !r.IsEgress);
    expect(ingress.map((r) => [r.FromPort, r.ReferencedGroupInfo?.GroupId, r.Description]).sort()).toEqual([
      [22, undefined, "Bastion"],
      [5432, app, "From the app tasks"],
    ]);
  });
});

describe("the emulator's SES v2 (patch 17)", () => {
  it("lists configuration sets and identities as current SDKs ask (POST /v2/email/list-...)", async () => {
    const ses = new SESv2Client(emulator.config(REGION));
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: "myamazingapp-test-mail" }));
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: "patches.example.org" }));
    const { ConfigurationSets } = await ses.send(new ListConfigurationSetsCommand({}));
    expect(ConfigurationSets).toContain("myamazingapp-test-mail");
    const { EmailIdentities } = await ses.send(new ListEmailIdentitiesCommand({}));
    expect(EmailIdentities?.map((i) => i.IdentityName)).toContain("patches.example.org");
  });
});

describe("the emulator's one-off tasks (patch 20)", () => {
  it("runs a Fargate task until it is first described: RunTask answers RUNNING, the first read STOPPED", async () => {
    const ec2 = new EC2Client(emulator.config(REGION));
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.8.0.0/16" }));
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: "10.8.1.0/24" }),
    );
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "migrate", Description: "migrate", VpcId: Vpc!.VpcId }),
    );
    const ecs = new ECSClient(emulator.config(REGION));
    await ecs.send(new CreateClusterCommand({ clusterName: "one-off" }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "migrate",
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "app", image: "app:v1", essential: true }],
      }),
    );
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: "one-off",
        taskDefinition: "migrate",
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [Subnet!.SubnetId!], securityGroups: [GroupId!] },
        },
      }),
    );
    const task = run.tasks![0];
    expect(task.lastStatus).toBe("RUNNING");
    const read = async () =>
      (await ecs.send(new DescribeTasksCommand({ cluster: "one-off", tasks: [task.taskArn!] }))).tasks![0]
        .lastStatus;
    expect([await read(), await read()]).toEqual(["STOPPED", "STOPPED"]);
  });
});
