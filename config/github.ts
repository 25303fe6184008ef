import { readFileSync } from "node:fs";
import { relative } from "node:path";

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

/** GitHub owner (organization or user) logins. */
export const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** GitHub repository names. */
export const GITHUB_REPOSITORY_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]{0,99}$/;
const ENVIRONMENT = /^[a-z][a-z0-9-]{1,15}$/;

/** True for `owner/name`. */
export function isRepositoryFullName(value: string): boolean {
  const [owner, name, ...rest] = value.split("/");
  return rest.length === 0 && GITHUB_OWNER.test(owner) && GITHUB_REPOSITORY_NAME.test(name ?? "");
}

/** `owner/name` of one of the two repositories. */
export function repositoryFullName(settings: GithubSettings, which: "infra" | "app"): string {
  const repo = which === "infra" ? settings.infraRepository : settings.appRepository;
  return `${settings.owner}/${repo.name}`;
}

/** Reads and validates config/github.json; throws one Error listing every problem. */
export function loadGithubSettings(file: string): GithubSettings {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot be read as JSON: ${(err as Error).message}`);
  }
  return validateGithubSettings(data, file);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates parsed settings (exported for tests); `file` is only used in the message. */
export function validateGithubSettings(data: unknown, file: string): GithubSettings {
  const problems: string[] = [];
  const known = (obj: Json, path: string, keys: string[]) => {
    for (const key of Object.keys(obj)) {
      if (!keys.includes(key)) problems.push(`${path}unknown setting "${key}"; allowed: ${keys.join(", ")}`);
    }
  };
  const matches = (value: unknown, path: string, pattern: RegExp, what: string) => {
    if (typeof value !== "string" || !pattern.test(value)) {
      problems.push(`${path}: ${JSON.stringify(value)} is malformed; expected ${what}`);
    }
  };
  const list = (value: unknown, path: string, min: number, check: (v: unknown, p: string) => void) => {
    if (!Array.isArray(value)) {
      problems.push(`${path}: must be a list`);
      return;
    }
    if (value.length < min) problems.push(`${path}: needs at least ${min} entr${min === 1 ? "y" : "ies"}`);
    if (new Set(value).size !== value.length) problems.push(`${path}: has duplicates`);
    value.forEach((v, i) => check(v, `${path}[${i}]`));
  };
  const repository = (value: unknown, path: string) => {
    if (!isObject(value)) {
      problems.push(`${path}: missing; expected {"name": ..., "requiredStatusChecks": [...]}`);
      return;
    }
    known(value, `${path}: `, ["name", "requiredStatusChecks"]);
    matches(value.name, `${path}.name`, GITHUB_REPOSITORY_NAME, "a repository name without the owner");
    list(value.requiredStatusChecks, `${path}.requiredStatusChecks`, 1, (v, p) =>
      matches(v, p, /^\S(.{0,253}\S)?$/, "a status check name (the job's name)"),
    );
  };

  if (!isObject(data))
    throw new Error(`${shown(file)} is not a valid GitHub settings file: expected an object`);
  const keys = [
    "$comment",
    "owner",
    "infraRepository",
    "appRepository",
    "requiredApprovals",
    "productionReviewers",
    "planEnvironment",
  ];
  known(data, "", keys);
  matches(data.owner, "owner", GITHUB_OWNER, "a GitHub organization or user login");
  repository(data.infraRepository, "infraRepository");
  repository(data.appRepository, "appRepository");
  const approvals = data.requiredApprovals;
  if (typeof approvals !== "number" || !Number.isInteger(approvals) || approvals < 1 || approvals > 6) {
    problems.push(`requiredApprovals: ${JSON.stringify(approvals)} is out of range; allowed: 1 to 6`);
  }
  const reviewers = data.productionReviewers;
  if (!isObject(reviewers)) {
    problems.push(`productionReviewers: missing; expected {"teams": [...], "users": [...]}`);
  } else {
    known(reviewers, "productionReviewers: ", ["teams", "users"]);
    list(reviewers.teams, "productionReviewers.teams", 0, (v, p) => matches(v, p, TEAM_SLUG, "a team slug"));
    list(reviewers.users, "productionReviewers.users", 0, (v, p) =>
      matches(v, p, GITHUB_OWNER, "a user login"),
    );
    const count = [reviewers.teams, reviewers.users].reduce<number>(
      (n, l) => n + (Array.isArray(l) ? l.length : 0),
      0,
    );
    if (count < 1 || count > 6) {
      problems.push(`productionReviewers: ${count} teams and users; allowed: 1 to 6 (GitHub's limit)`);
    }
  }
  matches(data.planEnvironment, "planEnvironment", ENVIRONMENT, "an environment name, e.g. staging");

  if (problems.length > 0) {
    throw new Error(
      `${shown(file)} is not a valid GitHub settings file:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return data as unknown as GithubSettings;
}

function shown(file: string): string {
  return relative(process.cwd(), file) || file;
}
