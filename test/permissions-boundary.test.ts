/**
 * The permissions boundary, judged by what a role that carries it can do even when its own policy allows
 * everything (AdministratorAccess): the boundary alone must keep it inside the environment and off the access
 * layer. (The real stacks' boundary is tried the same way in deploy-permissions.test.ts, with every policy of
 * the account around it.)
 */
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Construct } from "constructs";
import { Naming } from "../constructs/naming";
import { PermissionsBoundary } from "../constructs/permissions-boundary";
import { evaluate, type Request } from "../rules/iam/evaluate";
import { type Statement, statementsOf } from "../rules/iam/policy";
import { testScope } from "./access-requests";
import { ref, synthConstruct, type Synthesized } from "./helpers";

const ACCOUNT = "111111111111";
const REGION = "us-west-2";
const naming = new Naming("myamazingapp", "test");
const scope = testScope(naming, ACCOUNT);
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/myamazingapp/test/access/myamazingapp-test-boundary`;
const role = (path: string) => `arn:aws:iam::${ACCOUNT}:role/${path}`;
const ENV_ROLE = role("myamazingapp/test/myamazingapp-test-x");
const here = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const EVERYTHING = statementsOf({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
const OURS = { "aws:resourcetag/application": "myamazingapp", "aws:resourcetag/environment": "test" };
const THEIRS = { "aws:resourcetag/application": "otherapp", "aws:resourcetag/environment": "test" };

describe("PermissionsBoundary", () => {
  let synth: Synthesized;
  let boundary: PermissionsBoundary;
  let roles: IamRole[];
  let guarded: IamRole;
  let policy: IamPolicy;
  let statements: Statement[];
  beforeAll(() => {
    synth = synthConstruct((stack) => {
      boundary = new PermissionsBoundary(stack, "boundary", { naming, scope });
      roles = ["a", "b"].map((n) => new IamRole(stack, n, { name: n, assumeRolePolicy: "{}" }));
      const layer = new Construct(stack, "access-layer");
      guarded = new IamRole(layer, "guarded", { name: "guarded", assumeRolePolicy: "{}" });
      policy = new IamPolicy(stack, "policy", { name: "p", policy: "{}" });
      boundary.protect(layer);
    });
    statements = statementsOf(synth.of(boundary.policy).policy);
  });
  /** What an administrator bounded by it may do. */
  const admin = (request: Request) => evaluate(request, EVERYTHING, statements);

  it("is one managed policy, in the access layer's path, whose ARN is known before it exists", () => {
    expect(synth.of(boundary.policy)).toMatchObject({
      name: "myamazingapp-test-boundary",
      path: "/myamazingapp/test/access/",
    });
    expect(boundary.arn).toBe(BOUNDARY);
    expect(PermissionsBoundary.arnOf(naming, ACCOUNT)).toBe(BOUNDARY);
  });

  it("is set on every role in its scope, and puts every role and policy under the environment's path", () => {
    for (const r of [...roles, guarded])
      expect(synth.of(r).permissions_boundary).toBe(ref(boundary.policy, "arn"));
    for (const r of roles) expect(synth.of(r).path).toBe("/myamazingapp/test/");
    expect(synth.of(policy).path).toBe("/myamazingapp/test/");
    // What it protects goes to the access layer's path, which no role of the environment may change.
    expect(synth.of(guarded).path).toBe("/myamazingapp/test/access/");
  });

  it("leaves the environment's services, and its own data, usable", () => {
    const usable: Request[] = [
      { action: "s3:GetObject", resource: "arn:aws:s3:::myamazingapp-test-uploads/k" },
      { action: "s3:PutObject", resource: scope.stateObjectArn },
      { action: "s3:PutObject", resource: `${scope.stateObjectArn}.tflock` },
      {
        action: "secretsmanager:GetSecretValue",
        resource: here("secretsmanager", "secret:myamazingapp/test/X-AbC"),
      },
      {
        action: "secretsmanager:GetSecretValue",
        resource: here("secretsmanager", "secret:rds!db-1234-AbC"),
        context: { "aws:resourcetag/aws:rds:primarydbinstancearn": scope.databaseArn },
      },
      { action: "ssm:GetParameter", resource: here("ssm", "parameter/myamazingapp/test/image") },
      {
        action: "logs:GetLogEvents",
        resource: here("logs", "log-group:/myamazingapp/test/web:log-stream:s"),
      },
      { action: "ecs:RunTask", resource: here("ecs", "task-definition/myamazingapp-test-web:3") },
      { action: "kms:Decrypt", resource: here("kms", "key/1"), context: OURS },
      {
        action: "ec2:AuthorizeSecurityGroupIngress",
        resource: here("ec2", "security-group/sg-1"),
        context: OURS,
      },
      {
        action: "iam:CreateRole",
        resource: ENV_ROLE,
        context: { "iam:permissionsboundary": BOUNDARY },
      },
      {
        action: "iam:PassRole",
        resource: ENV_ROLE,
        context: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" },
      },
    ];
    expect(usable.filter((r) => admin(r) !== "allowed")).toEqual([]);
  });

  it.each<[string, Request]>([
    ["use a service outside the list", { action: "cloudtrail:StopLogging", resource: "*" }],
    ["create a role without the boundary", { action: "iam:CreateRole", resource: ENV_ROLE }],
    [
      "create a role with another boundary",
      {
        action: "iam:CreateRole",
        resource: ENV_ROLE,
        context: { "iam:permissionsboundary": "arn:aws:iam::1:policy/y" },
      },
    ],
    [
      "create a role outside the environment's path",
      { action: "iam:CreateRole", resource: role("x"), context: { "iam:permissionsboundary": BOUNDARY } },
    ],
    ["put another boundary on a role", { action: "iam:PutRolePermissionsBoundary", resource: ENV_ROLE }],
    ["lift a boundary", { action: "iam:DeleteRolePermissionsBoundary", resource: ENV_ROLE }],
    ["write a new version of the boundary", { action: "iam:CreatePolicyVersion", resource: BOUNDARY }],
    ["switch the boundary's version", { action: "iam:SetDefaultPolicyVersion", resource: BOUNDARY }],
    ["delete the boundary", { action: "iam:DeletePolicy", resource: BOUNDARY }],
    [
      "change a role of the access layer",
      {
        action: "iam:PutRolePolicy",
        resource: role("myamazingapp/test/access/myamazingapp-test-github-deploy"),
        context: { "iam:permissionsboundary": BOUNDARY },
      },
    ],
    [
      "attach AdministratorAccess to a role of the environment",
      {
        action: "iam:AttachRolePolicy",
        resource: ENV_ROLE,
        context: {
          "iam:permissionsboundary": BOUNDARY,
          "iam:policyarn": "arn:aws:iam::aws:policy/AdministratorAccess",
        },
      },
    ],
    [
      "pass a role of the environment to Lambda",
      {
        action: "iam:PassRole",
        resource: ENV_ROLE,
        context: { "iam:passedtoservice": "lambda.amazonaws.com" },
      },
    ],
    ["pass a role of another application", { action: "iam:PassRole", resource: role("other-admin") }],
    ["assume a role of its own environment", { action: "sts:AssumeRole", resource: ENV_ROLE }],
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
      { action: "secretsmanager:GetSecretValue", resource: here("secretsmanager", "secret:other/x-AbC") },
    ],
    [
      "read another database's master secret",
      {
        action: "secretsmanager:GetSecretValue",
        resource: here("secretsmanager", "secret:rds!db-9999-AbC"),
        context: { "aws:resourcetag/aws:rds:primarydbinstancearn": here("rds", "db:other-db") },
      },
    ],
    [
      "change who may read the app's secrets",
      {
        action: "secretsmanager:PutResourcePolicy",
        resource: here("secretsmanager", "secret:myamazingapp/test/X-AbC"),
      },
    ],
    [
      "rewrite the secrets key's policy",
      { action: "kms:PutKeyPolicy", resource: scope.secretsKeyArn, context: OURS },
    ],
    [
      "use another application's key",
      { action: "kms:Decrypt", resource: here("kms", "key/2"), context: THEIRS },
    ],
    ["use an untagged key", { action: "kms:Decrypt", resource: here("kms", "key/3") }],
    [
      "read a parameter outside the app's path",
      { action: "ssm:GetParameter", resource: here("ssm", "parameter/other/secret") },
    ],
    [
      "read another application's logs",
      { action: "logs:FilterLogEvents", resource: here("logs", "log-group:/other/app") },
    ],
    [
      "read an instance's password",
      { action: "ec2:GetPasswordData", resource: here("ec2", "instance/i-1"), context: OURS },
    ],
    [
      "create a user",
      { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/myamazingapp/test/u` },
    ],
    ["create an access key", { action: "iam:CreateAccessKey", resource: `arn:aws:iam::${ACCOUNT}:user/u` }],
  ])("stops even an administrator from trying to %s", (_what, request) => {
    expect(admin(request)).not.toBe("allowed");
  });

  it("lets the access layer still be read (a plan reads it)", () => {
    expect(
      admin({
        action: "iam:GetRole",
        resource: role("myamazingapp/test/access/myamazingapp-test-github-deploy"),
      }),
    ).toBe("allowed");
  });
});
