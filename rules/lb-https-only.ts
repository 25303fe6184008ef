import { requireThat, type Rule } from "./rule";

export const lbHttpsOnly = {
  id: "lb-https-only",
  fsbp: ["ELB.1"],
  checkov: ["CKV_AWS_2", "CKV2_AWS_20"],
  resourceTypes: ["aws_lb_listener"],
  reason: "A plain HTTP listener that forwards serves the app, and its cookies, unencrypted.",
  fix: "Make the listener HTTPS, or let it only redirect to HTTPS.",
  check: (listener) => {
    const { protocol, default_action: actions } = listener.block;
    if (protocol === "HTTPS" || protocol === "TLS") return requireThat(true, "");
    const redirects = [actions]
      .flat()
      .every((a) => a?.type === "redirect" && [a.redirect].flat()[0]?.protocol === "HTTPS");
    return requireThat(redirects, `a ${protocol} listener does not only redirect to HTTPS`);
  },
} as const satisfies Rule;
