/**
 * Reading `terraform show -json` plans for the local deploy: what would change, and whether the only change
 * is the one known emulator quirk that a second apply settles.
 */

interface ResourceChange {
  address: string;
  type: string;
  change: {
    actions: string[];
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  };
}

export interface PlanJson {
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, { actions: string[] }>;
}

/**
 * Settings moto ignores when it creates a resource but stores when Terraform updates it, so the first plan
 * after the first apply shows exactly these updates once (observed with moto 5.2): security group rules that
 * reference another group lose their description. (The ECS service fields moto drops on create are kept by
 * the project's launcher, scripts/emulator/moto_server.py.) Nothing else is tolerated.
 */
export const KNOWN_CREATE_QUIRKS: Readonly<Record<string, readonly string[]>> = {
  aws_vpc_security_group_ingress_rule: ["description"],
  aws_vpc_security_group_egress_rule: ["description"],
};

/** Every planned change, as `address (action)`; an empty list means the plan changes nothing. */
export function plannedChanges(plan: PlanJson): string[] {
  return (plan.resource_changes ?? [])
    .filter((rc) => !(rc.change.actions.length === 1 && ["no-op", "read"].includes(rc.change.actions[0])))
    .map((rc) => `${rc.address} (${rc.change.actions.join("+")})`);
}

/** Attributes whose planned value differs from the current one, for an in-place update. */
export function changedAttributes(rc: ResourceChange): string[] {
  const before = rc.change.before ?? {};
  const after = rc.change.after ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => k in after && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/**
 * True when every planned change is a known create quirk: an in-place update of a listed type that touches
 * only its listed attributes. Any other change, anywhere, makes this false.
 */
export function onlyKnownCreateQuirks(plan: PlanJson): boolean {
  const changes = (plan.resource_changes ?? []).filter(
    (rc) => !(rc.change.actions.length === 1 && ["no-op", "read"].includes(rc.change.actions[0])),
  );
  if (changes.length === 0) return false;
  return changes.every(
    (rc) =>
      rc.change.actions.join() === "update" &&
      changedAttributes(rc).every((a) => (KNOWN_CREATE_QUIRKS[rc.type] ?? []).includes(a)),
  );
}
