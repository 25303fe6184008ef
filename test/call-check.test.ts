/**
 * The judge of recorded calls (test/e2e/policy-check.ts) against the synthesized production stack's real policies:
 * it refuses what AWS would refuse, naming the policy, and admits what AWS admits. The calls are those the
 * operator's tools made before issue 16 (scripts at d371bd7): `move-secrets` read every secret's value as the
 * operator, which each secret's resource policy denies; `restart production` with another account's credentials
 * acted in that account. The end-to-end test judges every call the tools really make (test/e2e-local.test.ts).
 */
import { StackView } from "../rules/stack-view";
import { AccountPolicies } from "../rules/iam/account-policies";
import { stackPolicies } from "../rules/helpers/iam";
import { stackWhere } from "../rules/helpers/iam";
import { synthesizedElements } from "../rules/iam/terraform";
import type { RecordedCall } from "./e2e/calls";
import { iamRequests, type Lookups, resourcesOf } from "./e2e/iam-requests";
import { PolicyWorld, refusals, refused } from "./e2e/policy-check";
import { synthCheckedIn } from "./environment-stacks";

const production = synthCheckedIn("production");
const staging = synthCheckedIn("staging");
const environments = [production.env, staging.env];

function world(): PolicyWorld {
  const w = new PolicyWorld(environments);
  for (const { text } of [production, staging]) {
    const view = new StackView(JSON.parse(text));
    w.addAccount(stackPolicies(view), synthesizedElements(view, stackWhere(view)));
  }
  return w;
}

/** A call as the recorder writes it, made by an account's administrator with the operator's tool. */
function opsCall(account: string, action: string, params: Record<string, unknown>): RecordedCall {
  const [service, operation] = action.split(":");
  return {
    time: "2026-12-01T00:00:00.000Z",
    principal: { type: "account", account },
    region: "us-west-2",
    userAgent: "aws-sdk-js/3.1174.0 ua/2.1 lang/js app/myamazingapp-ops",
    service,
    operation,
    action,
    method: "POST",
    path: "/",
    params,
    status: 200,
  };
}

describe("judging the tools' recorded calls against the real policies", () => {
  it("refuses today's move-secrets: every secret's resource policy denies GetSecretValue to the operator", () => {
    // What moveSecrets did at d371bd7 for each secret: read it in the source, write it in the target.
    const calls = production.env.secrets.flatMap((name) => [
      opsCall("111111111111", "secretsmanager:GetSecretValue", {
        SecretId: `myamazingapp/production/${name}`,
      }),
      opsCall("111111111111", "secretsmanager:PutSecretValue", {
        SecretId: `myamazingapp/production/${name}`,
        SecretString: "<redacted>",
      }),
    ]);
    const { verdicts, unjudged } = world().judge(calls, (_call, tool) => tool === "myamazingapp-ops");
    expect(unjudged).toEqual([]);
    const lines = refusals(verdicts);
    expect(lines).toHaveLength(production.env.secrets.length);
    for (const [i, name] of production.env.secrets.entries()) {
      expect(lines[i]).toContain(
        `GetSecretValue (the call): ${"arn:aws:iam::111111111111:role/aws-reserved"}`,
      );
      expect(lines[i]).toContain(`myamazingapp/production/${name}`);
      expect(lines[i]).toMatch(
        /-> denied by resource:.*\/OnlyTheTaskExecutionRoleReads \(explicit Deny in the resource policy\)/,
      );
    }
    // Writing a value (secrets set) stays allowed, with the secrets key through Secrets Manager.
    const writes = verdicts.filter((v) => v.call.operation === "PutSecretValue");
    expect(writes.map((v) => [v.request.action, v.result.decision])).toEqual(
      production.env.secrets.flatMap(() => [
        ["secretsmanager:PutSecretValue", "allowed"],
        ["kms:GenerateDataKey", "allowed"],
      ]),
    );
  });

  it("the one principal the secret policy admits, the task execution role, may read a value", () => {
    const policies = stackPolicies(new StackView(JSON.parse(production.text)));
    const execution = policies.roles.find((r) => r.name === "myamazingapp-production-task-execution")!;
    const secret = policies.resourcePolicies.find((p) =>
      p.arn.includes(":secret:myamazingapp/production/ORCID_CLIENT_SECRET"),
    )!;
    const result = policies.authorize(execution.arn, {
      action: "secretsmanager:GetSecretValue",
      resource: secret.arn,
    });
    expect(result.decision).toBe("allowed");
  });

  it("refuses today's restart production with staging's credentials: the calls act in the wrong account", () => {
    const calls = [
      opsCall("222222222222", "ecs:DescribeServices", {
        cluster: "myamazingapp-production",
        services: ["myamazingapp-production-web"],
      }),
    ];
    const lines = refusals(world().judge(calls, () => true).verdicts);
    expect(lines).toEqual([
      expect.stringContaining(
        "made in account 222222222222, but production's resources are in account 111111111111: the wrong credentials",
      ),
    ]);
    // The same call with production's own credentials is allowed.
    const right = [{ ...calls[0], principal: { type: "account" as const, account: "111111111111" } }];
    expect(refused(world().judge(right, () => true).verdicts)).toEqual([]);
  });
});

describe("the requests AWS authorizes for a recorded call", () => {
  const call = (action: string, params: Record<string, unknown>, extra: Partial<RecordedCall> = {}) => ({
    ...opsCall("111111111111", action, params),
    ...extra,
  });
  const none: Lookups = {
    secretKey: () => undefined,
    keyArn: (k) => k,
    taskRoles: () => ["arn:aws:iam::111111111111:role/app/task", "arn:aws:iam::111111111111:role/app/exec"],
    snapshotKey: () => undefined,
    roleBoundary: () => undefined,
    tagsOf: () => undefined,
    canonical: (arn) => arn,
    associated: () => [],
  };

  it.each<[string, RecordedCall, string[]]>([
    [
      "a template filled from the names",
      call("ecs:DescribeServices", { cluster: "c1", services: ["s1", "s2"] }),
      [
        "arn:aws:ecs:us-west-2:111111111111:service/c1/s1",
        "arn:aws:ecs:us-west-2:111111111111:service/c1/s2",
      ],
    ],
    [
      "an ARN the call carries, and the name it also names (a copy's source and target)",
      call("rds:CopyDBSnapshot", {
        SourceDBSnapshotIdentifier: "arn:aws:rds:us-east-1:222222222222:snapshot:src",
        TargetDBSnapshotIdentifier: "dst",
      }),
      ["arn:aws:rds:us-east-1:222222222222:snapshot:src", "arn:aws:rds:us-west-2:111111111111:snapshot:dst"],
    ],
    [
      "what a create made, from its answer",
      call(
        "ecs:RegisterTaskDefinition",
        { family: "web" },
        { arns: ["arn:aws:ecs:us-west-2:111111111111:task-definition/web:7"] },
      ),
      ["arn:aws:ecs:us-west-2:111111111111:task-definition/web:7"],
    ],
    ["`*` for an action on no resource", call("sts:GetCallerIdentity", {}), ["*"]],
    [
      "the ARN a call carries, never the service's default beside it",
      call("scheduler:ListTagsForResource", {
        ResourceArn: "arn:aws:scheduler:us-west-2:111111111111:schedule-group/g",
      }),
      ["arn:aws:scheduler:us-west-2:111111111111:schedule-group/g"],
    ],
    [
      "the service's default when the call names none",
      call("scheduler:GetSchedule", { Name: "s" }),
      ["arn:aws:scheduler:us-west-2:111111111111:schedule/default/s"],
    ],
    [
      "S3's bucket and key, without an account",
      call("s3:GetObject", { Bucket: "b", Key: "a/b c" }),
      ["arn:aws:s3:::b/a/b c"],
    ],
    [
      "EC2: the ids it names, and the resource it creates",
      call("ec2:CreateSubnet", {
        VpcId: "vpc-0123456789abcdef0",
        "TagSpecification.1.ResourceType": "subnet",
      }),
      [
        "arn:aws:ec2:us-west-2:111111111111:vpc/vpc-0123456789abcdef0",
        "arn:aws:ec2:us-west-2:111111111111:subnet/*",
      ],
    ],
  ])("%s", (_what, recorded, resources) => {
    expect(resourcesOf(recorded, recorded.action!, none)).toEqual(resources);
  });

  it("implies passing the task definition's roles to ECS, and the secret's key through Secrets Manager", () => {
    const run = iamRequests(call("ecs:RunTask", { cluster: "c1", taskDefinition: "web:7" }), none)!;
    expect(
      run.map((r) => [r.request.action, r.request.resource, r.request.context?.["iam:passedtoservice"]]),
    ).toEqual([
      ["ecs:RunTask", "arn:aws:ecs:us-west-2:111111111111:task-definition/web:7", undefined],
      ["iam:PassRole", "arn:aws:iam::111111111111:role/app/task", "ecs-tasks.amazonaws.com"],
      ["iam:PassRole", "arn:aws:iam::111111111111:role/app/exec", "ecs-tasks.amazonaws.com"],
    ]);
    const secret = "arn:aws:secretsmanager:us-west-2:111111111111:secret:app/x-AbCdEf";
    const read = iamRequests(call("secretsmanager:GetSecretValue", { SecretId: secret }), {
      ...none,
      secretKey: () => "arn:aws:kms:us-west-2:111111111111:key/k",
    })!;
    expect(read[1].request).toEqual({
      action: "kms:Decrypt",
      resource: "arn:aws:kms:us-west-2:111111111111:key/k",
      context: {
        "kms:viaservice": "secretsmanager.us-west-2.amazonaws.com",
        "kms:encryptioncontext:secretarn": secret,
      },
    });
  });

  it("gives Route 53's record names, and a role's boundary, as the request's context", () => {
    const [change] = iamRequests(
      call("route53:ChangeResourceRecordSets", {
        Id: "Z1",
        Changes: [{ Action: "UPSERT", Name: "_x.App.Example.org.", Type: "CNAME" }],
      }),
      none,
    )!;
    expect(change.request.context).toMatchObject({
      "route53:changeresourcerecordsetsnormalizedrecordnames": ["_x.app.example.org"],
      "route53:changeresourcerecordsetsrecordtypes": ["CNAME"],
    });
    const [put] = iamRequests(call("iam:PutRolePolicy", { RoleName: "r" }), {
      ...none,
      roleBoundary: () => "arn:aws:iam::111111111111:policy/b",
    })!;
    expect(put.request.context).toMatchObject({
      "iam:permissionsboundary": "arn:aws:iam::111111111111:policy/b",
    });
  });
});

describe("what the judge knows of an applied state", () => {
  it("the database's master secret by the tag RDS puts on it, an association by what it associates", () => {
    const where = { account: "111111111111", region: "us-west-2" };
    const db = "arn:aws:rds:us-west-2:111111111111:db:myamazingapp-production-db";
    const secret = "arn:aws:secretsmanager:us-west-2:111111111111:secret:rds!db-1234-AbCdEf";
    const w = new PolicyWorld(environments).addAccount(new AccountPolicies(where, []), [
      {
        mode: "managed",
        type: "aws_db_instance",
        name: "d",
        values: { arn: db, master_user_secret: [{ secret_arn: secret }] },
      },
      {
        mode: "managed",
        type: "aws_route_table_association",
        name: "a",
        values: { id: "rtbassoc-1", route_table_id: "rtb-1", subnet_id: "subnet-1" },
      },
      {
        mode: "managed",
        type: "aws_nat_gateway",
        name: "n",
        values: { id: "nat-1", allocation_id: "eipalloc-1", association_id: "eipassoc-1" },
      },
    ]);
    expect(w.tagsOf(secret)).toEqual({ "aws:rds:primaryDBInstanceArn": db });
    expect(w.associated("rtbassoc-1")).toEqual(["rtb-1", "subnet-1"]);
    expect(w.associated("eipassoc-1")).toEqual(["eipalloc-1"]);
  });
});
