import { requireThat, type Rule } from "./rule";

export const lbTargetHealthCheck = {
  id: "lb-target-health-check",
  fsbp: [],
  checkov: ["CKV_AWS_261"],
  resourceTypes: ["aws_lb_target_group"],
  reason: "Without a health check the load balancer keeps sending requests to targets that cannot answer.",
  fix: "Give the target group an enabled health check on the app's health path.",
  check: (tg) => {
    const hc = [tg.block.health_check].flat()[0];
    return requireThat(hc?.enabled !== false && Boolean(hc?.path), "no enabled health check with a path");
  },
} as const satisfies Rule;
