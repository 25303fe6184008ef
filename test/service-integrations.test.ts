/**
 * The calls AWS services make on the stack's behalf, as IAM decides them: each one a service principal's request
 * with the context the service sends (aws:SourceArn, aws:SourceAccount, the KMS encryption context), or the role a
 * service assumes and what that role then does, judged by the IAM evaluator (rules/iam) against the synthesized
 * production stack's real policies (key, topic, queue, bucket and log resource policies, trust policies, identity
 * policies and the permissions boundary). The emulator enforces none of these, so a wiring mistake (a key policy
 * without the service, a trust policy without the condition's value) would deploy locally and fail in AWS.
 * docs/security.md ("Calls our tools and AWS services make") lists each with the policy that admits it.
 */
import type { AccountPolicies } from "../rules/iam/account-policies";
import type { Request } from "../rules/iam/authorize";
import { describe as describeDecision } from "../rules/iam/authorize";
import { stackPolicies, stackWhere } from "../rules/helpers/iam";
import { synthesizedElements, type TerraformElement } from "../rules/iam/terraform";
import { type Block, StackView } from "../rules/stack-view";
import { synthCheckedIn } from "./environment-stacks";

const { env, text } = synthCheckedIn("production");
const view = new StackView(JSON.parse(text));
const where = stackWhere(view);
const policies: AccountPolicies = stackPolicies(view, where);
const elements: TerraformElement[] = synthesizedElements(view, where);
const { account, region } = where;
const OTHER_ACCOUNT = "999999999999";

/** A block the synthesized JSON writes as an object and a state as a one-element list. */
const one = (v: unknown): Block => (Array.isArray(v) ? (v[0] as Block) : ((v ?? {}) as Block));
const all = (type: string): Block[] =>
  elements.filter((e) => e.mode === "managed" && e.type === type).map((e) => e.values);

/**
 * Every resource of the stack carries the provider's default tags; AWS gives a request on it those tags as
 * aws:ResourceTag context (the boundary scopes keys by them).
 */
const DEFAULT_TAGS: Record<string, string> = one(one(view.config.provider?.aws).default_tags).tags ?? {};
const tagged = (request: Request): Request => ({
  ...request,
  context: {
    ...Object.fromEntries(
      Object.entries(DEFAULT_TAGS).map(([k, v]) => [`aws:resourcetag/${k.toLowerCase()}`, v]),
    ),
    ...request.context,
  },
});

/** The decision, with the deciding statements when it is not the expected one. */
function decide(principal: string, untagged: Request): string {
  const request = tagged(untagged);
  const result = policies.authorize(principal, request);
  return result.decision === "allowed" ? "allowed" : describeDecision(principal, request, result);
}

/** A service assumes a role: the role's trust policy decides, with the service's source context. */
function assumes(service: string, role: string, context: Request["context"]): string {
  return decide(service, { action: "sts:AssumeRole", resource: role, context });
}

const keyOf = (arn: string) => policies.resourcePolicies.find((p) => p.kind === "key" && p.arn === arn);

describe("AWS services acting for the stack (production's synthesized policies)", () => {
  it("CloudWatch Logs encrypts and decrypts every log group's events with its key, and no other account's", () => {
    const groups = all("aws_cloudwatch_log_group");
    expect(groups.length).toBeGreaterThan(5);
    for (const group of groups) {
      const key = String(group.kms_key_id);
      expect(keyOf(key)).toBeDefined();
      const arn = `arn:aws:logs:${region}:${account}:log-group:${group.name}`;
      for (const action of [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ]) {
        const request = {
          action: action.replace(
            "*",
            action === "kms:ReEncrypt*" ? "From" : action === "kms:Describe*" ? "Key" : "",
          ),
          resource: key,
          context: { "kms:encryptioncontext:aws:logs:arn": arn },
        };
        expect([group.name, decide(`logs.${region}.amazonaws.com`, request)]).toEqual([
          group.name,
          "allowed",
        ]);
      }
      // The same key does nothing for another account's log group.
      const foreign = `arn:aws:logs:${region}:${OTHER_ACCOUNT}:log-group:${group.name}`;
      expect(
        policies.authorize(`logs.${region}.amazonaws.com`, {
          action: "kms:Decrypt",
          resource: key,
          context: { "kms:encryptioncontext:aws:logs:arn": foreign },
        }).decision,
      ).not.toBe("allowed");
    }
  });

  it("CloudWatch alarms publish to the encrypted alarm topic, with its key; another account's alarms cannot", () => {
    const topic = all("aws_sns_topic").find((t) => String(t.name).endsWith("-alarms"))!;
    const topicArn = `arn:aws:sns:${region}:${account}:${topic.name}`;
    const alarms = [...all("aws_cloudwatch_metric_alarm"), ...all("aws_cloudwatch_composite_alarm")].filter(
      (a) => ([] as unknown[]).concat(a.alarm_actions ?? []).includes(topicArn),
    );
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) {
      const source = {
        "aws:sourcearn": `arn:aws:cloudwatch:${region}:${account}:alarm:${alarm.alarm_name}`,
        "aws:sourceaccount": account,
      };
      expect(
        decide("cloudwatch.amazonaws.com", { action: "sns:Publish", resource: topicArn, context: source }),
      ).toBe("allowed");
    }
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
      expect(decide("cloudwatch.amazonaws.com", { action, resource: String(topic.kms_master_key_id) })).toBe(
        "allowed",
      );
    }
    const foreign = {
      "aws:sourcearn": `arn:aws:cloudwatch:${region}:${OTHER_ACCOUNT}:alarm:x`,
      "aws:sourceaccount": OTHER_ACCOUNT,
    };
    expect(
      policies.authorize("cloudwatch.amazonaws.com", {
        action: "sns:Publish",
        resource: topicArn,
        context: foreign,
      }).decision,
    ).not.toBe("allowed");
  });

  it("EventBridge delivers every rule's targets: the alarm topic (with its key), the queues and the log group", () => {
    const targets = all("aws_cloudwatch_event_target").filter((t) => !t.role_arn);
    expect(targets.length).toBeGreaterThan(3);
    const services = new Set<string>();
    for (const target of targets) {
      const arn = String(target.arn);
      const rule = `arn:aws:events:${region}:${account}:rule/${target.rule}`;
      const source = { "aws:sourcearn": rule, "aws:sourceaccount": account };
      const service = arn.split(":")[2];
      services.add(service);
      const requests: Request[] =
        service === "sns"
          ? [
              { action: "sns:Publish", resource: arn, context: source },
              // EventBridge's KMS requests carry no source context (AWS: "not supported" for this delivery).
              {
                action: "kms:GenerateDataKey",
                resource: String(
                  all("aws_sns_topic").find((t) => arn.endsWith(`:${t.name}`))!.kms_master_key_id,
                ),
              },
            ]
          : service === "sqs"
            ? [{ action: "sqs:SendMessage", resource: arn, context: source }]
            : service === "logs"
              ? ["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({
                  action,
                  resource: `${arn}:log-stream:events`,
                  context: source,
                }))
              : [];
      expect([arn, requests.length > 0]).toEqual([arn, true]);
      for (const request of requests) {
        expect([target.rule, decide("events.amazonaws.com", request)]).toEqual([target.rule, "allowed"]);
      }
      // Another account's rule cannot.
      const foreign = {
        "aws:sourcearn": `arn:aws:events:${region}:${OTHER_ACCOUNT}:rule/x`,
        "aws:sourceaccount": OTHER_ACCOUNT,
      };
      expect(
        policies.authorize("events.amazonaws.com", { ...requests[0], context: foreign }).decision,
      ).not.toBe("allowed");
    }
    expect([...services].sort()).toEqual(["logs", "sns", "sqs"]);
  });

  it("EventBridge starts the rotation restart's state machine through its role", () => {
    const targets = all("aws_cloudwatch_event_target").filter((t) => String(t.arn).includes(":states:"));
    expect(targets).toHaveLength(1);
    for (const target of targets) {
      const rule = `arn:aws:events:${region}:${account}:rule/${target.rule}`;
      const role = String(target.role_arn);
      expect(
        assumes("events.amazonaws.com", role, { "aws:sourcearn": rule, "aws:sourceaccount": account }),
      ).toBe("allowed");
      expect(decide(role, { action: "states:StartExecution", resource: String(target.arn) })).toBe("allowed");
      expect(
        assumes("events.amazonaws.com", role, { "aws:sourcearn": rule, "aws:sourceaccount": OTHER_ACCOUNT }),
      ).not.toBe("allowed");
    }
  });

  it("Firehose writes the log groups' records to the archive bucket with the logs key; CloudWatch Logs feeds the stream", () => {
    // One stream for the environment, filing each record under its log group (dynamic partitioning).
    const streams = all("aws_kinesis_firehose_delivery_stream");
    expect(streams).toHaveLength(1);
    for (const stream of streams) {
      const s3 = one(stream.extended_s3_configuration);
      const role = String(s3.role_arn);
      const bucket = String(s3.bucket_arn);
      const prefix = String(s3.prefix)
        .replace("!{partitionKeyFromQuery:log_group}", "myamazingapp/production/web")
        .replace("!{timestamp:yyyy/MM/dd/HH}", "2026/12/01/00");
      expect(prefix).not.toContain("!{");
      const object = `${bucket}/${prefix}${stream.name}-1-2026-12-01-00-00-00-abc.gz`;
      expect(assumes("firehose.amazonaws.com", role, { "aws:sourceaccount": account })).toBe("allowed");
      for (const [action, resource] of [
        ["s3:PutObject", object],
        ["s3:AbortMultipartUpload", object],
        ["s3:GetBucketLocation", bucket],
        ["s3:ListBucket", bucket],
      ]) {
        expect([stream.name, action, decide(role, { action, resource })]).toEqual([
          stream.name,
          action,
          "allowed",
        ]);
      }
      // The object's data key, made by S3 for the role with the bucket's encryption context.
      expect(
        decide(role, {
          action: "kms:GenerateDataKey",
          resource: String(s3.kms_key_arn),
          context: {
            "kms:viaservice": `s3.${region}.amazonaws.com`,
            "kms:encryptioncontext:aws:s3:arn": bucket,
          },
        }),
      ).toBe("allowed");
    }
    const filters = all("aws_cloudwatch_log_subscription_filter");
    expect(filters.length).toBeGreaterThan(3);
    for (const filter of filters) {
      const group = `arn:aws:logs:${region}:${account}:log-group:${filter.log_group_name}`;
      const role = String(filter.role_arn);
      expect(
        assumes("logs.amazonaws.com", role, { "aws:sourcearn": group, "aws:sourceaccount": account }),
      ).toBe("allowed");
      for (const action of ["firehose:PutRecord", "firehose:PutRecordBatch"]) {
        expect(decide(role, { action, resource: String(filter.destination_arn) })).toBe("allowed");
      }
    }
  });

  it("the load balancer and S3 server access logging write their logs, and only into their prefixes", () => {
    const lb = all("aws_lb")[0];
    const logs = one(lb.access_logs);
    const elb = elements.find((e) => e.type === "aws_elb_service_account")!.values;
    const object = `arn:aws:s3:::${logs.bucket}/${logs.prefix}/AWSLogs/${account}/elasticloadbalancing/${region}/2026/12/01/x.log.gz`;
    expect(decide(String(elb.arn), { action: "s3:PutObject", resource: object })).toBe("allowed");
    expect(
      policies.authorize(String(elb.arn), { action: "s3:GetObject", resource: object }).decision,
    ).not.toBe("allowed");

    const logging = all("aws_s3_bucket_logging");
    expect(logging.length).toBeGreaterThan(1);
    for (const l of logging) {
      const source = { "aws:sourcearn": `arn:aws:s3:::${l.bucket}`, "aws:sourceaccount": account };
      const written = `arn:aws:s3:::${l.target_bucket}/${l.target_prefix}2026-12-01-00-00-00-ABCDEF`;
      expect([
        l.bucket,
        decide("logging.s3.amazonaws.com", { action: "s3:PutObject", resource: written, context: source }),
      ]).toEqual([l.bucket, "allowed"]);
      // Another bucket's logs cannot be written under this bucket's prefix.
      const other = {
        "aws:sourcearn": "arn:aws:s3:::someone-elses-bucket",
        "aws:sourceaccount": OTHER_ACCOUNT,
      };
      expect(
        policies.authorize("logging.s3.amazonaws.com", {
          action: "s3:PutObject",
          resource: written,
          context: other,
        }).decision,
      ).not.toBe("allowed");
    }
  });

  it("EventBridge Scheduler runs the weekly task, passing its roles to ECS, and starts the upload sweep and age audit", () => {
    const schedules = all("aws_scheduler_schedule");
    expect(schedules).toHaveLength(3);
    const definition = all("aws_ecs_task_definition").find((t) => String(t.family).endsWith("-web"))!;
    for (const schedule of schedules) {
      const target = one(schedule.target);
      const role = String(target.role_arn);
      const group = schedule.group_name ?? "default";
      const scheduleArn = `arn:aws:scheduler:${region}:${account}:schedule/${group}/${schedule.name}`;
      expect(
        assumes("scheduler.amazonaws.com", role, {
          "aws:sourcearn": scheduleArn,
          "aws:sourceaccount": account,
        }),
      ).toBe("allowed");
      // The schedule's target input is encrypted with the data key: the scheduler decrypts it as the role.
      expect(
        decide(role, {
          action: "kms:Decrypt",
          resource: String(schedule.kms_key_arn),
          context: {
            "kms:viaservice": `scheduler.${region}.amazonaws.com`,
            "kms:encryptioncontext:aws:scheduler:schedule-arn": scheduleArn,
          },
        }),
      ).toBe("allowed");
      if (String(target.arn).includes(":ecs:")) {
        const task = `arn:aws:ecs:${region}:${account}:task-definition/${definition.family}:42`;
        expect(
          decide(role, {
            action: "ecs:RunTask",
            resource: task,
            context: { "ecs:cluster": String(target.arn) },
          }),
        ).toBe("allowed");
        for (const passed of [definition.task_role_arn, definition.execution_role_arn]) {
          expect(
            decide(role, {
              action: "iam:PassRole",
              resource: String(passed),
              context: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" },
            }),
          ).toBe("allowed");
        }
        // Its failures go to the dead-letter queue.
        const dlq = String(one(target.dead_letter_config).arn);
        expect(decide(role, { action: "sqs:SendMessage", resource: dlq })).toBe("allowed");
      } else {
        expect(decide(role, { action: "states:StartExecution", resource: String(target.arn) })).toBe(
          "allowed",
        );
      }
    }
  });

  it("CodePipeline starts each CodeBuild step, which runs as its own role", () => {
    const pipeline = all("aws_codepipeline")[0];
    const role = String(pipeline.role_arn);
    const pipelineArn = `arn:aws:codepipeline:${region}:${account}:${pipeline.name}`;
    expect(
      assumes("codepipeline.amazonaws.com", role, {
        "aws:sourceaccount": account,
        "aws:sourcearn": pipelineArn,
      }),
    ).toBe("allowed");
    const projects = ([] as Block[])
      .concat(pipeline.stage ?? [])
      .flatMap((s) => ([] as Block[]).concat(s.action ?? []))
      .filter((a) => a.provider === "CodeBuild")
      .map((a) => String(one(a.configuration).ProjectName));
    expect(projects.length).toBeGreaterThan(0);
    for (const project of projects) {
      const arn = `arn:aws:codebuild:${region}:${account}:project/${project}`;
      for (const action of ["codebuild:StartBuild", "codebuild:BatchGetBuilds"]) {
        expect([project, action, decide(role, { action, resource: arn })]).toEqual([
          project,
          action,
          "allowed",
        ]);
      }
      const stepRole = String(all("aws_codebuild_project").find((p) => p.name === project)!.service_role);
      expect(
        assumes("codebuild.amazonaws.com", stepRole, { "aws:sourceaccount": account, "aws:sourcearn": arn }),
      ).toBe("allowed");
    }
    expect(env.delivery).toBeDefined();
  });
});
