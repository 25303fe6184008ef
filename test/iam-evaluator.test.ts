/**
 * The IAM evaluator the rules, the stack tests, the generated battery and the end-to-end call check rely on: it
 * must decide as IAM does, and never allow what it cannot judge. Cases that follow a non-obvious rule of IAM cite
 * the AWS page that states it.
 */
import { actionInfo, expandAction, wildcardMatch } from "../rules/iam/actions";
import { authorize, describe as describeCall, type Principal, type Target } from "../rules/iam/authorize";
import { conditionHolds, type Context } from "../rules/iam/conditions";
import { evaluate, type Request } from "../rules/iam/evaluate";
import { statementsOf } from "../rules/iam/policy";

const doc = (...Statement: object[]) => statementsOf({ Statement });
const ACCOUNT = "111111111111";
const OTHER = "222222222222";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app-x`;

describe("evaluate (identity policies and boundary)", () => {
  const allowRoles = doc({
    Effect: "Allow",
    Action: "iam:*",
    Resource: `arn:aws:iam::${ACCOUNT}:role/app-*`,
  });

  it("allows what an Allow names, and nothing else", () => {
    expect(evaluate({ action: "iam:CreateRole", resource: ROLE }, allowRoles)).toBe("allowed");
    expect(
      evaluate({ action: "iam:CreateRole", resource: `arn:aws:iam::${ACCOUNT}:role/other` }, allowRoles),
    ).toBe("not allowed");
    expect(evaluate({ action: "s3:GetObject", resource: ROLE }, allowRoles)).toBe("not allowed");
  });

  it("matches actions case-insensitively and ARNs exactly", () => {
    expect(evaluate({ action: "IAM:createrole", resource: ROLE }, allowRoles)).toBe("allowed");
    expect(evaluate({ action: "iam:CreateRole", resource: ROLE.toUpperCase() }, allowRoles)).toBe(
      "not allowed",
    );
  });

  it("lets an explicit Deny win over any Allow", () => {
    const policies = [...allowRoles, ...doc({ Effect: "Deny", Action: "iam:Delete*", Resource: "*" })];
    expect(evaluate({ action: "iam:DeleteRole", resource: ROLE }, policies)).toBe("denied");
    expect(evaluate({ action: "iam:GetRole", resource: ROLE }, policies)).toBe("allowed");
  });

  it("needs the boundary to allow too, and honours the boundary's denies", () => {
    const boundary = doc(
      { Effect: "Allow", Action: "iam:Get*", Resource: "*" },
      { Effect: "Deny", Action: "iam:GetRolePolicy", Resource: "*" },
    );
    expect(evaluate({ action: "iam:GetRole", resource: ROLE }, allowRoles, boundary)).toBe("allowed");
    expect(evaluate({ action: "iam:CreateRole", resource: ROLE }, allowRoles, boundary)).toBe("not allowed");
    expect(evaluate({ action: "iam:GetRolePolicy", resource: ROLE }, allowRoles, boundary)).toBe("denied");
    // A boundary grants nothing by itself.
    expect(evaluate({ action: "iam:GetRole", resource: ROLE }, [], boundary)).toBe("not allowed");
  });

  it("reads NotAction and NotResource as every action or resource but those", () => {
    const policies = doc(
      { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
      { Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::mine/*" },
    );
    expect(evaluate({ action: "ec2:RunInstances", resource: "*" }, policies)).toBe("allowed");
    expect(evaluate({ action: "iam:CreateRole", resource: ROLE }, policies)).toBe("not allowed");
    expect(evaluate({ action: "s3:GetObject", resource: "arn:aws:s3:::mine/a" }, policies)).toBe("allowed");
    expect(evaluate({ action: "s3:GetObject", resource: "arn:aws:s3:::other/a" }, policies)).toBe("denied");
  });

  it("fills policy variables in Resource from the request, and matches nothing when one has no value", () => {
    const own = doc({
      Effect: "Allow",
      Action: "iam:GetUser",
      Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`,
    });
    const bob = `arn:aws:iam::${ACCOUNT}:user/bob`;
    expect(evaluate({ action: "iam:GetUser", resource: bob, context: { "aws:username": "bob" } }, own)).toBe(
      "allowed",
    );
    expect(evaluate({ action: "iam:GetUser", resource: bob, context: { "aws:username": "eve" } }, own)).toBe(
      "not allowed",
    );
    expect(evaluate({ action: "iam:GetUser", resource: bob }, own)).toBe("not allowed");
  });

  describe("conditions in statements", () => {
    const withCondition = (Condition: object, Effect = "Allow") =>
      doc({ Effect, Action: "iam:CreateRole", Resource: "*", Condition });
    const request = (context: Request["context"]): Request => ({
      action: "iam:CreateRole",
      resource: ROLE,
      context,
    });
    const B = `arn:aws:iam::${ACCOUNT}:policy/boundary`;

    it("StringEquals needs the key, with one of the values (keys compare case-insensitively)", () => {
      const p = withCondition({ StringEquals: { "iam:PermissionsBoundary": B } });
      expect(evaluate(request({ "iam:permissionsboundary": B }), p)).toBe("allowed");
      expect(evaluate(request({ "iam:permissionsboundary": `${B}2` }), p)).toBe("not allowed");
      expect(evaluate(request({}), p)).toBe("not allowed");
    });

    it("ANDs operators and keys, ORs the values of one key", () => {
      const p = withCondition({
        StringEquals: { "aws:RequestTag/application": ["a", "b"], "aws:RequestTag/environment": "prod" },
        Bool: { "aws:SecureTransport": "true" },
      });
      const ok = {
        "aws:requesttag/application": "b",
        "aws:requesttag/environment": "prod",
        "aws:securetransport": "true",
      };
      expect(evaluate(request(ok), p)).toBe("allowed");
      expect(evaluate(request({ ...ok, "aws:requesttag/environment": "dev" }), p)).toBe("not allowed");
      expect(evaluate(request({ ...ok, "aws:securetransport": "false" }), p)).toBe("not allowed");
    });

    it("never lets an operator it does not know grant anything, nor refuse anything", () => {
      // IAM refuses to store such a policy; if one reached the evaluator, neither an Allow nor a Deny applies.
      const unknown = { DateAfter: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } };
      const context = { "aws:currenttime": "2030-01-01T00:00:00Z" };
      expect(evaluate(request(context), withCondition(unknown))).toBe("not allowed");
      const allowAll = doc({ Effect: "Allow", Action: "*", Resource: "*" });
      expect(evaluate(request(context), [...allowAll, ...withCondition(unknown, "Deny")])).toBe("allowed");
    });
  });
});

describe("condition operators", () => {
  const holds = (operator: string, values: string | string[], value: Context[string], key = "k") =>
    conditionHolds(
      operator,
      key,
      ([] as string[]).concat(values),
      value === undefined ? {} : { [key]: value },
    );

  it("String*: exact and case-sensitive, IgnoreCase folds case, Like takes * and ?", () => {
    expect(holds("StringEquals", "Prod", "Prod")).toBe(true);
    expect(holds("StringEquals", "Prod", "prod")).toBe(false);
    expect(holds("StringEqualsIgnoreCase", "Prod", "PROD")).toBe(true);
    expect(holds("StringNotEqualsIgnoreCase", "Prod", "PROD")).toBe(false);
    expect(holds("StringNotEquals", ["a", "b"], "c")).toBe(true);
    expect(holds("StringNotEquals", ["a", "b"], "b")).toBe(false);
    expect(holds("StringLike", "app-*-?", "app-web-1")).toBe(true);
    expect(holds("StringLike", "app-*-?", "app-web-12")).toBe(false);
    expect(holds("StringNotLike", "app-*", "other")).toBe(true);
  });

  it("Numeric*: compares numbers, and a value that is not a number matches nothing", () => {
    expect(holds("NumericEquals", "10", "10.0")).toBe(true);
    expect(holds("NumericNotEquals", "10", "11")).toBe(true);
    expect(holds("NumericLessThan", "10", "9")).toBe(true);
    expect(holds("NumericLessThan", "10", "10")).toBe(false);
    expect(holds("NumericLessThanEquals", "10", "10")).toBe(true);
    expect(holds("NumericGreaterThan", "10", "11")).toBe(true);
    expect(holds("NumericGreaterThanEquals", "10", "9")).toBe(false);
    expect(holds("NumericEquals", "10", "ten")).toBe(false);
  });

  it("Date*: compares ISO 8601 dates and epoch seconds", () => {
    expect(holds("DateGreaterThan", "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z")).toBe(true);
    expect(holds("DateLessThan", "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z")).toBe(false);
    expect(holds("DateEquals", "2020-01-01T00:00:00Z", "1577836800")).toBe(true);
    expect(holds("DateNotEquals", "2020-01-01T00:00:00Z", "1577836801")).toBe(true);
    expect(holds("DateLessThanEquals", "1577836800", "2020-01-01T00:00:00Z")).toBe(true);
    expect(holds("DateGreaterThanEquals", "1577836800", "2019-12-31T23:59:59Z")).toBe(false);
  });

  it("Bool and BinaryEquals compare the value", () => {
    expect(holds("Bool", "false", "False")).toBe(true);
    expect(holds("Bool", "true", "false")).toBe(false);
    expect(holds("BinaryEquals", "QmluYXJ5", "QmluYXJ5")).toBe(true);
  });

  it("IpAddress and NotIpAddress test CIDR ranges, IPv4 and IPv6", () => {
    expect(holds("IpAddress", "203.0.113.0/24", "203.0.113.7")).toBe(true);
    expect(holds("IpAddress", "203.0.113.0/24", "203.0.114.7")).toBe(false);
    expect(holds("IpAddress", "203.0.113.7", "203.0.113.7")).toBe(true);
    expect(holds("NotIpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "203.0.113.7")).toBe(true);
    expect(holds("IpAddress", "2001:db8::/32", "2001:db8:1::5")).toBe(true);
    expect(holds("IpAddress", "2001:db8::/32", "2001:db9::5")).toBe(false);
    expect(holds("IpAddress", "2001:db8::/32", "203.0.113.7")).toBe(false);
  });

  it("Arn*: ArnEquals takes wildcards like ArnLike, each of the six colon-separated parts matched on its own", () => {
    // IAM User Guide, condition operators, "Amazon Resource Name (ARN) condition operators".
    const role = `arn:aws:iam::${OTHER}:role/deploy`;
    expect(holds("ArnEquals", "arn:aws:iam::*:role/deploy", role)).toBe(true);
    expect(holds("ArnLike", "arn:aws:iam::*:role/deploy", role)).toBe(true);
    expect(holds("ArnLike", "arn:aws:iam::*", role)).toBe(false);
    expect(holds("ArnNotEquals", `arn:aws:iam::${ACCOUNT}:role/*`, role)).toBe(true);
    expect(holds("ArnNotLike", "arn:aws:iam::*:role/dep*", role)).toBe(false);
  });

  it("Null asks whether the key is absent (true) or present (false)", () => {
    expect(holds("Null", "true", undefined)).toBe(true);
    expect(holds("Null", "true", "x")).toBe(false);
    expect(holds("Null", "false", "x")).toBe(true);
    expect(holds("Null", "false", [])).toBe(false);
  });

  it("a missing key fails a positive operator, passes a negated one, passes any IfExists", () => {
    expect(holds("StringEquals", "a", undefined)).toBe(false);
    expect(holds("StringNotEquals", "a", undefined)).toBe(true);
    expect(holds("ArnNotLike", "arn:*", undefined)).toBe(true);
    expect(holds("StringEqualsIfExists", "a", undefined)).toBe(true);
    expect(holds("NumericLessThanIfExists", "3", undefined)).toBe(true);
    // IfExists only forgives absence: a present key is still tested.
    expect(holds("StringEqualsIfExists", "a", "b")).toBe(false);
  });

  describe("multivalued keys and set operators", () => {
    const tags = (...keys: string[]) => keys;

    it("ForAllValues: every request value must match one policy value", () => {
      // IAM User Guide, "Multivalued context key examples": the policy is a superset of the request.
      expect(holds("ForAllValues:StringEquals", ["a", "b"], tags("a"))).toBe(true);
      expect(holds("ForAllValues:StringEquals", ["a", "b"], tags("a", "c"))).toBe(false);
      expect(holds("ForAllValues:StringLike", "Created*", tags("CreatedBy", "CreatedAt"))).toBe(true);
    });

    it("ForAllValues holds for a missing key or an empty set", () => {
      // "The ForAllValues set operator also returns true if there are no context keys in the request."
      expect(holds("ForAllValues:StringEquals", "a", undefined)).toBe(true);
      expect(holds("ForAllValues:StringEquals", "a", [])).toBe(true);
    });

    it("ForAllValues with a negated operator holds when no request value is among the policy's", () => {
      // The shape that keeps the application/environment tags: Deny ForAllValues:StringNotLike in the docs.
      const protectedKeys = ["application", "environment"];
      expect(holds("ForAllValues:StringNotEquals", protectedKeys, tags("owner", "team"))).toBe(true);
      expect(holds("ForAllValues:StringNotEquals", protectedKeys, tags("owner", "environment"))).toBe(false);
      expect(holds("ForAllValues:StringNotLike", "key1*", tags("key2:audit"))).toBe(true);
      expect(holds("ForAllValues:StringNotLike", "key1*", tags("key1:legal"))).toBe(false);
    });

    it("ForAnyValue: one request value matching is enough; a missing key never holds, not even with IfExists", () => {
      // re:Post "ForAnyValue:StringEqualsIfExists behaving unexpectedly": ListQueues (no aws:TagKeys) is refused.
      expect(holds("ForAnyValue:StringEquals", ["a"], tags("c", "a"))).toBe(true);
      expect(holds("ForAnyValue:StringEquals", ["a"], tags("c"))).toBe(false);
      expect(holds("ForAnyValue:StringEquals", "a", undefined)).toBe(false);
      expect(holds("ForAnyValue:StringEqualsIfExists", "a", undefined)).toBe(false);
      expect(holds("ForAnyValue:StringNotEquals", ["a"], tags("a", "b"))).toBe(true);
    });

    it("without a set operator, a multivalued key matches a positive operator when any value does", () => {
      expect(holds("StringEquals", "a", tags("b", "a"))).toBe(true);
      expect(holds("StringNotEquals", "a", tags("b", "a"))).toBe(false);
      expect(holds("StringNotEquals", "a", tags("b", "c"))).toBe(true);
    });
  });

  it("says 'unknown' for an operator it does not know", () => {
    expect(holds("StringMatchesRegex", ".*", "x")).toBe("unknown");
  });
});

describe("authorize (resource, key and trust policies, accounts, service principals)", () => {
  const allowAll = doc({ Effect: "Allow", Action: "*", Resource: "*" });
  const BUCKET = "arn:aws:s3:::app-files";
  const OBJECT = `${BUCKET}/a`;
  const read: Request = { action: "s3:GetObject", resource: OBJECT };
  const role = (identity = allowAll, boundary?: ReturnType<typeof doc>): Principal => ({
    arn: ROLE,
    identity,
    boundary,
  });
  const bucket = (...statements: object[]): Target => ({ policy: doc(...statements), account: ACCOUNT });
  const grant = (AWS: string | string[]) => ({
    Effect: "Allow",
    Principal: { AWS },
    Action: "s3:GetObject",
    Resource: `${BUCKET}/*`,
  });

  describe("in the same account", () => {
    it("identity policies alone are enough for a resource whose policy does not mention the principal", () => {
      expect(
        authorize(role(), read, bucket(grant(`arn:aws:iam::${ACCOUNT}:role/someone-else`))).decision,
      ).toBe("allowed");
      expect(authorize(role([]), read, bucket()).decision).toBe("not allowed");
    });

    it("a resource policy naming the role grants without any identity policy", () => {
      // IAM User Guide, "Policy evaluation for requests within a single account": either side allowing is enough.
      const result = authorize(role([]), read, bucket(grant(ROLE)));
      expect(result.decision).toBe("allowed");
      expect(result.by.map((b) => b.policy)).toEqual(["resource"]);
    });

    it("the role's boundary still caps what a resource policy grants to the role's ARN, not to its session", () => {
      // IAM User Guide, "Permissions boundaries for IAM entities": a grant to the role ARN is limited by an
      // implicit deny in the boundary; a grant to the role session ARN is not.
      const boundary = doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" });
      expect(authorize(role([], boundary), read, bucket(grant(ROLE))).decision).toBe("not allowed");
      expect(authorize(role([], boundary), read, bucket({ ...grant("*"), Principal: "*" })).decision).toBe(
        "not allowed",
      );
      const session = `arn:aws:sts::${ACCOUNT}:assumed-role/app-x/ci`;
      expect(authorize({ ...role([], boundary), session: "ci" }, read, bucket(grant(session))).decision).toBe(
        "allowed",
      );
      const widerBoundary = doc({ Effect: "Allow", Action: "s3:*", Resource: "*" });
      expect(authorize(role([], widerBoundary), read, bucket(grant(ROLE))).decision).toBe("allowed");
    });

    it("a grant to the account only delegates to the principal's own policies", () => {
      expect(authorize(role([]), read, bucket(grant(`arn:aws:iam::${ACCOUNT}:root`))).decision).toBe(
        "not allowed",
      );
      expect(authorize(role([]), read, bucket(grant(ACCOUNT))).decision).toBe("not allowed");
      expect(authorize(role(), read, bucket(grant(ACCOUNT))).decision).toBe("allowed");
    });

    it("an explicit Deny in the resource policy wins over the identity's Allow, for the principals it covers", () => {
      // The app secrets' shape: every principal but the task execution role is refused GetSecretValue.
      const secret = `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:app/x-AbCdEf`;
      const onlyExecution: Target = {
        policy: doc({
          Sid: "OnlyTheTaskExecutionRoleReads",
          Effect: "Deny",
          Principal: "*",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { ArnNotEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/app-execution` } },
        }),
      };
      const get = { action: "secretsmanager:GetSecretValue", resource: secret };
      const denied = authorize(role(), get, onlyExecution);
      expect(denied).toMatchObject({ decision: "denied", by: [{ policy: "resource" }] });
      expect(denied.by[0].statement.sid).toBe("OnlyTheTaskExecutionRoleReads");
      const execution = { arn: `arn:aws:iam::${ACCOUNT}:role/app-execution`, identity: allowAll };
      expect(authorize(execution, get, onlyExecution).decision).toBe("allowed");
    });

    it("NotPrincipal: an Allow covers everyone but those listed", () => {
      const allowOthers = bucket({
        Effect: "Allow",
        NotPrincipal: { AWS: ROLE },
        Action: "s3:GetObject",
        Resource: `${BUCKET}/*`,
      });
      expect(authorize(role([]), read, allowOthers).decision).toBe("not allowed");
      const other = { arn: `arn:aws:iam::${ACCOUNT}:role/other`, identity: [] };
      expect(authorize(other, read, allowOthers).decision).toBe("allowed");
    });

    it("a Deny with NotPrincipal refuses a principal with a boundary even when it is listed", () => {
      // IAM User Guide, "Permissions boundaries for IAM entities" (Important box).
      const denyOthers = bucket({
        Effect: "Deny",
        NotPrincipal: { AWS: ROLE },
        Action: "s3:*",
        Resource: `${BUCKET}/*`,
      });
      expect(authorize(role(), read, denyOthers).decision).toBe("allowed");
      expect(authorize(role(allowAll, allowAll), read, denyOthers).decision).toBe("denied");
    });

    it("the account's root may do anything an ordinary resource allows it, and no more than a key policy does", () => {
      const root = { arn: `arn:aws:iam::${ACCOUNT}:root` };
      expect(authorize(root, read, bucket()).decision).toBe("allowed");
      const key = `arn:aws:kms:us-west-2:${ACCOUNT}:key/k`;
      const usersOnly: Target = {
        kind: "key",
        policy: doc({ Effect: "Allow", Principal: { AWS: ROLE }, Action: "kms:*", Resource: "*" }),
      };
      expect(authorize(root, { action: "kms:Decrypt", resource: key }, usersOnly).decision).toBe(
        "not allowed",
      );
    });

    it("IAM's own context keys are set: aws:PrincipalArn, aws:PrincipalAccount, aws:ResourceAccount", () => {
      const onlyOwnAccount = bucket({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: `${BUCKET}/*`,
        Condition: { StringNotEquals: { "aws:PrincipalAccount": "${aws:ResourceAccount}" } },
      });
      expect(authorize(role(), read, onlyOwnAccount).decision).toBe("allowed");
      const stranger = { arn: `arn:aws:iam::${OTHER}:role/x`, identity: allowAll };
      expect(authorize(stranger, read, onlyOwnAccount).decision).toBe("denied");
    });
  });

  describe("across accounts", () => {
    const stranger = (identity = allowAll): Principal => ({ arn: `arn:aws:iam::${OTHER}:role/x`, identity });

    it("needs the resource policy AND the caller's identity policies", () => {
      // IAM User Guide, "Cross-account policy evaluation logic".
      expect(authorize(stranger(), read, bucket()).decision).toBe("not allowed");
      expect(authorize(stranger([]), read, bucket(grant(`arn:aws:iam::${OTHER}:role/x`))).decision).toBe(
        "not allowed",
      );
      expect(authorize(stranger(), read, bucket(grant(`arn:aws:iam::${OTHER}:role/x`))).decision).toBe(
        "allowed",
      );
      expect(authorize(stranger(), read, bucket(grant(OTHER))).decision).toBe("allowed");
    });

    it("takes the resource's account from its ARN, or from the target for S3", () => {
      const key = `arn:aws:kms:us-west-2:${OTHER}:key/k`;
      const rootKey: Target = {
        kind: "key",
        policy: doc({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: "kms:*",
          Resource: "*",
        }),
      };
      expect(authorize(role(), { action: "kms:Decrypt", resource: key }, rootKey).decision).toBe(
        "not allowed",
      );
      expect(authorize(role(), read, { policy: [], account: OTHER }).decision).toBe("not allowed");
    });
  });

  describe("KMS key policies", () => {
    const KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234`;
    const decrypt = { action: "kms:Decrypt", resource: KEY };
    const keyPolicy = (...statements: object[]): Target => ({ kind: "key", policy: doc(...statements) });
    const enableIam = {
      Sid: "EnableIam",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    };

    it("identity policies alone never reach a key: its policy must allow", () => {
      // KMS Developer Guide, "Key policies in AWS KMS": without permission from the key policy, IAM policies have no effect.
      expect(
        authorize(
          role(),
          decrypt,
          keyPolicy({
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/other` },
            Action: "kms:*",
            Resource: "*",
          }),
        ).decision,
      ).toBe("not allowed");
      expect(authorize(role(), decrypt, { kind: "key" }).decision).toBe("not allowed");
    });

    it("a key policy trusting the account root enables IAM policies: then identity and boundary decide", () => {
      // KMS Developer Guide, "Default key policy": allows access to the AWS account and enables IAM policies.
      expect(authorize(role(), decrypt, keyPolicy(enableIam)).decision).toBe("allowed");
      expect(authorize(role([]), decrypt, keyPolicy(enableIam)).decision).toBe("not allowed");
      const noKms = doc({ Effect: "Allow", Action: "s3:*", Resource: "*" });
      expect(authorize(role(allowAll, noKms), decrypt, keyPolicy(enableIam)).decision).toBe("not allowed");
    });

    it("a key policy naming the role grants by itself", () => {
      expect(
        authorize(role([]), decrypt, keyPolicy({ ...enableIam, Principal: { AWS: ROLE } })).decision,
      ).toBe("allowed");
    });

    it("lets a service principal use a key only as its policy says, with the encryption context it gives", () => {
      const logs = keyPolicy({
        Effect: "Allow",
        Principal: { Service: "logs.us-west-2.amazonaws.com" },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/app/*`,
          },
        },
      });
      const service = { arn: "logs.us-west-2.amazonaws.com" };
      const context = (group: string) => ({
        "kms:encryptioncontext:aws:logs:arn": `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:${group}`,
      });
      expect(
        authorize(
          service,
          { action: "kms:GenerateDataKey", resource: KEY, context: context("/app/web") },
          logs,
        ).decision,
      ).toBe("allowed");
      expect(
        authorize(
          service,
          { action: "kms:GenerateDataKey", resource: KEY, context: context("/other/web") },
          logs,
        ).decision,
      ).toBe("not allowed");
      expect(
        authorize(
          { arn: "firehose.amazonaws.com" },
          { action: "kms:Decrypt", resource: KEY, context: context("/app/web") },
          logs,
        ).decision,
      ).toBe("not allowed");
    });
  });

  describe("role trust policies (sts:AssumeRole*)", () => {
    const ADMIN = `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`;
    const assume = { action: "sts:AssumeRole", resource: ADMIN };
    const trust = (Principal: object, extra: object = {}): Target => ({
      kind: "trust",
      policy: doc({ Effect: "Allow", Principal, Action: "sts:AssumeRole", ...extra }),
    });

    it("identity policies alone never assume a role: the trust policy must allow", () => {
      // re:Post "IAM role trust policy behavior": role trust policies and KMS key policies must explicitly allow.
      expect(authorize(role(), assume, trust({ AWS: `arn:aws:iam::${OTHER}:root` })).decision).toBe(
        "not allowed",
      );
      expect(authorize(role(), assume, { kind: "trust" }).decision).toBe("not allowed");
    });

    it("a trust policy trusting the account needs the caller's identity policy (and boundary) to allow", () => {
      expect(authorize(role(), assume, trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` })).decision).toBe(
        "allowed",
      );
      expect(authorize(role([]), assume, trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` })).decision).toBe(
        "not allowed",
      );
      const noSts = doc({ Effect: "Allow", Action: "iam:*", Resource: "*" });
      expect(authorize(role(allowAll, noSts), assume, trust({ AWS: ACCOUNT })).decision).toBe("not allowed");
    });

    it("a trust policy naming the role lets it assume without an identity policy, within its boundary", () => {
      expect(authorize(role([]), assume, trust({ AWS: ROLE })).decision).toBe("allowed");
      const denySts = doc(
        { Effect: "Allow", Action: "*", Resource: "*" },
        { Effect: "Deny", Action: "sts:AssumeRole", Resource: "*" },
      );
      expect(authorize(role([], denySts), assume, trust({ AWS: ROLE })).decision).toBe("denied");
    });

    it("a service assumes a role only through its trust policy, with the conditions it sets", () => {
      const ecs = trust(
        { Service: "ecs-tasks.amazonaws.com" },
        { Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
      );
      const service = { arn: "ecs-tasks.amazonaws.com" };
      expect(authorize(service, { ...assume, context: { "aws:sourceaccount": ACCOUNT } }, ecs).decision).toBe(
        "allowed",
      );
      expect(authorize(service, { ...assume, context: { "aws:sourceaccount": OTHER } }, ecs).decision).toBe(
        "not allowed",
      );
      expect(
        authorize({ arn: "ec2.amazonaws.com" }, { ...assume, context: { "aws:sourceaccount": ACCOUNT } }, ecs)
          .decision,
      ).toBe("not allowed");
    });

    it("a federated principal assumes with web identity only for the claims the trust policy names", () => {
      const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
      const github: Target = {
        kind: "trust",
        policy: doc({
          Effect: "Allow",
          Principal: { Federated: provider },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:sub": "repo:o/r:environment:production" },
          },
        }),
      };
      const claims = (sub: string) => ({ "token.actions.githubusercontent.com:sub": sub });
      const web = (sub: string) => ({
        action: "sts:AssumeRoleWithWebIdentity",
        resource: ROLE,
        context: claims(sub),
      });
      expect(authorize({ arn: provider }, web("repo:o/r:environment:production"), github).decision).toBe(
        "allowed",
      );
      expect(authorize({ arn: provider }, web("repo:o/r:pull_request"), github).decision).toBe("not allowed");
    });
  });

  it("describes a decision on one line: who, what, on what, context, and the deciding statements", () => {
    const boundary = statementsOf(
      { Statement: [{ Sid: "Cap", Effect: "Allow", Action: "s3:*", Resource: "*" }] },
      "the-boundary",
    );
    const request = { ...read, context: { "aws:requesttag/a": "b" } };
    const line = describeCall(
      ROLE,
      request,
      authorize(
        role(
          statementsOf(
            { Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:*", Resource: "*" }] },
            "p1",
          ),
          boundary,
        ),
        request,
        bucket(),
      ),
    );
    expect(line).toContain(`${ROLE} s3:GetObject ${OBJECT}`);
    expect(line).toContain('aws:requesttag/a="b"');
    expect(line).toContain("-> allowed by identity:p1/Read, boundary:the-boundary/Cap");
  });
});

describe("the action table", () => {
  it("knows access levels and which actions take resource ARNs", () => {
    expect(actionInfo("s3:GetObject")).toMatchObject({ level: "R", restrictable: true });
    expect(actionInfo("iam:PutRolePolicy")?.level).toBe("P");
    expect(actionInfo("ecr:GetAuthorizationToken")?.restrictable).toBe(false);
    expect(actionInfo("nosuch:Thing")).toBeUndefined();
  });

  it("expands wildcards to the actions they stand for", () => {
    const names = expandAction("iam:Put*").map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(["iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"]));
    expect(names.every((n) => n.startsWith("iam:Put"))).toBe(true);
    expect(expandAction("*").length).toBeGreaterThan(3000);
  });

  it("matches * and ? as IAM does", () => {
    expect(wildcardMatch("s3:Get*", "s3:GetObjectVersion")).toBe(true);
    expect(wildcardMatch("arn:aws:s3:::b/?", "arn:aws:s3:::b/xy", false)).toBe(false);
    expect(wildcardMatch("a.b", "aXb")).toBe(false);
  });
});
