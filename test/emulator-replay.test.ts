/**
 * The emulator's twelfth patch (scripts/emulator/moto_server.py): a request whose answer is lost on the way
 * back is retried by the SDK with the same amz-sdk-invocation-id. The retry must get the first answer, not
 * run the create again (EntityAlreadyExists, InvalidPermission.Duplicate), the failure that once broke a
 * local deploy in CI. The loss is made here: the request reaches the emulator, and the client throws its
 * answer away with the error a dropped connection gives (ECONNRESET), which the SDK retries.
 */
import { readFileSync } from "node:fs";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsClientConfig } from "../scripts/lib/aws";
import { emulatorProblems } from "../scripts/lib/emulator";
import { type OwnEmulator, startOwnEmulator } from "./own-emulator";

const REGION = "us-west-2";
let emulator: OwnEmulator;

beforeAll(async () => {
  emulator = await startOwnEmulator("replay");
}, 60_000);
afterAll(() => emulator.stop());

type Handler = NonNullable<AwsClientConfig["requestHandler"]>;

/** Client settings whose first `losses` answers are lost after the emulator has acted on the request. */
function losing(losses: number): AwsClientConfig & { sent: string[] } {
  const config = emulator.config(REGION);
  const inner = config.requestHandler as NodeHttpHandler;
  const sent: string[] = [];
  let left = losses;
  const handler = {
    metadataPrototype: undefined,
    async handle(...[request, options]: Parameters<NodeHttpHandler["handle"]>) {
      sent.push(String(request.headers["amz-sdk-request"]));
      const answer = await inner.handle(request, options);
      if (left-- > 0) {
        answer.response.body?.resume?.(); // read and dropped
        throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      }
      return answer;
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { ...config, maxAttempts: 3, requestHandler: handler as unknown as Handler, sent };
}

const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});

describe("a retried request gets its first answer", () => {
  it("CreateRole whose answer was lost: the retry succeeds with the role the first attempt made", async () => {
    const config = losing(1);
    const created = await new IAMClient(config).send(
      new CreateRoleCommand({ RoleName: "lost-answer", AssumeRolePolicyDocument: trust }),
    );
    // It was sent twice, as a retry...
    expect(config.sent).toEqual(["attempt=1; max=3", "attempt=2; max=3"]);
    // ... and answered as the first time.
    const role = await new IAMClient(emulator.config(REGION)).send(
      new GetRoleCommand({ RoleName: "lost-answer" }),
    );
    expect(created.Role?.RoleId).toBe(role.Role?.RoleId);
    // A deploy that fails names what the emulator replayed (scripts/local/session.ts).
    expect(emulatorProblems(readFileSync(emulator.log, "utf8"))).toEqual([
      expect.stringMatching(/^replayed the answer \(200 OK\) to retry 2 of [0-9a-f-]{36}$/),
    ]);
  });

  it("still refuses a second create of its own (a new invocation): only retries are replayed", async () => {
    const iam = new IAMClient(emulator.config(REGION));
    await expect(
      iam.send(new CreateRoleCommand({ RoleName: "lost-answer", AssumeRolePolicyDocument: trust })),
    ).rejects.toThrow(/already exists/);
  });

  it("AuthorizeSecurityGroupIngress whose answers were lost twice: one rule, no InvalidPermission.Duplicate", async () => {
    const ec2 = new EC2Client(emulator.config(REGION));
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
    const group = async (name: string) =>
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpc.Vpc?.VpcId }),
        )
      ).GroupId!;
    const [web, alb] = [await group("web"), await group("alb")];
    const rule = {
      GroupId: web,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: alb }] },
      ],
    };
    const config = losing(2);
    await new EC2Client(config).send(new AuthorizeSecurityGroupIngressCommand(rule));
    expect(config.sent).toHaveLength(3);
    const rules = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [web] }] }),
    );
    expect(rules.SecurityGroupRules?.filter((r) => !r.IsEgress)).toHaveLength(1);
    // A real duplicate is still one.
    await expect(ec2.send(new AuthorizeSecurityGroupIngressCommand(rule))).rejects.toThrow(/already exists/);
  });
});
