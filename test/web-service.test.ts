import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { Construct } from "constructs";
import { Naming } from "../constructs/naming";
import { WebService, type WebServiceProps } from "../constructs/web-service";
import { appTask, type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";

const TARGET_GROUP =
  "arn:aws:elasticloadbalancing:us-west-2:111111111111:targetgroup/myamazingapp-test-web/abc";

function serviceProps(scope: Construct, environment: string): WebServiceProps {
  const naming = new Naming("myamazingapp", environment);
  const task = appTask(scope, `${environment}-task`, naming, { containerPort: 8080 });
  return {
    naming,
    vpcId: "vpc-0123",
    subnetIds: ["subnet-private-a", "subnet-private-b"],
    task,
    targetGroupArn: TARGET_GROUP,
    loadBalancerSecurityGroupId: "sg-alb",
    minCount: 2,
    maxCount: 4,
    targetCpuPercent: 60,
    autoscaling: true,
    outboundPorts: [],
    logsKey: testKey(scope, `${environment}-logs`, naming),
    logRetentionDays: 90,
  };
}

describe("WebService", () => {
  let synth: Synthesized;
  let web: WebService;
  let webProps: WebServiceProps;
  let fixed: WebService;
  let service: Block;
  let rejectProps: WebServiceProps;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      webProps = {
        ...serviceProps(scope, "test"),
        minCount: 3,
        maxCount: 6,
        targetCpuPercent: 45,
        outboundPorts: [{ port: 587, description: "SMTP submission" }],
      };
      web = new WebService(scope, "web", webProps);
      fixed = new WebService(scope, "fixed", { ...serviceProps(scope, "fixed"), autoscaling: false });
    });
    service = synth.of(web.service);
    const scratch = newStack();
    rejectProps = serviceProps(scratch, "reject");
  });
  const reject = (overrides: Partial<WebServiceProps>) => () =>
    new WebService(newStack(), "web", { ...rejectProps, ...overrides });

  it("turns Container Insights on for the cluster", () => {
    expect(synth.json).toHaveResourceWithProperties(EcsCluster, {
      name: "myamazingapp-test",
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
  });

  it("runs the task definition on Fargate in the cluster", () => {
    expect(service).toMatchObject({
      cluster: ref(web.cluster, "arn"),
      task_definition: ref(webProps.task.taskDefinition, "arn"),
      launch_type: "FARGATE",
    });
  });

  it("starts minCount tasks (at least two, one per AZ)", () => {
    expect(service.desired_count).toBe(3);
    expect(synth.of(fixed.service).desired_count).toBe(2);
  });

  it("runs tasks in the private subnets, without a public IP, in its own security group", () => {
    expect(service.network_configuration).toEqual({
      subnets: ["subnet-private-a", "subnet-private-b"],
      security_groups: [ref(web.securityGroup, "id")],
      assign_public_ip: false,
    });
  });

  it("deploys without downtime (100% minimum healthy) and rolls back a failing deploy", () => {
    expect(service).toMatchObject({
      deployment_minimum_healthy_percent: 100,
      deployment_circuit_breaker: { enable: true, rollback: true },
    });
    expect(service.deployment_maximum_percent).toBeGreaterThan(100);
  });

  it("enables ECS Exec, with every session logged to an encrypted log group and encrypted with the key", () => {
    expect(service.enable_execute_command).toBe(true);
    const keyArn = ref(webProps.logsKey.key, "arn");
    expect(synth.of(web.cluster).configuration.execute_command_configuration).toEqual({
      kms_key_id: keyArn,
      logging: "OVERRIDE",
      log_configuration: {
        cloud_watch_log_group_name: ref(web.execLogGroup, "name"),
        cloud_watch_encryption_enabled: true,
      },
    });
    expect(synth.of(web.execLogGroup)).toMatchObject({
      name: "/myamazingapp/test/ecs-exec",
      retention_in_days: 90,
      kms_key_id: keyArn,
    });
  });

  it("lets the task role write session logs to that group only, and decrypt sessions with that key only", () => {
    const [audit] = synth
      .resources("aws_iam_role_policy")
      .filter((p) => p.name === "ecs-exec-audit" && p.role === ref(webProps.task.taskRole, "id"));
    const statements: Block[] = JSON.parse(audit.policy).Statement;
    expect(statements.find((st) => st.Sid === "WriteSessionLogs")?.Resource).toBe(
      `${ref(web.execLogGroup, "arn")}:*`,
    );
    expect(statements.find((st) => st.Sid === "DecryptSessions")?.Resource).toBe(
      ref(webProps.logsKey.key, "arn"),
    );
    const star = statements.filter((st) => st.Resource === "*").flatMap((st) => [st.Action].flat());
    expect(star).toEqual(["logs:DescribeLogGroups"]);
  });

  it("opens outbound HTTPS and the ports the environment names, nothing else", () => {
    const egress = synth
      .resources("aws_vpc_security_group_egress_rule")
      .filter((r) => r.security_group_id === ref(web.securityGroup, "id"));
    expect(egress.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4]).sort()).toEqual([
      ["tcp", 443, 443, "0.0.0.0/0"],
      ["tcp", 587, 587, "0.0.0.0/0"],
    ]);
    const fixedEgress = synth
      .resources("aws_vpc_security_group_egress_rule")
      .filter((r) => r.security_group_id === ref(fixed.securityGroup, "id"));
    expect(fixedEgress.map((r) => r.from_port)).toEqual([443]);
    expect(synth.of(web.securityGroup).egress).toBeUndefined();
  });

  it("allowTo opens one port to one security group", () => {
    const scoped = synthConstruct((scope) => {
      const w = new WebService(scope, "web", serviceProps(scope, "allow"));
      w.allowTo("sg-db", 5432, "To the database");
    });
    expect(scoped.resources("aws_vpc_security_group_egress_rule")).toContainEqual(
      expect.objectContaining({
        referenced_security_group_id: "sg-db",
        from_port: 5432,
        to_port: 5432,
        description: "To the database",
      }),
    );
  });

  it("registers the app container's port with the target group", () => {
    expect(service.load_balancer).toEqual([
      { target_group_arn: TARGET_GROUP, container_name: "web", container_port: 8080 },
    ]);
  });

  it("with autoscaling: a scalable target from minCount to maxCount and CPU target tracking", () => {
    const [target] = synth
      .resources("aws_appautoscaling_target")
      .filter((t) => t.resource_id.includes(ref(web.service, "name")));
    expect(target).toMatchObject({
      service_namespace: "ecs",
      scalable_dimension: "ecs:service:DesiredCount",
      resource_id: `service/${ref(web.cluster, "name")}/${ref(web.service, "name")}`,
      min_capacity: 3,
      max_capacity: 6,
    });
    expect(synth.json).toHaveResourceWithProperties(AppautoscalingPolicy, {
      policy_type: "TargetTrackingScaling",
      target_tracking_scaling_policy_configuration: expect.objectContaining({
        target_value: 45,
        predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
      }),
    });
    // Autoscaling owns the running count, so Terraform must not reset it.
    expect(service.lifecycle.ignore_changes).toContain("desired_count");
  });

  it("without autoscaling: no scaling target or policy, and Terraform keeps the count", () => {
    // The stack holds both services; the one target and policy belong to the autoscaled one.
    expect(synth.json).toHaveResource(AppautoscalingTarget);
    const targets = synth.resources("aws_appautoscaling_target");
    expect(targets).toHaveLength(1);
    expect(targets[0].resource_id).toContain(ref(web.service, "name"));
    expect(synth.resources("aws_appautoscaling_policy")).toHaveLength(1);
    expect(synth.of(fixed.service).lifecycle.ignore_changes).not.toContain("desired_count");
  });

  it("accepts traffic only from the load balancer's security group, on the container port", () => {
    const sgId = ref(web.securityGroup, "id");
    const ingress = synth
      .resources("aws_vpc_security_group_ingress_rule")
      .filter((r) => r.security_group_id === sgId);
    expect(ingress).toEqual([
      expect.objectContaining({
        referenced_security_group_id: "sg-alb",
        ip_protocol: "tcp",
        from_port: 8080,
        to_port: 8080,
      }),
    ]);
    expect(ingress[0].cidr_ipv4).toBeUndefined();
    expect(ingress[0].cidr_ipv6).toBeUndefined();
    expect(synth.of(web.securityGroup).ingress).toBeUndefined();
  });

  it.each([1, 0, 2.5])("refuses minCount %p (at least two tasks, one per AZ)", (minCount) => {
    expect(reject({ minCount, maxCount: 4 })).toThrow(
      /WebService: minCount: .* is out of range; allowed: 2 to 100 tasks/,
    );
  });

  it("refuses maxCount below minCount", () => {
    expect(reject({ minCount: 4, maxCount: 3 })).toThrow(
      /WebService: maxCount: 3 is below the minimum of 4 tasks; allowed: 4 or more/,
    );
  });

  it("refuses fewer than two subnets", () => {
    expect(reject({ subnetIds: ["subnet-private-a"] })).toThrow(
      /WebService: subnetIds: needs subnets in at least two AZs/,
    );
  });

  it.each([
    [[{ port: 443, description: "again" }], /port 443 is always open/],
    [
      [
        { port: 587, description: "SMTP" },
        { port: 587, description: "SMTP again" },
      ],
      /port 587 is listed twice/,
    ],
    [[{ port: 70000, description: "too high" }], /70000 is out of range/],
  ])("refuses outboundPorts %j", (outboundPorts, message) => {
    expect(reject({ outboundPorts })).toThrow(message);
    expect(reject({ outboundPorts })).toThrow(/WebService: outboundPorts: /);
  });

  it.each([5, 95])("refuses targetCpuPercent %p (10 to 90)", (targetCpuPercent) => {
    expect(reject({ targetCpuPercent })).toThrow(/WebService: targetCpuPercent: \d+ is out of range/);
  });
});
