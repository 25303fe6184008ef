import { Construct } from "constructs";
import { Fn, Op, Token } from "cdktf";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { AppTaskDefinition } from "./app-task-definition";
import type { EncryptionKey } from "./encryption-key";
import { policyDocument } from "./iam";
import { checkRange, checkTwoAzs, refuse, TARGET_CPU_PERCENT, TASK_COUNT, TCP_PORT } from "./limits";
import type { Naming } from "./naming";

/** The port the tasks may always reach anywhere. */
const HTTPS_PORT = 443;

/** A TCP port the tasks may open connections to, anywhere, and what for. */
export interface OutboundPort {
  readonly port: number;
  readonly description: string;
}

export interface WebServiceProps {
  /** Resource names. */
  readonly naming: Naming;
  /** VPC of the tasks. */
  readonly vpcId: string;
  /** Private subnets, one per AZ (at least two); tasks get no public IP. */
  readonly subnetIds: string[];
  /** The Rails task definition. */
  readonly task: AppTaskDefinition;
  /** Target group the load balancer forwards to. */
  readonly targetGroupArn: string;
  /** Security group of the load balancer (the only source of traffic). */
  readonly loadBalancerSecurityGroupId: string;
  /** Tasks at deploy time and the autoscaling floor (at least 2). */
  readonly minCount: number;
  /** Autoscaling ceiling (at least `minCount`). */
  readonly maxCount: number;
  /** Average CPU % target tracking aims for (10 to 90). */
  readonly targetCpuPercent: number;
  /** Target-tracking autoscaling between minCount and maxCount (off only where the emulator lacks it). */
  readonly autoscaling: boolean;
  /** TCP ports the tasks may reach on the internet besides HTTPS (443), e.g. LDAPS 636; each with why. */
  readonly outboundPorts: readonly OutboundPort[];
  /** Customer-managed key of the ECS Exec session log and of the sessions themselves. */
  readonly logsKey: EncryptionKey;
  /** Days ECS Exec session logs are kept (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** Seconds the service ignores failing health checks after a task starts (Rails boot). @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * The released image and the placeholder it holds before the first release: while they are equal the
   * service runs no task (nothing to crash-loop on, no circuit breaker to trip), and from the first release on
   * it runs `minCount` to `maxCount`. @default none (always `minCount` to `maxCount`)
   */
  readonly awaitFirstRelease?: { readonly releasedImage: string; readonly placeholderImage: string };
}

/**
 * ECS cluster (Container Insights) and the Fargate web service: at least two tasks spread over the AZs in
 * private subnets, zero-downtime deploys (100% minimum healthy) with a circuit breaker that rolls back,
 * CPU target tracking, and ECS Exec for operators.
 */
export class WebService extends Construct {
  public readonly cluster: EcsCluster;
  public readonly service: EcsService;
  /** Security group of the tasks; the database and scheduled job use it as the app's identity. */
  public readonly securityGroup: SecurityGroup;
  /** Where ECS Exec sessions are logged. */
  public readonly execLogGroup: CloudwatchLogGroup;
  /** The task count floor: `minCount`, or a Terraform expression that is 0 until the first release. */
  public readonly taskFloor: number;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const { naming, task } = props;
    WebService.validate(props);
    const { minCount, maxCount, autoscaling } = props;
    // The task count floor: minCount, or none at all until the first release.
    const wait = props.awaitFirstRelease;
    const floor = wait
      ? Token.asNumber(Fn.conditional(Op.eq(wait.releasedImage, wait.placeholderImage), 0, minCount))
      : minCount;
    this.taskFloor = floor;

    // ECS Exec sessions are logged, encrypted, in their own group; the sessions themselves use the same key.
    this.execLogGroup = new CloudwatchLogGroup(this, "exec-logs", {
      name: naming.path("ecs-exec"),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKey.key.arn,
    });
    this.cluster = new EcsCluster(this, "cluster", {
      name: naming.name(""),
      setting: [{ name: "containerInsights", value: "enabled" }],
      configuration: {
        executeCommandConfiguration: {
          kmsKeyId: props.logsKey.key.arn,
          logging: "OVERRIDE",
          logConfiguration: {
            cloudWatchLogGroupName: this.execLogGroup.name,
            cloudWatchEncryptionEnabled: true,
          },
        },
      },
    });
    this.auditExec(task, props.logsKey);

    this.securityGroup = new SecurityGroup(this, "sg", {
      name: naming.name("web"),
      description: "Rails tasks: traffic from the load balancer only",
      vpcId: props.vpcId,
    });
    new VpcSecurityGroupIngressRule(this, "from-alb", {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: props.loadBalancerSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: task.containerPort,
      toPort: task.containerPort,
      description: "From the load balancer",
    });
    // Out on HTTPS only (AWS APIs, S3 through its gateway endpoint, the external services the app calls), and
    // on the ports the environment names; the database is reached through its own security group (allowTo).
    for (const { port, description } of [
      {
        port: HTTPS_PORT,
        description: "HTTPS: AWS APIs, S3, ECR, Secrets Manager and the services the app calls",
      },
      ...props.outboundPorts,
    ]) {
      new VpcSecurityGroupEgressRule(this, port === HTTPS_PORT ? "egress-https" : `egress-${port}`, {
        securityGroupId: this.securityGroup.id,
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description,
      });
    }

    this.service = new EcsService(this, "service", {
      name: naming.name("web"),
      cluster: this.cluster.arn,
      taskDefinition: task.taskDefinition.arn,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      desiredCount: floor,
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: [this.securityGroup.id],
        assignPublicIp: false,
      },
      loadBalancer: [
        {
          targetGroupArn: props.targetGroupArn,
          containerName: task.containerName,
          containerPort: task.containerPort,
        },
      ],
      // New tasks must be healthy before old ones stop; a deploy that cannot get there rolls itself back.
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      availabilityZoneRebalancing: "ENABLED",
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds ?? 60,
      enableExecuteCommand: true,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      lifecycle: {
        // The delivery pipeline registers new revisions and moves the service to them; autoscaling owns
        // the running count. Terraform keeps the shape of both without fighting them.
        ignoreChanges: autoscaling ? ["task_definition", "desired_count"] : ["task_definition"],
      },
    });

    if (autoscaling) {
      const target = new AppautoscalingTarget(this, "scaling-target", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: `service/${this.cluster.name}/${this.service.name}`,
        minCapacity: floor,
        maxCapacity: maxCount,
      });
      new AppautoscalingPolicy(this, "cpu-tracking", {
        name: naming.name("cpu"),
        policyType: "TargetTrackingScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: props.targetCpuPercent,
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          scaleOutCooldown: 60,
          scaleInCooldown: 300,
        },
      });
    }
  }

  /** Lets the tasks open connections to another security group (the database's) on one port. */
  public allowTo(targetSecurityGroupId: string, port: number, description: string): void {
    new VpcSecurityGroupEgressRule(this, `egress-${description.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: targetSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      description,
    });
  }

  /** What the ECS Exec agent in a task needs to log and encrypt sessions: write the session log, use the key. */
  private auditExec(task: AppTaskDefinition, key: EncryptionKey): void {
    key.allowRole("EcsExecAgentDecrypts", task.taskRole, ["kms:Decrypt"]);
    new IamRolePolicy(this, "exec-audit", {
      role: task.taskRole.id,
      name: "ecs-exec-audit",
      policy: policyDocument(
        {
          Sid: "WriteSessionLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: `${this.execLogGroup.arn}:*`,
        },
        // The agent checks that the group exists and is encrypted; DescribeLogGroups takes no resource.
        { Sid: "FindTheSessionLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
        { Sid: "DecryptSessions", Effect: "Allow", Action: "kms:Decrypt", Resource: key.key.arn },
      ),
    });
  }

  /** Refuses a service that would not be highly available, or bounds that cannot hold. */
  public static validate(props: WebServiceProps): void {
    refuse("WebService", {
      subnetIds: checkTwoAzs(props.subnetIds),
      minCount: checkRange(TASK_COUNT, props.minCount),
      outboundPorts:
        props.outboundPorts.map((p) => checkRange(TCP_PORT, p.port)).find(Boolean) ??
        WebService.checkOutboundPorts(props.outboundPorts.map((p) => p.port)),
      maxCount:
        checkRange(TASK_COUNT, props.maxCount) ?? WebService.checkCounts(props.minCount, props.maxCount),
      targetCpuPercent: checkRange(TARGET_CPU_PERCENT, props.targetCpuPercent),
    });
  }

  /** Why a list of extra outbound ports is refused (443, always open, or a port listed twice), or undefined. */
  public static checkOutboundPorts(ports: readonly number[]): string | undefined {
    const repeated = ports.find((p, i) => p === HTTPS_PORT || ports.indexOf(p) !== i);
    return repeated === undefined
      ? undefined
      : `port ${repeated} is ${repeated === HTTPS_PORT ? "always open" : "listed twice"}; allowed: ports other than ${HTTPS_PORT}, each once`;
  }

  /** Why an autoscaling ceiling below the floor is refused, or undefined. */
  public static checkCounts(minCount: number, maxCount: number): string | undefined {
    return maxCount < minCount
      ? `${maxCount} is below the minimum of ${minCount} tasks; allowed: ${minCount} or more`
      : undefined;
  }
}
