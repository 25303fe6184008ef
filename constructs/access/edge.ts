/**
 * What faces the internet: the load balancer, its web ACL, the certificate and the DNS records. Load balancers,
 * target groups, listeners and web ACLs carry the environment's names; certificates carry ids (the environment's
 * are tagged with its application and environment); Route 53 supports no tag conditions, so records are limited
 * by name to the environment's domain and its subdomains (the certificate's validation records, the e-mail
 * identity's DKIM and MAIL FROM records).
 */
import { arn, type AccessScope, type ServiceAccess, taggedExisting, taggedExistingOtherKeys } from "./types";

/** The environment's load balancer, target groups, listeners and listener rules. */
export const environmentLoadBalancer = (s: AccessScope): string[] =>
  ["loadbalancer/app", "targetgroup", "listener/app", "listener-rule/app"].map((type) =>
    arn(s, "elasticloadbalancing", `${type}/${s.prefix}-*/*`),
  );
/** The environment's web ACLs, and the AWS managed rule groups they use. */
export const environmentWebAcls = (s: AccessScope): string[] => [
  arn(s, "wafv2", `regional/webacl/${s.prefix}-*/*`),
  arn(s, "wafv2", "regional/managedruleset/*/*"),
];

const ELB_TAGS = ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"];

export const LOAD_BALANCING: ServiceAccess = {
  services: ["elasticloadbalancing"],
  grants: [
    {
      sid: "EnvironmentLoadBalancer",
      resources: environmentLoadBalancer,
      terraform: {
        aws_lb: {
          write: [
            "elasticloadbalancing:CreateLoadBalancer",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:DeleteLoadBalancer",
            ...ELB_TAGS,
          ],
        },
        aws_lb_target_group: {
          write: [
            "elasticloadbalancing:CreateTargetGroup",
            "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:DeleteTargetGroup",
            ...ELB_TAGS,
          ],
        },
        aws_lb_listener: {
          write: [
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:ModifyListenerAttributes",
            "elasticloadbalancing:DeleteListener",
            ...ELB_TAGS,
          ],
        },
      },
    },
  ],
  unscoped: [
    ["DescribeLoadBalancers", "aws_lb"],
    ["DescribeLoadBalancerAttributes", "aws_lb"],
    ["DescribeTags", "aws_lb"],
    ["DescribeTargetGroups", "aws_lb_target_group"],
    ["DescribeTargetGroupAttributes", "aws_lb_target_group"],
    ["DescribeListeners", "aws_lb_listener"],
    ["DescribeListenerAttributes", "aws_lb_listener"],
    ["DescribeListenerCertificates", "aws_lb_listener"],
    ["DescribeCapacityReservation", "aws_lb"],
  ]
    .map(([action, terraform]) => ({
      action: `elasticloadbalancing:${action}`,
      why: "Elastic Load Balancing's Describe calls take no resource",
      terraform: [terraform],
      read: true,
    }))
    .concat({
      action: "elasticloadbalancing:SetWebAcl",
      why: "Associating a web ACL also asks for it, on *; wafv2:AssociateWebACL names the load balancer",
      terraform: ["aws_wafv2_web_acl_association"],
      read: false,
    }),
  boundary: { named: environmentLoadBalancer },
};

export const WEB_ACL: ServiceAccess = {
  services: ["wafv2"],
  grants: [
    {
      sid: "EnvironmentWebAcl",
      resources: (s) => [...environmentWebAcls(s), ...environmentLoadBalancer(s).slice(0, 1)],
      terraform: {
        aws_wafv2_web_acl: {
          write: [
            "wafv2:CreateWebACL",
            "wafv2:UpdateWebACL",
            "wafv2:DeleteWebACL",
            "wafv2:TagResource",
            "wafv2:UntagResource",
          ],
          read: ["wafv2:GetWebACL", "wafv2:ListTagsForResource"],
        },
        aws_wafv2_web_acl_association: {
          write: ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"],
          read: ["wafv2:GetWebACLForResource"],
        },
        aws_wafv2_web_acl_logging_configuration: {
          write: ["wafv2:PutLoggingConfiguration", "wafv2:DeleteLoggingConfiguration"],
          read: ["wafv2:GetLoggingConfiguration"],
        },
      },
    },
  ],
  unscoped: [
    {
      action: "wafv2:ListWebACLs",
      why: "Lists web ACL names; takes no resource",
      terraform: ["aws_wafv2_web_acl"],
      read: true,
    },
  ],
  boundary: { named: (s) => [...environmentWebAcls(s), ...environmentLoadBalancer(s).slice(0, 1)] },
};

const certificates = (s: AccessScope) => [arn(s, "acm", "certificate/*")];

export const CERTIFICATES: ServiceAccess = {
  services: ["acm"],
  grants: [
    {
      sid: "EnvironmentCertificates",
      resources: certificates,
      condition: taggedExisting,
      terraform: {
        aws_acm_certificate: {
          write: ["acm:DeleteCertificate"],
          read: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
        },
        aws_acm_certificate_validation: { read: ["acm:DescribeCertificate"] },
      },
    },
    {
      sid: "RetagEnvironmentCertificates",
      resources: certificates,
      condition: taggedExistingOtherKeys,
      terraform: {
        aws_acm_certificate: { write: ["acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"] },
      },
    },
  ],
  unscoped: [
    {
      action: "acm:ListCertificates",
      why: "Lists certificate domains; takes no resource",
      terraform: ["aws_acm_certificate"],
      read: true,
    },
  ],
  boundary: { tagged: true },
  administrator: {
    aws_acm_certificate:
      "A new certificate's tags go on with acm:AddTagsToCertificate, which IAM cannot tell apart from tagging another application's: an administrator requests it",
  },
};

const zones = () => ["arn:aws:route53:::hostedzone/*"];
/** The names of the records a change touches, lower case and without the trailing dot. */
const RECORD_NAMES = "route53:ChangeResourceRecordSetsNormalizedRecordNames";

export const DNS: ServiceAccess = {
  services: ["route53"],
  grants: [
    {
      sid: "DnsRecords",
      inBoundary: true,
      resources: zones,
      condition: (s) => ({
        "ForAllValues:StringLike": { [RECORD_NAMES]: [s.domain, `*.${s.domain}`] },
        ...(s.foreignSubdomains.length > 0
          ? {
              "ForAllValues:StringNotLike": {
                // `*staging.example.org` for staging.example.org and below (and, over-strict, a name ending so).
                [RECORD_NAMES]: s.foreignSubdomains.map((d) => `*${d}`),
              },
            }
          : {}),
      }),
      terraform: { aws_route53_record: { write: ["route53:ChangeResourceRecordSets"] } },
    },
    {
      sid: "ReadZones",
      resources: () => [...zones(), "arn:aws:route53:::change/*"],
      terraform: {
        aws_route53_record: {
          read: ["route53:ListResourceRecordSets", "route53:GetHostedZone", "route53:GetChange"],
        },
        aws_route53_zone: {
          read: [
            "route53:GetHostedZone",
            "route53:ListTagsForResource",
            "route53:GetDNSSEC",
            "route53:ListResourceRecordSets",
            "route53:GetChange",
          ],
        },
        "data.aws_route53_zone": { read: ["route53:GetHostedZone", "route53:ListTagsForResource"] },
      },
    },
  ],
  unscoped: [
    ...["ListHostedZones", "ListHostedZonesByName"].map((action) => ({
      action: `route53:${action}`,
      why: "Lists zone names; takes no resource",
      terraform: ["aws_route53_zone", "data.aws_route53_zone"],
      read: true,
    })),
  ],
  boundary: {},
  administrator: {
    aws_route53_zone:
      "Zones carry ids and take no tag conditions, and a new one waits for its parent's delegation: an administrator creates, tags and deletes it",
  },
};
