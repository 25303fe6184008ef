/**
 * The generated battery (issue 16, item 2) against the synthesized production and staging stacks: generated from
 * iam-data, not hand-picked (test/iam/battery.ts). Nothing outside the environment may be reachable by the deploy
 * role, by a role it could create with any policy, or by the plan role; inside it, the design's decisions hold
 * (docs/security.md); and the few things deploying needs stay possible, so refusing everything cannot pass.
 * A failure lists each request allowed that must not be, with the statements that allowed it.
 */
import { type Actor } from "./iam/world";
import { StackView } from "../rules/stack-view";
import { describe as describeCall } from "../rules/iam/authorize";
import {
  batteryActions,
  type BatteryAction,
  type BatteryResult,
  type Category,
  decide,
  type Evaluated,
  listed,
  runBattery,
  SERVICES,
  BATTERY_SERVICES,
} from "./iam/battery";
import { attempts, type Attempt, METHODS } from "./iam/escalations";
import { actionsOf } from "./iam/iam-data";
import { needs } from "./iam/needs";
import { ACTOR_LABELS, type OwnerKey, World } from "./iam/world";
import { stackText } from "./rules/harness";

/** Fails with every finding on its own line. */
function expectNone(findings: readonly Evaluated[]): void {
  if (findings.length)
    throw new Error(`${findings.length} requests allowed that must not be:\n${listed(findings)}`);
}

/** Owners outside the environment: [what the test says, the owner's key]. */
const OUTSIDE: Array<[string, OwnerKey]> = [
  ["another application's resources", "other-app"],
  ["the same application's other environment", "other-env"],
  ["an environment whose names start with this one's (<environment>2)", "extended-env"],
  [
    "the account: administrator and SSO roles, users, groups, identity providers, account settings",
    "account",
  ],
];

/** The design's decisions inside the environment: [what the test says, the expectation's category]. */
const INSIDE: Array<[string, Category]> = [
  [
    "changes nothing of the access layer: deploy and plan roles and policies, boundary, execution role, secrets' policies and key",
    "protected",
  ],
  ["gets no STS credentials: AssumeRole*, federation, session and bearer tokens", "sts credentials"],
  ["reads no secret value of the app or the database", "secret values"],
  ["passes the environment's roles only to the services its stack uses", "pass role"],
  ["attaches only the stack's AWS managed policies and the environment's own", "attach policy"],
  [
    "reads no data: no object but the state, no image, log, secret, parameter, message or key use",
    "plan data",
  ],
];

describe.each(["production", "staging"])("the generated battery against the %s stack", (environment) => {
  let world: World;
  let actions: BatteryAction[];
  let result: BatteryResult;
  let escalations: Attempt[];
  let escalationRequests = 0;

  beforeAll(async () => {
    actions = batteryActions(await actionsOf(BATTERY_SERVICES));
    world = new World(
      new StackView(JSON.parse(stackText(environment as "production" | "staging"))),
      "myamazingapp",
      environment,
    );
    result = runBattery(world, actions);
    escalations = world.actors().flatMap((actor: Actor) => {
      const run = attempts(world, actor);
      escalationRequests += run.evaluated;
      return run.attempts;
    });
  });

  it("is generated from iam-data: every permissions-management action of the ten services, IAM's writes, the credential list", () => {
    const byReason = (reason: string) => actions.filter((a) => a.reasons.includes(reason as never)).length;
    const services = new Set(actions.map((a) => a.service));
    for (const service of SERVICES) expect(services).toContain(service);
    expect(byReason("permissions management")).toBeGreaterThan(60);
    expect(byReason("IAM write")).toBeGreaterThan(90);
    expect(actions.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        "iam:UpdateAssumeRolePolicy",
        "kms:PutKeyPolicy",
        "secretsmanager:PutResourcePolicy",
        "sts:AssumeRole",
      ]),
    );
    const line = `${environment}: ${actions.length} actions x their resource types' targets x ${ACTOR_LABELS.length} principals x attacker contexts = ${result.evaluated} requests, plus ${escalationRequests} for ${METHODS.length} escalation methods; ${result.findings.length} findings, ${result.allowedInside} allowed inside the environment`;
    console.log(line);
    expect(result.evaluated).toBeGreaterThan(10_000);
  });

  describe.each(ACTOR_LABELS)("as %s", (actor) => {
    const mine = (f: Evaluated) => f.actor.label === actor;

    it.each(OUTSIDE)("reaches nothing of %s", (_, owner) => {
      expectNone(
        result.findings.filter((f) => mine(f) && f.category === "outside" && f.target.owner.key === owner),
      );
    });

    it.each(INSIDE)("inside the environment: %s", (_, category) => {
      expectNone(result.findings.filter((f) => mine(f) && f.category === category));
    });

    it.each(METHODS.map((m) => [m.name]))(
      "completes Rhino Security Labs' escalation %s for no victim",
      (name) => {
        const succeeded = escalations.filter(
          (e) => e.actor.label === actor && e.method.name === name && e.succeeded,
        );
        const lines = succeeded.map(
          (e) =>
            `victim ${e.victim.label} (${e.victim.owner.label}):\n  ${e.steps.map((s) => describeCall(actor, s.request, s.result)).join("\n  ")}`,
        );
        if (lines.length) throw new Error(`${lines.length} victims:\n${lines.slice(0, 10).join("\n")}`);
      },
    );
  });

  it("checks every finding under one of its tests (a finding no test looks at would pass unseen)", () => {
    const checked = (f: Evaluated) =>
      ACTOR_LABELS.includes(f.actor.label as (typeof ACTOR_LABELS)[number]) &&
      (f.category === "outside"
        ? OUTSIDE.some(([, owner]) => owner === f.target.owner.key)
        : INSIDE.some(([, category]) => category === f.category));
    expect(
      result.findings.filter((f) => !checked(f)).map((f) => `${f.category} ${f.target.owner.key}`),
    ).toEqual([]);
  });

  it("still lets the environment deploy: the deploy role creates a bounded role, passes the task role to ECS, updates the service, changes its domain's records; the plan role reads the state; a created role reads its uploads", () => {
    const listedNeeds = needs(world);
    expect(listedNeeds.map((n) => n.what)).toHaveLength(6);
    const refused = listedNeeds.flatMap((n) => {
      const actor = world.actors().find((a) => a.label === n.actor)!;
      const r = decide(world, actor, n.request, n.target);
      return r.decision === "allowed"
        ? []
        : [`${n.actor} cannot ${n.what}: ${describeCall(actor.principal.arn, n.request, r)}`];
    });
    expect(refused).toEqual([]);
  });
});
