import { join } from "node:path";
import { Testing } from "cdktf";
import { loadBackend } from "../config/backend";
import type { EnvironmentConfig } from "../config/environment";
import { loadGithubSettings } from "../config/github";
import { loadEnvironment } from "../config/load";
import { AppStack, appStackName } from "../constructs/app-stack";

const ROOT = join(__dirname, "..");
const backend = loadBackend(join(ROOT, "backend.tf.json"));
const github = loadGithubSettings(join(ROOT, "config", "github.json"));

interface Synthesized {
  text: string;
  json: {
    terraform: { backend: { s3: Record<string, unknown> } };
    provider: { aws: Array<Record<string, unknown>> };
    resource: Record<string, Record<string, Record<string, unknown>>>;
    data?: Record<string, Record<string, Record<string, unknown>>>;
  };
}

const cache = new Map<string, Synthesized & { env: EnvironmentConfig }>();

/** Synthesizes an environment's stack once per test file. */
function synthEnvironment(name: string): Synthesized & { env: EnvironmentConfig } {
  const hit = cache.get(name);
  if (hit) return hit;
  const env = loadEnvironment(join(ROOT, "environments", `${name}.json`));
  const stack = new AppStack(Testing.app(), appStackName(env.name), { env, backend, github });
  const text = Testing.synth(stack);
  const result = { env, text, json: JSON.parse(text) };
  cache.set(name, result);
  return result;
}

function resources(s: Synthesized, type: string): Array<Record<string, unknown>> {
  return Object.values(s.json.resource[type] ?? {});
}

function only(s: Synthesized, type: string): Record<string, any> {
  const all = resources(s, type);
  expect(all).toHaveLength(1);
  return all[0] as Record<string, any>;
}

describe.each(["production", "staging"])("%s stack", (name) => {
  let s: ReturnType<typeof synthEnvironment>;
  beforeAll(() => {
    s = synthEnvironment(name);
  });

  it("keeps state in the S3 backend under its own key, encrypted and locked", () => {
    expect(s.json.terraform.backend.s3).toEqual({
      bucket: backend.bucket,
      region: backend.region,
      key: `${backend.keyPrefix}myamazingapp-${name}.tfstate`,
      encrypt: true,
      use_lockfile: true,
    });
  });

  it("tags every resource with application, environment and owner, and refuses any other account", () => {
    const provider = s.json.provider.aws[0] as Record<string, any>;
    expect(provider.default_tags[0].tags).toMatchObject({
      application: "myamazingapp",
      environment: name,
      owner: s.env.owner,
    });
    expect(provider.allowed_account_ids).toEqual([s.env.account]);
    expect(provider.region).toBe(s.env.region);
  });

  it("spreads the network, the load balancer, the tasks and the database over the configured AZs", () => {
    const azs = s.env.network.availabilityZones;
    expect(resources(s, "aws_subnet")).toHaveLength(azs * 3);
    const natCount = s.env.network.natGateways === "per-az" ? azs : 1;
    expect(resources(s, "aws_nat_gateway")).toHaveLength(natCount);
    const service = only(s, "aws_ecs_service");
    expect(service.network_configuration.subnets).toHaveLength(azs);
    expect(service.desired_count).toBeGreaterThanOrEqual(2);
    expect(only(s, "aws_lb").subnets).toHaveLength(azs);
    expect(only(s, "aws_db_subnet_group").subnet_ids).toHaveLength(azs);
    expect(only(s, "aws_db_instance").multi_az).toBe(true);
  });

  it("serves the configured domain over HTTPS only, with a certificate validated by DNS", () => {
    const records = resources(s, "aws_route53_record") as Array<Record<string, any>>;
    const aliases = records.filter((r) => r.alias);
    expect(aliases.map((r) => [r.name, r.type]).sort()).toEqual([
      [s.env.domain.name, "A"],
      ...(s.env.network.dualStack ? [[s.env.domain.name, "AAAA"]] : []),
    ]);
    expect(only(s, "aws_acm_certificate")).toMatchObject({
      domain_name: s.env.domain.name,
      validation_method: "DNS",
    });
    const listeners = resources(s, "aws_lb_listener") as Array<Record<string, any>>;
    const http = listeners.find((l) => l.port === 80);
    expect(http?.default_action).toEqual([
      expect.objectContaining({
        type: "redirect",
        redirect: expect.objectContaining({ protocol: "HTTPS", status_code: "HTTP_301" }),
      }),
    ]);
    expect(listeners.find((l) => l.port === 443)?.ssl_policy).toMatch(/TLS13/);
  });

  it("looks the hosted zone up or creates it, as the environment says", () => {
    const created = resources(s, "aws_route53_zone");
    const lookedUp = Object.values(s.json.data?.aws_route53_zone ?? {});
    expect(created.length + lookedUp.length).toBe(1);
    expect(created.length).toBe(s.env.domain.createZone ? 1 : 0);
  });

  it("removes every upload before it is 14 days old, counting S3's rounding to midnight UTC", () => {
    const lifecycles = resources(s, "aws_s3_bucket_lifecycle_configuration") as Array<Record<string, any>>;
    const uploadRules = lifecycles.flatMap((l) => l.rule).filter((r) => r.id === "expire-uploads");
    expect(uploadRules).toHaveLength(1);
    const days = uploadRules[0].expiration[0].days;
    expect(days).toBe(s.env.uploads.expireAfterDays);
    // An object lives less than N + 1 days (N days, then up to 24 h to the next midnight UTC).
    expect(days + 1).toBeLessThanOrEqual(14);
    expect(resources(s, "aws_s3_bucket_versioning")).toHaveLength(0);
  });

  it("runs the weekly stats rake task from the environment's schedule", () => {
    const schedule = only(s, "aws_scheduler_schedule");
    expect(schedule.schedule_expression).toBe(s.env.statsTask.schedule);
    expect(schedule.schedule_expression_timezone).toBe(s.env.statsTask.timezone);
    expect(JSON.parse(schedule.target.input)).toEqual({
      containerOverrides: [{ name: "web", command: ["bundle", "exec", "rake", s.env.statsTask.rakeTask] }],
    });
  });

  it("creates each external-service secret without a value", () => {
    const secrets = resources(s, "aws_secretsmanager_secret") as Array<Record<string, any>>;
    expect(secrets.map((x) => x.name).sort()).toEqual(
      s.env.secrets.map((n) => `myamazingapp/${name}/${n}`).sort(),
    );
    expect(resources(s, "aws_secretsmanager_secret_version")).toHaveLength(0);
  });

  it("gives the containers every secret by reference and never a literal password", () => {
    const task = only(s, "aws_ecs_task_definition");
    const [container] = JSON.parse(task.container_definitions);
    const secretNames = container.secrets.map((x: { name: string }) => x.name);
    expect(secretNames).toEqual(
      expect.arrayContaining(["DATABASE_USERNAME", "DATABASE_PASSWORD", ...s.env.secrets]),
    );
    for (const secret of container.secrets) expect(secret.valueFrom).toMatch(/^\$\{/);
    const envNames = container.environment.map((x: { name: string }) => x.name);
    for (const n of secretNames) expect(envNames).not.toContain(n);
    // Nothing in the whole configuration sets a password value.
    expect(s.text).not.toMatch(/"(master_)?password"\s*:/);
    expect(s.text).not.toMatch(/"secret_string"\s*:/);
    expect(only(s, "aws_db_instance").manage_master_user_password).toBe(true);
  });

  it("does not expose the database", () => {
    const db = only(s, "aws_db_instance");
    expect(db).toMatchObject({ publicly_accessible: false, storage_encrypted: true });
    const dbIngress = (
      resources(s, "aws_vpc_security_group_ingress_rule") as Array<Record<string, any>>
    ).filter((r) => r.from_port === 5432);
    expect(dbIngress).toHaveLength(1);
    expect(dbIngress[0].referenced_security_group_id).toBeDefined();
    expect(dbIngress[0].cidr_ipv4).toBeUndefined();
  });

  it("protects production data and lets non-production environments be torn down", () => {
    const db = only(s, "aws_db_instance");
    expect(db.deletion_protection).toBe(s.env.database.deletionProtection);
    expect(db.skip_final_snapshot).toBe(!s.env.database.deletionProtection);
  });
});

describe("production", () => {
  it("is served at https://myamazingapp.cdlib.org from the existing cdlib.org zone", () => {
    const s = synthEnvironment("production");
    expect(s.env.domain.name).toBe("myamazingapp.cdlib.org");
    expect(Object.values(s.json.data?.aws_route53_zone ?? {})).toEqual([
      expect.objectContaining({ name: "cdlib.org" }),
    ]);
    expect(only(s, "aws_db_instance")).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
    });
  });
});
