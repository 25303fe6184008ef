/**
 * The policy rules (rules/): every rule passes the checked-in stacks and fires, at the right resource, on each
 * precise way of breaking what it checks (test/rules/<family>.ts); the synth refuses a stack with a finding
 * and writes nothing; the suppressions are few, reasoned and all in use.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { synthAtomically } from "../config/outdir";
import {
  checkStack,
  covers,
  describe as describeFinding,
  enforceOnSynthOutput,
  enforcePolicies,
  PolicyViolation,
} from "../rules/check";
import { ALL_RULES, RULE_FAMILIES, type RuleFamily } from "../rules/index";
import { SUPPRESSIONS } from "../rules/suppressions";
import { appStackName } from "../stacks/names";
import { deliveryCases } from "./rules/delivery";
import { ecrCases } from "./rules/ecr";
import { ecsCases } from "./rules/ecs";
import {
  type Case,
  editable,
  type Environment,
  type FamilyRuleId,
  reportOf,
  stackText,
} from "./rules/harness";
import { iamCases } from "./rules/iam";
import { kmsCases } from "./rules/kms";
import { loadBalancerCases } from "./rules/load-balancer";
import { logsCases } from "./rules/logs";
import { messagingCases } from "./rules/messaging";
import { monitoringCases } from "./rules/monitoring";
import { networkCases } from "./rules/network";
import { rdsCases } from "./rules/rds";
import { s3Cases } from "./rules/s3";
import { schedulerCases } from "./rules/scheduler";
import { secretsCases } from "./rules/secrets";

/** Every rule of every family has its cases: a new rule without them does not compile. */
const CASES: { [F in RuleFamily]: Record<FamilyRuleId<F>, Case> } = {
  iam: iamCases,
  s3: s3Cases,
  rds: rdsCases,
  ecr: ecrCases,
  ecs: ecsCases,
  monitoring: monitoringCases,
  loadBalancer: loadBalancerCases,
  logs: logsCases,
  kms: kmsCases,
  messaging: messagingCases,
  secrets: secretsCases,
  delivery: deliveryCases,
  network: networkCases,
  scheduler: schedulerCases,
};

const ENVIRONMENTS: Environment[] = ["production", "staging", "local"];

describe.each(Object.keys(RULE_FAMILIES) as RuleFamily[])("%s rules", (family) => {
  const cases = CASES[family] as Record<string, Case>;
  describe.each(RULE_FAMILIES[family].map((rule) => [rule.id, rule] as const))("%s", (_id, rule) => {
    const c = cases[rule.id];
    const environment = c.environment ?? "production";

    it(`passes the ${environment} stack, and judges at least one resource compliant`, () => {
      const stack = editable(environment);
      c.comply?.(stack);
      const report = reportOf(rule, stack, environment);
      expect(report.findings.map(describeFinding)).toEqual([]);
      expect(report.compliant).toBeGreaterThan(0);
    });

    it.each(c.breaks.map((b) => [b.what, b] as const))("fires when %s", (_what, b) => {
      const stack = editable(environment);
      b.apply(stack);
      const findings = reportOf(rule, stack, environment).findings;
      expect(findings.map((f) => f.path)).toContain(b.at);
      const message = describeFinding(findings.find((f) => f.path === b.at)!);
      expect(message).toContain(`${rule.id}`);
      expect(message).toContain(`${appStackName(environment)}/${b.at}`);
      expect(message).toContain(`Fix: ${rule.fix}`);
    });
  });
});

describe("the rules themselves", () => {
  it("each lives in rules/<id>.ts, says why it matters and how to fix a finding", () => {
    const files = readdirSync(join(__dirname, "..", "rules"));
    for (const rule of ALL_RULES) {
      expect(files).toContain(`${rule.id}.ts`);
      expect(rule.reason.length).toBeGreaterThan(20);
      expect(rule.fix.length).toBeGreaterThan(10);
      expect(rule.resourceTypes.length).toBeGreaterThan(0);
    }
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
  });

  it("are each listed in docs/security.md with the controls they implement", () => {
    const doc = readFileSync(join(__dirname, "..", "docs", "security.md"), "utf8");
    for (const rule of ALL_RULES) {
      const table = doc.slice(doc.indexOf("## The rules")).split("\n");
      const row = table.find((line) => line.startsWith(`| \`${rule.id}\``));
      expect([rule.id, row]).toEqual([rule.id, expect.any(String)]);
      for (const control of [...rule.fsbp.map((c) => `FSBP ${c}`), ...rule.checkov])
        expect(row).toContain(control);
    }
  });

  it("most name the AWS Foundational Security Best Practices or Checkov controls they implement", () => {
    const named = ALL_RULES.filter((r) => r.fsbp.length + r.checkov.length > 0);
    expect(named.length / ALL_RULES.length).toBeGreaterThan(0.8);
    for (const r of ALL_RULES) {
      for (const id of r.fsbp) expect(id).toMatch(/^[A-Za-z0-9]+\.\d+$/);
      for (const id of r.checkov) expect(id).toMatch(/^CKV2?_AWS_\d+$/);
    }
  });
});

describe("the checked-in stacks", () => {
  const reports = () =>
    ENVIRONMENTS.map((environment) => ({
      environment,
      report: checkStack(appStackName(environment), JSON.parse(stackText(environment))),
    }));

  it("have no finding that a suppression does not cover", () => {
    for (const { report } of reports()) expect(report.findings.map(describeFinding)).toEqual([]);
  });

  it("use every suppression at least once (a stale exception is removed, not kept)", () => {
    const used = new Set(reports().flatMap(({ report }) => report.suppressed.map((f) => f.suppression)));
    expect(SUPPRESSIONS.filter((s) => !used.has(s))).toEqual([]);
  });

  it("keep the accepted exceptions to this list, each with a reason (a new one shows in review)", () => {
    expect(SUPPRESSIONS.map((s) => `${s.rule} ${s.resource}${s.stacks ? ` [${s.stacks.join(", ")}]` : ""}`))
      .toMatchInlineSnapshot(`
     [
       "s3-versioning uploads/files/bucket",
       "s3-encrypted-with-kms load-balancer/access-logs/bucket",
       "s3-access-logging load-balancer/access-logs/bucket",
       "secrets-rotated secrets/*",
       "sg-ingress-restricted load-balancer/ingress-80-*",
       "codebuild-not-privileged delivery/build/project",
       "codebuild-not-privileged delivery/promote/project",
       "iam-no-credentials-exposure delivery/promote/policy",
       "iam-no-credentials-exposure delivery/build/policy",
       "logs-kept-a-year ** [myamazingapp-staging, myamazingapp-local, myamazingapp-localwest]",
       "rds-deletion-protection database/postgres [myamazingapp-local, myamazingapp-localwest]",
       "lb-hardened load-balancer/alb [myamazingapp-local, myamazingapp-localwest]",
       "rds-performance-insights database/postgres [myamazingapp-local, myamazingapp-localwest]",
       "rds-enhanced-monitoring database/postgres [myamazingapp-local, myamazingapp-localwest]",
     ]
    `);
    for (const s of SUPPRESSIONS) expect(s.reason.length).toBeGreaterThan(40);
    for (const s of SUPPRESSIONS) expect(ALL_RULES.map((r) => r.id)).toContain(s.rule);
  });

  it("production has no exception scoped to the throw-away environments", () => {
    const production = reports().find((r) => r.environment === "production")!.report;
    const scoped = production.suppressed.filter((f) => f.suppression.stacks !== undefined);
    expect(scoped).toEqual([]);
    const localOnly = reports().find((r) => r.environment === "local")!.report.suppressed;
    expect(localOnly.some((f) => f.suppression.stacks?.includes("myamazingapp-local"))).toBe(true);
  });
});

describe("suppressions", () => {
  const s = { rule: "r", resource: "a/*/c", reason: "x" };

  it("match a path glob: * within one segment, ** across segments", () => {
    expect(covers(s, "st", "r", "a/b/c")).toBe(true);
    expect(covers(s, "st", "r", "a/b/x/c")).toBe(false);
    expect(covers({ ...s, resource: "a/**" }, "st", "r", "a/b/x/c")).toBe(true);
    expect(covers({ ...s, resource: "a.b" }, "st", "r", "aXb")).toBe(false);
  });

  it("match only their rule, and only their stacks when they name some", () => {
    expect(covers(s, "st", "other", "a/b/c")).toBe(false);
    expect(covers({ ...s, stacks: ["dev"] }, "prod", "r", "a/b/c")).toBe(false);
    expect(covers({ ...s, stacks: ["dev"] }, "dev", "r", "a/b/c")).toBe(true);
  });

  it("scoped to the local stack do not excuse production", () => {
    const stack = editable("production");
    stack.block("database/postgres").deletion_protection = false;
    const [rule] = ALL_RULES.filter((r) => r.id === "rds-deletion-protection");
    expect(reportOf(rule, stack, "production").findings).toHaveLength(1);
    expect(reportOf(rule, stack, "local").findings).toHaveLength(0);
  });
});

describe("the synth", () => {
  /** An app with one stack holding a bare bucket: no encryption, no public access block, no TLS policy. */
  const unsafeApp = (outdir: string) => {
    const app = new App({ outdir, stackTraces: false });
    const stack = new TerraformStack(app, "unsafe");
    new AwsProvider(stack, "aws", { region: "us-west-2" });
    new S3Bucket(stack, "bare", { bucket: "bare-bucket" });
    app.synth();
  };

  it("refuses a stack with findings, naming each rule, its controls, the resource and the fix", () => {
    let error: unknown;
    try {
      enforcePolicies({
        [appStackName("production")]: JSON.parse(stackText("production")),
        bare: bareStack(),
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyViolation);
    const message = (error as Error).message;
    expect(message).toMatch(/^\d+ policy finding\(s\):/);
    expect(message).toContain("s3-public-access-blocked (FSBP S3.8");
    expect(message).toContain("bare/bare: no public access block with all four settings true.");
    expect(message).toContain("Fix: ");
    expect(message).not.toContain("myamazingapp-production/");
  });

  it("writes nothing when the policy check fails, and keeps the previous output", () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-synth-"));
    const outdir = join(dir, "cdktf.out");
    try {
      expect(() =>
        synthAtomically(outdir, (tmp) => {
          unsafeApp(tmp);
          enforceOnSynthOutput(tmp);
        }),
      ).toThrow(PolicyViolation);
      expect(readdirSync(dir)).toEqual([]);
      synthAtomically(outdir, (tmp) => {
        const app = new App({ outdir: tmp, stackTraces: false });
        new TerraformStack(app, "empty");
        app.synth();
        enforceOnSynthOutput(tmp);
      });
      expect(() => synthAtomically(outdir, (tmp) => (unsafeApp(tmp), enforceOnSynthOutput(tmp)))).toThrow(
        PolicyViolation,
      );
      expect(readdirSync(dir)).toEqual(["cdktf.out"]);
      expect(existsSync(join(outdir, "stacks", "empty", "cdk.tf.json"))).toBe(true);
      expect(existsSync(join(outdir, "stacks", "unsafe"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A stack of one bare bucket, as Terraform JSON. */
function bareStack() {
  return {
    resource: {
      aws_s3_bucket: { bare: { bucket: "bare-bucket", "//": { metadata: { path: "bare/bare" } } } },
    },
  };
}
