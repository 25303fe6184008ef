/**
 * What an environment is expected to do in a month: the usage the estimate assumes where AWS charges by use.
 * Each environment file states it (`cost.usage`); the estimate prints it beside every total.
 */
export interface UsageAssumptions {
  /** Requests reaching the load balancer, millions a month (web ACL requests; load balancer capacity units). */
  readonly requestsMillionsPerMonth: number;
  /** Data the load balancer carries, requests and responses, GiB a month (capacity units; data out to the internet). */
  readonly loadBalancerGiBPerMonth: number;
  /** Data through the NAT gateways (the tasks' calls to the internet and to AWS services without an endpoint), GiB a month. */
  readonly natGiBPerMonth: number;
  /** Logs written to CloudWatch Logs by all of the environment's log groups (app, flow logs, web ACL, jobs), GiB a month. */
  readonly logsGiBPerMonth: number;
  /** New uploads, GiB a day; each is held until the uploads bucket's lifecycle rule expires it. */
  readonly uploadsGiBPerDay: number;
}

/** Days in the estimate's month (a year of 365 days over 12 months); AWS prices storage by the GB-month. */
export const DAYS_PER_MONTH = 365 / 12;

/** The assumptions in one sentence, for the header of an estimate. */
export function describeUsage(u: UsageAssumptions): string {
  return [
    `${u.requestsMillionsPerMonth} million requests and ${u.loadBalancerGiBPerMonth} GiB through the load balancer`,
    `${u.natGiBPerMonth} GiB through the NAT gateways`,
    `${u.logsGiBPerMonth} GiB of logs`,
    `${u.uploadsGiBPerDay} GiB of uploads a day`,
  ].join(", ");
}
