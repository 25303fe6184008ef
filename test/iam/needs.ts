/**
 * What the battery's principals must still be able to do, so that a design that refuses everything cannot pass:
 * the deploy role creates a bounded role under the environment's path, passes the environment's task role to ECS,
 * updates the service and changes its domain's records in the shared zone; the plan role reads the Terraform state; a role the deploy role creates still uses the
 * environment's own objects. (The full list of what deploying needs is the access data's, constructs/access/: the
 * battery takes it over from there once it is the source of the deploy role's policies.)
 */
import type { Request } from "../../rules/iam/authorize";
import { synthesizedElements } from "../../rules/iam/terraform";
import { ACTOR_LABELS, type Target, type World } from "./world";

export interface Need {
  readonly actor: (typeof ACTOR_LABELS)[number];
  readonly what: string;
  readonly request: Request;
  readonly target: Target;
}

export function needs(world: World): Need[] {
  const { account, prefix, iamPath, tags } = world;
  const own = (arn: string, label: string): Target => ({ arn, label, owner: world.owner("env"), tags });
  const resourceTags = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:resourcetag/${k}`, v]));
  const elements = synthesizedElements(world.stack, world.policies.where);
  const first = (type: string, test: (v: Record<string, unknown>) => boolean = () => true) =>
    elements.find((e) => e.mode === "managed" && e.type === type && test(e.values))?.values;
  const service = first("aws_ecs_service");
  const taskRole = world.policies.roles.find(
    (r) =>
      !world.protectedTargets.some((t) => t.arn === r.arn) &&
      r.trust.some((s) => (s.principals.Service ?? []).includes("ecs-tasks.amazonaws.com")),
  );
  const backend = world.stack.config.terraform?.backend?.s3 ?? {};
  const uploads = first("aws_s3_bucket", (v) => String(v.bucket).includes("uploads"));
  const zone = elements.find((e) => e.type === "aws_route53_zone")?.values;
  const newRole = `arn:aws:iam::${account}:role${iamPath}${prefix}-battery-new`;
  const found: Array<Need | undefined> = [
    {
      actor: ACTOR_LABELS[0],
      what: "create a role under the environment's path with its boundary",
      request: {
        action: "iam:CreateRole",
        resource: newRole,
        context: {
          "iam:permissionsboundary": world.boundaryArn,
          "aws:requesttag/application": world.application,
          "aws:requesttag/environment": world.environment,
          "aws:tagkeys": ["application", "environment"],
        },
      },
      target: own(newRole, "a new role"),
    },
    taskRole && {
      actor: ACTOR_LABELS[0],
      what: `pass the task role ${taskRole.name} to ECS tasks`,
      request: {
        action: "iam:PassRole",
        resource: taskRole.arn,
        context: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" },
      },
      target: own(taskRole.arn, `role ${taskRole.name}`),
    },
    service && {
      actor: ACTOR_LABELS[0],
      what: `update the service ${service.name}`,
      request: {
        action: "ecs:UpdateService",
        resource: String(service.id),
        context: { ...resourceTags, "ecs:cluster": String(service.cluster) },
      },
      target: own(String(service.id), "the service"),
    },
    backend.bucket && {
      actor: ACTOR_LABELS[2],
      what: "read the Terraform state",
      request: { action: "s3:GetObject", resource: `arn:aws:s3:::${backend.bucket}/${backend.key}` },
      target: own(`arn:aws:s3:::${backend.bucket}/${backend.key}`, "the state object"),
    },
    world.domain && {
      actor: ACTOR_LABELS[0],
      what: `change the records of ${world.domain} in the shared zone`,
      request: {
        action: "route53:ChangeResourceRecordSets",
        resource: String(zone?.arn),
        context: { "route53:changeresourcerecordsetsnormalizedrecordnames": [world.domain] },
      },
      target: { arn: String(zone?.arn), label: "the shared zone", owner: world.owner("account") },
    },
    uploads && {
      actor: ACTOR_LABELS[1],
      what: "read an object of the environment's uploads bucket",
      request: {
        action: "s3:GetObject",
        resource: `arn:aws:s3:::${uploads.bucket}/file`,
        context: resourceTags,
      },
      target: own(`arn:aws:s3:::${uploads.bucket}/file`, "an upload"),
    },
  ];
  return found.filter((n): n is Need => Boolean(n));
}
