/**
 * The choices that move an environment's estimate most, each made on a copy of the environment and estimated by
 * the same tool: a setting changed and the stack synthesized again, or, for what no setting says yet, the
 * synthesized stack changed the way such a setting would change it.
 */
import type { EnvironmentConfig } from "../../config/environment";
import type { Values } from "../../cost/resources";
import type { UsageAssumptions } from "../../cost/usage";

export interface Variant {
  /** The environment it is a variant of. */
  readonly environment: string;
  /** What changes, for the reader. */
  readonly change: string;
  /** The setting and its new value, or what it would take where there is no setting. */
  readonly setting: string;
  /** What the saving costs (or the cost buys). */
  readonly tradeOff: string;
  /** The settings changed; the stack is synthesized again. */
  readonly env?: (env: EnvironmentConfig) => EnvironmentConfig;
  /** The synthesized stack changed (a copy), where no setting says it yet. */
  readonly stack?: (stack: Values) => Values;
  /** The usage assumed changed. */
  readonly usage?: (usage: UsageAssumptions) => UsageAssumptions;
}

/** The AWS services the tasks reach through the NAT gateways that an interface endpoint could serve instead. */
export const ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssmmessages"];

/** Interface endpoints for ENDPOINT_SERVICES in the subnets the web service runs in. */
export function withInterfaceEndpoints(stack: Values): Values {
  const service = Object.values<Values>(stack.resource?.aws_ecs_service ?? {})[0];
  const network = Array.isArray(service?.network_configuration)
    ? service.network_configuration[0]
    : service?.network_configuration;
  const subnets: unknown[] = network?.subnets ?? [];
  stack.resource.aws_vpc_endpoint = {
    ...stack.resource.aws_vpc_endpoint,
    ...Object.fromEntries(
      ENDPOINT_SERVICES.map((s) => [
        `variant_${s.replace(/\./g, "-")}`,
        { vpc_endpoint_type: "Interface", service_name: `com.amazonaws.region.${s}`, subnet_ids: subnets },
      ]),
    ),
  };
  return stack;
}

/** Every database of the stack in one Availability Zone. */
export function singleAzDatabases(stack: Values): Values {
  for (const db of Object.values<Values>(stack.resource?.aws_db_instance ?? {})) db.multi_az = false;
  return stack;
}

export const VARIANTS: readonly Variant[] = [
  {
    environment: "production",
    change: "One NAT gateway instead of one per Availability Zone",
    setting: '`network.natGateways: "single"`',
    tradeOff:
      "when that gateway's zone fails, the tasks in the other zones lose the internet (mail, ORCID, AWS APIs without an endpoint); traffic from the other zones crosses zones",
    env: (env) => ({ ...env, network: { ...env.network, natGateways: "single" } }),
  },
  {
    environment: "production",
    change: `Interface VPC endpoints for ${ENDPOINT_SERVICES.join(", ")} in each zone of the service`,
    setting: "no setting yet (network.ts makes the S3 gateway endpoint only)",
    tradeOff:
      "fixed hourly charges per endpoint and zone; they pay for themselves only when enough of the NAT traffic is to those services (below)",
    stack: withInterfaceEndpoints,
  },
  {
    environment: "production",
    change: "A burstable database class",
    setting: '`database.instanceClass: "db.t4g.large"`',
    tradeOff:
      "the same memory, but CPU above its baseline spends credits: fine for a quiet app, slow under sustained load",
    env: (env) => ({ ...env, database: { ...env.database, instanceClass: "db.t4g.large" } }),
  },
  {
    environment: "staging",
    change: "A Single-AZ database",
    setting: "no setting yet (database.ts always sets multi_az), and an exception in rules/suppressions.ts",
    tradeOff: "staging is down while its database's zone is, and during maintenance that Multi-AZ hides",
    stack: singleAzDatabases,
  },
  {
    environment: "production",
    change: "Half the task size: 0.5 vCPU and 1 GiB",
    setting: "`service.cpu: 512`, `service.memory: 1024`",
    tradeOff: "each task serves fewer requests at once; autoscaling adds tasks sooner",
    env: (env) => ({ ...env, service: { ...env.service, cpu: 512, memory: 1024 } }),
  },
  {
    environment: "production",
    change: "A third task at rest, one in each zone (two is the least a service may run)",
    setting: "`service.minCount: 3`",
    tradeOff: "what each task at rest costs; one fewer saves as much, down to the floor of two",
    env: (env) => ({ ...env, service: { ...env.service, minCount: 3 } }),
  },
  {
    environment: "production",
    change: "CloudWatch keeps logs 30 days instead of 365 (the S3 archive still keeps them a year)",
    setting: "`logRetentionDays: 30`",
    tradeOff: "searching older logs means the archive on S3 (Athena or a download), not Logs Insights",
    env: (env) => ({ ...env, logRetentionDays: 30 }),
  },
  {
    environment: "production",
    change: "Twice the log volume",
    setting: "`cost.usage.logsGiBPerMonth` doubled (what the app writes)",
    tradeOff: "every GiB of logs is ingested, kept, sent through Firehose and archived",
    usage: (u) => ({ ...u, logsGiBPerMonth: u.logsGiBPerMonth * 2 }),
  },
  {
    environment: "production",
    change: "Twice the data through the NAT gateways",
    setting: "`cost.usage.natGiBPerMonth` doubled",
    tradeOff:
      "every GiB the tasks send out is charged by the NAT gateway (and by the internet, where it goes there)",
    usage: (u) => ({ ...u, natGiBPerMonth: u.natGiBPerMonth * 2 }),
  },
];
