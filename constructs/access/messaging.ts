/**
 * SNS, SQS, EventBridge, EventBridge Scheduler and Step Functions: the environment's topics, queues, rules,
 * schedules and state machines, all named `<application>-<environment>-*` (a schedule of the default group
 * included).
 */
import { arn, type AccessScope, type ServiceAccess } from "./types";

export const environmentTopics = (s: AccessScope): string => arn(s, "sns", `${s.prefix}-*`);
export const environmentQueues = (s: AccessScope): string => arn(s, "sqs", `${s.prefix}-*`);
export const environmentRules = (s: AccessScope): string => arn(s, "events", `rule/${s.prefix}-*`);
export const environmentSchedules = (s: AccessScope): string[] => [
  arn(s, "scheduler", `schedule/${s.prefix}-*/*`),
  arn(s, "scheduler", `schedule/default/${s.prefix}-*`),
  arn(s, "scheduler", `schedule-group/${s.prefix}-*`),
];
export const environmentStateMachines = (s: AccessScope): string[] => [
  arn(s, "states", `stateMachine:${s.prefix}-*`),
  arn(s, "states", `execution:${s.prefix}-*:*`),
];

export const TOPICS: ServiceAccess = {
  services: ["sns"],
  grants: [
    {
      sid: "EnvironmentTopics",
      resources: (s) => [environmentTopics(s)],
      terraform: {
        aws_sns_topic: {
          write: [
            "sns:CreateTopic",
            "sns:SetTopicAttributes",
            "sns:TagResource",
            "sns:UntagResource",
            "sns:DeleteTopic",
          ],
          read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
        },
        aws_sns_topic_policy: { write: ["sns:SetTopicAttributes"], read: ["sns:GetTopicAttributes"] },
        aws_sns_topic_subscription: {
          write: ["sns:Subscribe", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"],
          read: ["sns:GetSubscriptionAttributes"],
        },
      },
    },
  ],
  boundary: { named: (s) => [environmentTopics(s)] },
};

export const QUEUES: ServiceAccess = {
  services: ["sqs"],
  grants: [
    {
      sid: "EnvironmentQueues",
      resources: (s) => [environmentQueues(s)],
      terraform: {
        aws_sqs_queue: {
          write: [
            "sqs:CreateQueue",
            "sqs:SetQueueAttributes",
            "sqs:TagQueue",
            "sqs:UntagQueue",
            "sqs:DeleteQueue",
          ],
          read: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"],
        },
        aws_sqs_queue_policy: { write: ["sqs:SetQueueAttributes"], read: ["sqs:GetQueueAttributes"] },
      },
    },
  ],
  boundary: { named: (s) => [environmentQueues(s)] },
};

export const EVENTS: ServiceAccess = {
  services: ["events"],
  grants: [
    {
      sid: "EnvironmentRules",
      resources: (s) => [environmentRules(s)],
      terraform: {
        aws_cloudwatch_event_rule: {
          write: ["events:PutRule", "events:TagResource", "events:UntagResource", "events:DeleteRule"],
          read: ["events:DescribeRule", "events:ListTagsForResource"],
        },
        aws_cloudwatch_event_target: {
          write: ["events:PutTargets", "events:RemoveTargets"],
          read: ["events:ListTargetsByRule"],
        },
      },
    },
  ],
  boundary: { named: (s) => [environmentRules(s)] },
};

export const SCHEDULES: ServiceAccess = {
  services: ["scheduler"],
  grants: [
    {
      sid: "EnvironmentSchedules",
      resources: environmentSchedules,
      terraform: {
        aws_scheduler_schedule: {
          write: ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
          read: ["scheduler:GetSchedule"],
        },
        aws_scheduler_schedule_group: {
          write: [
            "scheduler:CreateScheduleGroup",
            "scheduler:TagResource",
            "scheduler:UntagResource",
            "scheduler:DeleteScheduleGroup",
          ],
          read: ["scheduler:GetScheduleGroup", "scheduler:ListTagsForResource"],
        },
      },
    },
  ],
  boundary: { named: environmentSchedules },
};

export const STATE_MACHINES: ServiceAccess = {
  services: ["states"],
  grants: [
    {
      sid: "EnvironmentStateMachines",
      resources: environmentStateMachines,
      terraform: {
        aws_sfn_state_machine: {
          write: [
            "states:CreateStateMachine",
            "states:UpdateStateMachine",
            "states:TagResource",
            "states:UntagResource",
            "states:DeleteStateMachine",
          ],
          read: [
            "states:DescribeStateMachine",
            "states:ListStateMachineVersions",
            "states:ListTagsForResource",
          ],
        },
      },
    },
  ],
  unscoped: [
    {
      action: "states:ValidateStateMachineDefinition",
      why: "The provider checks a definition at plan time; it takes no resource",
      terraform: ["aws_sfn_state_machine"],
      read: true,
    },
  ],
  boundary: { named: environmentStateMachines },
};
