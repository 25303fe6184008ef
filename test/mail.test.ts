import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Mail, type MailProps } from "../constructs/mail";
import { Naming } from "../constructs/naming";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const TOPIC = "arn:aws:sns:eu-west-1:333333333333:alarms";
const props: MailProps = {
  naming: new Naming("myamazingapp", "test"),
  region: "eu-west-1",
  domainName: "app.example.org",
  zoneId: "Z0EXAMPLE",
  fromAddress: "robot@app.example.org",
  alarmTopicArn: TOPIC,
};

describe("Mail", () => {
  let synth: Synthesized;
  let mail: Mail;
  let role: IamRole;
  let records: Block[];
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      mail = new Mail(scope, "mail", props);
      role = new IamRole(scope, "task-role", { name: "task", assumeRolePolicy: "{}" });
      mail.grantSend(role);
    });
    records = synth.resources("aws_route53_record");
  });

  it("verifies the app's domain with Easy DKIM (2048-bit), publishing SES's three keys in the zone", () => {
    expect(synth.of(mail.identity)).toMatchObject({
      email_identity: "app.example.org",
      dkim_signing_attributes: { next_signing_key_length: "RSA_2048_BIT" },
    });
    const tokens = ref(mail.identity, "dkim_signing_attributes[0].tokens");
    const dkim = records.filter((r) => r.type === "CNAME");
    expect(dkim.map((r) => [r.zone_id, r.name, r.records])).toEqual(
      [0, 1, 2].map((i) => [
        "Z0EXAMPLE",
        `\${element(${tokens.slice(2, -1)}, ${i})}._domainkey.app.example.org`,
        [`\${element(${tokens.slice(2, -1)}, ${i})}.dkim.amazonses.com`],
      ]),
    );
  });

  it("sends bounces through a MAIL FROM subdomain of its own, with SES's MX and SPF there", () => {
    expect(synth.resources("aws_sesv2_email_identity_mail_from_attributes")).toEqual([
      expect.objectContaining({
        email_identity: ref(mail.identity, "email_identity"),
        mail_from_domain: "mail.app.example.org",
      }),
    ]);
    const at = (type: string) => records.filter((r) => r.type === type && r.name === "mail.app.example.org");
    expect(at("MX").map((r) => r.records)).toEqual([["10 feedback-smtp.eu-west-1.amazonses.com"]]);
    expect(at("TXT").map((r) => r.records)).toEqual([["v=spf1 include:amazonses.com ~all"]]);
  });

  it("makes its configuration set the identity's default: TLS required, bounced and complaining addresses suppressed", () => {
    expect(synth.of(mail.identity).configuration_set_name).toBe(
      ref(mail.configurationSet, "configuration_set_name"),
    );
    expect(synth.of(mail.configurationSet)).toMatchObject({
      configuration_set_name: "myamazingapp-test-mail",
      delivery_options: { tls_policy: "REQUIRE" },
      reputation_options: { reputation_metrics_enabled: true },
      suppression_options: { suppressed_reasons: ["BOUNCE", "COMPLAINT"] },
    });
  });

  it("sends every bounce, complaint and rejection to the alarm topic", () => {
    expect(synth.resources("aws_sesv2_configuration_set_event_destination")).toEqual([
      expect.objectContaining({
        configuration_set_name: ref(mail.configurationSet, "configuration_set_name"),
        event_destination: {
          enabled: true,
          matching_event_types: ["BOUNCE", "COMPLAINT", "REJECT"],
          sns_destination: { topic_arn: TOPIC },
        },
      }),
    ]);
  });

  it("alarms before SES pauses the account: bounce rate over 5%, complaint rate over 0.1%", () => {
    const alarms = synth.resources("aws_cloudwatch_metric_alarm");
    expect(alarms.map((a) => [a.namespace, a.metric_name, a.comparison_operator, a.threshold])).toEqual([
      ["AWS/SES", "Reputation.BounceRate", "GreaterThanThreshold", 0.05],
      ["AWS/SES", "Reputation.ComplaintRate", "GreaterThanThreshold", 0.001],
    ]);
    for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([TOPIC]);
  });

  it("lets the granted role send through the SES API only from the app's address, identity and configuration set", () => {
    const [policy] = synth.resources("aws_iam_role_policy");
    expect(policy.role).toBe(ref(role, "id"));
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "SendFromTheAppsAddress",
        Effect: "Allow",
        Action: ["ses:SendEmail", "ses:SendRawEmail"],
        Resource: [ref(mail.identity, "arn"), ref(mail.configurationSet, "arn")],
        Condition: { StringEquals: { "ses:FromAddress": "robot@app.example.org" } },
      },
    ]);
  });

  it("makes no SMTP credentials: no IAM user, no access key", () => {
    expect(synth.resources("aws_iam_user")).toEqual([]);
    expect(synth.resources("aws_iam_access_key")).toEqual([]);
  });

  it.each([
    ["outside the domain", "robot@example.org", /fromAddress: robot@example.org is not in app.example.org/],
    ["in a subdomain", "robot@mail.app.example.org", /is not in app.example.org/],
    ["not an address", "robot", /fromAddress: .*e-mail address/],
  ])("refuses a from address %s", (_why, fromAddress, message) => {
    expect(() => new Mail(newStack(), "mail", { ...props, fromAddress })).toThrow(message);
  });
});
