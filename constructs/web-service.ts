import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { AppTaskDefinition } from "./app-task-definition";
import { checkRange, checkTwoAzs, refuse, TARGET_CPU_PERCENT, TASK_COUNT } from "./limits";
import type { Naming } from "./naming";

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
  /** Seconds the service ignores failing health checks after a task starts (Rails boot). @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
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

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const { naming, task } = props;
    WebService.validate(props);
    const { minCount, maxCount, autoscaling } = props;

    this.cluster = new EcsCluster(this, "cluster", {
      name: naming.name(""),
      setting: [{ name: "containerInsights", value: "enabled" }],
    });

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
    // Out to the database, S3, ECR, Secrets Manager and the external services the app calls.
    new VpcSecurityGroupEgressRule(this, "egress", {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "-1",
      description: "All outbound",
    });

    this.service = new EcsService(this, "service", {
      name: naming.name("web"),
      cluster: this.cluster.arn,
      taskDefinition: task.taskDefinition.arn,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      desiredCount: minCount,
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
        minCapacity: minCount,
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

  /** Refuses a service that would not be highly available, or bounds that cannot hold. */
  public static validate(props: WebServiceProps): void {
    refuse("WebService", {
      subnetIds: checkTwoAzs(props.subnetIds),
      minCount: checkRange(TASK_COUNT, props.minCount),
      maxCount:
        checkRange(TASK_COUNT, props.maxCount) ?? WebService.checkCounts(props.minCount, props.maxCount),
      targetCpuPercent: checkRange(TARGET_CPU_PERCENT, props.targetCpuPercent),
    });
  }

  /** Why an autoscaling ceiling below the floor is refused, or undefined. */
  public static checkCounts(minCount: number, maxCount: number): string | undefined {
    return maxCount < minCount
      ? `${maxCount} is below the minimum of ${minCount} tasks; allowed: ${minCount} or more`
      : undefined;
  }
}
