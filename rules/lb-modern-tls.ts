import { notApplicable, requireThat, type Rule } from "./rule";

export const lbModernTls = {
  id: "lb-modern-tls",
  fsbp: ["ELB.17"],
  checkov: ["CKV_AWS_103"],
  resourceTypes: ["aws_lb_listener"],
  reason: "Old TLS versions and ciphers can be downgraded and broken.",
  fix: "Use an ELBSecurityPolicy-TLS13-* (TLS 1.2 and 1.3 only) ssl_policy.",
  check: (listener) => {
    if (listener.block.protocol !== "HTTPS" && listener.block.protocol !== "TLS")
      return notApplicable("no TLS");
    return requireThat(
      /TLS13|TLS-1-2|FS-1-2/.test(listener.block.ssl_policy ?? ""),
      `ssl_policy ${listener.block.ssl_policy} allows TLS below 1.2`,
    );
  },
} as const satisfies Rule;
