/**
 * Build once, promote: an environment whose `delivery.promoteFrom` names another releases the image that
 * environment released, never a rebuild. Which environment promotes from which is a relation between settings
 * files, so it is checked here, over all of them, before any construct is built.
 */
import type { EnvironmentConfig } from "./environment";

/** An environment as the other end of a promotion sees it. */
export interface PromotionPeer {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
}

/** Where an environment's images come from, and who takes its released images. */
export interface Promotion {
  /** The environment whose released images this one deploys (its repository is pulled across accounts). */
  readonly from?: PromotionPeer;
  /** The environments that promote this one's released images (they may pull from its repository). */
  readonly to: PromotionPeer[];
}

const peer = (env: EnvironmentConfig): PromotionPeer => ({
  environment: env.name,
  account: env.account,
  region: env.region,
});

/** Problems of the promotions between environments, one line each, naming the file's setting. */
export function promotionProblems(environments: readonly EnvironmentConfig[]): string[] {
  const byName = new Map(environments.map((e) => [e.name, e]));
  const problems: string[] = [];
  for (const env of environments) {
    const source = env.delivery?.promoteFrom;
    if (source === undefined) continue;
    const where = `environments/${env.name}.json: delivery.promoteFrom`;
    const candidates = environments
      .filter((e) => e.delivery && e.name !== env.name && !e.emulator)
      .map((e) => e.name);
    const from = byName.get(source);
    if (source === env.name)
      problems.push(`${where}: an environment cannot promote from itself; allowed: ${candidates.join(", ")}`);
    else if (!from) problems.push(`${where}: no environment "${source}"; allowed: ${candidates.join(", ")}`);
    else if (!from.delivery)
      problems.push(`${where}: "${source}" has no delivery section, so it releases nothing to promote`);
    else if (from.region !== env.region) {
      problems.push(
        `${where}: "${source}" is in ${from.region}, ${env.name} in ${env.region}; promotion copies within one region`,
      );
    }
  }
  return problems;
}

/** The promotion of one environment among all: where its images come from, and who takes its own. */
export function promotionOf(env: EnvironmentConfig, environments: readonly EnvironmentConfig[]): Promotion {
  const source = env.delivery?.promoteFrom;
  const from = source === undefined ? undefined : environments.find((e) => e.name === source);
  return {
    ...(from ? { from: peer(from) } : {}),
    to: environments.filter((e) => e.delivery?.promoteFrom === env.name).map(peer),
  };
}
