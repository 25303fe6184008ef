/**
 * The emulator's twelfth patch (scripts/emulator/moto_server.py): a request whose answer is lost on the way
 * back is retried by the SDK with the same amz-sdk-invocation-id. The retry must get the first answer, not
 * run the create again (EntityAlreadyExists, InvalidPermission.Duplicate), the failure that once broke a
 * local deploy in CI. The loss is made here: the request reaches the emulator, and the client throws its
 * answer away with the error a dropped connection gives (ECONNRESET), which the SDK retries.
 * And only a retry of that very request gets it, only a success is kept, and not for ever.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
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

/** Client settings whose requests all carry this invocation id, as attempt `attempt` (what a retry sends). */
function sentAs(invocation: string, attempt: number): AwsClientConfig {
  const config = emulator.config(REGION);
  const inner = config.requestHandler as NodeHttpHandler;
  const handler = {
    metadataPrototype: undefined,
    handle(...[request, options]: Parameters<NodeHttpHandler["handle"]>) {
      request.headers["amz-sdk-invocation-id"] = invocation;
      request.headers["amz-sdk-request"] = `attempt=${attempt}; max=3`;
      return inner.handle(request, options);
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { ...config, maxAttempts: 1, requestHandler: handler as unknown as Handler };
}

describe("only a retry of the same request gets a kept answer, and only a success is kept", () => {
  it("runs another request that carries the same invocation id (another body), instead of answering the first's", async () => {
    const invocation = "0b7f6a52-1d1e-4c43-9a56-5f0c7d2e1a01";
    await new IAMClient(sentAs(invocation, 2)).send(
      new CreateRoleCommand({ RoleName: "shared-id-a", AssumeRolePolicyDocument: trust }),
    );
    const second = await new IAMClient(sentAs(invocation, 2)).send(
      new CreateRoleCommand({ RoleName: "shared-id-b", AssumeRolePolicyDocument: trust }),
    );
    expect(second.Role?.RoleName).toBe("shared-id-b");
    const iam = new IAMClient(emulator.config(REGION));
    expect((await iam.send(new GetRoleCommand({ RoleName: "shared-id-b" }))).Role?.RoleName).toBe(
      "shared-id-b",
    );
  });

  it("runs the retry of a refused request (4xx) again, so that it can succeed", async () => {
    const iam = new IAMClient(emulator.config(REGION));
    await iam.send(new CreateRoleCommand({ RoleName: "refused-first", AssumeRolePolicyDocument: trust }));
    const invocation = "6d2c1f0e-8a4b-4f7e-b1a3-2c9d0e5f7a02";
    const create = new CreateRoleCommand({ RoleName: "refused-first", AssumeRolePolicyDocument: trust });
    await expect(new IAMClient(sentAs(invocation, 1)).send(create)).rejects.toThrow(/already exists/);
    await iam.send(new DeleteRoleCommand({ RoleName: "refused-first" }));
    // The same request again, as the SDK's retry: the conflict is gone, and the create succeeds.
    const retried = await new IAMClient(sentAs(invocation, 2)).send(create);
    expect(retried.Role?.RoleName).toBe("refused-first");
    expect((await iam.send(new GetRoleCommand({ RoleName: "refused-first" }))).Role?.RoleId).toBe(
      retried.Role?.RoleId,
    );
  });
});

describe("a kept answer is not kept for ever", () => {
  /** Drives the launcher's middleware with a clock of the test's, over an app that counts its calls. */
  const script = `
import io, json, sys
sys.path.insert(0, ${JSON.stringify(join(__dirname, "..", "scripts", "emulator"))})
from moto_server import ReplayRetries
now = [0.0]
calls = []
def app(environ, start_response):
    calls.append(environ["wsgi.input"].read())
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"answer %d" % len(calls)]
replay = ReplayRetries(app, log=io.StringIO(), clock=lambda: now[0])
def send(at, attempt):
    now[0] = at
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "", "CONTENT_LENGTH": "4",
               "wsgi.input": io.BytesIO(b"body"), "HTTP_AMZ_SDK_INVOCATION_ID": "id-1",
               "HTTP_AMZ_SDK_REQUEST": "attempt=%d; max=9" % attempt}
    return b"".join(replay(environ, lambda status, headers, exc_info=None: None)).decode()
print(json.dumps({"first": send(0, 1), "retry after 1 minute": send(60, 2),
                  "retry after 10 minutes": send(600, 3), "bodies seen": [c.decode() for c in calls]}))
`;

  it("replays within minutes, and runs a retry that comes after five", () => {
    const run = spawnSync(process.env.MOTO_PYTHON ?? "python3", ["-c", script], { encoding: "utf8" });
    if (run.error || run.status !== 0) {
      throw new Error(
        `python3 with moto is required (pip install 'moto[server]'): ${run.error ?? run.stderr}`,
      );
    }
    expect(JSON.parse(run.stdout)).toEqual({
      first: "answer 1",
      "retry after 1 minute": "answer 1",
      "retry after 10 minutes": "answer 2",
      "bodies seen": ["body", "body"],
    });
  });
});
