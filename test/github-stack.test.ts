import { join } from "node:path";
import { Testing } from "cdktf";
import { BranchProtection } from "@cdktf/provider-github/lib/branch-protection";
import { loadBackend } from "../config/backend";
import { type GithubSettings, loadGithubSettings } from "../config/github";
import { type GithubEnvironment, GithubStack, type GithubStackProps } from "../stacks/github-stack";
import { GITHUB_STACK } from "../stacks/names";
import { synthCheckedIn } from "./environment-stacks";
import type { Block } from "./helpers";

const ROOT = join(__dirname, "..");
const settings = loadGithubSettings(join(ROOT, "config", "github.json"));
const backend = loadBackend(join(ROOT, "backend.tf.json"));
const environments: GithubEnvironment[] = [
  { name: "staging", account: "222222222222", region: "us-west-2" },
  { name: "production", account: "111111111111", region: "us-east-1" },
];
const props: GithubStackProps = { settings, environments, backend };

describe("GithubStack", () => {
  let json: string;
  let config: Block;
  const resources = (type: string): Block[] => Object.values(config.resource?.[type] ?? {});
  const variable = (type: string, name: string, environment?: string) =>
    resources(type).filter(
      (v) =>
        v.variable_name === name &&
        (environment === undefined ||
          v.environment === `\${github_repository_environment.${envId(environment)}.environment}`),
    );
  const envId = (name: string) =>
    Object.entries(config.resource.github_repository_environment).find(
      ([, e]) => (e as Block).environment === name,
    )![0];

  beforeAll(() => {
    const stack = new GithubStack(Testing.app(), GITHUB_STACK, props);
    json = Testing.synth(stack);
    config = JSON.parse(json);
  });

  it("is its own stack with the GitHub provider and no AWS provider or resource", () => {
    expect(GITHUB_STACK).toBe("myamazingapp-github");
    expect(Object.keys(config.provider)).toEqual(["github"]);
    expect(config.provider.github).toEqual([expect.objectContaining({ owner: "cdlib" })]);
    expect(Object.keys(config.resource).filter((t) => t.startsWith("aws_"))).toEqual([]);
    expect(Object.keys(config.data ?? {}).filter((t) => t.startsWith("aws_"))).toEqual([]);
  });

  it("keeps its state in the bucket bootstrap makes for production's account and region, under its own key", () => {
    // `npm run bootstrap -- production` makes exactly this bucket (test/bootstrap.test.ts); the bare name in
    // backend.tf.json is only the prefix, and no command makes a bucket of that name.
    expect(config.terraform.backend.s3).toMatchObject({
      bucket: "myamazingapp-terraform-state-111111111111-us-east-1",
      region: "us-east-1",
      key: `${backend.keyPrefix}myamazingapp-github.tfstate`,
      encrypt: true,
      use_lockfile: true,
    });
  });

  it.each(["myamazingapp-infra", "myamazingapp"])(
    "protects main of %s: reviews, status checks, no force push",
    (repo) => {
      const checks = [settings.infraRepository, settings.appRepository].find((r) => r.name === repo)!;
      expect(json).toHaveResourceWithProperties(BranchProtection, {
        repository_id: repo,
        pattern: "main",
        enforce_admins: true,
        allows_force_pushes: false,
        allows_deletions: false,
        required_pull_request_reviews: [
          expect.objectContaining({ required_approving_review_count: 1, dismiss_stale_reviews: true }),
        ],
        required_status_checks: [{ strict: true, contexts: checks.requiredStatusChecks }],
      });
    },
  );

  it("requires the pull-request workflow's jobs on the infrastructure repository", () => {
    const [infra] = resources("github_branch_protection").filter(
      (b) => b.repository_id === "myamazingapp-infra",
    );
    expect(infra.required_status_checks[0].contexts).toEqual(["check", "plan"]);
  });

  it("gives the infrastructure repository one environment per AWS environment, deployable from main only", () => {
    const envs = resources("github_repository_environment");
    expect(envs.map((e) => e.environment).sort()).toEqual(["production", "staging"]);
    for (const env of envs) {
      expect(env.repository).toBe("myamazingapp-infra");
      expect(env.deployment_branch_policy).toEqual({
        protected_branches: true,
        custom_branch_policies: false,
      });
      expect(env.can_admins_bypass).toBe(false);
    }
  });

  it("makes production deploys wait for the production reviewers, never the author alone", () => {
    const production = resources("github_repository_environment").find(
      (e) => e.environment === "production",
    )!;
    const teamIds = Object.keys(config.data.github_team);
    expect(Object.values(config.data.github_team)).toEqual([
      expect.objectContaining({ slug: settings.productionReviewers.teams[0] }),
    ]);
    expect(production.reviewers).toEqual([{ teams: [`\${data.github_team.${teamIds[0]}.id}`], users: [] }]);
    expect(production.prevent_self_review).toBe(true);
    const staging = resources("github_repository_environment").find((e) => e.environment === "staging")!;
    expect(staging.reviewers).toBeUndefined();
  });

  it("names each environment's deploy role and region in that environment's variables", () => {
    expect(variable("github_actions_environment_variable", "AWS_DEPLOY_ROLE_ARN", "production")).toEqual([
      expect.objectContaining({
        repository: "myamazingapp-infra",
        value:
          "arn:aws:iam::111111111111:role/myamazingapp/production/access/myamazingapp-production-github-deploy",
      }),
    ]);
    expect(variable("github_actions_environment_variable", "AWS_DEPLOY_ROLE_ARN", "staging")[0].value).toBe(
      "arn:aws:iam::222222222222:role/myamazingapp/staging/access/myamazingapp-staging-github-deploy",
    );
    expect(variable("github_actions_environment_variable", "AWS_REGION", "production")[0].value).toBe(
      "us-east-1",
    );
  });

  it("names the plan roles in repository variables: the plan environment's, and each one's by suffix", () => {
    const repoVar = (name: string) => variable("github_actions_variable", name)[0]?.value;
    expect(repoVar("AWS_PLAN_ROLE_ARN")).toBe(
      "arn:aws:iam::222222222222:role/myamazingapp/staging/access/myamazingapp-staging-github-plan",
    );
    expect(repoVar("AWS_REGION")).toBe("us-west-2");
    expect(repoVar("AWS_PLAN_ROLE_ARN_PRODUCTION")).toBe(
      "arn:aws:iam::111111111111:role/myamazingapp/production/access/myamazingapp-production-github-plan",
    );
    expect(repoVar("AWS_REGION_PRODUCTION")).toBe("us-east-1");
  });

  it("builds the same role ARNs the AWS stacks create, IAM path included", () => {
    const aws = JSON.parse(synthCheckedIn("production").text);
    const roles = Object.values<Block>(aws.resource.aws_iam_role);
    const arnOf = (kind: string) => {
      const role = roles.find((r) => r.name === `myamazingapp-production-github-${kind}`)!;
      return `arn:aws:iam::111111111111:role${role.path}${role.name}`;
    };
    expect(
      variable("github_actions_environment_variable", "AWS_DEPLOY_ROLE_ARN", "production")[0].value,
    ).toBe(arnOf("deploy"));
    expect(variable("github_actions_variable", "AWS_PLAN_ROLE_ARN_PRODUCTION")[0].value).toBe(arnOf("plan"));
    expect(arnOf("deploy")).toContain(":role/myamazingapp/production/");
  });

  describe("refuses", () => {
    const attempt = (change: Partial<GithubStackProps>) => () =>
      new GithubStack(Testing.app(), GITHUB_STACK, { ...props, ...change });

    it("no environments", () => {
      expect(attempt({ environments: [] })).toThrow(/environments must not be empty/);
    });

    it("an environment listed twice", () => {
      expect(attempt({ environments: [...environments, environments[0]] })).toThrow(
        /"staging" is listed twice/,
      );
    });

    it("no production environment for the production reviewers", () => {
      expect(attempt({ environments: [environments[0]] })).toThrow(/productionReviewers need .*"production"/);
    });

    it("a plan environment that is not deployed", () => {
      const moved: GithubSettings = { ...settings, planEnvironment: "qa" };
      expect(attempt({ settings: moved })).toThrow(/planEnvironment "qa"/);
    });

    it("an account that is not a 12-digit id", () => {
      const bad = [environments[0], { ...environments[1], account: "1111" }];
      expect(attempt({ environments: bad })).toThrow(/"production" account "1111"/);
    });
  });
});
