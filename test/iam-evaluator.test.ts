/**
 * The small IAM evaluator the escalation rule and the deploy-role tests rely on: it must decide as IAM does for
 * the policy shapes this project writes, and never allow what it cannot judge.
 */
import { actionInfo, expandAction, wildcardMatch } from "../rules/iam/actions";
import { evaluate, type Request } from "../rules/iam/evaluate";
import { statementsOf } from "../rules/iam/policy";

const doc = (...Statement: object[]) => statementsOf({ Statement });
const ROLE = "arn:aws:iam::111111111111:role/app-x";

describe("evaluate", () => {
  const allowRoles = doc({
    Effect: "Allow",
    Action: "iam:*",
    Resource: "arn:aws:iam::111111111111:role/app-*",
  });

  it("allows what an Allow names, and nothing else", () => {
    expect(evaluate({ action: "iam:CreateRole", resource: ROLE }, allowRoles)).toBe("allowed");
    expect(
      evaluate({ action: "iam:CreateRole", resource: "arn:aws:iam::111111111111:role/other" }, allowRoles),
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

  describe("conditions", () => {
    const withCondition = (Condition: object) =>
      doc({ Effect: "Allow", Action: "iam:CreateRole", Resource: "*", Condition });
    const request = (context: Request["context"]): Request => ({
      action: "iam:CreateRole",
      resource: ROLE,
      context,
    });
    const B = "arn:aws:iam::111111111111:policy/boundary";

    it("StringEquals needs the key, with one of the values (keys compare case-insensitively)", () => {
      const p = withCondition({ StringEquals: { "iam:PermissionsBoundary": B } });
      expect(evaluate(request({ "iam:permissionsboundary": B }), p)).toBe("allowed");
      expect(evaluate(request({ "iam:permissionsboundary": `${B}2` }), p)).toBe("not allowed");
      expect(evaluate(request({}), p)).toBe("not allowed");
    });

    it("StringNotEquals holds when the key is missing; the IfExists forms hold when it is missing", () => {
      expect(
        evaluate(request({}), withCondition({ StringNotEquals: { "iam:PermissionsBoundary": B } })),
      ).toBe("allowed");
      expect(
        evaluate(request({}), withCondition({ StringEqualsIfExists: { "iam:PermissionsBoundary": B } })),
      ).toBe("allowed");
    });

    it("ArnLike and StringLike match wildcards; Null tests presence", () => {
      const like = withCondition({ ArnLike: { "iam:PolicyARN": "arn:aws:iam::aws:policy/Admin*" } });
      expect(
        evaluate(request({ "iam:policyarn": "arn:aws:iam::aws:policy/AdministratorAccess" }), like),
      ).toBe("allowed");
      expect(evaluate(request({ "iam:policyarn": "arn:aws:iam::aws:policy/ReadOnlyAccess" }), like)).toBe(
        "not allowed",
      );
      const absent = withCondition({ Null: { "iam:PermissionsBoundary": "true" } });
      expect(evaluate(request({}), absent)).toBe("allowed");
      expect(evaluate(request({ "iam:permissionsboundary": B }), absent)).toBe("not allowed");
    });

    it("never lets an operator it does not know grant anything", () => {
      const unknown = withCondition({ DateAfter: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } });
      expect(evaluate(request({ "aws:currenttime": "2030-01-01T00:00:00Z" }), unknown)).toBe("not allowed");
    });
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
