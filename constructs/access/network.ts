/**
 * EC2: the VPC, its subnets, gateways, routes, security groups, the S3 endpoint and the flow log. EC2 ARNs carry
 * ids, so the environment's resources are the ones tagged with its application and environment: a create must
 * carry those tags (aws:RequestTag) on the resource type it creates and only there, tags go on only as part of a
 * create (ec2:CreateAction), and every existing resource a call touches (the VPC a subnet goes into, the route
 * table a route goes into) must already carry them (aws:ResourceTag).
 */
import {
  type AccessScope,
  arn,
  type Grant,
  type ServiceAccess,
  taggedExisting,
  taggedExistingOtherKeys,
  taggedRequest,
} from "./types";

const ec2 = (s: AccessScope, type: string) => arn(s, "ec2", `${type}/*`);

/**
 * The security groups and their rules: what the stack adds as the app grows (a port, a service). Each create
 * carries the environment's tags on the type it creates, and only there, so that the same tags cannot authorize
 * the existing group a rule goes into, nor the VPC a group goes into (those must already carry them). The VPC,
 * subnets, gateways, route tables, the endpoint and the flow log are created once, by an administrator.
 */
const CREATES: ReadonlyArray<[type: string, action: string, terraform: string]> = [
  ["security-group", "CreateSecurityGroup", "aws_security_group"],
  ["security-group-rule", "AuthorizeSecurityGroupIngress", "aws_vpc_security_group_ingress_rule"],
  ["security-group-rule", "AuthorizeSecurityGroupEgress", "aws_vpc_security_group_egress_rule"],
];

/** Names of the create calls, as ec2:CreateAction compares them. */
export const EC2_CREATE_ACTIONS = CREATES.map(([, action]) => action);

const creates: Grant[] = [...new Set(CREATES.map(([type]) => type))].map((type) => ({
  sid: type === "security-group" ? "CreateTaggedGroups" : "CreateTaggedRules",
  inBoundary: true,
  resources: (s: AccessScope) => [ec2(s, type)],
  condition: taggedRequest,
  terraform: Object.fromEntries(
    CREATES.filter(([t]) => t === type).map(([, action, terraform]) => [
      terraform,
      { write: [`ec2:${action}`] },
    ]),
  ),
}));

/** Network resources an administrator creates (their creates are not in the deploy role's policies). */
const CREATED_BY_ADMINISTRATOR = [
  "aws_vpc",
  "aws_default_security_group",
  "aws_subnet",
  "aws_route_table",
  "aws_internet_gateway",
  "aws_eip",
  "aws_nat_gateway",
  "aws_vpc_endpoint",
  "aws_flow_log",
];

/** Existing resources of the environment, by type, that the stack's calls change or name. */
const EXISTING = [
  "vpc",
  "subnet",
  "security-group",
  "security-group-rule",
  "route-table",
  "internet-gateway",
  "elastic-ip",
  "natgateway",
  "vpc-endpoint",
  "vpc-flow-log",
];

export const NETWORK: ServiceAccess = {
  services: ["ec2"],
  grants: [
    ...creates,
    {
      // Tags go on with a create only where the create itself is allowed.
      sid: "TagOnCreate",
      inBoundary: true,
      resources: (s) => [arn(s, "ec2", "*")],
      condition: () => ({ Null: { "ec2:CreateAction": "false" } }),
      terraform: Object.fromEntries(
        CREATES.map(([, , terraform]) => [terraform, { write: ["ec2:CreateTags"] }]),
      ),
    },
    {
      sid: "ChangeTheEnvironmentsNetwork",
      resources: (s) => EXISTING.map((type) => ec2(s, type)),
      condition: taggedExisting,
      terraform: {
        aws_vpc: {
          write: [
            "ec2:ModifyVpcAttribute",
            "ec2:AssociateVpcCidrBlock",
            "ec2:DisassociateVpcCidrBlock",
            "ec2:DeleteVpc",
          ],
          read: ["ec2:DescribeVpcAttribute"],
        },
        aws_subnet: {
          write: [
            "ec2:ModifySubnetAttribute",
            "ec2:AssociateSubnetCidrBlock",
            "ec2:DisassociateSubnetCidrBlock",
            "ec2:DeleteSubnet",
          ],
        },
        aws_security_group: {
          write: [
            "ec2:CreateSecurityGroup",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:DeleteSecurityGroup",
          ],
        },
        aws_default_security_group: {
          write: ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
        },
        aws_vpc_security_group_ingress_rule: {
          write: [
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:ModifySecurityGroupRules",
            "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
          ],
        },
        aws_vpc_security_group_egress_rule: {
          write: [
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:ModifySecurityGroupRules",
            "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
          ],
        },
        aws_route_table: { write: ["ec2:DeleteRouteTable"] },
        aws_route: { write: ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"] },
        aws_route_table_association: {
          write: [
            "ec2:AssociateRouteTable",
            "ec2:ReplaceRouteTableAssociation",
            "ec2:DisassociateRouteTable",
          ],
        },
        aws_internet_gateway: {
          write: ["ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"],
        },
        aws_eip: { write: ["ec2:DisassociateAddress", "ec2:ReleaseAddress"] },
        aws_nat_gateway: {
          write: ["ec2:DisassociateNatGatewayAddress", "ec2:DeleteNatGateway"],
        },
        aws_vpc_endpoint: {
          write: ["ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"],
        },
        aws_flow_log: { write: ["ec2:DeleteFlowLogs"] },
      },
    },
    {
      sid: "RetagTheEnvironmentsNetwork",
      resources: (s) => EXISTING.map((type) => ec2(s, type)),
      condition: taggedExistingOtherKeys,
      terraform: Object.fromEntries(
        [...CREATES.map(([, , terraform]) => terraform), ...CREATED_BY_ADMINISTRATOR].map((t) => [
          t,
          { write: ["ec2:CreateTags", "ec2:DeleteTags"] },
        ]),
      ),
    },
  ],
  unscoped: [
    ...[
      ["DescribeVpcs", "aws_vpc"],
      ["DescribeNetworkAcls", "aws_vpc"],
      ["DescribeSubnets", "aws_subnet"],
      ["DescribeSecurityGroups", "aws_security_group"],
      ["DescribeSecurityGroupRules", "aws_vpc_security_group_ingress_rule"],
      ["DescribeRouteTables", "aws_route_table"],
      ["DescribeInternetGateways", "aws_internet_gateway"],
      ["DescribeAddresses", "aws_eip"],
      ["DescribeAddressesAttribute", "aws_eip"],
      ["DescribeNatGateways", "aws_nat_gateway"],
      ["DescribeVpcEndpoints", "aws_vpc_endpoint"],
      ["DescribePrefixLists", "aws_vpc_endpoint"],
      ["DescribeFlowLogs", "aws_flow_log"],
      ["DescribeNetworkInterfaces", "aws_security_group"],
      ["DescribeAvailabilityZones", "data.aws_availability_zones"],
      ["DescribeRegions", "data.aws_region"],
      ["DescribeAccountAttributes", "aws_eip"],
    ].map(([action, terraform]) => ({
      action: `ec2:${action}`,
      why: "EC2's Describe calls take no resource",
      terraform: [terraform],
      read: true,
    })),
  ],
  boundary: { tagged: true },
  administrator: Object.fromEntries(
    CREATED_BY_ADMINISTRATOR.map((t) => [
      t,
      "The network is created once, on day one, by an administrator (keeping the boundary within one policy); the deploy role changes and deletes it",
    ]),
  ),
};
