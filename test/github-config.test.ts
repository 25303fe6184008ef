import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import {
  type GithubSettings,
  loadGithubSettings,
  repositoryFullName,
  validateGithubSettings,
} from "../config/github";
import { ConfigError } from "../config/load";

const ROOT = join(__dirname, "..");
const FILE = join(ROOT, "config", "github.json");
const checkedIn = JSON.parse(readFileSync(FILE, "utf8")) as GithubSettings;

/** The jobs of a workflow, by id. */
function jobsOf(workflowFile: string): Record<string, Record<string, unknown>> {
  return (load(readFileSync(workflowFile, "utf8")) as { jobs: Record<string, Record<string, unknown>> }).jobs;
}

/** The checked-in settings with one change, validated; returns the error message. */
function problemsWith(mutate: (s: Record<string, any>) => void): string {
  const settings = structuredClone(checkedIn) as Record<string, any>;
  mutate(settings);
  try {
    validateGithubSettings(settings, "config/github.json");
  } catch (err) {
    // The same error type, and so the same message shape, as a broken environment file.
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected the settings to be refused");
}

describe("GitHub settings (config/github.json)", () => {
  it("the checked-in file is valid", () => {
    const settings = loadGithubSettings(FILE);
    expect(repositoryFullName(settings, "infra")).toBe("cdlib/myamazingapp-infra");
    expect(repositoryFullName(settings, "app")).toBe("cdlib/myamazingapp");
  });

  it("requires the check every pull request runs, and the plan status of the base branch's report", () => {
    expect([...checkedIn.infraRepository.requiredStatusChecks].sort()).toEqual(["check", "plan"]);
    // GitHub counts a skipped job as passed, even a required one: the required job has no condition, so a
    // pull request from a fork runs it too.
    const jobs = jobsOf(join(ROOT, ".github", "workflows", "pull-request.yml"));
    expect(jobs.check).toBeDefined();
    expect(jobs.check.name ?? "check").toBe("check");
    expect(jobs.check.if).toBeUndefined();
    expect(jobs.check.needs).toBeUndefined();
    // `plan` is the commit status scripts/ci/report-plan.sh sets from the base branch's code (test/ci-scripts.test.ts),
    // never a job of the pull request's own workflow, which a fork's pull request skips.
    const names = Object.entries(jobs).map(([id, job]) => (job.name as string | undefined) ?? id);
    expect(names).not.toContain("plan");
  });

  it("has production reviewers", () => {
    const { teams, users } = checkedIn.productionReviewers;
    expect(teams.length + users.length).toBeGreaterThan(0);
  });

  it("names the file and every broken setting in one message", () => {
    const message = problemsWith((s) => {
      s.owner = "-bad owner";
      s.requiredApprovals = 0;
      s.infraRepository.requiredStatusChecks = [];
    });
    expect(message).toMatch(/^config\/github\.json is not a valid GitHub settings file:/);
    expect(message).toContain('owner: "-bad owner" is malformed');
    expect(message).toContain("requiredApprovals: 0 is out of range; allowed: 1 to 6");
    expect(message).toContain("infraRepository.requiredStatusChecks: needs at least 1 entry");
  });

  it.each<[string, (s: Record<string, any>) => void, RegExp]>([
    ["an unknown setting", (s) => (s.reviewers = []), /unknown setting "reviewers"; allowed: .*owner/],
    [
      "a misspelt nested setting",
      (s) => (s.appRepository.checks = []),
      /unknown setting "checks" in appRepository; allowed: name, requiredStatusChecks/,
    ],
    ["a missing repository", (s) => delete s.appRepository, /missing required setting "appRepository"/],
    [
      "a repository name with its owner",
      (s) => (s.appRepository.name = "cdlib/app"),
      /appRepository\.name: .*malformed/,
    ],
    [
      "a blank status check",
      (s) => (s.appRepository.requiredStatusChecks = [" "]),
      /appRepository\.requiredStatusChecks\.0: " " is malformed; expected a status check name/,
    ],
    [
      "duplicate status checks",
      (s) => (s.infraRepository.requiredStatusChecks = ["check", "check"]),
      /duplicates/,
    ],
    [
      "no production reviewers",
      (s) => (s.productionReviewers = { teams: [], users: [] }),
      /0 teams and users/,
    ],
    [
      "more reviewers than GitHub allows",
      (s) => (s.productionReviewers.users = ["a", "b", "c", "d", "e", "f"]),
      /7 teams and users; allowed: 1 to 6/,
    ],
    [
      "a team name instead of its slug",
      (s) => (s.productionReviewers.teams = ["UC3 DevOps"]),
      /productionReviewers\.teams\.0: "UC3 DevOps" is malformed; expected a team slug/,
    ],
    [
      "a plan environment that is no name",
      (s) => (s.planEnvironment = "Staging!"),
      /planEnvironment: "Staging!" is malformed; expected 2-12 lowercase letters/,
    ],
  ])("refuses %s", (_what, mutate, expected) => {
    expect(problemsWith(mutate)).toMatch(expected);
  });

  it("refuses a file that is not JSON, naming it", () => {
    const file = join(mkdtempSync(join(tmpdir(), "github-settings-")), "github.json");
    writeFileSync(file, "{ owner: cdlib");
    expect(() => loadGithubSettings(file)).toThrow(
      /github\.json is not a valid GitHub settings file:\n.*cannot be read as JSON/,
    );
  });
});
