import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { checkPattern, DNS_NAME, refuse } from "./limits";

export interface DomainProps {
  /** Fully qualified name the app is served at, e.g. `myamazingapp.cdlib.org`. */
  readonly domainName: string;
  /** Hosted zone that holds the records; `domainName` must be the zone or inside it. */
  readonly zoneName: string;
  /** Create the zone (to be delegated from its parent) instead of looking up an existing one. */
  readonly createZone: boolean;
}

/** What an alias record points at (a load balancer). */
export interface AliasTarget {
  readonly dnsName: string;
  readonly zoneId: string;
  /** The target also answers on IPv6, so an AAAA record is published too. */
  readonly dualStack: boolean;
}

/**
 * The app's DNS name: the hosted zone (looked up or created), an ACM certificate validated through DNS,
 * and A/AAAA alias records added by `aliasTo`.
 */
export class Domain extends Construct {
  public readonly domainName: string;
  public readonly zoneId: string;
  /** ARN of the certificate, available only once validation has completed. */
  public readonly certificateArn: string;
  /** Name servers to delegate to, when the zone is created here. */
  public readonly nameServers?: string[];

  constructor(scope: Construct, id: string, props: DomainProps) {
    super(scope, id);
    Domain.validate(props);
    const { domainName, zoneName } = props;
    this.domainName = domainName;

    if (props.createZone) {
      const zone = new Route53Zone(this, "zone", {
        name: zoneName,
        comment: `Delegated zone for ${domainName}; add its NS records to the parent zone.`,
      });
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
      new TerraformOutput(this, "name-servers", {
        value: zone.nameServers,
        description: `NS records to add for ${zoneName} in its parent zone`,
      });
    } else {
      this.zoneId = new DataAwsRoute53Zone(this, "zone", { name: zoneName, privateZone: false }).zoneId;
    }

    const certificate = new AcmCertificate(this, "certificate", {
      domainName,
      validationMethod: "DNS",
      lifecycle: { createBeforeDestroy: true },
    });
    // One validation record for the single name; indexing the set keeps the plan static.
    const option = certificate.domainValidationOptions.get(0);
    const validationRecord = new Route53Record(this, "validation", {
      zoneId: this.zoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, "certificate-validation", {
      certificateArn: certificate.arn,
      validationRecordFqdns: [validationRecord.fqdn],
    });
    this.certificateArn = validation.certificateArn;
  }

  /** Refuses a malformed name, or a name its hosted zone cannot hold. */
  public static validate(props: DomainProps): void {
    refuse("Domain", {
      domainName:
        checkPattern(DNS_NAME, props.domainName) ?? Domain.checkInZone(props.domainName, props.zoneName),
      zoneName: checkPattern(DNS_NAME, props.zoneName),
    });
  }

  /** Why a zone cannot hold `domainName` (it is neither the zone nor inside it), or undefined. */
  public static checkInZone(domainName: string, zoneName: string): string | undefined {
    if (domainName === zoneName || domainName.endsWith(`.${zoneName}`)) return undefined;
    return `"${domainName}" is not inside the hosted zone "${zoneName}"; allowed: the zone itself or a name ending in ".${zoneName}"`;
  }

  /** Points the domain at a target such as the load balancer: A, and AAAA when it is dual-stack. */
  public aliasTo(target: AliasTarget): void {
    for (const type of target.dualStack ? ["A", "AAAA"] : ["A"]) {
      new Route53Record(this, `alias-${type.toLowerCase()}`, {
        zoneId: this.zoneId,
        name: this.domainName,
        type,
        alias: { name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: true },
      });
    }
  }
}
