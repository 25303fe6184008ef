import type { Construct } from "constructs";
import { Token } from "cdktf";
import { ActionsEnvironmentVariable } from "@cdktf/provider-github/lib/actions-environment-variable";
import { ActionsVariable } from "@cdktf/provider-github/lib/actions-variable";
import { BranchProtection } from "@cdktf/provider-github/lib/branch-protection";
import { DataGithubTeam } from "@cdktf/provider-github/lib/data-github-team";
import { DataGithubUser } from "@cdktf/provider-github/lib/data-github-user";
import { GithubProvider } from "@cdktf/provider-github/lib/provider";
import { RepositoryEnvironment } from "@cdktf/provider-github/lib/repository-environment";
import type { BackendSettings } from "../config/backend";
import type { GithubSettings, RepositorySettings } from "../config/github";
import { githubRoleArn } from "../constructs/github-oidc";
import { ACCOUNT_ID, checkPattern } from "../constructs/limits";
import { Naming } from "../constructs/naming";
import { useS3Backend } from "../constructs/state-backend";
import { APPLICATION, stateBackend } from "./names";
import { SelfContainedStack } from "./self-contained-stack";

/** An environment as the GitHub side needs it (an EnvironmentConfig fits). */
export interface GithubEnvironment {
  /** Environment name; also the GitHub environment's name. */
  readonly name: string;
  /** AWS account its roles live in. */
  readonly account: string;
  /** AWS region it deploys to. */
  readonly region: string;
}

export interface GithubStackProps {
  /** Validated config/github.json. */
  readonly settings: GithubSettings;
  /** Environments deployed by GitHub Actions (`githubActions` in their files). */
  readonly environments: GithubEnvironment[];
  /** State backend settings from backend.tf.json. */
  readonly backend: BackendSettings;
}

/** The environment whose deploys wait for `productionReviewers`. */
export const PRODUCTION = "production";

/** Variable name with an environment suffix, e.g. `AWS_PLAN_ROLE_ARN_STAGING`. */
export function perEnvironment(variable: string, envName: string): string {
  return `${variable}_${envName.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * The GitHub side of delivery, in its own stack with only the GitHub provider (its token comes from
 * GITHUB_TOKEN; its state in production's state bucket): main protected in both repositories (reviews, status checks on an up-to-date branch, no
 * force pushes, admins included), and in the infrastructure repository one GitHub environment per AWS
 * environment (protected branches only; production waits for its reviewers) holding the Actions variables
 * that name each environment's OIDC roles. Role ARNs are built from account ids and the naming rule, so this
 * stack needs nothing from the AWS stacks' state.
 *
 * The app repository gets branch protection only: it is released by CodePipeline (with its own approval),
 * and no AWS role trusts its workflows, so environments or role variables there would promise what IAM denies.
 */
export class GithubStack extends SelfContainedStack {
  public readonly branchProtections: Record<"infra" | "app", BranchProtection>;
  public readonly environments: Record<string, RepositoryEnvironment> = {};

  constructor(scope: Construct, id: string, props: GithubStackProps) {
    super(scope, id);
    const { settings, environments } = props;
    validate(props);

    new GithubProvider(this, "github", { owner: settings.owner });
    // Its state lives where `npm run bootstrap -- production` puts production's: the bucket of the account and
    // region of the environment it protects most (validate() makes sure there is one).
    const production = environments.find((e) => e.name === PRODUCTION)!;
    useS3Backend(this, stateBackend(props.backend, id, production));

    this.branchProtections = {
      infra: this.protectMain("infra", settings.infraRepository, settings.requiredApprovals),
      app: this.protectMain("app", settings.appRepository, settings.requiredApprovals),
    };

    const repository = settings.infraRepository.name;
    const { teams, users } = settings.productionReviewers;
    const reviewers = {
      teams: teams.map((slug) =>
        Token.asNumber(new DataGithubTeam(this, `team-${slug}`, { slug, summaryOnly: true }).id),
      ),
      users: users.map((login) =>
        Token.asNumber(new DataGithubUser(this, `user-${login}`, { username: login }).id),
      ),
    };

    for (const env of environments) {
      const naming = new Naming(APPLICATION, env.name);
      const production = env.name === PRODUCTION;
      const environment = new RepositoryEnvironment(this, `environment-${env.name}`, {
        repository,
        environment: env.name,
        // Only protected branches (main) may deploy; the deploy role trusts nothing but this environment.
        deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
        canAdminsBypass: false,
        ...(production ? { reviewers: [reviewers], preventSelfReview: true } : {}),
      });
      this.environments[env.name] = environment;
      const variables: Record<string, string> = {
        AWS_DEPLOY_ROLE_ARN: githubRoleArn(naming, env.account, "deploy"),
        AWS_REGION: env.region,
      };
      for (const [variableName, value] of Object.entries(variables)) {
        new ActionsEnvironmentVariable(this, `${env.name}-${variableName}`, {
          repository,
          environment: environment.environment,
          variableName,
          value,
        });
      }
    }

    // Pull-request jobs run in no environment (the branch policy would refuse them), so the plan role is named
    // by repository variables: the plan environment's as AWS_PLAN_ROLE_ARN and AWS_REGION, and every
    // environment's under a suffixed name for a job that plans each environment in its own account.
    const planEnv = environments.find((e) => e.name === settings.planEnvironment)!;
    const repoVariables: Record<string, string> = {
      AWS_PLAN_ROLE_ARN: githubRoleArn(new Naming(APPLICATION, planEnv.name), planEnv.account, "plan"),
      AWS_REGION: planEnv.region,
    };
    for (const env of environments) {
      const planRole = githubRoleArn(new Naming(APPLICATION, env.name), env.account, "plan");
      repoVariables[perEnvironment("AWS_PLAN_ROLE_ARN", env.name)] = planRole;
      repoVariables[perEnvironment("AWS_REGION", env.name)] = env.region;
    }
    for (const [variableName, value] of Object.entries(repoVariables)) {
      new ActionsVariable(this, `repo-${variableName}`, { repository, variableName, value });
    }
  }

  private protectMain(which: string, repo: RepositorySettings, approvals: number): BranchProtection {
    return new BranchProtection(this, `${which}-main`, {
      repositoryId: repo.name,
      pattern: "main",
      enforceAdmins: true,
      allowsForcePushes: false,
      allowsDeletions: false,
      requiredPullRequestReviews: [
        {
          requiredApprovingReviewCount: approvals,
          dismissStaleReviews: true,
          // A push after the approval needs another approval, from someone other than its author.
          requireLastPushApproval: true,
        },
      ],
      requiredStatusChecks: [{ strict: true, contexts: repo.requiredStatusChecks }],
    });
  }
}

function validate({ settings, environments }: GithubStackProps): void {
  if (environments.length === 0) throw new Error("GithubStack: environments must not be empty");
  const names = environments.map((e) => e.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`GithubStack: environment "${duplicate}" is listed twice`);
  for (const env of environments) {
    const account = checkPattern(ACCOUNT_ID, env.account);
    if (account) throw new Error(`GithubStack: environment "${env.name}" account ${account}`);
  }
  if (!names.includes(PRODUCTION)) {
    throw new Error(
      `GithubStack: productionReviewers need an environment named "${PRODUCTION}"; got ${names}`,
    );
  }
  if (!names.includes(settings.planEnvironment)) {
    throw new Error(
      `GithubStack: planEnvironment "${settings.planEnvironment}" is not one of the environments (${names})`,
    );
  }
}
