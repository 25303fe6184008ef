import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import type { Construct } from "constructs";
import { Naming } from "../constructs/naming";
import { ScheduledTask, type ScheduledTaskProps } from "../constructs/scheduled-task";
import { appTask, type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";
import { type Json, matchesPattern } from "./event-pattern";

const ACCOUNT = "111111111111";
const CLUSTER = `arn:aws:ecs:us-west-2:${ACCOUNT}:cluster/myamazingapp-test`;
const TOPIC = `arn:aws:sns:us-west-2:${ACCOUNT}:myamazingapp-test-alarms`;
const COMMAND = ["bundle", "exec", "rake", "stats:users"];
const naming = new Naming("myamazingapp", "test");

function taskProps(scope: Construct): ScheduledTaskProps {
  const task = appTask(scope, "task", naming);
  return {
    naming,
    purpose: "weekly-stats",
    account: ACCOUNT,
    clusterArn: CLUSTER,
    task,
    command: COMMAND,
    scheduleExpression: "cron(0 4 ? * MON *)",
    timezone: "America/Los_Angeles",
    retryAttempts: 5,
    subnetIds: ["subnet-private-a", "subnet-private-b"],
    securityGroupIds: ["sg-app"],
    alarmTopicArn: TOPIC,
    encryptionKey: testKey(scope, "secrets", naming),
  };
}

// ---- A small EventBridge pattern matcher: just the syntax the construct uses --------------------------------------
// EventBridge flattens arrays in the event: a pattern field under an array of objects is compared with that
// field's values in every element (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html).

/** An "ECS Task State Change" event as ECS sends it for a stopped Fargate task (trimmed of attachments). */
function stoppedTask(options: {
  group: string;
  exitCode?: number;
  stopCode: string;
  stoppedReason: string;
}): Json {
  const taskArn = `arn:aws:ecs:us-west-2:${ACCOUNT}:task/myamazingapp-test/4f0d5e7a9b6c4e21a3d8c1b2e5f60718`;
  const container: { [key: string]: Json } = {
    containerArn: `arn:aws:ecs:us-west-2:${ACCOUNT}:container/myamazingapp-test/4f0d5e7a/2b1c`,
    lastStatus: "STOPPED",
    name: "web",
    image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/myamazingapp-test-web:3f2a1b0`,
    taskArn,
    cpu: "0",
  };
  if (options.exitCode !== undefined) container.exitCode = options.exitCode;
  else container.reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s)";
  return {
    version: "0",
    id: "8c4a3f2e-6b1d-4e7f-9a0c-5d2e1f3b4a6c",
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: ACCOUNT,
    time: "2025-01-06T12:03:11Z",
    region: "us-west-2",
    resources: [taskArn],
    detail: {
      availabilityZone: "us-west-2a",
      clusterArn: CLUSTER,
      containers: [container],
      cpu: "512",
      memory: "1024",
      desiredStatus: "STOPPED",
      lastStatus: "STOPPED",
      group: options.group,
      launchType: "FARGATE",
      platformVersion: "1.4.0",
      stopCode: options.stopCode,
      stoppedReason: options.stoppedReason,
      taskArn,
      taskDefinitionArn: `arn:aws:ecs:us-west-2:${ACCOUNT}:task-definition/myamazingapp-test-web:7`,
      version: 5,
    },
  };
}

const jobExited = (exitCode: number) =>
  stoppedTask({
    group: "weekly-stats",
    exitCode,
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
  });
const jobFailedToStart = stoppedTask({
  group: "weekly-stats",
  stopCode: "TaskFailedToStart",
  stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
});
const webTaskExited = (exitCode: number) =>
  stoppedTask({
    group: "service:myamazingapp-test-web",
    exitCode,
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
  });

describe("EventBridge pattern matcher (test helper)", () => {
  it("matches exact values, anything-but, $or and fields under arrays of objects", () => {
    const event = { a: "x", list: [{ n: 1 }, { n: 2 }] };
    expect(matchesPattern({ a: ["x"] }, event)).toBe(true);
    expect(matchesPattern({ a: ["y"] }, event)).toBe(false);
    expect(matchesPattern({ list: { n: [2] } }, event)).toBe(true);
    expect(matchesPattern({ list: { n: [{ "anything-but": [1, 2] }] } }, event)).toBe(false);
    expect(matchesPattern({ missing: [{ "anything-but": 0 }] }, event)).toBe(false);
    expect(matchesPattern({ $or: [{ a: ["y"] }, { list: { n: [1] } }] }, event)).toBe(true);
    expect(() => matchesPattern({ a: "x" }, event)).toThrow(/must be an array/);
  });
});

describe("ScheduledTask", () => {
  let synth: Synthesized;
  let job: ScheduledTask;
  let props: ScheduledTaskProps;
  let schedule: Block;
  let failurePattern: Json;
  let successPattern: Json;
  let successRuleId: string;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      props = taskProps(scope);
      job = new ScheduledTask(scope, "stats", props);
    });
    schedule = synth.of(job.schedule);
    failurePattern = JSON.parse(synth.of(job.failureRule).event_pattern);
    const rules = Object.entries<Block>(synth.config.resource.aws_cloudwatch_event_rule);
    const success = rules.filter(([, r]) => r.name === "myamazingapp-test-weekly-stats-succeeded");
    expect(success).toHaveLength(1);
    [[successRuleId]] = success;
    successPattern = JSON.parse(success[0][1].event_pattern);
  });
  const targetsOf = (ruleName: string) =>
    synth.resources("aws_cloudwatch_event_target").filter((t) => t.rule.includes(ruleName));
  const alarm = (name: string) => {
    const found = synth.resources("aws_cloudwatch_metric_alarm").filter((a) => a.alarm_name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };

  describe("schedule", () => {
    it("fires on the expression, in the time zone, with no flexible window", () => {
      expect(synth.json).toHaveResourceWithProperties(SchedulerSchedule, {
        schedule_expression: "cron(0 4 ? * MON *)",
        schedule_expression_timezone: "America/Los_Angeles",
        flexible_time_window: { mode: "OFF" },
        state: "ENABLED",
      });
    });

    it("runs one Fargate task in the cluster from the task family's newest revision", () => {
      expect(schedule.target.arn).toBe(CLUSTER);
      expect(schedule.target.ecs_parameters).toMatchObject({
        launch_type: "FARGATE",
        task_count: 1,
        task_definition_arn: ref(props.task.taskDefinition, "arn_without_revision"),
        group: "weekly-stats",
      });
    });

    it("runs in the private subnets with the given security groups and no public IP", () => {
      expect(schedule.target.ecs_parameters.network_configuration).toEqual({
        subnets: ["subnet-private-a", "subnet-private-b"],
        security_groups: ["sg-app"],
        assign_public_ip: false,
      });
    });

    it("overrides the app container's command with bundle exec rake <task>", () => {
      expect(JSON.parse(schedule.target.input)).toEqual({
        containerOverrides: [{ name: "web", command: ["bundle", "exec", "rake", "stats:users"] }],
      });
    });

    it("retries a failed start and then sends the event to a dead-letter SQS queue", () => {
      expect(schedule.target.retry_policy).toMatchObject({ maximum_retry_attempts: 5 });
      expect(schedule.target.dead_letter_config).toEqual({ arn: ref(job.deadLetterQueue, "arn") });
    });
  });

  describe("scheduler role", () => {
    let statements: Block[];
    beforeAll(() => {
      const roleArn = schedule.target.role_arn;
      const roleId = roleArn.replace(/\.arn\}$/, ".id}");
      const policies = synth.resources("aws_iam_role_policy").filter((p) => p.role === roleId);
      expect(policies).toHaveLength(2);
      statements = policies.flatMap((p) => JSON.parse(p.policy).Statement);
    });
    const allowing = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));

    it("is assumable only by EventBridge Scheduler in this account", () => {
      const [role] = synth
        .resources("aws_iam_role")
        .filter((r) => r.name === "myamazingapp-test-weekly-stats-scheduler");
      expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: "scheduler.amazonaws.com" },
          Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        }),
      ]);
    });

    it("may ecs:RunTask only this task family, and only in the cluster", () => {
      const family = ref(props.task.taskDefinition, "arn_without_revision");
      const runTask = allowing("ecs:RunTask");
      expect(runTask).toHaveLength(1);
      expect([runTask[0].Resource].flat().sort()).toEqual([family, `${family}:*`].sort());
      expect(runTask[0].Condition).toEqual({ ArnEquals: { "ecs:cluster": CLUSTER } });
    });

    it("may iam:PassRole only the task's execution and task roles, only to ECS tasks", () => {
      const passRole = allowing("iam:PassRole");
      expect(passRole).toHaveLength(1);
      expect([passRole[0].Resource].flat().sort()).toEqual(
        [ref(props.task.executionRole, "arn"), ref(props.task.taskRole, "arn")].sort(),
      );
      expect(passRole[0].Condition).toEqual({
        StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
      });
    });

    it("may use the key the schedule is encrypted with, and no other", () => {
      expect(schedule.kms_key_arn).toBe(ref(props.encryptionKey.key, "arn"));
      expect(allowing("kms:Decrypt")).toEqual([
        expect.objectContaining({ Resource: ref(props.encryptionKey.key, "arn") }),
      ]);
    });

    it("may send to its dead-letter queue, and has no wildcard resource", () => {
      expect(allowing("sqs:SendMessage")).toEqual([
        expect.objectContaining({ Resource: ref(job.deadLetterQueue, "arn") }),
      ]);
      expect(statements.flatMap((s) => [s.Resource].flat())).not.toContain("*");
    });
  });

  describe("failed-run rule", () => {
    it("matches STOPPED tasks of this task group in the cluster", () => {
      expect(failurePattern).toMatchObject({
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: { clusterArn: [CLUSTER], group: ["weekly-stats"], lastStatus: ["STOPPED"] },
      });
    });

    it("matches a non-zero exit code of the app container OR stopCode TaskFailedToStart", () => {
      expect((failurePattern as Block).detail.$or).toEqual(
        expect.arrayContaining([
          { containers: { name: ["web"], exitCode: [{ "anything-but": 0 }] } },
          { stopCode: ["TaskFailedToStart"] },
        ]),
      );
    });

    it.each([
      { run: "a run whose container exits 1", event: jobExited(1), alarms: true },
      { run: "a run killed by the OOM killer (137)", event: jobExited(137), alarms: true },
      { run: "a run that fails to start (no exit code)", event: jobFailedToStart, alarms: true },
      { run: "a run that exits 0", event: jobExited(0), alarms: false },
      { run: "a web service task (another group) that exits 1", event: webTaskExited(1), alarms: false },
    ])("$run: alarms = $alarms", ({ event, alarms }) => {
      expect(matchesPattern(failurePattern, event)).toBe(alarms);
    });

    it("does not match the same run while it is still RUNNING", () => {
      const running = structuredClone(jobExited(1)) as Block;
      running.detail.lastStatus = "RUNNING";
      expect(matchesPattern(failurePattern, running)).toBe(false);
    });

    it("notifies the alarm topic", () => {
      expect(targetsOf(ref(job.failureRule, "name"))).toEqual([expect.objectContaining({ arn: TOPIC })]);
    });
  });

  describe("succeeded-run heartbeat", () => {
    it("matches STOPPED runs of this task group whose app container exited 0", () => {
      expect(successPattern).toMatchObject({
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
          clusterArn: [CLUSTER],
          group: ["weekly-stats"],
          lastStatus: ["STOPPED"],
          containers: { name: ["web"], exitCode: [0] },
        },
      });
    });

    it.each([
      { run: "a run that exits 0", event: jobExited(0), beats: true },
      { run: "a run whose container exits 1", event: jobExited(1), beats: false },
      { run: "a run that fails to start", event: jobFailedToStart, beats: false },
      { run: "a web service task (another group) that exits 0", event: webTaskExited(0), beats: false },
    ])("$run: heartbeat = $beats", ({ event, beats }) => {
      expect(matchesPattern(successPattern, event)).toBe(beats);
    });

    it("sends each success to the heartbeat queue, which may be written only by that rule", () => {
      expect(targetsOf(successRuleId)).toEqual([
        expect.objectContaining({ arn: ref(job.heartbeatQueue, "arn") }),
      ]);
      const [queuePolicy] = synth.resources("aws_sqs_queue_policy");
      expect(queuePolicy.queue_url).toBe(ref(job.heartbeatQueue, "url"));
      expect(JSON.parse(queuePolicy.policy).Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Condition: { ArnEquals: { "aws:SourceArn": `\${aws_cloudwatch_event_rule.${successRuleId}.arn}` } },
        }),
      ]);
    });

    it("keeps heartbeats 8 days (691200 s) by default: a weekly run plus a day", () => {
      expect(synth.of(job.heartbeatQueue).message_retention_seconds).toBe(691200);
    });

    it("alarms when the heartbeat queue is empty (or silent): LessThanThreshold 1, missing data breaching", () => {
      expect(synth.of(job.missedRunAlarm)).toMatchObject({
        namespace: "AWS/SQS",
        metric_name: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: ref(job.heartbeatQueue, "name") },
        comparison_operator: "LessThanThreshold",
        threshold: 1,
        treat_missing_data: "breaching",
        alarm_actions: [TOPIC],
      });
    });
  });

  describe("dead-letter queue", () => {
    it("alarms as soon as it holds a message (> 0)", () => {
      expect(alarm("myamazingapp-test-weekly-stats-not-started")).toMatchObject({
        dimensions: { QueueName: ref(job.deadLetterQueue, "name") },
        metric_name: "ApproximateNumberOfMessagesVisible",
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
        alarm_actions: [TOPIC],
      });
      expect(synth.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        alarm_name: "myamazingapp-test-weekly-stats-not-started",
        treat_missing_data: "notBreaching",
      });
    });

    it("keeps undelivered events for 14 days", () => {
      expect(synth.of(job.deadLetterQueue).message_retention_seconds).toBe(14 * 24 * 3600);
    });
  });

  describe("validation", () => {
    let base: ScheduledTaskProps;
    beforeAll(() => {
      base = taskProps(newStack());
    });
    const build = (overrides: Partial<ScheduledTaskProps>) => () =>
      new ScheduledTask(newStack(), "job", { ...base, ...overrides });

    it.each(["0 4 * * 1", "cron 0 4 ? * MON *", "every monday", ""])(
      "refuses scheduleExpression %p",
      (scheduleExpression) => {
        expect(build({ scheduleExpression })).toThrow(
          /ScheduledTask: scheduleExpression: .* must be cron\(...\), rate\(...\) or at\(...\)/,
        );
      },
    );

    it.each([-1, 186, 1.5])("refuses retryAttempts %p (0 to 185)", (retryAttempts) => {
      expect(build({ retryAttempts })).toThrow(
        /ScheduledTask: retryAttempts: .* is out of range; allowed: 0 to 185/,
      );
    });

    it.each([0, 337])(
      "refuses successWithinHours %p (SQS keeps messages at most 14 days)",
      (successWithinHours) => {
        expect(build({ successWithinHours })).toThrow(
          /ScheduledTask: successWithinHours: \d+ is out of range; allowed: 1 to 336/,
        );
      },
    );

    it("refuses an empty command", () => {
      expect(build({ command: [] })).toThrow(/ScheduledTask: command: must not be empty/);
    });

    it("refuses a time zone that is not an IANA time zone", () => {
      expect(build({ timezone: "Mars/Olympus" })).toThrow(
        /ScheduledTask: timezone: "Mars\/Olympus" is not an IANA time zone/,
      );
    });

    it("lets two scheduled tasks share a stack without declaring the same schedule group twice", () => {
      const two = synthConstruct((scope) => {
        const shared = taskProps(scope);
        new ScheduledTask(scope, "first", shared);
        new ScheduledTask(scope, "second", { ...shared, purpose: "nightly-cleanup" });
      });
      const names = two.resources("aws_scheduler_schedule_group").map((g) => g.name);
      expect(new Set(names).size).toBe(names.length);
    });
  });
});

describe("ScheduledTask runs log", () => {
  let synth: Synthesized;
  let job: ScheduledTask;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      job = new ScheduledTask(scope, "stats", {
        ...taskProps(scope),
        runsLogGroupName: "/myamazingapp/test/weekly-stats-runs",
        logEncryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
        logRetentionDays: 365,
      });
    });
  });
  const stoppedRule = () =>
    synth
      .resources("aws_cloudwatch_event_rule")
      .find((r) => r.name === "myamazingapp-test-weekly-stats-stopped")!;

  it("records every stopped run of the job, whatever its exit code, and nothing of the web service", () => {
    const pattern = JSON.parse(stoppedRule().event_pattern);
    expect(matchesPattern(pattern, jobExited(0))).toBe(true);
    expect(matchesPattern(pattern, jobExited(1))).toBe(true);
    expect(matchesPattern(pattern, jobFailedToStart)).toBe(true);
    expect(matchesPattern(pattern, webTaskExited(0))).toBe(false);
  });

  it("writes them to an encrypted log group that only this rule may write to", () => {
    expect(synth.of(job.runsLog!)).toMatchObject({
      name: "/myamazingapp/test/weekly-stats-runs",
      retention_in_days: 365,
      kms_key_id: "arn:aws:kms:us-west-2:111111111111:key/logs",
    });
    const [policy] = synth.resources("aws_cloudwatch_log_resource_policy");
    const [statement] = JSON.parse(policy.policy_document).Statement;
    expect(statement.Resource).toBe(`${ref(job.runsLog!, "arn")}:*`);
    expect(statement.Condition.ArnEquals["aws:SourceArn"]).toMatch(
      /aws_cloudwatch_event_rule\..*stopped-run.*\.arn/,
    );
    const target = synth
      .resources("aws_cloudwatch_event_target")
      .find((t) => t.arn === ref(job.runsLog!, "arn"));
    expect(target).toBeDefined();
  });

  it("refuses a runs log without its key and retention", () => {
    const stack = newStack();
    expect(
      () => new ScheduledTask(stack, "s", { ...taskProps(stack), runsLogGroupName: "/x/y/runs" }),
    ).toThrow("ScheduledTask: runsLogGroupName: needs logEncryptionKeyArn and logRetentionDays");
  });
});
