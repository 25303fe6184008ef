import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { GithubOidc, type GithubOidcProps, githubRoleArn } from "../constructs/github-oidc";
import {
  INLINE_POLICIES_MAX_CHARS_PER_ROLE,
  MANAGED_POLICY_MAX_CHARS,
  type PolicyStatement,
  policySize,
} from "../constructs/iam";
import { Naming } from "../constructs/naming";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const ACCOUNT = "111111111111";
const STATE_KEY = "myamazingapp/myamazingapp-production.tfstate";
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/myamazingapp-production-permissions-boundary`;
const props: GithubOidcProps = {
  naming: new Naming("myamazingapp", "production"),
  account: ACCOUNT,
  repository: "cdlib/myamazingapp-infra",
  stateBucket: "myamazingapp-terraform-state",
  stateKey: STATE_KEY,
  region: "us-west-2",
  boundaryArn: BOUNDARY,
  passedToServices: ["ecs-tasks.amazonaws.com", "scheduler.amazonaws.com"],
};
const STATE_OBJECT = `arn:aws:s3:::myamazingapp-terraform-state/${STATE_KEY}`;
const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : ([] as string[]).concat(v);

describe("GithubOidc", () => {
  let synth: Synthesized;
  let oidc: GithubOidc;
  let shared: GithubOidc;
  const trustOf = (role: IamRole): Block[] => JSON.parse(synth.of(role).assume_role_policy).Statement;
  /** Every statement that applies to a role: its inline policies and the managed policies attached to it. */
  const policyOf = (role: IamRole): PolicyStatement[] => {
    const inline = synth.resources("aws_iam_role_policy").filter((p) => p.role === ref(role, "id"));
    const attached = synth
      .resources("aws_iam_role_policy_attachment")
      .filter((a) => a.role === ref(role, "name"))
      .map(
        (a) =>
          Object.entries<Block>(synth.config.resource.aws_iam_policy ?? {}).find(
            ([id]) => a.policy_arn === `\${aws_iam_policy.${id}.arn}`,
          )?.[1],
      )
      .filter((p): p is Block => p !== undefined);
    return [...inline, ...attached].flatMap((p) => JSON.parse(p.policy).Statement);
  };

  beforeAll(() => {
    synth = synthConstruct((scope) => {
      oidc = new GithubOidc(scope, "github", props);
      shared = new GithubOidc(scope, "shared", {
        ...props,
        naming: new Naming("myamazingapp", "staging"),
        stateKey: "myamazingapp/myamazingapp-staging.tfstate",
        createProvider: false,
      });
    });
  });

  it("creates GitHub's OIDC provider for the STS audience", () => {
    expect(synth.json).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    });
    expect(synth.resources("aws_iam_openid_connect_provider")).toHaveLength(1);
  });

  it("with createProvider false, trusts the account's existing provider by its fixed ARN", () => {
    expect(trustOf(shared.deployRole)[0].Principal).toEqual({
      Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    });
  });

  it("lets only pull requests and main's workflows (drift check, fork plan) of the repository assume the plan role", () => {
    const [providerId] = Object.keys(synth.config.resource.aws_iam_openid_connect_provider);
    expect(trustOf(oidc.planRole)).toEqual([
      {
        Sid: "GithubActions",
        Effect: "Allow",
        Principal: { Federated: `\${aws_iam_openid_connect_provider.${providerId}.arn}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [
              "repo:cdlib/myamazingapp-infra:pull_request",
              "repo:cdlib/myamazingapp-infra:ref:refs/heads/main",
            ],
          },
        },
      },
    ]);
  });

  it("lets only jobs in the environment's GitHub environment assume the deploy role, matched exactly", () => {
    const [statement] = trustOf(oidc.deployRole);
    expect(statement.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:cdlib/myamazingapp-infra:environment:production",
      },
    });
    expect(JSON.stringify(statement.Condition)).not.toContain("*");
    expect(
      trustOf(shared.deployRole)[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
    ).toBe("repo:cdlib/myamazingapp-infra:environment:staging");
  });

  it("names the roles so that their ARNs can be built from the account id alone", () => {
    expect(synth.of(oidc.planRole).name).toBe("myamazingapp-production-github-plan");
    expect(synth.of(oidc.deployRole).name).toBe("myamazingapp-production-github-deploy");
    expect(githubRoleArn(props.naming, ACCOUNT, "deploy")).toBe(
      `arn:aws:iam::${ACCOUNT}:role/myamazingapp-production-github-deploy`,
    );
  });

  describe("plan role", () => {
    it("reads everything through ReadOnlyAccess", () => {
      expect(synth.json).toHaveResourceWithProperties(IamRolePolicyAttachment, {
        role: ref(oidc.planRole, "name"),
        policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
      });
    });

    it("reads its environment's state, and writes nothing", () => {
      const statements = policyOf(oidc.planRole);
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: "s3:GetObject", Resource: STATE_OBJECT }),
      );
      const allowed = statements.filter((s) => s.Effect === "Allow").flatMap((s) => asList(s.Action));
      expect(allowed.sort()).toEqual(["s3:GetObject", "s3:ListBucket"]);
    });

    it("cannot read data: no object but the state, no log events", () => {
      const denies = policyOf(oidc.planRole).filter((s) => s.Effect === "Deny");
      expect(denies).toContainEqual(
        expect.objectContaining({
          Action: ["s3:GetObject", "s3:GetObjectVersion"],
          NotResource: STATE_OBJECT,
        }),
      );
      expect(denies.flatMap((s) => asList(s.Action))).toContain("logs:GetLogEvents");
    });
  });

  describe("deploy role", () => {
    it("holds its permissions in managed policies within IAM's size limit, attached to it", () => {
      expect(oidc.deployPolicies.length).toBeGreaterThan(1);
      for (const p of oidc.deployPolicies) {
        expect(policySize(synth.of(p).policy)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
        expect(synth.resources("aws_iam_role_policy_attachment")).toContainEqual({
          role: ref(oidc.deployRole, "name"),
          policy_arn: ref(p, "arn"),
        });
      }
      const inline = synth
        .resources("aws_iam_role_policy")
        .filter((p) => p.role === ref(oidc.deployRole, "id"))
        .reduce((sum, p) => sum + policySize(p.policy), 0);
      expect(inline).toBeLessThanOrEqual(INLINE_POLICIES_MAX_CHARS_PER_ROLE);
    });

    let statements: PolicyStatement[];
    beforeAll(() => {
      statements = policyOf(oidc.deployRole);
    });

    it("never allows every action", () => {
      for (const s of [...statements, ...policyOf(oidc.planRole)]) {
        expect(asList(s.Action)).not.toContain("*");
        expect(asList(s.Action)).not.toContain("*:*");
      }
    });

    it("grants no service-wide wildcard, and no `*` resource but for actions that take no ARN", () => {
      for (const st of statements) {
        expect(asList(st.Action).filter((a) => a.endsWith(":*"))).toEqual([]);
        if (asList(st.Resource).includes("*")) expect(st.Sid).toBe("ActionsWithoutResourceLevelPermissions");
      }
    });

    it("creates and changes roles only of its environment, and only with the environment's boundary", () => {
      const bounded = statements.find((st) => st.Sid === "EnvironmentRolesWithTheBoundary")!;
      expect(bounded).toMatchObject({
        Resource: `arn:aws:iam::${ACCOUNT}:role/myamazingapp-production-*`,
        Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY } },
      });
      expect(asList(bounded.Action)).toEqual(expect.arrayContaining(["iam:CreateRole", "iam:PutRolePolicy"]));
      const createRole = statements.filter((st) =>
        asList(st.Action).some((a) => a === "iam:CreateRole" || a === "iam:PutRolePolicy"),
      );
      expect(createRole).toEqual([bounded]);
    });

    it("passes the environment's roles only to the services named", () => {
      expect(statements.filter((st) => asList(st.Action).includes("iam:PassRole"))).toEqual([
        expect.objectContaining({
          Resource: `arn:aws:iam::${ACCOUNT}:role/myamazingapp-production-*`,
          Condition: {
            StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com", "scheduler.amazonaws.com"] },
          },
        }),
      ]);
    });

    it("changes only this environment's buckets, and reads no secret value", () => {
      const buckets = statements.find((st) => st.Sid === "EnvironmentBuckets")!;
      expect(buckets.Resource).toBe("arn:aws:s3:::myamazingapp-production-*");
      expect(asList(buckets.Action)).not.toContain("s3:GetObject");
      const actions = statements.flatMap((st) => asList(st.Action));
      expect(actions).not.toContain("secretsmanager:GetSecretValue");
      expect(actions).not.toContain("ec2:GetPasswordData");
    });

    it("reads and writes its own state key and lock file, and no other key", () => {
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: ["s3:GetObject", "s3:PutObject"], Resource: STATE_OBJECT }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: `${STATE_OBJECT}.tflock`,
        }),
      );
      const stateBucketObjects = statements
        .flatMap((s) => asList(s.Resource))
        .filter((r) => r.startsWith("arn:aws:s3:::myamazingapp-terraform-state/"));
      expect(stateBucketObjects.sort()).toEqual([STATE_OBJECT, `${STATE_OBJECT}.tflock`]);
    });
  });

  describe("refuses", () => {
    const attempt = (extra: Partial<GithubOidcProps>) => () =>
      new GithubOidc(newStack(), "oidc", { ...props, ...extra });

    it.each(["myamazingapp-infra", "cdlib/infra/x", "cdlib/*"])("repository %p", (repository) => {
      expect(attempt({ repository })).toThrow(
        /GithubOidc: repository: .* is malformed; expected a GitHub repository "owner\/name"/,
      );
    });

    it("a state key that is not a .tfstate object", () => {
      expect(attempt({ stateKey: "/abs/state.json" })).toThrow(
        /GithubOidc: stateKey: "\/abs\/state\.json" is malformed/,
      );
    });

    it("a state bucket that is not a bucket name", () => {
      expect(attempt({ stateBucket: "Not_A_Bucket" })).toThrow(
        /GithubOidc: stateBucket: "Not_A_Bucket" is malformed/,
      );
    });
  });
});
