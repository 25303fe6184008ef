import { requireThat, type Rule } from "./rule";

export const alarmsNotify = {
  id: "alarms-notify",
  fsbp: [],
  checkov: ["CKV_AWS_319"],
  resourceTypes: ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"],
  reason: "An alarm nobody hears is a graph; one that never says it recovered keeps the on-call guessing.",
  fix: "Set alarm_actions and ok_actions to the environment's alarm topic, and leave actions_enabled on.",
  check: (alarm) => {
    const { alarm_actions: onAlarm, ok_actions: onOk, actions_enabled: enabled } = alarm.block;
    return requireThat(
      enabled !== false &&
        [onAlarm].flat().filter(Boolean).length > 0 &&
        [onOk].flat().filter(Boolean).length > 0,
      "the alarm does not notify on alarm and on recovery",
    );
  },
} as const satisfies Rule;
