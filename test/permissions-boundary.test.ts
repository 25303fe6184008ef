/**
 * The permissions boundary, judged by what a role that carries it can do even when its own policy allows
 * everything (AdministratorAccess): the boundary alone must stop every path to more power.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Naming } from "../constructs/naming";
import { ADMINISTRATOR_POLICIES, PermissionsBoundary } from "../constructs/permissions-boundary";
import { evaluate, type Request } from "../rules/iam/evaluate";
import { type Statement, statementsOf } from "../rules/iam/policy";
import { ref, synthConstruct, type Synthesized } from "./helpers";

const ACCOUNT = "111111111111";
const naming = new Naming("myamazingapp", "test");
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/myamazingapp-test-permissions-boundary`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const REGION = "us-west-2";
const STATE = "arn:aws:s3:::state-bucket/myamazingapp/myamazingapp-test.tfstate";
const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;
const RDS_TAG = "secretsmanager:resourcetag/aws:rds:primarydbinstancearn";
const EVERYTHING = statementsOf({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

describe("PermissionsBoundary", () => {
  let synth: Synthesized;
  let boundary: PermissionsBoundary;
  let roles: IamRole[];
  let statements: Statement[];
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      boundary = new PermissionsBoundary(scope, "boundary", {
        naming,
        account: ACCOUNT,
        services: ["s3", "ecs", "iam", "sts", "secretsmanager", "ssm", "logs", "ec2"],
        protectedRoleNames: ["myamazingapp-test-github-deploy"],
        region: REGION,
        stateObjectArn: STATE,
      });
      roles = ["a", "b"].map((n) => new IamRole(scope, n, { name: n, assumeRolePolicy: "{}" }));
    });
    statements = statementsOf(synth.of(boundary.policy).policy);
  });
  /** What an administrator bounded by it may do. */
  const admin = (request: Request) => evaluate(request, EVERYTHING, statements);

  it("is a managed policy whose ARN is known before it exists", () => {
    expect(synth.of(boundary.policy).name).toBe("myamazingapp-test-permissions-boundary");
    expect(boundary.arn).toBe(BOUNDARY);
  });

  it("is set on every role in its scope", () => {
    for (const r of roles) expect(synth.of(r).permissions_boundary).toBe(ref(boundary.policy, "arn"));
  });

  it("leaves the environment's services, and its own data, usable", () => {
    expect(admin({ action: "s3:GetObject", resource: "arn:aws:s3:::myamazingapp-test-uploads/k" })).toBe(
      "allowed",
    );
    expect(admin({ action: "s3:PutObject", resource: STATE })).toBe("allowed");
    expect(admin({ action: "s3:PutObject", resource: `${STATE}.tflock` })).toBe("allowed");
    expect(admin({ action: "s3:ListBucket", resource: "arn:aws:s3:::any-bucket" })).toBe("allowed");
    expect(
      admin({
        action: "secretsmanager:GetSecretValue",
        resource: secret("myamazingapp/test/SMTP_PASSWORD-AbC"),
      }),
    ).toBe("allowed");
    expect(
      admin({
        action: "secretsmanager:GetSecretValue",
        resource: secret("rds!db-1234-AbC"),
        context: { [RDS_TAG]: `arn:aws:rds:${REGION}:${ACCOUNT}:db:myamazingapp-test-db` },
      }),
    ).toBe("allowed");
    expect(
      admin({
        action: "ssm:GetParameter",
        resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/myamazingapp/test/image`,
      }),
    ).toBe("allowed");
    expect(
      admin({
        action: "logs:GetLogEvents",
        resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/myamazingapp/test/web`,
      }),
    ).toBe("allowed");
    expect(admin({ action: "ecs:RunTask", resource: "*" })).toBe("allowed");
    expect(
      admin({
        action: "iam:CreateRole",
        resource: role("x"),
        context: { "iam:permissionsboundary": BOUNDARY },
      }),
    ).toBe("allowed");
  });

  it.each<[string, Request]>([
    ["use a service outside the list", { action: "cloudtrail:StopLogging", resource: "*" }],
    ["create a role without the boundary", { action: "iam:CreateRole", resource: role("x") }],
    [
      "create a role with another boundary",
      {
        action: "iam:CreateRole",
        resource: role("x"),
        context: { "iam:permissionsboundary": "arn:aws:iam::1:policy/y" },
      },
    ],
    ["put another boundary on a role", { action: "iam:PutRolePermissionsBoundary", resource: role("x") }],
    ["lift a boundary", { action: "iam:DeleteRolePermissionsBoundary", resource: role("x") }],
    ["write a new version of the boundary", { action: "iam:CreatePolicyVersion", resource: BOUNDARY }],
    ["switch the boundary's version", { action: "iam:SetDefaultPolicyVersion", resource: BOUNDARY }],
    ["delete the boundary", { action: "iam:DeletePolicy", resource: BOUNDARY }],
    ...ADMINISTRATOR_POLICIES.map((arn): [string, Request] => [
      `attach ${arn.split("/").pop()}`,
      {
        action: "iam:AttachRolePolicy",
        resource: role("x"),
        context: { "iam:permissionsboundary": BOUNDARY, "iam:policyarn": arn },
      },
    ]),
    [
      "change the deploy role",
      {
        action: "iam:PutRolePolicy",
        resource: role("myamazingapp-test-github-deploy"),
        context: { "iam:permissionsboundary": BOUNDARY },
      },
    ],
    [
      "assume the deploy role",
      { action: "sts:AssumeRole", resource: role("myamazingapp-test-github-deploy") },
    ],
    [
      "read another application's object",
      { action: "s3:GetObject", resource: "arn:aws:s3:::other-app-files/k" },
    ],
    [
      "read another environment's state",
      {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::state-bucket/myamazingapp/myamazingapp-prod.tfstate",
      },
    ],
    [
      "read another application's secret",
      { action: "secretsmanager:GetSecretValue", resource: secret("other/x-AbC") },
    ],
    [
      "read another database's master secret",
      {
        action: "secretsmanager:GetSecretValue",
        resource: secret("rds!db-9999-AbC"),
        context: { [RDS_TAG]: `arn:aws:rds:${REGION}:${ACCOUNT}:db:other-db` },
      },
    ],
    [
      "read a parameter outside the app's path",
      { action: "ssm:GetParameter", resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/other/secret` },
    ],
    [
      "read another application's logs",
      { action: "logs:FilterLogEvents", resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/other/app` },
    ],
    [
      "assume a role of its own environment",
      { action: "sts:AssumeRole", resource: role("myamazingapp-test-x") },
    ],
    ["read an instance's password", { action: "ec2:GetPasswordData", resource: "*" }],
    ["pass a role of another application", { action: "iam:PassRole", resource: role("other-admin") }],
    ["create a user", { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/u` }],
    ["create an access key", { action: "iam:CreateAccessKey", resource: `arn:aws:iam::${ACCOUNT}:user/u` }],
  ])("stops even an administrator from trying to %s", (_what, request) => {
    expect(admin(request)).not.toBe("allowed");
  });

  it("lets the deploy role still be read (a plan reads it)", () => {
    expect(admin({ action: "iam:GetRole", resource: role("myamazingapp-test-github-deploy") })).toBe(
      "allowed",
    );
  });
});
