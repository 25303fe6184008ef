import { TerraformOutput } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Domain } from "../constructs/domain";
import { type Block, newStack, synthConstruct, type Synthesized } from "./helpers";

const ALB = { dnsName: "myamazingapp-test-alb-123.us-west-2.elb.amazonaws.com", zoneId: "Z1H1FL5HABSF5" };

describe("Domain", () => {
  let synth: Synthesized;
  let existing: Domain;
  let created: Domain;
  // Records and certificates of one of the two domains, by construct id prefix.
  const own = <T extends Block>(type: string, prefix: "existing" | "created") =>
    Object.entries<T>(synth.config.resource[type]).filter(([id]) => id.startsWith(`${prefix}_`));

  beforeAll(() => {
    synth = synthConstruct((scope) => {
      existing = new Domain(scope, "existing", {
        domainName: "myamazingapp.cdlib.org",
        zoneName: "cdlib.org",
        createZone: false,
      });
      existing.aliasTo({ ...ALB, dualStack: true });
      created = new Domain(scope, "created", {
        domainName: "staging.myamazingapp.cdlib.org",
        zoneName: "staging.myamazingapp.cdlib.org",
        createZone: true,
      });
      created.aliasTo({ ...ALB, dualStack: false });
      new TerraformOutput(scope, "certificate", { value: existing.certificateArn });
      // What other constructs get: the zone id of the looked-up and of the created zone.
      new TerraformOutput(scope, "existing-zone", { value: existing.zoneId });
      new TerraformOutput(scope, "created-zone", { value: created.zoneId });
    });
  });

  it("looks up an existing public zone through a data source when createZone is false", () => {
    expect(synth.json).toHaveDataSourceWithProperties(DataAwsRoute53Zone, {
      name: "cdlib.org",
      private_zone: false,
    });
    expect(synth.dataSources("aws_route53_zone")).toHaveLength(1);
    expect(synth.config.output["existing-zone"].value).toMatch(
      /^\$\{data\.aws_route53_zone\.existing_zone_[^.]+\.zone_id\}$/,
    );
    expect(existing.nameServers).toBeUndefined();
    for (const [, record] of own("aws_route53_record", "existing")) {
      expect(record.zone_id).toMatch(/^\$\{data\.aws_route53_zone\.existing_zone_[^.]+\.zone_id\}$/);
    }
  });

  it("creates the zone, and outputs its name servers for delegation, when createZone is true", () => {
    expect(synth.json).toHaveResourceWithProperties(Route53Zone, { name: "staging.myamazingapp.cdlib.org" });
    expect(synth.resources("aws_route53_zone")).toHaveLength(1);
    const outputs = Object.entries<Block>(synth.config.output).filter(([id]) => id.startsWith("created_"));
    expect(synth.config.output["created-zone"].value).toMatch(
      /^\$\{aws_route53_zone\.created_zone_[^.]+\.zone_id\}$/,
    );
    expect(outputs).toEqual([
      [
        expect.any(String),
        expect.objectContaining({ value: expect.stringMatching(/aws_route53_zone\..+\.name_servers/) }),
      ],
    ]);
    for (const [, record] of own("aws_route53_record", "created")) {
      expect(record.zone_id).toMatch(/^\$\{aws_route53_zone\.created_zone_[^.]+\.zone_id\}$/);
    }
  });

  it("requests an ACM certificate for the domain, validated through DNS", () => {
    expect(synth.json).toHaveResourceWithProperties(AcmCertificate, {
      domain_name: "myamazingapp.cdlib.org",
      validation_method: "DNS",
    });
    expect(synth.json).toHaveResourceWithProperties(AcmCertificate, {
      domain_name: "staging.myamazingapp.cdlib.org",
      validation_method: "DNS",
    });
  });

  it("writes the certificate's validation record into the zone", () => {
    const [[certId]] = own("aws_acm_certificate", "existing");
    const option = `tolist(aws_acm_certificate.${certId}.domain_validation_options).0`;
    const validation = own("aws_route53_record", "existing").filter(([id]) => id.includes("_validation_"));
    expect(validation).toHaveLength(1);
    expect(validation[0][1]).toMatchObject({
      name: `\${${option}.resource_record_name}`,
      type: `\${${option}.resource_record_type}`,
      records: [`\${${option}.resource_record_value}`],
    });
  });

  it("waits for validation (aws_acm_certificate_validation) and hands out the validated certificate ARN", () => {
    const [[certId]] = own("aws_acm_certificate", "existing");
    const [[recordId]] = own("aws_route53_record", "existing").filter(([id]) => id.includes("_validation_"));
    const validations = own("aws_acm_certificate_validation", "existing");
    expect(validations).toEqual([
      [
        expect.any(String),
        {
          certificate_arn: `\${aws_acm_certificate.${certId}.arn}`,
          validation_record_fqdns: [`\${aws_route53_record.${recordId}.fqdn}`],
        },
      ],
    ]);
    expect(synth.config.output.certificate.value).toBe(
      `\${aws_acm_certificate_validation.${validations[0][0]}.certificate_arn}`,
    );
  });

  it("aliasTo points A and AAAA records for the domain at a dual-stack target", () => {
    const aliases = own("aws_route53_record", "existing")
      .map(([, r]) => r)
      .filter((r) => r.alias !== undefined);
    expect(aliases.map((r) => r.type).sort()).toEqual(["A", "AAAA"]);
    for (const alias of aliases) {
      expect(alias).toMatchObject({
        name: "myamazingapp.cdlib.org",
        alias: { name: ALB.dnsName, zone_id: ALB.zoneId, evaluate_target_health: true },
      });
      expect(alias.records).toBeUndefined();
    }
  });

  it("aliasTo publishes only the A record for an IPv4-only target", () => {
    const aliases = own("aws_route53_record", "created").filter(([, r]) => r.alias !== undefined);
    expect(aliases.map(([, r]) => [r.type, r.name])).toEqual([["A", "staging.myamazingapp.cdlib.org"]]);
  });

  it.each([
    ["an upper-case name", "MyAmazingApp.cdlib.org"],
    ["a name without a dot", "localhost"],
    ["a trailing dot", "myamazingapp.cdlib.org."],
    ["a URL", "https://myamazingapp.cdlib.org"],
    ["an empty label", "myamazingapp..cdlib.org"],
  ])("refuses a malformed domainName (%s)", (_why, domainName) => {
    expect(
      () => new Domain(newStack(), "d", { domainName, zoneName: "cdlib.org", createZone: false }),
    ).toThrow(/Domain: domainName: .* is malformed; expected a lowercase fully qualified domain name/);
  });

  it("refuses a malformed zoneName", () => {
    expect(
      () => new Domain(newStack(), "d", { domainName: "a.cdlib.org", zoneName: "cdlib", createZone: false }),
    ).toThrow(/Domain:[^]*zoneName: "cdlib" is malformed/);
  });

  it.each([
    ["another zone", "myamazingapp.example.org"],
    ["a name that only ends with the zone's letters", "myamazingappcdlib.org"],
  ])("refuses a domain outside the zone (%s)", (_why, domainName) => {
    expect(
      () => new Domain(newStack(), "d", { domainName, zoneName: "cdlib.org", createZone: false }),
    ).toThrow(/Domain: domainName: ".*" is not inside the hosted zone "cdlib.org"/);
  });
});
