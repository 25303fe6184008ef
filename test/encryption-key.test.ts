import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { EncryptionKey } from "../constructs/encryption-key";
import { Naming } from "../constructs/naming";
import { evaluate } from "../rules/iam/evaluate";
import { statementsOf } from "../rules/iam/policy";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const ACCOUNT = "111111111111";
const naming = new Naming("myamazingapp", "test");

describe("EncryptionKey", () => {
  let synth: Synthesized;
  let key: EncryptionKey;
  let role: IamRole;
  let policy: Block[];
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      key = new EncryptionKey(scope, "data", {
        naming,
        purpose: "data",
        account: ACCOUNT,
        region: "us-west-2",
        viaServices: ["s3", "ecr"],
      });
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
    expect(
      () =>
        new EncryptionKey(newStack(), "k", {
          naming,
          purpose: "x",
          account: ACCOUNT,
          region: "us-west-2",
          viaServices: [],
        }),
    ).toThrow(/EncryptionKey: viaServices/);
  });
});
