import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBackend } from "../config/backend";
import type { EnvironmentConfig } from "../config/environment";
import { applyLocalOverrides } from "../config/local";
import { ConfigError, loadEnvironment, loadEnvironments, validateEnvironment } from "../config/load";
import { foreignSubdomains } from "../config/domains";
import { promotionOf } from "../config/promotion";
import { PLATFORM_SECRETS, PLATFORM_VARIABLES } from "../constructs/app-task-definition";
import { renderSchema, SCHEMA_FILE } from "../scripts/write-schema";

const ENV_DIR = join(__dirname, "..", "environments");
const staging = JSON.parse(readFileSync(join(ENV_DIR, "staging.json"), "utf8")) as EnvironmentConfig;

/** Staging with one setting changed, validated as if it were environments/staging.json. */
function problemsWith(mutate: (env: Record<string, any>) => void): string {
  const env = structuredClone(staging) as Record<string, any>;
  mutate(env);
  try {
    validateEnvironment(env, "environments/staging.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected the environment to be refused");
}

describe("environment files", () => {
  it("every checked-in environment file is valid", () => {
    const envs = loadEnvironments(ENV_DIR);
    expect(envs.map((e) => e.name)).toEqual(expect.arrayContaining(["production", "staging"]));
  });

  it("production serves myamazingapp.cdlib.org over at least two AZs with NAT per AZ", () => {
    const prod = loadEnvironment(join(ENV_DIR, "production.json"));
    expect(prod.domain.name).toBe("myamazingapp.cdlib.org");
    expect(prod.network.availabilityZones).toBeGreaterThanOrEqual(2);
    expect(prod.network.natGateways).toBe("per-az");
    expect(prod.database.deletionProtection).toBe(true);
  });

  it("each file points at the schema for editor completion, and the schema file is in sync with its source", () => {
    for (const name of ["production", "staging"]) {
      expect(JSON.parse(readFileSync(join(ENV_DIR, `${name}.json`), "utf8")).$schema).toBe(
        "./environment.schema.json",
      );
    }
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(renderSchema());
  });
});

describe("bad environment files are refused with the file, the setting and what is allowed", () => {
  it.each<[string, (env: Record<string, any>) => void, RegExp[]]>([
    ["an unknown key", (e) => (e.colour = "blue"), [/unknown setting "colour"/, /allowed: .*region/]],
    [
      "an unknown nested key",
      (e) => (e.service.replicas = 3),
      [/unknown setting "replicas" in service/, /allowed: cpu, memory/],
    ],
    ["a wrong type", (e) => (e.service.minCount = "2"), [/service\.minCount: must be integer, got "2"/]],
    ["a malformed domain", (e) => (e.domain.name = "My App.cdlib.org"), [/domain\.name: .* is malformed/]],
    [
      "a domain outside its hosted zone",
      (e) => (e.domain.name = "myamazingapp.example.org"),
      [
        /domain\.name: "myamazingapp\.example\.org" is not inside the hosted zone ".*"; allowed: the zone itself/,
      ],
    ],
    [
      "an unknown region",
      (e) => (e.region = "us-west-9"),
      [/region: "us-west-9" is not allowed; allowed values: .*us-west-2/],
    ],
    [
      "too few tasks",
      (e) => (e.service.minCount = 1),
      [/service\.minCount: 1 is out of range; allowed: 2 to 100/],
    ],
    [
      "one Availability Zone",
      (e) => (e.network.availabilityZones = 1),
      [/network\.availabilityZones: 1 is out of range; allowed: 2 to 3/],
    ],
    [
      "max below min",
      (e) => Object.assign(e.service, { maxCount: 2, minCount: 3 }),
      [/service\.maxCount: 2 is below the minimum of 3 tasks; allowed: 3 or more/],
    ],
    [
      "memory that does not fit the CPU",
      (e) => (e.service.memory = 512),
      [/service\.memory: 512 MiB does not fit 512 CPU units; allowed: 1024 to 4096/],
    ],
    [
      "a malformed schedule",
      (e) => (e.statsTask.schedule = "cron(0 3 * * MON)"),
      [/statsTask\.schedule: "cron\(0 3 \* \* MON\)" is malformed; expected a weekly cron/],
    ],
    [
      "a daily schedule",
      (e) => (e.statsTask.schedule = "cron(0 3 * * ? *)"),
      [/statsTask\.schedule: .*weekly cron/],
    ],
    [
      "an unknown time zone",
      (e) => (e.statsTask.timezone = "Mars/Olympus"),
      [/statsTask\.timezone: "Mars\/Olympus" is not an IANA time zone/],
    ],
    [
      "a retention the daily sweep cannot keep under two weeks",
      (e) => (e.uploads.expireAfterDays = 13),
      [/uploads\.expireAfterDays: 13 is out of range; allowed: 1 to 12 days/, /within a day and an hour/],
    ],
    [
      "a mail sender outside the app's domain",
      (e) => (e.mail = { fromAddress: "noreply@cdlib.org" }),
      [/mail\.fromAddress: noreply@cdlib.org is not in staging\.myamazingapp\.cdlib\.org/],
    ],
    [
      "a mail sender that is no address",
      (e) => (e.mail = { fromAddress: "noreply" }),
      [/mail\.fromAddress: .*an e-mail address/],
    ],
    [
      "aborting unfinished uploads later than expiring finished ones",
      (e) => Object.assign(e.uploads, { expireAfterDays: 2, abortIncompleteUploadsAfterDays: 3 }),
      [/uploads\.abortIncompleteUploadsAfterDays: 3 is above the expiry of 2 days; allowed: 1 to 2/],
    ],
    [
      "an upload size over 6 GiB",
      (e) => (e.uploads.maxUploadGiB = 7),
      [/uploads\.maxUploadGiB: 7 is out of range; allowed: 1 to 6/],
    ],
    [
      "a log retention CloudWatch does not offer",
      (e) => (e.logRetentionDays = 10),
      [/logRetentionDays: 10 is not allowed; allowed values: 1, 3, 5, 7, 14/],
    ],
    ["a missing setting", (e) => delete e.alarmEmail, [/missing required setting "alarmEmail"/]],
    [
      "a malformed account",
      (e) => (e.account = "1234"),
      [/account: "1234" is malformed; expected a 12-digit AWS account id/],
    ],
    [
      "a password in plain settings",
      (e) => (e.appEnvironment.MAILER_PASSWORD = "hunter2"),
      [/appEnvironment\.MAILER_PASSWORD: "MAILER_PASSWORD" looks like a secret; list it under secrets/],
    ],
    [
      "a setting the stack owns",
      (e) => (e.appEnvironment.DATABASE_HOST = "db"),
      [/appEnvironment\.DATABASE_HOST: "DATABASE_HOST" is set by the stack itself/],
    ],
    [
      "a name that differs from the file",
      (e) => (e.name = "prod"),
      [/name: "prod" must equal the file name "staging"/],
    ],
    [
      "a domain outside its zone, with the zone's letters",
      (e) => (e.domain.name = "notstaging.myamazingapp.cdlib.org"),
      [/domain\.name: .* is not inside the hosted zone "staging\.myamazingapp\.cdlib\.org"/],
    ],
    [
      "a storage ceiling below the initial storage",
      (e) => Object.assign(e.database, { allocatedStorageGiB: 200, maxAllocatedStorageGiB: 100 }),
      [/database\.maxAllocatedStorageGiB: 100 GiB is below the initial storage of 200 GiB/],
    ],
    [
      "an idle timeout under a minute",
      (e) => (e.service.idleTimeoutSeconds = 30),
      [/service\.idleTimeoutSeconds: 30 is out of range; allowed: 60 to 4000 seconds/],
    ],
    [
      "an environment name too long for the AWS names built from it",
      (e) => (e.name = "staging-europe"),
      [/name: "staging-europe" is malformed; expected 2-12 lowercase letters/],
    ],
    [
      "an environment name with a dash, which would begin another environment's names",
      (e) => (e.name = "staging-b"),
      [/name: "staging-b" is malformed; expected 2-12 lowercase letters and digits, .*no dash/],
    ],
    [
      "a GitHub OIDC provider neither created nor existing",
      (e) => (e.githubActions = { oidcProvider: "import" }),
      [/githubActions\.oidcProvider: "import" is not allowed; allowed values: create, existing/],
    ],
    [
      "GitHub Actions without saying where the OIDC provider comes from",
      (e) => (e.githubActions = {}),
      [/githubActions: missing required setting "oidcProvider"/],
    ],
    [
      "a secret the stack sets itself",
      (e) => e.secrets.push("DATABASE_PASSWORD"),
      [/secrets\[3\]: "DATABASE_PASSWORD" is set by the stack itself/],
    ],
    [
      "a name that is both a secret and a plain setting",
      (e) => (e.appEnvironment.SECRET_KEY_BASE = "x"),
      [/appEnvironment\.SECRET_KEY_BASE: "SECRET_KEY_BASE" is also a secret/],
    ],
    [
      "a missing teardown setting",
      (e) => delete e.teardown.emptyOnDestroy,
      [/teardown: missing required setting "emptyOnDestroy"/],
    ],
    [
      "a secret recovery window Secrets Manager does not offer",
      (e) => (e.teardown.secretRecoveryDays = 3),
      [/teardown\.secretRecoveryDays: 3 is not allowed; allowed values: 0, 7, 8/],
    ],
    [
      "a log archive kept less than 30 days",
      (e) => (e.logArchiveDays = 7),
      [/logArchiveDays: 7 is out of range; allowed: 30 to 3653 days/],
    ],
    [
      "an error-rate alarm threshold over 100%",
      (e) => (e.alarms = { errorRatePercent: 150 }),
      [/alarms\.errorRatePercent: 150 is out of range; allowed: 1 to 100 %/],
    ],
    [
      "an alarm threshold nobody knows",
      (e) => (e.alarms = { diskPercent: 80 }),
      [/unknown setting "diskPercent" in alarms; allowed: errorRatePercent, p95LatencyMs/],
    ],
    [
      "a missing monthly budget",
      (e) => delete e.cost.monthlyBudgetUsd,
      [/cost: missing required setting "monthlyBudgetUsd"/],
    ],
    [
      "a budget of no dollars",
      (e) => (e.cost.monthlyBudgetUsd = 0),
      [/cost\.monthlyBudgetUsd: 0 is out of range; allowed: 1 to 10000000 US dollars a month/],
    ],
    [
      "a missing usage assumption of the cost estimate",
      (e) => delete e.cost.usage.uploadsGiBPerDay,
      [/cost\.usage: missing required setting "uploadsGiBPerDay"/],
    ],
    [
      "a negative log volume",
      (e) => (e.cost.usage.logsGiBPerMonth = -5),
      [/cost\.usage\.logsGiBPerMonth: -5 is out of range; allowed: 0 to 10000000 GiB a month/],
    ],
    [
      "a fraction of a million requests",
      (e) => (e.cost.usage.requestsMillionsPerMonth = 0.5),
      [/cost\.usage\.requestsMillionsPerMonth: must be integer, got 0\.5/],
    ],
    [
      "an accept-the-budget switch that is not a yes or no",
      (e) => (e.cost.acceptBudgetBelowEstimate = "yes"),
      [/cost\.acceptBudgetBelowEstimate: must be boolean, got "yes"/],
    ],
    [
      "GitHub Actions deploying to the local emulator",
      (e) => {
        e.emulator = { endpoint: "https://127.0.0.1:4566" };
        delete e.delivery;
      },
      [/githubActions: must be left out with emulator/],
    ],
    [
      "an emulator that is not on loopback",
      (e) => {
        e.emulator = { endpoint: "https://10.0.0.5:4566" };
        delete e.delivery;
        delete e.githubActions;
      },
      [
        /emulator\.endpoint: "https:\/\/10\.0\.0\.5:4566" is malformed; expected https:\/\/127\.0\.0\.1:<port>/,
      ],
    ],
    [
      "an outbound port that is always open",
      (e) => (e.service.outboundPorts = [{ port: 443, description: "HTTPS again" }]),
      [/service\.outboundPorts: port 443 is always open; allowed: ports other than 443, each once/],
    ],
    [
      "an outbound port out of range",
      (e) => (e.service.outboundPorts = [{ port: 0, description: "nothing" }]),
      [/service\.outboundPorts\.0\.port: 0 is out of range; allowed: 1 to 65535/],
    ],
    [
      "a WAF rate limit AWS does not accept",
      (e) => (e.waf = { ...e.waf, requestsPerFiveMinutesPerIp: 5 }),
      [/waf\.requestsPerFiveMinutesPerIp: 5 is out of range; allowed: 100 to/],
    ],
    [
      "log retention CloudWatch does not offer",
      (e) => (e.logRetentionDays = 100),
      [/logRetentionDays: 100 is not allowed; allowed values: 1, 3, 5/],
    ],
    [
      "a backup retention under a week",
      (e) => (e.database.backupRetentionDays = 1),
      [/database\.backupRetentionDays: 1 is out of range; allowed: 7 to 35/],
    ],
  ])("%s", (_label, mutate, patterns) => {
    const message = problemsWith(mutate);
    expect(message).toContain("environments/staging.json");
    for (const p of patterns) expect(message).toMatch(p);
  });

  it("reports every problem of a file at once", () => {
    const message = problemsWith((e) => {
      e.region = "nowhere";
      e.service.minCount = 0;
    });
    expect(message).toMatch(/region/);
    expect(message).toMatch(/service\.minCount/);
  });

  it("a file that is not JSON names the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "env-"));
    writeFileSync(join(dir, "broken.json"), "{ not json");
    expect(() => loadEnvironments(dir)).toThrow(
      /broken\.json is not a valid environment file:\n.*cannot be read as JSON/,
    );
  });

  it("a folder without environment files is refused", () => {
    expect(() => loadEnvironments(mkdtempSync(join(tmpdir(), "env-")))).toThrow(/No environment files/);
  });
});

describe("variables the stack sets itself are reserved, from the list the stack builds the containers with", () => {
  // The bug this guards against: UPLOADS_EXPIRE_DAYS and UPLOADS_MAX_BYTES were accepted in a file and then
  // silently overwritten, because the validator's reserved list and the stack's variables were two lists.
  it.each(["UPLOADS_EXPIRE_DAYS", "UPLOADS_MAX_BYTES", ...PLATFORM_VARIABLES, ...PLATFORM_SECRETS])(
    "refuses %s in appEnvironment",
    (name) => {
      expect(problemsWith((e) => (e.appEnvironment[name] = "from the file"))).toMatch(
        new RegExp(`appEnvironment\\.${name}: "${name}" is set by the stack itself`),
      );
    },
  );

  it.each(["UPLOADS_EXPIRE_DAYS", ...PLATFORM_SECRETS])("refuses %s as a secret name", (name) => {
    expect(problemsWith((e) => e.secrets.push(name))).toMatch(`"${name}" is set by the stack itself`);
  });
});

describe("LOCAL_AWS_PORT", () => {
  const local = { ...staging, emulator: { endpoint: "https://127.0.0.1:4566" } } as EnvironmentConfig;
  it("moves the emulator endpoint of a local environment", () => {
    expect(applyLocalOverrides(local, { LOCAL_AWS_PORT: "4599" }).emulator?.endpoint).toBe(
      "https://127.0.0.1:4599",
    );
  });
  it("leaves environments without an emulator alone", () => {
    expect(applyLocalOverrides(staging, { LOCAL_AWS_PORT: "4599" })).toBe(staging);
  });
  it("refuses a value that is not a port", () => {
    expect(() => applyLocalOverrides(local, { LOCAL_AWS_PORT: "70000" })).toThrow(
      /LOCAL_AWS_PORT: "70000".*1 to 65535/,
    );
  });
});

describe("backend.tf.json", () => {
  function backendWith(s3: Record<string, unknown>): string {
    const file = join(mkdtempSync(join(tmpdir(), "backend-")), "backend.tf.json");
    writeFileSync(file, JSON.stringify({ terraform: { backend: { s3 } } }));
    return file;
  }
  const good = {
    bucket: "state-bucket",
    key: "myamazingapp/",
    region: "us-west-2",
    encrypt: true,
    use_lockfile: true,
  };

  it("the checked-in file is an encrypted, locking S3 backend", () => {
    const b = loadBackend(join(__dirname, "..", "backend.tf.json"));
    expect(b).toMatchObject({ encrypt: true, useLockfile: true });
    expect(b.keyPrefix).toMatch(/\/$/);
  });
  it("refuses a backend without use_lockfile or encryption, naming the setting", () => {
    expect(() => loadBackend(backendWith({ ...good, use_lockfile: false }))).toThrow(
      /use_lockfile: must be true/,
    );
    expect(() => loadBackend(backendWith({ ...good, encrypt: false }))).toThrow(/encrypt: must be true/);
    expect(() => loadBackend(backendWith({ ...good, key: "state.tfstate" }))).toThrow(
      /key: "state\.tfstate" is malformed; expected a key prefix ending in "\/"/,
    );
  });
});

describe("promotion between environments (delivery.promoteFrom)", () => {
  const production = JSON.parse(readFileSync(join(ENV_DIR, "production.json"), "utf8")) as EnvironmentConfig;
  /** A folder holding staging and a changed production; loads it as main.ts does. */
  function load(mutate: (prod: Record<string, any>, stg: Record<string, any>) => void): EnvironmentConfig[] {
    const dir = mkdtempSync(join(tmpdir(), "promotion-"));
    const prod = structuredClone(production) as Record<string, any>;
    const stg = structuredClone(staging) as Record<string, any>;
    mutate(prod, stg);
    writeFileSync(join(dir, "production.json"), JSON.stringify(prod));
    writeFileSync(join(dir, "staging.json"), JSON.stringify(stg));
    return loadEnvironments(dir);
  }

  it("names, for each environment, the domains other environments serve under its own (emulators aside)", () => {
    const envs = loadEnvironments(ENV_DIR);
    const byName = (name: string) => envs.find((e) => e.name === name)!;
    expect(foreignSubdomains(byName("production"), envs)).toEqual(["staging.myamazingapp.cdlib.org"]);
    expect(foreignSubdomains(byName("staging"), envs)).toEqual([]);
  });

  it("production promotes what staging released; staging lets production's account pull", () => {
    const envs = load(() => undefined);
    const [prod, stg] = envs;
    expect(promotionOf(prod, envs)).toEqual({
      from: { environment: "staging", account: "222222222222", region: "us-west-2" },
      to: [],
    });
    expect(promotionOf(stg, envs)).toEqual({
      to: [{ environment: "production", account: "111111111111", region: "us-west-2" }],
    });
  });

  it.each<[string, (p: Record<string, any>, s: Record<string, any>) => void, RegExp]>([
    [
      "an unknown environment",
      (p) => (p.delivery.promoteFrom = "qa"),
      /delivery\.promoteFrom: no environment "qa"; allowed: staging/,
    ],
    ["itself", (p) => (p.delivery.promoteFrom = "production"), /an environment cannot promote from itself/],
    [
      "one without a pipeline",
      (_p, s) => delete s.delivery,
      /"staging" has no delivery section, so it releases nothing to promote/,
    ],
    [
      "one in another region",
      (_p, s) => (s.region = "us-east-1"),
      /"staging" is in us-east-1, production in us-west-2/,
    ],
  ])("refuses promoting from %s, naming the file and the setting", (_what, mutate, message) => {
    expect(() => load(mutate)).toThrow(message);
  });
});
