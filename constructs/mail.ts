import { Construct } from "constructs";
import { Fn } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Sesv2ConfigurationSetEventDestination } from "@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination";
import { Sesv2EmailIdentity } from "@cdktf/provider-aws/lib/sesv2-email-identity";
import { Sesv2EmailIdentityMailFromAttributes } from "@cdktf/provider-aws/lib/sesv2-email-identity-mail-from-attributes";
import { policyDocument } from "./iam";
import { checkPattern, DNS_NAME, EMAIL, refuse } from "./limits";
import type { Naming } from "./naming";

export interface MailProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS region: the MAIL FROM domain's MX record names SES's feedback endpoint there. */
  readonly region: string;
  /** The domain the app sends from, verified with SES through DKIM, e.g. `myamazingapp.cdlib.org`. */
  readonly domainName: string;
  /** Route 53 zone that holds `domainName`: its DKIM and MAIL FROM records go there. */
  readonly zoneId: string;
  /** The one address the app may send from, in `domainName`, e.g. `noreply@myamazingapp.cdlib.org`. */
  readonly fromAddress: string;
  /** Where bounces, complaints and rejections, and the reputation alarms, are sent (SNS topic ARN). */
  readonly alarmTopicArn: string;
  /** Subdomain of `domainName` used as the MAIL FROM (bounce) domain. @default "mail" */
  readonly mailFromSubdomain?: string;
}

/** SES's own thresholds for review are 5% bounces and 0.1% complaints; an alarm comes at the first. */
const BOUNCE_RATE = 0.05;
const COMPLAINT_RATE = 0.001;
/** Easy DKIM publishes three keys, each a CNAME to SES. */
const DKIM_KEYS = 3;

/**
 * Mail from the app through Amazon SES, with the task role and no SMTP password: the app's domain as an SES
 * identity signed with Easy DKIM (2048-bit keys, three CNAME records in the zone) and a MAIL FROM subdomain of its
 * own (MX and SPF records), so SPF and DKIM both align with the From domain (DMARC); a configuration set, the
 * identity's default, that requires TLS to receiving servers, suppresses addresses that bounced or complained, and
 * sends every bounce, complaint and rejection to the alarm topic; alarms on the account's bounce and complaint
 * rates before SES would pause sending. `grantSend` lets a role send from the one address.
 */
export class Mail extends Construct {
  public readonly identity: Sesv2EmailIdentity;
  public readonly configurationSet: Sesv2ConfigurationSet;
  public readonly fromAddress: string;
  public readonly mailFromDomain: string;
  public readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const mailFromDomain = `${props.mailFromSubdomain ?? "mail"}.${props.domainName}`;
    refuse("Mail", {
      domainName: checkPattern(DNS_NAME, props.domainName),
      fromAddress: Mail.checkFromAddress(props.fromAddress, props.domainName),
      mailFromSubdomain: checkPattern(DNS_NAME, mailFromDomain),
    });
    const { naming, zoneId } = props;
    this.fromAddress = props.fromAddress;
    this.mailFromDomain = mailFromDomain;

    this.configurationSet = new Sesv2ConfigurationSet(this, "configuration-set", {
      configurationSetName: naming.name("mail"),
      deliveryOptions: { tlsPolicy: "REQUIRE" },
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: true },
      suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    new Sesv2ConfigurationSetEventDestination(this, "feedback", {
      configurationSetName: this.configurationSet.configurationSetName,
      eventDestinationName: "bounces-and-complaints",
      eventDestination: {
        enabled: true,
        matchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT"],
        snsDestination: { topicArn: props.alarmTopicArn },
      },
    });

    // The configuration set is the identity's default: every message from the domain uses it, named or not.
    this.identity = new Sesv2EmailIdentity(this, "identity", {
      emailIdentity: props.domainName,
      configurationSetName: this.configurationSet.configurationSetName,
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
    });
    for (let i = 0; i < DKIM_KEYS; i++) {
      const token = Fn.element(this.identity.dkimSigningAttributes.tokens, i);
      new Route53Record(this, `dkim-${i + 1}`, {
        zoneId,
        name: `${token}._domainkey.${props.domainName}`,
        type: "CNAME",
        ttl: 1800,
        records: [`${token}.dkim.amazonses.com`],
      });
    }

    // Bounces come back to SES through the MAIL FROM domain; SPF there names SES's servers.
    new Sesv2EmailIdentityMailFromAttributes(this, "mail-from", {
      emailIdentity: this.identity.emailIdentity,
      mailFromDomain,
      // Until the MX record resolves, SES sends from its own bounce domain: DKIM still aligns for DMARC.
      behaviorOnMxFailure: "USE_DEFAULT_VALUE",
    });
    new Route53Record(this, "mail-from-mx", {
      zoneId,
      name: mailFromDomain,
      type: "MX",
      ttl: 1800,
      records: [`10 feedback-smtp.${props.region}.amazonses.com`],
    });
    new Route53Record(this, "mail-from-spf", {
      zoneId,
      name: mailFromDomain,
      type: "TXT",
      ttl: 1800,
      records: ["v=spf1 include:amazonses.com ~all"],
    });

    // Account-wide rates (SES pauses sending at 10% bounces or 0.5% complaints); no sending is no data.
    const rate = (short: string, metricName: string, threshold: number, what: string) =>
      new CloudwatchMetricAlarm(this, short, {
        alarmName: naming.name(short),
        alarmDescription: `The account's ${what} rate is over ${threshold * 100}%: SES reviews, then pauses, sending`,
        namespace: "AWS/SES",
        metricName,
        statistic: "Maximum",
        period: 3600,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold,
        treatMissingData: "notBreaching",
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    this.alarms = [
      rate("mail-bounce-rate", "Reputation.BounceRate", BOUNCE_RATE, "bounce"),
      rate("mail-complaint-rate", "Reputation.ComplaintRate", COMPLAINT_RATE, "complaint"),
    ];
  }

  /** Why `fromAddress` cannot be the app's sender (not an address, or not in `domainName`), or undefined. */
  public static checkFromAddress(fromAddress: string, domainName: string): string | undefined {
    const malformed = checkPattern(EMAIL, fromAddress);
    if (malformed) return malformed;
    const domain = fromAddress.slice(fromAddress.lastIndexOf("@") + 1);
    return domain === domainName
      ? undefined
      : `${fromAddress} is not in ${domainName}, the domain the stack verifies with SES; use an address @${domainName}`;
  }

  /**
   * Lets a role send mail through the SES API, only from `fromAddress` and only through this identity and its
   * configuration set: no SMTP credentials exist.
   */
  public grantSend(role: IamRole): IamRolePolicy {
    return new IamRolePolicy(this, `send-${role.node.id}`, {
      role: role.id,
      name: "send-mail",
      policy: policyDocument({
        Sid: "SendFromTheAppsAddress",
        Effect: "Allow",
        Action: ["ses:SendEmail", "ses:SendRawEmail"],
        Resource: [this.identity.arn, this.configurationSet.arn],
        Condition: { StringEquals: { "ses:FromAddress": this.fromAddress } },
      }),
    });
  }
}
