/**
 * Rhino Security Labs' 21 AWS privilege-escalation methods ("AWS IAM Privilege Escalation - Methods and
 * Mitigation", and their aws_escalate.py), each as the requests an attacker makes in turn. A method succeeds for
 * a victim when every step is allowed (each with the context the attacker would choose); it must succeed for no
 * victim. Victims: the account's administrator roles, users, groups and policies; another application's, the
 * other environment's and the name-extending environment's roles, policies, functions and endpoints; the
 * environment's protected roles and policies; one of its ordinary roles.
 */
import type { Request } from "../../rules/iam/authorize";
import { statementsOf } from "../../rules/iam/policy";
import { type Context, decide } from "./battery";
import type { Actor, Target, World } from "./world";

/** What a method escalates through. */
export type VictimKind = "policy" | "role" | "user" | "group" | "function" | "dev endpoint";

export interface Step {
  readonly action: string;
  readonly target: Target;
  /** The contexts the attacker may send; the step is allowed if any is. */
  readonly contexts: readonly Context[];
  /** Who makes the request, when not the attacker's role itself. */
  readonly as?: Actor;
}

export interface Method {
  readonly name: string;
  readonly victims: VictimKind;
  /**
   * The environment's ordinary role is no victim of this method: rewriting its trust policy is deploying, and what
   * it then reaches stays capped by the boundary (design decision 1's documented residual risk).
   */
  readonly notOrdinaryRole?: boolean;
  readonly steps: (world: World, attacker: Actor, victim: Target) => Step[];
}

const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

/** A principal the attacker holds in an account of its own, allowed everything there. */
const OUTSIDER: Actor = {
  label: "the attacker's own account",
  principal: {
    arn: "arn:aws:iam::999999999999:role/attacker",
    identity: statementsOf(
      { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      "attacker's own policy",
    ),
  },
};

/** A resource the attacker creates inside its own environment, tagged as the environment's (worst case). */
function own(world: World, arn: string, label: string): Target {
  return { arn, label, owner: world.owner("env"), tags: world.tags };
}

function ownTags(world: World): Context {
  return {
    "aws:requesttag/application": world.application,
    "aws:requesttag/environment": world.environment,
    "aws:tagkeys": ["application", "environment"],
  };
}

const passRole =
  (to: string) =>
  (_world: World, _: Actor, victim: Target): Step => ({
    action: "iam:PassRole",
    target: victim,
    contexts: [{ "iam:passedtoservice": to }],
  });

/** Assuming the victim role, unless it is the attacker itself. */
function assume(attacker: Actor, victim: Target): Step[] {
  return victim.arn === attacker.principal.arn
    ? []
    : [{ action: "sts:AssumeRole", target: victim, contexts: [{}] }];
}

function onVictim(action: string, extra: Context = {}) {
  return (_: World, __: Actor, victim: Target): Step => ({
    action,
    target: victim,
    contexts: [
      { ...(victim.boundaryArn ? { "iam:permissionsboundary": victim.boundaryArn } : {}), ...extra },
    ],
  });
}

function lambdaFunction(world: World): Target {
  return own(
    world,
    `arn:aws:lambda:${world.region}:${world.account}:function:${world.prefix}-escalate`,
    "a new function",
  );
}

export const METHODS: readonly Method[] = [
  {
    name: "1 CreateNewPolicyVersion",
    victims: "policy",
    steps: (w, a, v) => [onVictim("iam:CreatePolicyVersion")(w, a, v)],
  },
  {
    name: "2 SetExistingDefaultPolicyVersion",
    victims: "policy",
    steps: (w, a, v) => [onVictim("iam:SetDefaultPolicyVersion")(w, a, v)],
  },
  {
    name: "3 CreateEC2WithExistingIP (PassRole + RunInstances)",
    victims: "role",
    steps: (w, a, v) => [
      passRole("ec2.amazonaws.com")(w, a, v),
      {
        action: "ec2:RunInstances",
        target: own(w, `arn:aws:ec2:${w.region}:${w.account}:instance/*`, "a new instance"),
        contexts: [ownTags(w)],
      },
    ],
  },
  {
    name: "4 CreateAccessKey",
    victims: "user",
    steps: (w, a, v) => [onVictim("iam:CreateAccessKey")(w, a, v)],
  },
  {
    name: "5 CreateLoginProfile",
    victims: "user",
    steps: (w, a, v) => [onVictim("iam:CreateLoginProfile")(w, a, v)],
  },
  {
    name: "6 UpdateLoginProfile",
    victims: "user",
    steps: (w, a, v) => [onVictim("iam:UpdateLoginProfile")(w, a, v)],
  },
  {
    name: "7 AttachUserPolicy",
    victims: "user",
    steps: (w, a, v) => [onVictim("iam:AttachUserPolicy", { "iam:policyarn": ADMIN })(w, a, v)],
  },
  {
    name: "8 AttachGroupPolicy",
    victims: "group",
    steps: (w, a, v) => [onVictim("iam:AttachGroupPolicy", { "iam:policyarn": ADMIN })(w, a, v)],
  },
  {
    name: "9 AttachRolePolicy (+ AssumeRole)",
    victims: "role",
    steps: (w, a, v) => [
      onVictim("iam:AttachRolePolicy", { "iam:policyarn": ADMIN })(w, a, v),
      ...assume(a, v),
    ],
  },
  { name: "10 PutUserPolicy", victims: "user", steps: (w, a, v) => [onVictim("iam:PutUserPolicy")(w, a, v)] },
  {
    name: "11 PutGroupPolicy",
    victims: "group",
    steps: (w, a, v) => [onVictim("iam:PutGroupPolicy")(w, a, v)],
  },
  {
    name: "12 PutRolePolicy (+ AssumeRole)",
    victims: "role",
    steps: (w, a, v) => [onVictim("iam:PutRolePolicy")(w, a, v), ...assume(a, v)],
  },
  {
    name: "13 AddUserToGroup",
    victims: "group",
    steps: (w, a, v) => [onVictim("iam:AddUserToGroup")(w, a, v)],
  },
  {
    // The new trust policy need not trust the attacker's own role (its boundary may refuse it sts:AssumeRole):
    // it may trust any principal the attacker holds outside the boundary, e.g. an account of its own.
    name: "14 UpdateRolePolicyToAssumeIt (UpdateAssumeRolePolicy + AssumeRole)",
    victims: "role",
    notOrdinaryRole: true,
    steps: (w, a, v) => [
      onVictim("iam:UpdateAssumeRolePolicy")(w, a, v),
      {
        action: "sts:AssumeRole",
        as: OUTSIDER,
        target: {
          ...v,
          policyKind: "trust",
          policy: statementsOf(
            {
              Statement: [
                { Effect: "Allow", Principal: { AWS: OUTSIDER.principal.arn }, Action: "sts:AssumeRole" },
              ],
            },
            "the attacker's trust policy",
          ),
        },
        contexts: [{}],
      },
    ],
  },
  {
    name: "15 PassExistingRoleToNewLambdaThenInvoke",
    victims: "role",
    steps: (w, a, v) => [
      passRole("lambda.amazonaws.com")(w, a, v),
      { action: "lambda:CreateFunction", target: lambdaFunction(w), contexts: [ownTags(w)] },
      { action: "lambda:InvokeFunction", target: lambdaFunction(w), contexts: [{}] },
    ],
  },
  {
    name: "16 PassExistingRoleToNewLambdaThenTriggerWithDynamo (CreateEventSourceMapping)",
    victims: "role",
    steps: (w, a, v) => [
      passRole("lambda.amazonaws.com")(w, a, v),
      { action: "lambda:CreateFunction", target: lambdaFunction(w), contexts: [ownTags(w)] },
      {
        action: "lambda:CreateEventSourceMapping",
        target: own(w, "*", "an event source mapping"),
        contexts: [ownTags(w)],
      },
    ],
  },
  {
    name: "17 PassExistingRoleToNewGlueDevEndpoint",
    victims: "role",
    steps: (w, a, v) => [
      passRole("glue.amazonaws.com")(w, a, v),
      { action: "glue:CreateDevEndpoint", target: own(w, "*", "a new dev endpoint"), contexts: [ownTags(w)] },
    ],
  },
  {
    name: "18 UpdateExistingGlueDevEndpoint",
    victims: "dev endpoint",
    steps: (w, a, v) => [onVictim("glue:UpdateDevEndpoint")(w, a, v)],
  },
  {
    name: "19 PassExistingRoleToCloudFormation",
    victims: "role",
    steps: (w, a, v) => [
      passRole("cloudformation.amazonaws.com")(w, a, v),
      {
        action: "cloudformation:CreateStack",
        target: own(
          w,
          `arn:aws:cloudformation:${w.region}:${w.account}:stack/${w.prefix}-escalate/*`,
          "a new stack",
        ),
        contexts: [{ ...ownTags(w), "cloudformation:rolearn": v.arn }],
      },
    ],
  },
  {
    name: "20 PassExistingRoleToNewDataPipeline",
    victims: "role",
    steps: (w, a, v) => [
      passRole("datapipeline.amazonaws.com")(w, a, v),
      {
        action: "datapipeline:CreatePipeline",
        target: own(w, "*", "a new pipeline"),
        contexts: [ownTags(w)],
      },
    ],
  },
  {
    name: "21 EditExistingLambdaFunctionWithRole",
    victims: "function",
    steps: (w, a, v) => [onVictim("lambda:UpdateFunctionCode")(w, a, v)],
  },
];

/** The victims of a kind: every owner's but the environment's own ordinary resources, except one ordinary role. */
export function victims(world: World, kind: VictimKind): Target[] {
  const template: Record<VictimKind, [string, string]> = {
    policy: ["iam", "arn:${Partition}:iam::${Account}:policy/${PolicyNameWithPath}"],
    role: ["iam", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"],
    user: ["iam", "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"],
    group: ["iam", "arn:${Partition}:iam::${Account}:group/${GroupNameWithPath}"],
    function: ["lambda", "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}"],
    "dev endpoint": ["glue", "arn:${Partition}:glue:${Region}:${Account}:devEndpoint/${DevEndpointName}"],
  };
  const [service, arn] = template[kind];
  const type = {
    name: kind === "dev endpoint" ? "devendpoint" : kind,
    required: true,
    arn,
    conditionKeys: ["aws:ResourceTag/${TagKey}"],
  };
  const all = world.targetsOf(service, type).filter((t) => t.tags !== undefined || t.owner.key !== "env");
  // The environment's own policies, functions and endpoints are what deploying changes; its ordinary roles are
  // kept (bounded, and assumed only by their services): escalating through one must fail too.
  const ordinaryRole = world.policies.roles.find(
    (r) =>
      !world.protectedTargets.some((t) => t.arn === r.arn) &&
      r.trust.some((s) => (s.principals.Service ?? []).includes("ecs-tasks.amazonaws.com")),
  );
  return [
    ...all.filter((t) => t.owner.key !== "env"),
    ...(kind === "role" && ordinaryRole
      ? [
          {
            arn: ordinaryRole.arn,
            label: `role ${ordinaryRole.name}`,
            owner: world.owner("env"),
            tags: world.tags,
            boundaryArn: ordinaryRole.boundaryArn,
          },
        ]
      : []),
  ];
}

export interface Attempt {
  readonly method: Method;
  readonly actor: Actor;
  readonly victim: Target;
  /** Each step, with the decision for the context that came closest (an allowed one, if any). */
  readonly steps: ReadonlyArray<{
    readonly step: Step;
    readonly request: Request;
    readonly result: ReturnType<typeof decide>;
  }>;
  readonly succeeded: boolean;
}

/** Every method against every victim, as one actor. */
export function attempts(world: World, actor: Actor): { attempts: Attempt[]; evaluated: number } {
  let evaluated = 0;
  const all: Attempt[] = [];
  for (const method of METHODS) {
    const ofMethod = victims(world, method.victims).filter(
      (v) => !(method.notOrdinaryRole && v.owner.key === "env"),
    );
    for (const victim of ofMethod) {
      const steps = method.steps(world, actor, victim).map((step) => {
        const tried = step.contexts.map((context) => {
          const request = {
            action: step.action,
            resource: step.target.arn,
            context: { ...tagsOf(step.target), ...context },
          };
          evaluated++;
          return { step, request, result: decide(world, step.as ?? actor, request, step.target) };
        });
        return tried.find((t) => t.result.decision === "allowed") ?? tried[0];
      });
      all.push({
        method,
        actor,
        victim,
        steps,
        succeeded: steps.every((s) => s.result.decision === "allowed"),
      });
    }
  }
  return { attempts: all, evaluated };
}

function tagsOf(target: Target): Context {
  return Object.fromEntries(
    Object.entries(target.tags ?? {}).map(([k, v]) => [`aws:resourcetag/${k}`.toLowerCase(), v]),
  );
}
