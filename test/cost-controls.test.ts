import { CostControls, type CostControlsProps } from "../constructs/cost-controls";
import { Naming } from "../constructs/naming";
import { newStack, synthConstruct } from "./helpers";

const TOPIC = "arn:aws:sns:us-west-2:111111111111:myamazingapp-test-alarms";
const props: CostControlsProps = {
  naming: new Naming("myamazingapp", "test"),
  account: "111111111111",
  monthlyBudgetUsd: 2500,
  anomalyDetection: true,
  alarmTopicArn: TOPIC,
};

describe("CostControls", () => {
  it("budgets the month and alerts the topic at 80% of the forecast and 100% of the actual cost", () => {
    const synth = synthConstruct((scope) => new CostControls(scope, "cost", props));
    const [budget] = synth.resources("aws_budgets_budget");
    expect(budget).toMatchObject({
      name: "myamazingapp-test-monthly",
      account_id: "111111111111",
      budget_type: "COST",
      limit_amount: "2500",
      limit_unit: "USD",
      time_unit: "MONTHLY",
    });
    expect(
      budget.notification.map((n: any) => [n.notification_type, n.threshold, n.subscriber_sns_topic_arns]),
    ).toEqual([
      ["FORECASTED", 80, [TOPIC]],
      ["ACTUAL", 100, [TOPIC]],
    ]);
  });

  it("watches every service of the account for anomalies and alerts the topic at once", () => {
    const synth = synthConstruct((scope) => new CostControls(scope, "cost", props));
    expect(synth.resources("aws_ce_anomaly_monitor")[0]).toMatchObject({
      monitor_type: "DIMENSIONAL",
      monitor_dimension: "SERVICE",
    });
    expect(synth.resources("aws_ce_anomaly_subscription")[0]).toMatchObject({
      frequency: "IMMEDIATE",
      subscriber: [{ type: "SNS", address: TOPIC }],
    });
  });

  it("leaves anomaly detection to another environment of the account when told to", () => {
    const synth = synthConstruct(
      (scope) => new CostControls(scope, "cost", { ...props, anomalyDetection: false }),
    );
    expect(synth.resources("aws_ce_anomaly_monitor")).toEqual([]);
    expect(synth.resources("aws_budgets_budget")).toHaveLength(1);
  });

  it("refuses a budget of no dollars", () => {
    expect(() => new CostControls(newStack(), "c", { ...props, monthlyBudgetUsd: 0 })).toThrow(
      "CostControls: monthlyBudgetUsd: 0 is out of range; allowed: 1 to 10000000 US dollars a month",
    );
  });
});
