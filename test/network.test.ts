import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Naming } from "../constructs/naming";
import { Network, type NetworkProps } from "../constructs/network";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const naming = new Naming("myamazingapp", "test");

interface Built {
  readonly synth: Synthesized;
  readonly network: Network;
}

const BASE: Omit<NetworkProps, "naming"> = {
  cidr: "10.42.0.0/16",
  availabilityZones: 2,
  natGateways: "per-az",
  dualStack: true,
  flowLogRetentionDays: 30,
  logEncryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
};

function build(props: Partial<NetworkProps>): Built {
  let network!: Network;
  const synth = synthConstruct((scope) => {
    network = new Network(scope, "network", { naming, ...BASE, ...props });
  });
  return { synth, network };
}

/** `${aws_x.id.attr}` -> `aws_x.id.attr`, for a reference nested in a function call. */
const unwrap = (expression: string) => expression.slice(2, -1);

describe("Network", () => {
  let perAz: Built;
  let single: Built;
  beforeAll(() => {
    perAz = build({ availabilityZones: 3, cidr: "10.41.0.0/16", flowLogRetentionDays: 14 });
    single = build({ natGateways: "single", dualStack: false });
  });

  const subnetsOf = (synth: Synthesized, tier: string) =>
    synth.resources("aws_subnet").filter((s) => s.tags.tier === tier);
  const routeTableId = (synth: Synthesized, name: string) => {
    const entries = Object.entries<Block>(synth.config.resource.aws_route_table);
    const found = entries.filter(([, rt]) => rt.tags.Name === name);
    expect(found).toHaveLength(1);
    return `\${aws_route_table.${found[0][0]}.id}`;
  };
  const privateRouteTableIds = (synth: Synthesized, azs: number) =>
    [...Array(azs).keys()].map((i) => routeTableId(synth, `myamazingapp-test-private-${i}`));

  it("spreads over as many AZs as asked", () => {
    expect(single.network.azCount).toBe(2);
    expect(single.synth.resources("aws_subnet")).toHaveLength(6);
  });

  it.each(["public", "private", "isolated"])("puts one %s subnet in each AZ", (tier) => {
    const subnets = subnetsOf(perAz.synth, tier);
    expect(subnets).toHaveLength(3);
    const azs = subnets.map((s) => s.availability_zone);
    expect(new Set(azs).size).toBe(3);
    for (const az of azs)
      expect(az).toMatch(/^\$\{element\(data\.aws_availability_zones\..+\.names, [0-2]\)\}$/);
  });

  it("gives every subnet its own slice of the VPC block", () => {
    const cidrs = perAz.synth.resources("aws_subnet").map((s) => s.cidr_block);
    expect(new Set(cidrs).size).toBe(9);
    for (const cidr of cidrs) expect(cidr).toMatch(/^\$\{cidrsubnet\("10\.41\.0\.0\/16", 4, \d+\)\}$/);
  });

  it("exposes the subnet ids of each tier, one per AZ", () => {
    expect(perAz.network.publicSubnetIds).toHaveLength(3);
    expect(perAz.network.privateSubnetIds).toHaveLength(3);
    expect(perAz.network.isolatedSubnetIds).toHaveLength(3);
  });

  it.each([1, 4, 2.5])("refuses availabilityZones %p (high availability needs two; at most three)", (azs) => {
    expect(() => new Network(newStack(), "n", { naming, ...BASE, availabilityZones: azs })).toThrow(
      /Network: availabilityZones: .* is out of range; allowed: 2 to 3/,
    );
  });

  it.each(["10.0.0.0/24", "10.0.0.0/8", "10.300.0.0/16", "10.0.0/16"])(
    "refuses the VPC block %p (four octets of 0-255, /16 to /20)",
    (cidr) => {
      expect(() => new Network(newStack(), "n", { naming, ...BASE, cidr })).toThrow(
        /Network: cidr: .* is malformed; expected an IPv4 CIDR block from \/16 to \/20/,
      );
    },
  );

  it("refuses a flow log retention CloudWatch Logs does not offer", () => {
    expect(() => new Network(newStack(), "n", { naming, ...BASE, flowLogRetentionDays: 10 })).toThrow(
      /Network: flowLogRetentionDays: 10 is not allowed; allowed values: 1, 3, 5, 7, 14/,
    );
  });

  it("per-az mode: one NAT gateway in each AZ's public subnet", () => {
    const nats = perAz.synth.resources("aws_nat_gateway");
    expect(nats).toHaveLength(3);
    expect(perAz.synth.resources("aws_eip")).toHaveLength(3);
    const publicSubnets = Object.entries<Block>(perAz.synth.config.resource.aws_subnet)
      .filter(([, s]) => s.tags.tier === "public")
      .map(([id]) => `\${aws_subnet.${id}.id}`);
    expect(nats.map((n) => n.subnet_id).sort()).toEqual(publicSubnets.sort());
  });

  it("per-az mode: each private subnet egresses (0.0.0.0/0) through the NAT gateway in its own AZ", () => {
    const { resource } = perAz.synth.config;
    const byRef = <T>(type: string, expression: string): T =>
      resource[type][unwrap(expression).split(".")[1]];
    const privateSubnets = Object.entries<Block>(resource.aws_subnet).filter(
      ([, s]) => s.tags.tier === "private",
    );
    const natIds = new Set<string>();
    for (const [id, subnet] of privateSubnets) {
      const [association] = perAz.synth
        .resources("aws_route_table_association")
        .filter((a) => a.subnet_id === `\${aws_subnet.${id}.id}`);
      const defaults = perAz.synth
        .resources("aws_route")
        .filter(
          (r) => r.route_table_id === association.route_table_id && r.destination_cidr_block === "0.0.0.0/0",
        );
      expect(defaults).toHaveLength(1);
      expect(defaults[0].gateway_id).toBeUndefined();
      const nat = byRef<Block>("aws_nat_gateway", defaults[0].nat_gateway_id);
      const natSubnet = byRef<Block>("aws_subnet", nat.subnet_id);
      expect(natSubnet.availability_zone).toBe(subnet.availability_zone);
      natIds.add(defaults[0].nat_gateway_id);
    }
    expect(natIds.size).toBe(3);
  });

  it("single mode: exactly one NAT gateway, used by every private route table", () => {
    expect(single.synth.resources("aws_nat_gateway")).toHaveLength(1);
    expect(single.synth.resources("aws_eip")).toHaveLength(1);
    const routes = single.synth.resources("aws_route");
    const nats = privateRouteTableIds(single.synth, 2).map((rt) => {
      const defaults = routes.filter(
        (r) => r.route_table_id === rt && r.destination_cidr_block === "0.0.0.0/0",
      );
      expect(defaults).toHaveLength(1);
      return defaults[0].nat_gateway_id;
    });
    expect(new Set(nats).size).toBe(1);
    expect(nats[0]).toMatch(/^\$\{aws_nat_gateway\..+\.id\}$/);
  });

  it("gives the isolated (database) subnets a route table with no route out of the VPC", () => {
    const isolatedRt = routeTableId(perAz.synth, "myamazingapp-test-isolated");
    expect(perAz.synth.resources("aws_route").filter((r) => r.route_table_id === isolatedRt)).toEqual([]);
    const rtBlock = perAz.synth.config.resource.aws_route_table[unwrap(isolatedRt).split(".")[1]];
    expect(rtBlock.route).toBeUndefined();
    const isolatedSubnets = Object.entries<Block>(perAz.synth.config.resource.aws_subnet)
      .filter(([, s]) => s.tags.tier === "isolated")
      .map(([id]) => `\${aws_subnet.${id}.id}`);
    const associations = perAz.synth.resources("aws_route_table_association");
    for (const subnet of isolatedSubnets) {
      expect(associations.filter((a) => a.subnet_id === subnet)).toEqual([
        expect.objectContaining({ route_table_id: isolatedRt }),
      ]);
    }
  });

  it("routes the public subnets to the internet gateway over IPv4 and IPv6", () => {
    const publicRt = routeTableId(perAz.synth, "myamazingapp-test-public");
    const routes = perAz.synth.resources("aws_route").filter((r) => r.route_table_id === publicRt);
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          destination_cidr_block: "0.0.0.0/0",
          gateway_id: expect.stringMatching(/aws_internet_gateway/),
        }),
        expect.objectContaining({
          destination_ipv6_cidr_block: "::/0",
          gateway_id: expect.stringMatching(/aws_internet_gateway/),
        }),
      ]),
    );
  });

  it("attaches the S3 gateway endpoint to every private route table, so S3 traffic skips the NAT", () => {
    const endpoints = perAz.synth.resources("aws_vpc_endpoint");
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      vpc_endpoint_type: "Gateway",
      service_name: expect.stringMatching(/^com\.amazonaws\..+\.s3$/),
      vpc_id: ref(perAz.network.vpc, "id"),
    });
    expect([...endpoints[0].route_table_ids].sort()).toEqual(privateRouteTableIds(perAz.synth, 3).sort());
  });

  it("sends flow logs of all traffic to CloudWatch Logs, kept for the given retention, encrypted", () => {
    const groups = perAz.synth.resources("aws_cloudwatch_log_group");
    expect(groups).toEqual([
      expect.objectContaining({
        retention_in_days: 14,
        kms_key_id: "arn:aws:kms:us-west-2:111111111111:key/logs",
      }),
    ]);
    const groupId = Object.keys(perAz.synth.config.resource.aws_cloudwatch_log_group)[0];
    expect(perAz.synth.json).toHaveResourceWithProperties(FlowLog, {
      vpc_id: ref(perAz.network.vpc, "id"),
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      log_destination: `\${aws_cloudwatch_log_group.${groupId}.arn}`,
    });
    const policy = JSON.parse(perAz.synth.resources("aws_iam_role_policy")[0].policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: expect.arrayContaining(["logs:CreateLogStream", "logs:PutLogEvents"]),
        Resource: expect.arrayContaining([`\${aws_cloudwatch_log_group.${groupId}.arn}`]),
      }),
    ]);
  });

  it("keeps flow logs as long as asked", () => {
    expect(single.synth.resources("aws_cloudwatch_log_group")).toEqual([
      expect.objectContaining({ retention_in_days: 30 }),
    ]);
  });

  it("strips every rule from the default security group", () => {
    expect(perAz.synth.json).toHaveResource(DefaultSecurityGroup);
    const [defaultSg] = perAz.synth.resources("aws_default_security_group");
    expect(defaultSg).toEqual({ vpc_id: ref(perAz.network.vpc, "id") });
  });

  it("dual-stack gives the VPC an IPv6 block and each public subnet its own /64 of it", () => {
    expect(perAz.synth.json).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.41.0.0/16",
      assign_generated_ipv6_cidr_block: true,
    });
    const blocks = subnetsOf(perAz.synth, "public").map((s) => s.ipv6_cidr_block);
    expect(blocks.sort()).toEqual(
      [0, 1, 2].map((i) => `\${cidrsubnet(${unwrap(ref(perAz.network.vpc, "ipv6_cidr_block"))}, 8, ${i})}`),
    );
  });

  it("without dualStack: no IPv6 block, no IPv6 subnet, no ::/0 route", () => {
    expect(single.network.dualStack).toBe(false);
    expect(single.synth.resources("aws_vpc")[0].assign_generated_ipv6_cidr_block).toBe(false);
    for (const subnet of single.synth.resources("aws_subnet")) expect(subnet.ipv6_cidr_block).toBeUndefined();
    expect(
      single.synth.resources("aws_route").filter((r) => r.destination_ipv6_cidr_block !== undefined),
    ).toEqual([]);
  });
});
