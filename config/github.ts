import {
  checkRange,
  ENVIRONMENT_NAME,
  GITHUB_OWNER,
  GITHUB_REPOSITORY_NAME,
  GITHUB_REVIEWERS,
  GITHUB_TEAM_SLUG,
  problemsOf,
  STATUS_CHECK,
} from "../constructs/limits";
import { section, text, whole } from "./schema";
import { loadSettings, type SettingsFormat, validateSettings } from "./settings-file";

/**
 * The GitHub side of delivery (config/github.json): who owns the repositories, what guards their main
 * branches, and who approves production deploys. Environments themselves come from environments/*.json.
 */
export interface GithubSettings {
  /** Editor and reader notes. */
  readonly $comment?: string;
  /** Organization (or user) that owns both repositories. */
  readonly owner: string;
  /** This repository: infrastructure code, deployed by GitHub Actions with the OIDC roles. */
  readonly infraRepository: RepositorySettings;
  /** The Rails app's repository: released by each environment's delivery pipeline. */
  readonly appRepository: RepositorySettings;
  /** Approving reviews a pull request needs before it merges into main (1 to 6). */
  readonly requiredApprovals: number;
  /** Who may approve a production deploy: team slugs and user logins (1 to 6 in all, GitHub's limit). */
  readonly productionReviewers: { readonly teams: string[]; readonly users: string[] };
  /** Environment whose plan role and region the repository-level Actions variables name. */
  readonly planEnvironment: string;
}

export interface RepositorySettings {
  /** Repository name, without the owner. */
  readonly name: string;
  /** Status checks (job names) that must pass, on an up-to-date branch, before a pull request merges. */
  readonly requiredStatusChecks: string[];
}

const list = (items: object, minItems: number, description: string) => ({
  type: "array",
  uniqueItems: true,
  minItems,
  items,
  description,
});

const repository = (description: string) =>
  section(
    {
      name: text(GITHUB_REPOSITORY_NAME, "Repository name"),
      requiredStatusChecks: list(
        text(STATUS_CHECK, "Status check"),
        1,
        "Jobs that must pass, on an up-to-date branch, before a pull request merges",
      ),
    },
    description,
  );

/** JSON Schema of config/github.json. */
export const githubSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "MyAmazingApp GitHub settings",
  ...section(
    {
      $comment: { type: "string", description: "Notes for readers." },
      owner: text(GITHUB_OWNER, "Organization or user that owns both repositories"),
      infraRepository: repository("This repository, deployed by GitHub Actions."),
      appRepository: repository("The Rails app's repository, released by the delivery pipelines."),
      requiredApprovals: whole(GITHUB_REVIEWERS, "Approving reviews a pull request needs"),
      productionReviewers: section(
        {
          teams: list(text(GITHUB_TEAM_SLUG, "Team"), 0, "Team slugs"),
          users: list(text(GITHUB_OWNER, "User"), 0, "User logins"),
        },
        "Who may approve a production deploy.",
      ),
      planEnvironment: text(ENVIRONMENT_NAME, "Environment whose plan role the repository variables name"),
    },
    "The GitHub side of delivery.",
    ["$comment"],
  ),
};

/** config/github.json. */
export const GITHUB_FILE: SettingsFormat<GithubSettings> = {
  kind: "GitHub settings file",
  schema: githubSchema,
  rules: ({ productionReviewers: { teams, users } }) =>
    problemsOf({
      productionReviewers: checkRange(GITHUB_REVIEWERS, teams.length + users.length)
        ? `${teams.length + users.length} teams and users; allowed: ${GITHUB_REVIEWERS.min} to ${GITHUB_REVIEWERS.max} in all (GitHub's limit)`
        : undefined,
    }),
};

/** `owner/name` of one of the two repositories. */
export function repositoryFullName(settings: GithubSettings, which: "infra" | "app"): string {
  const repo = which === "infra" ? settings.infraRepository : settings.appRepository;
  return `${settings.owner}/${repo.name}`;
}

/** Reads and validates config/github.json; throws one ConfigError listing every problem. */
export function loadGithubSettings(file: string): GithubSettings {
  return loadSettings(GITHUB_FILE, file);
}

/** Validates parsed settings (for tests); `file` is only used in the message. */
export function validateGithubSettings(data: unknown, file: string): GithubSettings {
  return validateSettings(GITHUB_FILE, data, file);
}
