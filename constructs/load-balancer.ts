import { Construct } from "constructs";
import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import {
  checkTwoAzs,
  LOG_ARCHIVE_DAYS,
  BUCKET_NAME,
  checkPattern,
  checkRange,
  HEALTH_CHECK_PATH,
  IDLE_TIMEOUT_SECONDS,
  refuse,
  TCP_PORT,
} from "./limits";
import type { Naming } from "./naming";
import { archiveLifecycle } from "./log-archive";
import { PrivateBucket } from "./private-bucket";

export interface LoadBalancerProps {
  /** Resource names. */
  readonly naming: Naming;
  /** VPC the load balancer lives in. */
  readonly vpcId: string;
  /** Public subnets, one per AZ (at least two). */
  readonly publicSubnetIds: string[];
  /** ACM certificate for the HTTPS listener. */
  readonly certificateArn: string;
  /** Port the targets listen on. */
  readonly targetPort: number;
  /** Path the health check requests, e.g. `/up`. */
  readonly healthCheckPath: string;
  /** Idle timeout, seconds (60 to 4000). */
  readonly idleTimeoutSeconds: number;
  /** TLS policy of the HTTPS listener. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  readonly sslPolicy?: string;
  /** Days access logs are kept, with the log archive's lifecycle (30 to 3653). */
  readonly accessLogRetentionDays: number;
  /** Refuse deletion of the load balancer. */
  readonly deletionProtection: boolean;
  /** Let `terraform destroy` empty the access log bucket; only for throw-away environments. */
  readonly emptyLogsOnDestroy: boolean;
  /** Serve IPv6 too (the subnets must have IPv6 CIDRs). */
  readonly dualStack: boolean;
  /** Bucket name for access logs. */
  readonly accessLogBucketName: string;
}

const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * Internet-facing (by default dual-stack) ALB: HTTPS on 443 with a TLS 1.3 policy, port 80 only redirects (301),
 * invalid header fields dropped, access logs to a private bucket.
 */
export class LoadBalancer extends Construct {
  public readonly alb: Lb;
  public readonly targetGroup: LbTargetGroup;
  public readonly securityGroup: SecurityGroup;
  public readonly httpsListener: LbListener;
  /** The access log bucket (SSE-S3), which also takes the environment's S3 server access logs. */
  public readonly logBucket: PrivateBucket;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const { naming } = props;
    LoadBalancer.validate(props);
    const sslPolicy = props.sslPolicy ?? DEFAULT_SSL_POLICY;

    // SSE-S3, as load balancer log delivery and S3 server access logging require; versioned, so a log
    // overwritten or deleted by mistake stays recoverable until the lifecycle removes it.
    const logs = (this.logBucket = new PrivateBucket(this, "access-logs", {
      bucketName: props.accessLogBucketName,
      forceDestroy: props.emptyLogsOnDestroy,
      versioned: true,
    }));
    // ALB log delivery writes as the regional ELB account; it is allowed to put objects and nothing else.
    const elbAccount = new DataAwsElbServiceAccount(this, "elb-account");
    logs.addToPolicy({
      Sid: "AlbLogDelivery",
      Effect: "Allow",
      Principal: { AWS: elbAccount.arn },
      Action: "s3:PutObject",
      Resource: `${logs.objectsArn}`,
    });
    // The log archive's lifecycle: colder storage where it pays, expiry after the archive retention.
    new S3BucketLifecycleConfiguration(this, "access-logs-lifecycle", {
      bucket: logs.bucket.id,
      rule: archiveLifecycle(props.accessLogRetentionDays),
    });

    this.securityGroup = new SecurityGroup(this, "sg", {
      name: naming.name("alb"),
      description: "Internet to the load balancer on 80 and 443",
      vpcId: props.vpcId,
    });
    const { dualStack } = props;
    const sources = [["v4", { cidrIpv4: "0.0.0.0/0" }]] as Array<[string, Record<string, string>]>;
    if (dualStack) sources.push(["v6", { cidrIpv6: "::/0" }]);
    for (const port of [80, 443]) {
      for (const [family, cidr] of sources) {
        new VpcSecurityGroupIngressRule(this, `ingress-${port}-${family}`, {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          description: `HTTP${port === 443 ? "S" : ""} from the internet (IP${family})`,
          ...cidr,
        });
      }
    }

    this.alb = new Lb(this, "alb", {
      name: naming.name("alb", 32),
      loadBalancerType: "application",
      internal: false,
      ipAddressType: dualStack ? "dualstack" : "ipv4",
      subnets: props.publicSubnetIds,
      securityGroups: [this.securityGroup.id],
      dropInvalidHeaderFields: true,
      idleTimeout: props.idleTimeoutSeconds,
      enableDeletionProtection: props.deletionProtection,
      accessLogs: { bucket: logs.bucket.id, enabled: true, prefix: "alb" },
      dependsOn: [logs.policy],
    });

    this.targetGroup = new LbTargetGroup(this, "web", {
      name: naming.name("web", 32),
      vpcId: props.vpcId,
      targetType: "ip",
      protocol: "HTTP",
      port: props.targetPort,
      deregistrationDelay: "30",
      healthCheck: {
        enabled: true,
        path: props.healthCheckPath,
        matcher: "200",
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    });

    new LbListener(this, "http", {
      loadBalancerArn: this.alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ],
    });
    this.httpsListener = new LbListener(this, "https", {
      loadBalancerArn: this.alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
    });
  }

  /** Refuses props that would make the load balancer unavailable, insecure or unobservable. */
  public static validate(props: LoadBalancerProps): void {
    const sslPolicy = props.sslPolicy ?? DEFAULT_SSL_POLICY;
    refuse("LoadBalancer", {
      publicSubnetIds: checkTwoAzs(props.publicSubnetIds),
      targetPort: checkRange(TCP_PORT, props.targetPort),
      healthCheckPath: checkPattern(HEALTH_CHECK_PATH, props.healthCheckPath),
      idleTimeoutSeconds: checkRange(IDLE_TIMEOUT_SECONDS, props.idleTimeoutSeconds),
      sslPolicy: sslPolicy.includes("TLS13")
        ? undefined
        : `"${sslPolicy}" does not offer TLS 1.3; use an ELBSecurityPolicy-TLS13-* policy`,
      accessLogRetentionDays: checkRange(LOG_ARCHIVE_DAYS, props.accessLogRetentionDays),
      accessLogBucketName: checkPattern(BUCKET_NAME, props.accessLogBucketName),
    });
  }

  /** Lets the load balancer reach a target security group on the target port (and only that). */
  public allowTo(targetSecurityGroupId: string, port: number): void {
    new VpcSecurityGroupEgressRule(this, "egress-to-targets", {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: targetSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      description: "To the web tasks",
    });
  }
}
