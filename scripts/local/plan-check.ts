/**
 * Reading `terraform show -json` plans for the local deploy: what would change.
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

/** Every planned change, as `address (action)`; an empty list means the plan changes nothing. */
export function plannedChanges(plan: PlanJson): string[] {
  return (plan.resource_changes ?? [])
    .filter((rc) => !(rc.change.actions.length === 1 && ["no-op", "read"].includes(rc.change.actions[0])))
    .map((rc) => `${rc.address} (${rc.change.actions.join("+")})`);
}
