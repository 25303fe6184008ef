/**
 * The pull-request plan comment shows each environment's monthly estimate before and after the change, and the
 * lines that moved: from one plan (its values before and after), cut by the workflow's jq filter
 * (scripts/plan-summary/artifact.jq), which keeps what the estimate reads and nothing sensitive.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { estimatePlanSide, estimateStack } from "../cost/estimate";
import type { Values } from "../cost/resources";
import type { UsageAssumptions } from "../cost/usage";
import { type Io, main } from "../scripts/plan-summary";
import { costOfPlan } from "../scripts/plan-summary/cost";
import { ROOT, synthCheckedIn } from "./environment-stacks";

const FIXTURES = join(__dirname, "fixtures", "plans");
const ARTIFACT_FILTER = join(ROOT, "scripts", "plan-summary", "artifact.jq");
const ATTRIBUTES = join(ROOT, "cost", "plan-attributes.json");

/** The workflow's cut of a plan (scripts/plan-summary/artifact.jq), with the environment's cost context. */
function cut(plan: unknown, cost?: { region: string; usage: UsageAssumptions }): Values {
  const args = ["-c", "--slurpfile", "attributes", ATTRIBUTES, "-f", ARTIFACT_FILTER];
  if (cost) args.splice(1, 0, "--argjson", "cost", JSON.stringify(cost));
  const result = spawnSync("jq", args, { input: JSON.stringify(plan), encoding: "utf8" });
  if (result.error) throw new Error("jq is required (Debian: apt-get install jq)");
  if (result.status !== 0) throw new Error(`jq failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Values;
}

/** The plan-summary command on plans given as JSON, as the workflow's comment job runs it. */
function comment(stacks: Record<string, Values>, extra: string[] = []): string {
  const files = new Map(
    Object.entries(stacks).map(([name, plan]) => [`/plans/${name}.json`, JSON.stringify(plan)]),
  );
  let stdout = "";
  const io: Io = {
    readFile: (path) => files.get(path) ?? readFileSync(path, "utf8"),
    stdout: (text) => (stdout += text),
    stderr: (text) => {
      throw new Error(text);
    },
  };
  expect(main([...Object.keys(stacks).map((name) => `${name}=/plans/${name}.json`), ...extra], io)).toBe(0);
  return stdout;
}

const USAGE: UsageAssumptions = {
  requestsMillionsPerMonth: 0,
  loadBalancerGiBPerMonth: 0,
  natGiBPerMonth: 10,
  logsGiBPerMonth: 0,
  uploadsGiBPerDay: 0,
};

// A real plan (scripts/make-plan-fixtures.sh, "cost"): the database from db.t4g.micro to db.t4g.small in place, a
// NAT gateway and its Elastic IP created; the bucket, topic and security group unchanged.
const raw = JSON.parse(readFileSync(join(FIXTURES, "cost.json"), "utf8")) as Values;
const artifact = cut(raw, { region: "us-east-1", usage: USAGE });

describe("the monthly estimate of a real plan, before and after", () => {
  // Before: db.t4g.micro Single-AZ, 730 h × $0.016, and 20 GiB of gp2 at $0.115.
  const before = 730 * 0.016 + 20 * 0.115; // 13.98
  // After: db.t4g.small at $0.032, the NAT gateway at $0.045 an hour and 10 GiB at $0.045, its address at $0.005.
  const after = 730 * 0.032 + 20 * 0.115 + 730 * 0.045 + 10 * 0.045 + 730 * 0.005; // 62.61

  it("prices the resources as they are and as the plan leaves them", () => {
    const cost = costOfPlan(artifact);
    if (!("comparison" in cost)) throw new Error(cost.unavailable);
    expect(cost.comparison.before.totalUsd).toBeCloseTo(before, 6);
    expect(cost.comparison.after.totalUsd).toBeCloseTo(after, 6);
  });

  it("shows both totals and the change in the comment", () => {
    const text = comment({ "myamazingapp-staging": artifact });
    expect(text).toContain("### Monthly estimate");
    expect(text).toContain("| `myamazingapp-staging` | $13.98 | $62.61 | **+$48.63** (+347.9%) |");
    expect(text).toContain("prices of us-east-1 as published");
  });

  it("lists the lines that moved, each with its amounts before and after, the largest first", () => {
    const text = comment({ "myamazingapp-staging": artifact });
    const rows = text.split("\n").filter((l) => /^\| [A-Z].* \| [+-]\$/.test(l));
    expect(rows).toEqual([
      "| NAT gateway hours (1 × 730 h) | aws_nat_gateway.main[0] | – | $32.85 | +$32.85 |",
      "| RDS db.t4g.micro Single-AZ → RDS db.t4g.small Single-AZ | aws_db_instance.main | $11.68 | $23.36 | +$11.68 |",
      "| Public IPv4 addresses (1 × 730 h) | aws_eip.nat[0] | – | $3.65 | +$3.65 |",
      "| NAT gateway data processed (10 GiB (usage: natGiBPerMonth)) | aws_nat_gateway.main[0] | – | $0.45 | +$0.45 |",
    ]);
    expect(text).toContain("4 lines moved");
  });

  it("keeps in the cut every value the estimate reads: the same estimate as the whole plan", () => {
    const whole = { ...raw, cost_context: artifact.cost_context };
    const options = { region: "us-east-1", usage: USAGE };
    for (const side of ["before", "after"] as const) {
      expect(estimatePlanSide(artifact, side, options).lines).toEqual(
        estimatePlanSide(whole, side, options).lines,
      );
    }
  });

  it("leaves out of the cut every value Terraform marks sensitive, and what the estimate does not read", () => {
    expect(JSON.stringify(raw)).toContain("fixture-only-not-a-secret");
    const text = JSON.stringify(artifact);
    expect(text).not.toContain("fixture-only-not-a-secret");
    const db = (artifact.resource_changes as Values[]).find((c) => c.address === "aws_db_instance.main");
    expect(Object.keys(db?.change.before)).not.toContain("password");
    expect(Object.keys(db?.change.before)).not.toContain("username");
    expect(db?.change.after.instance_class).toBe("db.t4g.small");
  });
});

describe("the estimate of the environments' own stacks through the cut", () => {
  /** A plan that creates every resource of a synthesized stack: `after` holds the stack's values. */
  const creating = (stack: Values) => ({
    format_version: "1.2",
    resource_changes: Object.entries<Values>(stack.resource).flatMap(([type, byName]) =>
      Object.entries<Values>(byName).map(([name, values]) => ({
        address: `${type}.${name}`,
        type,
        mode: "managed",
        change: { actions: ["create"], before: null, after: values },
      })),
    ),
  });

  it.each(["production", "staging"])(
    "%s: the cut keeps every attribute the estimate reads (plan-attributes.json is complete)",
    (name) => {
      const { env, text } = synthCheckedIn(name);
      const stack = JSON.parse(text) as Values;
      const options = { region: env.region, usage: env.cost.usage };
      const planned = estimatePlanSide(cut(creating(stack), options), "after", options);
      const synthesized = estimateStack(stack, options);
      expect(planned.lines).toEqual(synthesized.lines);
      expect(planned.totalUsd).toBeGreaterThan(0);
    },
  );

  it("production with one NAT gateway instead of three: the NAT hours and two addresses move", () => {
    const { env, text } = synthCheckedIn("production");
    const base = JSON.parse(text) as Values;
    const options = { region: env.region, usage: env.cost.usage };
    const single = structuredClone(base);
    for (const type of ["aws_nat_gateway", "aws_eip"])
      for (const name of Object.keys(single.resource[type]))
        if (!/-0_/.test(name)) delete single.resource[type][name];
    const plan = {
      format_version: "1.2",
      resource_changes: [
        ...new Set([...Object.keys(base.resource), ...Object.keys(single.resource)]),
      ].flatMap((type) =>
        Object.keys(base.resource[type] ?? {}).map((name) => {
          const after = single.resource[type]?.[name] ?? null;
          return {
            address: `${type}.${name}`,
            type,
            mode: "managed",
            change: { actions: after ? ["no-op"] : ["delete"], before: base.resource[type][name], after },
          };
        }),
      ),
    };
    const text2 = comment({ "myamazingapp-production": cut(plan, options) });
    // Two NAT gateways (2 × 730 h × $0.045 = $65.70) and their two addresses (2 × 730 h × $0.005 = $7.30).
    expect(text2).toMatch(/\| `myamazingapp-production` \| \$[\d,.]+ \| \$[\d,.]+ \| \*\*-\$73\.00\*\*/);
    expect(text2).toContain(
      "| NAT gateway hours (3 × 730 h → 1 × 730 h) | aws_nat_gateway ×3 | $98.55 | $32.85 | -$65.70 |",
    );
    expect(text2).toContain("| Public IPv4 addresses (6 × 730 h → 4 × 730 h) |");
  });
});

describe("a plan without an estimate says why", () => {
  it("a plan cut without the environment's cost context", () => {
    const text = comment({ "myamazingapp-staging": cut(raw) });
    expect(text).toContain(
      "| `myamazingapp-staging` | – | – | no estimate: the plan carries no cost context",
    );
  });

  it("a plan cut by the earlier filter, which kept no values", () => {
    const old = JSON.parse(readFileSync(join(FIXTURES, "local-stack.json"), "utf8")) as Values;
    const text = comment({ "myamazingapp-local": { ...old, cost_context: artifact.cost_context } });
    expect(text).toContain("no estimate: the plan carries no resource values before and after the change");
  });

  it("a region the price table lacks, named with the regions it has", () => {
    const elsewhere = {
      ...artifact,
      cost_context: { ...(artifact.cost_context as Values), region: "eu-west-1" },
    };
    expect(comment({ s: elsewhere })).toContain(
      "no prices for region eu-west-1; it has us-east-1, us-west-2",
    );
  });

  it("a failed plan", () => {
    const text = comment({ "myamazingapp-staging": artifact }, ["--failed=myamazingapp-production"]);
    expect(text).toContain("| `myamazingapp-production` | – | – | plan failed |");
  });
});

describe("the pull-request workflow", () => {
  it("cuts each plan with the filter and the attributes the estimate reads, and adds the environment's cost context", () => {
    // The plan jobs run scripts/ci/stack.sh, which cuts the plan; each names its environment's file.
    const script = readFileSync(join(ROOT, "scripts", "ci", "stack.sh"), "utf8");
    expect(script).toContain(
      '--slurpfile attributes "$ROOT/cost/plan-attributes.json" --argjson cost "$cost"',
    );
    expect(script).toContain('-f "$ROOT/scripts/plan-summary/artifact.jq"');
    expect(script).toContain(`cost="$(jq -c '{region, usage: .cost.usage}' "$environment")"`);
    const workflow = readFileSync(join(ROOT, ".github", "workflows", "pull-request.yml"), "utf8");
    expect(workflow).toContain('"environments/$ENV_NAME.json"');
  });
});
