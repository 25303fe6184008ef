import type { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { EncryptionKey } from "../constructs/encryption-key";
import { Naming } from "../constructs/naming";
import { authorize } from "../rules/iam/authorize";
import { evaluate } from "../rules/iam/evaluate";
import { statementsOf } from "../rules/iam/policy";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const ACCOUNT = "111111111111";
const naming = new Naming("myamazingapp", "test");

/** A key of the test account in us-west-2, for a purpose, used through these services. */
const newKey = (scope: Construct, purpose: string, viaServices: string[]) =>
  new EncryptionKey(scope, purpose, { naming, purpose, account: ACCOUNT, region: "us-west-2", viaServices });

describe("EncryptionKey", () => {
  let synth: Synthesized;
  let key: EncryptionKey;
  let role: IamRole;
  let policy: Block[];
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      key = newKey(scope, "data", ["s3", "ecr"]);
      role = new IamRole(scope, "role", { name: "r", assumeRolePolicy: "{}" });
      key.grantUse(role);
      key.grantUse(role);
      key.allowService("LogsEncrypt", "logs.us-west-2.amazonaws.com", ["kms:Encrypt*"], {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-west-2:${ACCOUNT}:*` },
      });
    });
    policy = JSON.parse(synth.of(key.key).policy).Statement;
  });

  it("is rotated yearly, kept 30 days after deletion is scheduled, and has an alias naming its purpose", () => {
    expect(synth.of(key.key)).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(synth.resources("aws_kms_alias")).toEqual([
      { name: "alias/myamazingapp-test-data", target_key_id: ref(key.key, "key_id") },
    ]);
  });

  it("lets the account administer it without using it", () => {
    const admin = policy.find((s) => s.Sid === "AccountAdministers")!;
    expect(admin.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
    expect(admin.Action).not.toContain("kms:Decrypt");
    expect(
      admin.Action.some((a: string) => /^kms:(\*|Decrypt|Encrypt|GenerateDataKey|ReEncrypt)/.test(a)),
    ).toBe(false);
  });

  it("lets principals of the account use it only through the services named", () => {
    const statements = statementsOf({ Statement: policy });
    const root = { "kms:calleraccount": ACCOUNT };
    const via = (service: string) => ({ ...root, "kms:viaservice": `${service}.us-west-2.amazonaws.com` });
    expect(evaluate({ action: "kms:Decrypt", resource: "*", context: via("s3") }, statements)).toBe(
      "allowed",
    );
    expect(evaluate({ action: "kms:Decrypt", resource: "*", context: via("ecr") }, statements)).toBe(
      "allowed",
    );
    expect(evaluate({ action: "kms:Decrypt", resource: "*", context: via("lambda") }, statements)).toBe(
      "not allowed",
    );
    expect(evaluate({ action: "kms:Decrypt", resource: "*", context: root }, statements)).toBe("not allowed");
  });

  it("adds service principals with their conditions", () => {
    expect(policy).toContainEqual(
      expect.objectContaining({
        Sid: "LogsEncrypt",
        Principal: { Service: "logs.us-west-2.amazonaws.com" },
        Condition: {
          ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-west-2:${ACCOUNT}:*` },
        },
      }),
    );
  });

  it("grants a role the use of this key only, once however often it is asked", () => {
    const grants = synth.resources("aws_iam_role_policy");
    expect(grants).toHaveLength(1);
    expect(grants[0].role).toBe(ref(role, "id"));
    expect(JSON.parse(grants[0].policy).Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"],
        Resource: ref(key.key, "arn"),
      },
    ]);
  });

  it("refuses a key no service may use", () => {
    expect(() => newKey(newStack(), "x", [])).toThrow(/EncryptionKey: viaServices/);
  });
});

describe("EncryptionKey.allowRole", () => {
  const AGENT = `arn:aws:iam::${ACCOUNT}:role/myamazingapp/test/agent`;
  let synth: Synthesized;
  let key: EncryptionKey;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      key = newKey(scope, "logs", ["logs"]);
      const agent = new IamRole(scope, "agent", { name: "agent", assumeRolePolicy: "{}" });
      key.allowRole("AgentDecrypts", agent, ["kms:Decrypt"]);
      // The path is set after the grant, as the permissions boundary's aspect sets it: the policy still names it.
      agent.path = "/myamazingapp/test/";
    });
  });

  const decrypt = (arn: string, granted: boolean) =>
    authorize(
      {
        arn,
        identity: granted
          ? statementsOf({ Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }] })
          : [],
      },
      { action: "kms:Decrypt", resource: `arn:aws:kms:us-west-2:${ACCOUNT}:key/k` },
      { kind: "key", policy: statementsOf(synth.of(key.key).policy) },
    ).decision;

  it("lets that role, with its IAM grant, use the key directly, and no other role of the account", () => {
    expect(decrypt(AGENT, true)).toBe("allowed");
    // The account delegates to IAM: without its own grant, the role gets nothing from the key policy alone.
    expect(decrypt(AGENT, false)).toBe("not allowed");
    expect(decrypt(`arn:aws:iam::${ACCOUNT}:role/myamazingapp/test/other`, true)).toBe("not allowed");
    expect(decrypt(`arn:aws:iam::${ACCOUNT}:role/agent`, true)).toBe("not allowed");
    expect(decrypt(`arn:aws:iam::222222222222:role/myamazingapp/test/agent`, true)).toBe("not allowed");
  });

  it("names the role by its ARN, built from its name and path, so the key does not wait for the role", () => {
    const statement = JSON.parse(synth.of(key.key).policy).Statement.find(
      (s: Block) => s.Sid === "AgentDecrypts",
    );
    expect(statement).toEqual({
      Sid: "AgentDecrypts",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: ["kms:Decrypt"],
      Resource: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": AGENT } },
    });
    expect(JSON.stringify(synth.of(key.key))).not.toMatch(/aws_iam_role\./);
  });

  it("refuses a role whose name is not known until it is created", () => {
    const k = newKey(newStack(), "k", ["logs"]);
    const unnamed = new IamRole(k, "unnamed", { assumeRolePolicy: "{}" });
    expect(() => k.allowRole("Unnamed", unnamed, ["kms:Decrypt"])).toThrow(
      /EncryptionKey.allowRole: role .*unnamed needs a literal name and path/,
    );
  });
});
