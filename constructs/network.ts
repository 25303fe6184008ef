import { Construct } from "constructs";
import { Fn } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { assumedBy, policyDocument } from "./iam";
import { AVAILABILITY_ZONES, checkLogRetention, checkPattern, checkRange, refuse, VPC_CIDR } from "./limits";
import type { Naming } from "./naming";

export interface NetworkProps {
  /** Resource names. */
  readonly naming: Naming;
  /** VPC IPv4 CIDR, /16 to /20; split into sixteen equal slices (a slice per tier and AZ, four spare). */
  readonly cidr: string;
  /** Availability Zones to use (2 to 3). */
  readonly availabilityZones: number;
  /** `per-az` NAT gateways (egress survives an AZ loss) or one `single` NAT gateway (cheaper). */
  readonly natGateways: "per-az" | "single";
  /** IPv6 on the public tier, for a dual-stack load balancer. */
  readonly dualStack: boolean;
  /** Flow log retention, days (a value CloudWatch Logs accepts). */
  readonly flowLogRetentionDays: number;
  /** Customer-managed KMS key of the flow log group. */
  readonly logEncryptionKeyArn: string;
}

/**
 * VPC over two or more AZs with three tiers: public (load balancer, NAT), private (tasks, egress through
 * NAT) and isolated (database, no route out). An S3 gateway endpoint keeps multi-GiB transfers off the NAT.
 */
export class Network extends Construct {
  public readonly vpc: Vpc;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  public readonly isolatedSubnetIds: string[];
  public readonly azCount: number;
  /** Names of the Availability Zones the tiers span, in subnet order (per-AZ alarms use them). */
  public readonly availabilityZoneNames: string[];
  /** Whether the public tier has IPv6 (a dual-stack load balancer can live there). */
  public readonly dualStack: boolean;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { naming } = props;
    Network.validate(props);
    const { cidr, natGateways: natMode } = props;
    const azCount = props.availabilityZones;
    this.azCount = azCount;
    this.dualStack = props.dualStack;

    const azs = new DataAwsAvailabilityZones(this, "azs", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    const az = (i: number) => Fn.element(azs.names, i);
    this.availabilityZoneNames = Array.from({ length: azCount }, (_, i) => az(i));

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      // IPv6 on the public tier lets the load balancer be dual-stack (the AAAA record).
      assignGeneratedIpv6CidrBlock: this.dualStack,
      tags: { Name: naming.name("vpc") },
    });
    // No rules: nothing can use the default group by accident (CIS AWS 5.4).
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id });

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: naming.name("igw") } });

    // Sixteen equal slices: private 0-3, public 4-7, isolated 8-11, 12-15 spare for growth.
    const slice = (tier: number, i: number) => Fn.cidrsubnet(cidr, 4, tier * 4 + i);
    const indexes = [...Array(azCount).keys()];

    const publicRt = new RouteTable(this, "public-rt", {
      vpcId: this.vpc.id,
      tags: { Name: naming.name("public") },
    });
    new Route(this, "public-default", {
      routeTableId: publicRt.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });
    if (this.dualStack) {
      new Route(this, "public-default-v6", {
        routeTableId: publicRt.id,
        destinationIpv6CidrBlock: "::/0",
        gatewayId: igw.id,
      });
    }
    const publicSubnets = indexes.map((i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az(i),
        cidrBlock: slice(1, i),
        ipv6CidrBlock: this.dualStack ? Fn.cidrsubnet(this.vpc.ipv6CidrBlock, 8, i) : undefined,
        mapPublicIpOnLaunch: false,
        tags: { Name: naming.name(`public-${i}`), tier: "public" },
      });
      new RouteTableAssociation(this, `public-${i}-rta`, { subnetId: subnet.id, routeTableId: publicRt.id });
      return subnet;
    });

    const natCount = natMode === "per-az" ? azCount : 1;
    const nats = [...Array(natCount).keys()].map((i) => {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: { Name: naming.name(`nat-${i}`) } });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.id,
        subnetId: publicSubnets[i].id,
        tags: { Name: naming.name(`nat-${i}`) },
        dependsOn: [igw],
      });
    });

    const privateRts: RouteTable[] = [];
    const privateSubnets = indexes.map((i) => {
      const rt = new RouteTable(this, `private-rt-${i}`, {
        vpcId: this.vpc.id,
        tags: { Name: naming.name(`private-${i}`) },
      });
      // Each AZ egresses through its own NAT gateway, so losing one AZ leaves the others connected.
      new Route(this, `private-default-${i}`, {
        routeTableId: rt.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: nats[Math.min(i, natCount - 1)].id,
      });
      privateRts.push(rt);
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az(i),
        cidrBlock: slice(0, i),
        tags: { Name: naming.name(`private-${i}`), tier: "private" },
      });
      new RouteTableAssociation(this, `private-${i}-rta`, { subnetId: subnet.id, routeTableId: rt.id });
      return subnet;
    });

    // The database tier has no route out of the VPC at all.
    const isolatedRt = new RouteTable(this, "isolated-rt", {
      vpcId: this.vpc.id,
      tags: { Name: naming.name("isolated") },
    });
    const isolatedSubnets = indexes.map((i) => {
      const subnet = new Subnet(this, `isolated-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az(i),
        cidrBlock: slice(2, i),
        tags: { Name: naming.name(`isolated-${i}`), tier: "isolated" },
      });
      new RouteTableAssociation(this, `isolated-${i}-rta`, {
        subnetId: subnet.id,
        routeTableId: isolatedRt.id,
      });
      return subnet;
    });

    // Uploads and ECR image layers go to S3 through the gateway endpoint: free, and never via the NAT.
    new VpcEndpoint(this, "s3-endpoint", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${new DataAwsRegion(this, "region").name}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRts.map((rt) => rt.id),
      tags: { Name: naming.name("s3") },
    });

    this.flowLogs(naming, props.flowLogRetentionDays, props.logEncryptionKeyArn);

    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.isolatedSubnetIds = isolatedSubnets.map((s) => s.id);
  }

  /** Refuses props the network cannot be built from. */
  public static validate(props: NetworkProps): void {
    refuse("Network", {
      cidr: checkPattern(VPC_CIDR, props.cidr),
      availabilityZones: checkRange(AVAILABILITY_ZONES, props.availabilityZones),
      flowLogRetentionDays: checkLogRetention(props.flowLogRetentionDays),
    });
  }

  private flowLogs(naming: Naming, retentionInDays: number, kmsKeyId: string): void {
    const group = new CloudwatchLogGroup(this, "flow-logs", {
      name: naming.path("vpc-flow-logs"),
      retentionInDays,
      kmsKeyId,
    });
    const role = new IamRole(this, "flow-logs-role", {
      name: naming.name("vpc-flow-logs"),
      assumeRolePolicy: assumedBy("vpc-flow-logs.amazonaws.com"),
    });
    new IamRolePolicy(this, "flow-logs-policy", {
      role: role.id,
      name: "write-flow-logs",
      policy: policyDocument({
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [group.arn, `${group.arn}:*`],
      }),
    });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }
}
