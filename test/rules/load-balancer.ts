import type { Case, FamilyRuleId } from "./harness";

const ALB = "load-balancer/alb";

export const loadBalancerCases: Record<FamilyRuleId<"loadBalancer">, Case> = {
  "lb-https-only": {
    breaks: [
      {
        what: "port 80 forwards to the app instead of redirecting",
        at: "load-balancer/http",
        apply: (s) =>
          (s.block("load-balancer/http").default_action = [{ type: "forward", target_group_arn: "tg" }]),
      },
    ],
  },
  "lb-modern-tls": {
    breaks: [
      {
        what: "the HTTPS listener accepts TLS 1.0",
        at: "load-balancer/https",
        apply: (s) => (s.block("load-balancer/https").ssl_policy = "ELBSecurityPolicy-2016-08"),
      },
    ],
  },
  "lb-hardened": {
    breaks: [
      {
        what: "invalid header fields pass through",
        at: ALB,
        apply: (s) => (s.block(ALB).drop_invalid_header_fields = false),
      },
      {
        what: "access logs are off",
        at: ALB,
        apply: (s) => (s.block(ALB).access_logs = { ...s.block(ALB).access_logs, enabled: false }),
      },
      {
        what: "deletion protection is off",
        at: ALB,
        apply: (s) => (s.block(ALB).enable_deletion_protection = false),
      },
    ],
  },
  "lb-waf": {
    breaks: [
      { what: "no web ACL is associated", at: ALB, apply: (s) => s.remove("web-acl/association") },
      {
        what: "the web ACL loses the known-bad-inputs rules",
        at: ALB,
        apply: (s) => {
          const acl = s.block("web-acl/acl");
          acl.rule = acl.rule.filter((r: { name: string }) => !r.name.includes("KnownBadInputs"));
        },
      },
    ],
  },
  "lb-target-health-check": {
    breaks: [
      {
        what: "the target group's health check is off",
        at: "load-balancer/web",
        apply: (s) => (s.block("load-balancer/web").health_check.enabled = false),
      },
    ],
  },
};
