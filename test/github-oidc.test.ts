import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { GithubOidc, type GithubOidcProps, githubRoleArn } from "../constructs/github-oidc";
import {
  INLINE_POLICIES_MAX_CHARS_PER_ROLE,
  MANAGED_POLICY_MAX_CHARS,
  type PolicyStatement,
  policySize,
} from "../constructs/iam";
import { Naming } from "../constructs/naming";
import { testScope } from "./access-requests";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const ACCOUNT = "111111111111";
const STATE_KEY = "myamazingapp/myamazingapp-production.tfstate";
const STATE_OBJECT = `arn:aws:s3:::myamazingapp-terraform-state/${STATE_KEY}`;
const naming = new Naming("myamazingapp", "production");
const props: GithubOidcProps = {
  naming,
  account: ACCOUNT,
  repository: "cdlib/myamazingapp-infra",
  stateBucket: "myamazingapp-terraform-state",
  stateKey: STATE_KEY,
  access: testScope(naming, ACCOUNT, { stateObjectArn: STATE_OBJECT }),
  oidcProvider: "create",
};
const stagingNaming = new Naming("myamazingapp", "staging");
const STAGING_STATE = "arn:aws:s3:::myamazingapp-terraform-state/myamazingapp/myamazingapp-staging.tfstate";
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
        naming: stagingNaming,
        stateKey: "myamazingapp/myamazingapp-staging.tfstate",
        access: testScope(stagingNaming, ACCOUNT, { stateObjectArn: STAGING_STATE }),
        oidcProvider: "existing",
      });
    });
  });

  it("with oidcProvider create, creates GitHub's OIDC provider for the STS audience", () => {
    expect(synth.json).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    });
    expect(synth.resources("aws_iam_openid_connect_provider")).toHaveLength(1);
  });

  it("with oidcProvider existing, looks the account's provider up by its ARN and trusts it, creating none", () => {
    expect(synth.json).toHaveDataSourceWithProperties(DataAwsIamOpenidConnectProvider, {
      arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    });
    const [id] = Object.keys(synth.config.data.aws_iam_openid_connect_provider);
    expect(trustOf(shared.deployRole)[0].Principal).toEqual({
      Federated: `\${data.aws_iam_openid_connect_provider.${id}.arn}`,
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

  it("names the roles so that their ARNs can be built from the account id alone, in the access layer's path", () => {
    expect(synth.of(oidc.planRole).name).toBe("myamazingapp-production-github-plan");
    expect(synth.of(oidc.deployRole).name).toBe("myamazingapp-production-github-deploy");
    expect(githubRoleArn(naming, ACCOUNT, "deploy")).toBe(
      `arn:aws:iam::${ACCOUNT}:role/myamazingapp/production/access/myamazingapp-production-github-deploy`,
    );
  });

  describe("plan role", () => {
    it("holds no AWS managed policy (no ReadOnlyAccess): only its own, within IAM's size limit", () => {
      const attached = synth
        .resources("aws_iam_role_policy_attachment")
        .filter((a) => a.role === ref(oidc.planRole, "name"));
      expect(attached.length).toBeGreaterThan(0);
      for (const a of attached) expect(a.policy_arn).not.toMatch(/^arn:aws:iam::aws:policy\//);
      for (const p of oidc.planPolicies) {
        expect(policySize(synth.of(p).policy)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
      }
    });

    it("writes nothing, and reads its own state object but no other", () => {
      const statements = policyOf(oidc.planRole);
      const writes = statements
        .filter((s) => s.Effect === "Allow")
        .flatMap((s) => asList(s.Action))
        .filter((a) =>
          /:(Create|Put|Delete|Update|Modify|Attach|Detach|Tag|Untag|Set|Register|Run|Start)/.test(a),
        );
      expect(writes).toEqual([]);
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: "s3:GetObject", Resource: STATE_OBJECT, Effect: "Allow" }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Action: expect.arrayContaining(["s3:GetObject", "s3:GetObjectVersion"]),
          NotResource: STATE_OBJECT,
        }),
      );
    });

    it("is denied the data reads a refresh never needs, on every resource", () => {
      const denied = policyOf(oidc.planRole)
        .filter((s) => s.Effect === "Deny" && asList(s.Resource).includes("*"))
        .flatMap((s) => asList(s.Action));
      expect(denied).toEqual(
        expect.arrayContaining([
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "rds:DownloadDBLogFilePortion",
          "logs:GetLogEvents",
          "secretsmanager:GetSecretValue",
          "kms:Decrypt",
          "sqs:ReceiveMessage",
        ]),
      );
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

    it("never allows every action, nor every action of a service", () => {
      for (const s of [...statements, ...policyOf(oidc.planRole)]) {
        expect(asList(s.Action).filter((a) => a === "*" || a.endsWith(":*"))).toEqual([]);
      }
    });

    it("grants on `*` only the actions AWS takes nowhere else, in the statements that list them", () => {
      const onEverything = [...statements, ...policyOf(oidc.planRole)].filter(
        (s) => s.Effect === "Allow" && asList(s.Resource).includes("*"),
      );
      for (const s of onEverything) expect(s.Sid).toMatch(/^(Actions|Reads)AwsTakesOnlyOnEveryResource/);
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
      expect([...new Set(stateBucketObjects)].sort()).toEqual([STATE_OBJECT, `${STATE_OBJECT}.tflock`]);
    });

    it("reads no secret value and no instance password", () => {
      const actions = statements.filter((s) => s.Effect === "Allow").flatMap((s) => asList(s.Action));
      expect(actions).not.toContain("secretsmanager:GetSecretValue");
      expect(actions).not.toContain("ec2:GetPasswordData");
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

    it("an OIDC provider source other than create or existing", () => {
      expect(attempt({ oidcProvider: "import" as GithubOidcProps["oidcProvider"] })).toThrow(
        /GithubOidc: oidcProvider: "import" is not allowed; allowed values: create, existing/,
      );
    });

    it("an access scope of another state or account than the roles'", () => {
      expect(attempt({ access: testScope(naming, "222222222222") })).toThrow(
        /GithubOidc: access: must scope the same account and state/,
      );
    });
  });
});
