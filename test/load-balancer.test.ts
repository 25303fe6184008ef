import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { LoadBalancer, type LoadBalancerProps } from "../constructs/load-balancer";
import { Naming } from "../constructs/naming";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const CERTIFICATE = "arn:aws:acm:us-west-2:111111111111:certificate/0e1d2c3b";
const props: LoadBalancerProps = {
  naming: new Naming("myamazingapp", "test"),
  vpcId: "vpc-0123",
  publicSubnetIds: ["subnet-a", "subnet-b"],
  certificateArn: CERTIFICATE,
  targetPort: 3000,
  healthCheckPath: "/healthz",
  idleTimeoutSeconds: 300,
  accessLogRetentionDays: 45,
  deletionProtection: true,
  emptyLogsOnDestroy: false,
  dualStack: true,
  accessLogBucketName: "myamazingapp-test-alb-logs-111111111111",
};

describe("LoadBalancer", () => {
  let synth: Synthesized;
  let lb: LoadBalancer;
  let listeners: Block[];
  let ipv4Only: Synthesized;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      lb = new LoadBalancer(scope, "lb", props);
      lb.allowTo("sg-web", 3000);
    });
    listeners = synth.resources("aws_lb_listener");
    ipv4Only = synthConstruct(
      (scope) =>
        new LoadBalancer(scope, "lb", {
          ...props,
          dualStack: false,
          deletionProtection: false,
          emptyLogsOnDestroy: true,
        }),
    );
  });
  const listener = (port: number) => {
    const found = listeners.filter((l) => l.port === port);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it("is an internet-facing, dual-stack application load balancer in the public subnets", () => {
    expect(synth.json).toHaveResourceWithProperties(Lb, {
      load_balancer_type: "application",
      internal: false,
      ip_address_type: "dualstack",
      subnets: ["subnet-a", "subnet-b"],
      security_groups: [ref(lb.securityGroup, "id")],
    });
  });

  it("drops invalid header fields and uses the idle timeout from props", () => {
    expect(synth.of(lb.alb)).toMatchObject({ drop_invalid_header_fields: true, idle_timeout: 300 });
  });

  it("refuses deletion, and keeps its access logs on destroy, only as asked", () => {
    expect(synth.of(lb.alb).enable_deletion_protection).toBe(true);
    expect(synth.resources("aws_s3_bucket")[0].force_destroy).toBe(false);
    expect(ipv4Only.resources("aws_lb")[0].enable_deletion_protection).toBe(false);
    expect(ipv4Only.resources("aws_s3_bucket")[0].force_destroy).toBe(true);
  });

  it("serves HTTPS on 443 with a TLS 1.3 policy and the certificate, forwarding to the target group", () => {
    expect(listener(443)).toMatchObject({
      protocol: "HTTPS",
      ssl_policy: expect.stringMatching(/^ELBSecurityPolicy-TLS13-/),
      certificate_arn: CERTIFICATE,
      load_balancer_arn: ref(lb.alb, "arn"),
      default_action: [{ type: "forward", target_group_arn: ref(lb.targetGroup, "arn") }],
    });
  });

  it("answers HTTP on 80 only with a permanent (301) redirect to HTTPS", () => {
    const http = listener(80);
    expect(http.protocol).toBe("HTTP");
    expect(http.default_action).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } },
    ]);
    expect(listeners).toHaveLength(2);
  });

  it("health-checks the path from props on IP targets at the target port", () => {
    expect(synth.json).toHaveResourceWithProperties(LbTargetGroup, {
      target_type: "ip",
      protocol: "HTTP",
      port: 3000,
      vpc_id: "vpc-0123",
      health_check: expect.objectContaining({ enabled: true, path: "/healthz", matcher: "200" }),
    });
  });

  it("writes access logs to its private log bucket, which lets only the ELB account put objects", () => {
    const bucket = synth.resources("aws_s3_bucket");
    expect(bucket).toEqual([expect.objectContaining({ bucket: props.accessLogBucketName })]);
    const bucketId = Object.keys(synth.config.resource.aws_s3_bucket)[0];
    expect(synth.of(lb.alb).access_logs).toEqual({
      bucket: `\${aws_s3_bucket.${bucketId}.id}`,
      enabled: true,
      prefix: "alb",
    });
    const policy = JSON.parse(synth.resources("aws_s3_bucket_policy")[0].policy);
    const delivery = policy.Statement.filter((s: Block) => s.Effect === "Allow");
    expect(delivery).toEqual([
      expect.objectContaining({
        Principal: { AWS: expect.stringMatching(/^\$\{data\.aws_elb_service_account\..+\.arn\}$/) },
        Action: "s3:PutObject",
        Resource: `\${aws_s3_bucket.${bucketId}.arn}/*`,
      }),
    ]);
    // The load balancer checks write access when it is created, so the policy must exist first.
    expect(synth.of(lb.alb).depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
  });

  it("expires access logs after the given retention", () => {
    expect(synth.json).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [expect.objectContaining({ status: "Enabled", expiration: [{ days: 45 }] })],
    });
  });

  it("refuses to keep access logs less than 30 days", () => {
    expect(() => new LoadBalancer(newStack(), "lb", { ...props, accessLogRetentionDays: 29 })).toThrow(
      /LoadBalancer: accessLogRetentionDays: 29 is out of range; allowed: 30 to 3653/,
    );
  });

  it("lets in only 80 and 443, from 0.0.0.0/0 and ::/0", () => {
    const sgId = ref(lb.securityGroup, "id");
    const ingress = synth
      .resources("aws_vpc_security_group_ingress_rule")
      .filter((r) => r.security_group_id === sgId);
    const rules = ingress.map(
      (r) => `${r.ip_protocol}/${r.from_port}-${r.to_port}/${r.cidr_ipv4 ?? r.cidr_ipv6}`,
    );
    expect(rules.sort()).toEqual([
      "tcp/443-443/0.0.0.0/0",
      "tcp/443-443/::/0",
      "tcp/80-80/0.0.0.0/0",
      "tcp/80-80/::/0",
    ]);
    for (const rule of ingress) expect(rule.referenced_security_group_id).toBeUndefined();
    expect(synth.of(lb.securityGroup).ingress).toBeUndefined();
  });

  it("without dualStack: IPv4 only, and no ::/0 ingress", () => {
    expect(ipv4Only.resources("aws_lb")[0].ip_address_type).toBe("ipv4");
    const ingress = ipv4Only.resources("aws_vpc_security_group_ingress_rule");
    expect(ingress.map((r) => `${r.from_port}/${r.cidr_ipv4 ?? r.cidr_ipv6}`).sort()).toEqual([
      "443/0.0.0.0/0",
      "80/0.0.0.0/0",
    ]);
  });

  it("allowTo opens egress only to the target security group on the target port", () => {
    expect(synth.resources("aws_vpc_security_group_egress_rule")).toEqual([
      expect.objectContaining({
        security_group_id: ref(lb.securityGroup, "id"),
        referenced_security_group_id: "sg-web",
        ip_protocol: "tcp",
        from_port: 3000,
        to_port: 3000,
      }),
    ]);
    expect(synth.of(lb.securityGroup).egress).toBeUndefined();
  });

  it.each([[[]], [["subnet-a"]]])("refuses public subnets %j (it needs two AZs)", (publicSubnetIds) => {
    expect(() => new LoadBalancer(newStack(), "lb", { ...props, publicSubnetIds })).toThrow(
      /LoadBalancer: publicSubnetIds: needs subnets in at least two AZs/,
    );
  });

  it.each([0, 59, 4001])("refuses idleTimeoutSeconds %p (outside 60 to 4000)", (idleTimeoutSeconds) => {
    expect(() => new LoadBalancer(newStack(), "lb", { ...props, idleTimeoutSeconds })).toThrow(
      /LoadBalancer: idleTimeoutSeconds: \d+ is out of range; allowed: 60 to 4000 seconds/,
    );
  });

  it("refuses a health check path that is not an absolute path", () => {
    expect(() => new LoadBalancer(newStack(), "lb", { ...props, healthCheckPath: "up" })).toThrow(
      /LoadBalancer: healthCheckPath: "up" is malformed; expected an absolute path/,
    );
  });

  it("refuses an SSL policy that does not offer TLS 1.3", () => {
    expect(
      () => new LoadBalancer(newStack(), "lb", { ...props, sslPolicy: "ELBSecurityPolicy-2016-08" }),
    ).toThrow(/sslPolicy: "ELBSecurityPolicy-2016-08" does not offer TLS 1.3/);
  });
});
