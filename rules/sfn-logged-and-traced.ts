import { requireThat, type Rule } from "./rule";

export const sfnLoggedAndTraced = {
  id: "sfn-logged-and-traced",
  fsbp: ["StepFunctions.1"],
  checkov: ["CKV_AWS_284", "CKV_AWS_285"],
  resourceTypes: ["aws_sfn_state_machine"],
  reason: "An execution that failed must say why: its errors are logged and its calls traced.",
  fix: "Set logging_configuration (level ERROR or ALL, to a log group) and tracing_configuration { enabled = true }.",
  check: (machine) => {
    const logging = [machine.block.logging_configuration].flat()[0];
    const tracing = [machine.block.tracing_configuration].flat()[0];
    return requireThat(
      Boolean(logging?.log_destination) &&
        ["ALL", "ERROR", "FATAL"].includes(logging?.level) &&
        tracing?.enabled === true,
      "execution errors are not logged, or calls are not traced",
    );
  },
} as const satisfies Rule;
