/**
 * The access data (constructs/access/) checked against the AWS Service Authorization Reference (iam-data): a
 * condition key AWS does not evaluate for an action and resource type makes an Allow never apply (the deploy
 * fails in AWS) or a Deny always apply, and the emulator would never tell. So every statement made from the data
 * is checked: each action exists; each reaches a resource type it authorizes; each condition key is one AWS
 * evaluates for every action and resource type the statement reaches; request tags authorize only the resource a
 * call creates; and an action the data grants on `*` is one AWS authorizes only there.
 */
import { SERVICE_ACCESS } from "../constructs/access";
import {
  BOUNDARY_UNSCOPED,
  boundaryStatements,
  DATA_READS,
  deployStatements,
  IAM_WRITES,
  planStatements,
} from "../constructs/access/derive";
import type { AccessScope } from "../constructs/access/types";
import type { PolicyStatement } from "../constructs/iam";
import { wildcardMatch } from "../rules/iam/actions";
import { buildEnvironmentStack, ROOT } from "./environment-stacks";
import { actionsOf, conditionKeys, keyIn, reaches, type SarAction, sarActions } from "./sar";

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : ([] as string[]).concat(v);

/** Every action a statement names, resolved through the Reference (patterns expanded). */
const actionsOfStatement = (st: PolicyStatement): SarAction[] => list(st.Action).flatMap(sarActions);

/** The boundary's coarse scopes grant `service:*`: their condition, by design, lets only some actions through. */
const COARSE = new Set(["Named", "Tagged"]);

const scopes: Array<[string, AccessScope]> = ["production", "staging"].map((env) => [
  env,
  buildEnvironmentStack(`${ROOT}/environments/${env}.json`).stack.access,
]);

/** Every statement made from the data, for one environment, with the policy it is in. */
function statementsOf(scope: AccessScope): Array<[string, PolicyStatement]> {
  return [
    ...deployStatements(scope).map((st): [string, PolicyStatement] => ["deploy", st]),
    ...planStatements(scope).map((st): [string, PolicyStatement] => ["plan", st]),
    ...boundaryStatements(scope).map((st): [string, PolicyStatement] => ["boundary", st]),
  ];
}

const named = (policy: string, st: PolicyStatement) => `${policy}/${st.Sid ?? "?"}`;

describe.each(scopes)("the %s policies made from the access data", (_env, scope) => {
  const statements = statementsOf(scope);

  it("name only actions AWS has", () => {
    const unknown = statements.flatMap(([policy, st]) =>
      [...list(st.Action), ...list(st.NotAction)]
        .filter((a) => sarActions(a).length === 0)
        .map((a) => `${named(policy, st)}: ${a}`),
    );
    expect(unknown).toEqual([]);
  });

  it("name IAM resources as IAM accepts them: a resource type first, never a wildcard in its place", () => {
    // IAM refuses such a policy (MalformedPolicyDocument: "IAM resource path must either be "*" or start with
    // user/, ... role/, ..."), and so does the emulator.
    const types =
      /^(user|federated-user|role|group|instance-profile|mfa|server-certificate|policy|sms-mfa|saml-provider|oidc-provider|report|access-report)\//;
    const malformed = statements.flatMap(([policy, st]) =>
      [...list(st.Resource), ...list(st.NotResource)]
        .filter((r) => r.startsWith("arn:aws:iam::"))
        .filter((r) => {
          const resource = r.split(":").slice(5).join(":");
          return resource !== "*" && !types.test(resource);
        })
        .map((r) => `${named(policy, st)}: ${r}`),
    );
    expect(malformed).toEqual([]);
  });

  it("grant each action on a resource type it authorizes (or on * where it takes none)", () => {
    const dead = statements
      .filter(([, st]) => st.Effect === "Allow" && !COARSE.has(st.Sid ?? ""))
      .flatMap(([policy, st]) => {
        const resources = list(st.Resource);
        return actionsOfStatement(st)
          .filter((a) =>
            a.resourceTypes.length === 0
              ? !resources.includes("*")
              : !a.resourceTypes.some((rt) => resources.some((r) => reaches(r, rt))),
          )
          .map((a) => `${named(policy, st)}: ${a.name} on ${resources.join(", ")}`);
      });
    expect(dead).toEqual([]);
  });

  it("use only condition keys AWS evaluates for every action and resource type they reach", () => {
    const unsupported = statements
      .filter(([, st]) => st.Condition && !COARSE.has(st.Sid ?? ""))
      .flatMap(([policy, st]) => {
        const resources = st.NotResource ? ["*"] : list(st.Resource);
        return actionsOfStatement(st).flatMap((a) => {
          const reached = a.resourceTypes.filter((rt) => resources.some((r) => reaches(r, rt)));
          const supported = (key: string) =>
            reached.length === 0
              ? keyIn(key, a.actionKeys)
              : reached.every((rt) => keyIn(key, [...a.actionKeys, ...rt.rowKeys, ...rt.typeKeys]));
          return conditionKeys(st.Condition)
            .filter((key) => !supported(key))
            .map((key) => `${named(policy, st)}: ${a.name} does not evaluate ${key}`);
        });
      });
    expect(unsupported).toEqual([]);
  });

  it("let request tags authorize only the resource a call creates, never one it names that exists", () => {
    const existing = statements
      .filter(([, st]) =>
        conditionKeys(st.Condition).some((k) => k.toLowerCase().startsWith("aws:requesttag/")),
      )
      .flatMap(([policy, st]) =>
        actionsOfStatement(st).flatMap((a) =>
          a.resourceTypes
            .filter((rt) => list(st.Resource).some((r) => reaches(r, rt)))
            .filter((rt) => !keyIn("aws:RequestTag/application", rt.rowKeys))
            .map((rt) => `${named(policy, st)}: ${a.name} on an existing ${rt.name}`),
        ),
      );
    expect(existing).toEqual([]);
  });
});

describe("the actions the data grants on every resource", () => {
  const unscoped = SERVICE_ACCESS.flatMap((s) => s.unscoped ?? []);

  it("are ones AWS authorizes only on *, each with its reason", () => {
    const scoped = unscoped
      .filter((u) => sarActions(u.action).some((a) => a.resourceTypes.some((rt) => rt.required)))
      .map((u) => u.action);
    expect(scoped).toEqual([]);
    for (const u of unscoped) expect(u.why.length).toBeGreaterThan(10);
  });

  it("are all within the boundary's patterns, and the patterns reach no data and no credential", () => {
    const outside = unscoped
      .map((u) => u.action)
      .filter((a) => !BOUNDARY_UNSCOPED.some((p) => wildcardMatch(p, a)));
    expect(outside).toEqual([]);
    const dataOrCredentials = [
      ...DATA_READS.objects,
      ...DATA_READS.parameters,
      ...DATA_READS.everywhere,
      "ec2:GetPasswordData",
      "sts:AssumeRole",
      "iam:CreateAccessKey",
    ];
    const reached = BOUNDARY_UNSCOPED.flatMap((p) =>
      sarActions(p).filter((a) => dataOrCredentials.some((d) => wildcardMatch(d, a.name))),
    ).map((a) => a.name);
    // DescribeInstanceAttribute (an instance's user data) matches ec2:Describe*; the boundary denies it by name.
    expect(reached).toEqual(["ec2:DescribeInstanceAttribute"]);
    expect(JSON.stringify(boundaryStatements(scopes[0][1]).find((s) => s.Sid === "NoCredentials"))).toContain(
      "ec2:DescribeInstanceAttribute",
    );
  });
});

describe("IAM_WRITES, what the boundary refuses on the access layer", () => {
  const iam = actionsOf("iam");
  const matched = (a: SarAction) => IAM_WRITES.some((p) => wildcardMatch(p, a.name));

  it("is every IAM action that changes something, but PassRole", () => {
    const missed = iam
      .filter((a) => !/^(Read|List)$/.test(a.accessLevel) && a.name !== "iam:PassRole")
      .filter((a) => !matched(a))
      .map((a) => a.name);
    expect(missed).toEqual([]);
  });

  it("leaves the reads a plan makes (Get*, List*) alone", () => {
    expect(iam.filter((a) => /^iam:(Get|List)/.test(a.name) && matched(a)).map((a) => a.name)).toEqual([]);
  });
});
