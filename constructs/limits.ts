/**
 * The one home of every single-value rule: the patterns and ranges that the constructs enforce at their
 * boundary and that config/ turns into the JSON schemas of the settings files (a RegExp's `source` becomes a
 * schema `pattern`). A rule changed here changes both, so they cannot drift. Rules that relate two values
 * live with the construct that needs them, as public statics the loader calls.
 */

/** A rule for a string: the pattern, and what a valid value is, for messages and schema descriptions. */
export interface Pattern {
  readonly pattern: RegExp;
  readonly expected: string;
}

/** A rule for a whole number: inclusive bounds, and what the number counts (unit and reason). */
export interface Range {
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

const pattern = (re: RegExp, expected: string): Pattern => ({ pattern: re, expected });
const range = (min: number, max: number, unit: string): Range => ({ min, max, unit });

// ----- Names and identifiers -----------------------------------------------------------------------------

/** Lowercase fully qualified DNS names (RFC 1123 labels, 253 characters in all). */
export const DNS_NAME = pattern(
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
  "a lowercase fully qualified domain name, e.g. myamazingapp.cdlib.org",
);

/** S3 bucket names (general purpose buckets; no `..`). */
export const BUCKET_NAME = pattern(
  /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  "an S3 bucket name: 3-63 lowercase letters, digits, dots and dashes",
);

/**
 * Environment names. Twelve characters at most: the longest name built from one, the CodeStar connection
 * `myamazingapp-<environment>-github`, must fit AWS's 32-character limit.
 */
/**
 * No dash: every name of an environment starts `<application>-<environment>-`, and the IAM policies scope by that
 * prefix, so no environment's prefix may begin another's (`production-b` would fall within `production-*`).
 */
export const ENVIRONMENT_NAME = pattern(
  /^[a-z][a-z0-9]{1,11}$/,
  "2-12 lowercase letters and digits, starting with a letter (no dash: the prefix `<application>-<environment>-` must not begin another environment's names)",
);

/** AWS commercial regions a stack may target. */
export const AWS_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
] as const;

/** 12-digit AWS account ids. */
export const ACCOUNT_ID = pattern(/^[0-9]{12}$/, "a 12-digit AWS account id");

/** Values of the `owner` tag. */
export const OWNER_TAG = pattern(
  /^[A-Za-z0-9 ._:/=+@-]{1,64}$/,
  "a team name for the owner tag (letters, digits, spaces and ._:/=+@-; up to 64)",
);

/** E-mail addresses that receive alarms. */
export const EMAIL = pattern(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/, "an e-mail address, e.g. alerts@cdlib.org");

/** Container environment variable names, which are also the names of the app's secrets. */
export const VARIABLE_NAME = pattern(
  /^[A-Z][A-Z0-9_]{0,63}$/,
  "an upper-case variable name (A-Z, 0-9, _; up to 64), e.g. ORCID_CLIENT_SECRET",
);

/** A Terraform state object key, relative, ending in `.tfstate` (its lock file adds `.tflock`). */
export const STATE_KEY = pattern(
  /^[A-Za-z0-9][A-Za-z0-9/_.-]*\.tfstate$/,
  "a relative object key ending in .tfstate, e.g. myamazingapp/myamazingapp-staging.tfstate",
);

// ----- Network -------------------------------------------------------------------------------------------

/** VPC IPv4 blocks: four octets of 0-255 and a prefix from /16 to /20 (16 equal slices must fit). */
export const VPC_CIDR = pattern(
  /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\/(1[6-9]|20)$/,
  "an IPv4 CIDR block from /16 to /20, e.g. 10.40.0.0/16",
);

/** Availability Zones a network spreads over: two for high availability, three at most. */
export const AVAILABILITY_ZONES = range(2, 3, "Availability Zones (high availability needs two)");

/** The local emulator's endpoint: HTTPS on loopback only, so nothing leaves the machine. */
export const EMULATOR_ENDPOINT = pattern(
  /^https:\/\/(127\.0\.0\.1|localhost):[0-9]{1,5}$/,
  "https://127.0.0.1:<port> or https://localhost:<port>",
);

/** TCP ports. */
export const TCP_PORT = range(1, 65535, "TCP port");

// ----- Service -------------------------------------------------------------------------------------------

/** Valid Fargate CPU units and, for each, the memory sizes (MiB) it allows. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
};
/** Fargate task memory over all CPU sizes; FARGATE_SIZES says which fit a given CPU. */
export const FARGATE_MEMORY = range(512, 122880, "MiB (must suit the CPU)");
/** Running web tasks: at least one per AZ of a two-AZ network. */
export const TASK_COUNT = range(2, 100, "tasks (at least 2 for high availability)");
/** Average CPU that target tracking aims for. */
export const TARGET_CPU_PERCENT = range(10, 90, "% average CPU");
/** Ports the Rails server may listen on (unprivileged, since the container runs as a non-root user). */
export const CONTAINER_PORT = range(1024, 65535, "TCP port");
/** Fargate ephemeral storage. */
export const EPHEMERAL_STORAGE_GIB = range(21, 200, "GiB of Fargate ephemeral storage");
/** Load balancer idle timeout: at least a minute, so slow clients on large transfers are not cut off. */
export const IDLE_TIMEOUT_SECONDS = range(60, 4000, "seconds");
/** Paths the load balancer's health check requests. */
export const HEALTH_CHECK_PATH = pattern(/^\/[A-Za-z0-9/_.-]*$/, "an absolute path, e.g. /up");
/** ECR image tags. */
export const IMAGE_TAG = pattern(
  /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
  "an image tag (letters, digits, _ . -; up to 128), e.g. bootstrap",
);

/** WAF rate-based rules: requests per IP in any five minutes (AWS's bounds). */
export const WAF_RATE_LIMIT = range(100, 2000000000, "requests per IP in five minutes");

// ----- Database ------------------------------------------------------------------------------------------

export const DB_INSTANCE_CLASS = pattern(
  /^db\.[a-z0-9]+\.[a-z0-9]+$/,
  "an RDS instance class, e.g. db.t4g.medium",
);
export const POSTGRES_VERSION = pattern(/^1[4-7](\.[0-9]+)?$/, "PostgreSQL 14 to 17, e.g. 16.4");
export const DB_STORAGE_GIB = range(20, 65536, "GiB of gp3 storage");
/** Automated backups: at least a week, RDS keeps 35 days at most. */
/** An RDS DB snapshot: its ARN, or its identifier in the same account and region. */
export const DB_SNAPSHOT = pattern(
  /^(arn:aws:rds:[a-z0-9-]+:[0-9]{12}:snapshot:)?[a-zA-Z][a-zA-Z0-9-]{0,254}$/,
  "a DB snapshot ARN (arn:aws:rds:<region>:<account>:snapshot:<name>) or identifier",
);
export const BACKUP_RETENTION_DAYS = range(7, 35, "days of automated backups");

// ----- Uploads -------------------------------------------------------------------------------------------

/** The mission's promise: every upload is gone before it is this many days old. */
export const MAX_UPLOAD_AGE_DAYS = 14;
/** The longest a run of the daily upload sweep may take before Step Functions stops it, in seconds. */
export const UPLOAD_SWEEP_TIMEOUT_SECONDS = 3600;
/**
 * Uploads are removed once they are N days old. The daily sweep deletes an object at its first run at which
 * the object is N days old or older, so within N days + 1 day + one run (at most an hour); S3's lifecycle, the
 * second line, expires it at the first midnight UTC after N days. N + 1 day + 1 hour < MAX_UPLOAD_AGE_DAYS keeps
 * the promise: N <= 12.
 */
export const UPLOAD_EXPIRY_DAYS = range(
  1,
  MAX_UPLOAD_AGE_DAYS - 2,
  `days; the daily sweep deletes an upload within a day and an hour of reaching it, so at most ${MAX_UPLOAD_AGE_DAYS - 2} keeps every file under ${MAX_UPLOAD_AGE_DAYS} days`,
);
/** Unfinished multipart uploads: their parts cost storage and are invisible in listings. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = range(
  1,
  3,
  "days until unfinished multipart uploads are aborted",
);
/** The mission accepts files up to 6 GiB. */
export const MAX_UPLOAD_GIB = range(1, 6, "GiB (the mission caps uploads at 6)");

// ----- Logs and secrets ----------------------------------------------------------------------------------

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/**
 * The log archive on S3 (every log group through Firehose, and the load balancer's access logs): at least 30
 * days, long enough to investigate an incident noticed late; at most ten years.
 */
export const LOG_ARCHIVE_DAYS = range(30, 3653, "days");
/** Secrets Manager recovery window: 0 deletes at once (throw-away environments), else 7 to 30 days. */
export const SECRET_RECOVERY_DAYS = {
  allowed: [0, ...steps(7, 30, 1)],
  unit: "days (0, or 7 to 30)",
} as const;

// ----- Alarms and cost -----------------------------------------------------------------------------------

/** A share of something, in whole percent. */
export const PERCENT = range(1, 100, "%");
/** p95 response time the target response-time alarm allows, in milliseconds (the ALB's idle timeout caps it). */
export const LATENCY_MS = range(10, 60000, "milliseconds");
/** Freeable database memory below which the alarm fires, in MiB. */
export const FREEABLE_MEMORY_MIB = range(64, 1048576, "MiB");
/** Database connections above which the alarm fires (PostgreSQL's max_connections bounds it). */
export const DB_CONNECTIONS = range(1, 100000, "connections");
/** The monthly AWS Budgets limit of an environment, in whole US dollars. */
export const MONTHLY_BUDGET_USD = range(1, 10000000, "US dollars a month");
/** Requests a month the cost estimate assumes, in whole millions. */
export const REQUESTS_MILLIONS_PER_MONTH = range(0, 1000000, "million requests a month");
/** Data a month the cost estimate assumes through the load balancer, the NAT gateways or into the logs. */
export const DATA_GIB_PER_MONTH = range(0, 10000000, "GiB a month");
/** Uploads a day the cost estimate assumes. */
export const UPLOADS_GIB_PER_DAY = range(0, 1000000, "GiB a day");

// ----- Weekly task ---------------------------------------------------------------------------------------

const WEEKDAY = "(SUN|MON|TUE|WED|THU|FRI|SAT|[1-7])";
/** EventBridge Scheduler cron expressions that fire once a week: one minute, hour and weekday. */
export const WEEKLY_CRON = pattern(
  new RegExp(`^cron\\(([0-5]?[0-9]) ([01]?[0-9]|2[0-3]) \\? \\* ${WEEKDAY} \\*\\)$`),
  "a weekly cron: cron(M H ? * D *) with M 0-59, H 0-23 and D one of SUN-SAT or 1-7, e.g. cron(0 3 ? * MON *)",
);
/** Rake task names, e.g. `stats:users`. */
export const RAKE_TASK = pattern(
  /^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)*$/,
  "a rake task name, e.g. stats:users",
);
/** EventBridge Scheduler's retry limit for a target it could not invoke. */
export const RETRY_ATTEMPTS = range(0, 185, "retries (EventBridge Scheduler's limit)");

// ----- GitHub --------------------------------------------------------------------------------------------

/** GitHub organization and user logins. */
export const GITHUB_OWNER = pattern(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, "a GitHub organization or user login");
/** GitHub repository names, without the owner. */
export const GITHUB_REPOSITORY_NAME = pattern(
  /^[A-Za-z0-9._-]{1,100}$/,
  "a repository name without the owner",
);
/** `owner/name` of a GitHub repository. */
export const GITHUB_REPOSITORY = pattern(
  new RegExp(
    `^${GITHUB_OWNER.pattern.source.slice(1, -1)}/${GITHUB_REPOSITORY_NAME.pattern.source.slice(1, -1)}$`,
  ),
  'a GitHub repository "owner/name", e.g. cdlib/myamazingapp',
);
/** GitHub team slugs. */
export const GITHUB_TEAM_SLUG = pattern(/^[a-z0-9][a-z0-9_-]{0,99}$/, "a team slug");
/** A plain branch name: no glob characters (a trigger would match more), no `..`, no leading dash. */
export const GIT_BRANCH = pattern(
  /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,255}$/,
  "a plain branch name (letters, digits, . _ / -; no globs), e.g. main",
);
/** Names of required status checks (a workflow job's name). */
export const STATUS_CHECK = pattern(/^\S(.{0,253}\S)?$/, "a status check name (the job's name)");
/** Approving reviews a pull request needs, and reviewers of a GitHub environment (GitHub's limit). */
export const GITHUB_REVIEWERS = range(1, 6, "reviews or reviewers (GitHub's limit)");

// ----- Checks --------------------------------------------------------------------------------------------

/** Why `value` breaks a pattern, or undefined when it matches. */
export function checkPattern(rule: Pattern, value: string): string | undefined {
  return rule.pattern.test(value)
    ? undefined
    : `${JSON.stringify(value)} is malformed; expected ${rule.expected}`;
}

/** Why an optional value breaks a pattern, or undefined when it is absent or matches. */
export function checkOptionalPattern(rule: Pattern, value: string | undefined): string | undefined {
  return value === undefined ? undefined : checkPattern(rule, value);
}

/** Why `value` is outside a range (or not a whole number), or undefined when it is inside. */
export function checkRange(rule: Range, value: number): string | undefined {
  if (Number.isInteger(value) && value >= rule.min && value <= rule.max) return undefined;
  return `${value} is out of range; allowed: ${rule.min} to ${rule.max} ${rule.unit}`;
}

/** Why `value` is not one of the allowed values, or undefined when it is. */
export function checkOneOf(
  allowed: readonly (string | number)[],
  value: string | number,
  what: string,
): string | undefined {
  return allowed.includes(value)
    ? undefined
    : `${JSON.stringify(value)} is not allowed; allowed values: ${allowed.join(", ")} (${what})`;
}

/** Why `days` is not a retention CloudWatch Logs accepts, or undefined. */
export function checkLogRetention(days: number): string | undefined {
  return checkOneOf(
    LOG_RETENTION_DAYS,
    days as (typeof LOG_RETENTION_DAYS)[number],
    "days CloudWatch Logs accepts",
  );
}

/** Why `zone` is not an IANA time zone, or undefined when it is one. */
export function checkTimeZone(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return undefined;
  } catch {
    return `"${zone}" is not an IANA time zone; allowed: e.g. UTC, America/Los_Angeles`;
  }
}

/** Why a list of subnets (one per AZ) cannot hold something highly available, or undefined. */
export function checkTwoAzs(subnetIds: readonly string[]): string | undefined {
  return subnetIds.length < 2 ? `needs subnets in at least two AZs, got ${subnetIds.length}` : undefined;
}

/** Problems keyed by the prop (or setting) they concern; undefined entries are checks that passed. */
export type Checks = Record<string, string | undefined>;

/** The problems of a set of checks, as `<name>: <problem>` lines. */
export function problemsOf(checks: Checks): string[] {
  return Object.entries(checks).flatMap(([name, problem]) => (problem ? [`${name}: ${problem}`] : []));
}

/**
 * Throws one Error naming the construct and every failed check; the way every construct refuses its props.
 */
export function refuse(construct: string, checks: Checks): void {
  const problems = problemsOf(checks);
  if (problems.length === 1) throw new Error(`${construct}: ${problems[0]}`);
  if (problems.length > 1) throw new Error(`${construct}:\n  - ${problems.join("\n  - ")}`);
}

function steps(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
