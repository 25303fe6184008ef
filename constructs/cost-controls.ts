import { Construct } from "constructs";
import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { CeAnomalyMonitor } from "@cdktf/provider-aws/lib/ce-anomaly-monitor";
import { CeAnomalySubscription } from "@cdktf/provider-aws/lib/ce-anomaly-subscription";
import { checkRange, MONTHLY_BUDGET_USD, refuse } from "./limits";
import type { Naming } from "./naming";

export interface CostControlsProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id (the budget's account). */
  readonly account: string;
  /** Monthly cost budget, whole US dollars. */
  readonly monthlyBudgetUsd: number;
  /** Cost anomaly detection for the whole account (AWS allows one service monitor per account). */
  readonly anomalyDetection: boolean;
  /** Anomalies whose impact is at least this many dollars are reported. @default 50 */
  readonly anomalyImpactUsd?: number;
  /** SNS topic that receives the budget and anomaly alerts (its policy lets Budgets and Cost Anomaly Detection publish). */
  readonly alarmTopicArn: string;
}

/** Budget alerts: [type, % of the limit]. The forecast warns before the month is spent; the actual confirms it. */
const BUDGET_ALERTS: ReadonlyArray<readonly ["FORECASTED" | "ACTUAL", number]> = [
  ["FORECASTED", 80],
  ["ACTUAL", 100],
];

/**
 * What the environment may cost: an AWS Budgets monthly cost budget of the account (each environment has an
 * account of its own; a tag filter would need the tag activated for cost allocation first, and an inactive one
 * silently budgets nothing), alerting the alarm topic at 80% of the forecast and 100% of the actual cost;
 * and, where `anomalyDetection` is on, Cost Anomaly Detection over every AWS service of the account, alerting
 * the same topic immediately.
 */
export class CostControls extends Construct {
  public readonly budget: BudgetsBudget;
  public readonly anomalyMonitor?: CeAnomalyMonitor;

  constructor(scope: Construct, id: string, props: CostControlsProps) {
    super(scope, id);
    refuse("CostControls", {
      monthlyBudgetUsd: checkRange(MONTHLY_BUDGET_USD, props.monthlyBudgetUsd),
      anomalyImpactUsd: checkRange(MONTHLY_BUDGET_USD, props.anomalyImpactUsd ?? 50),
    });
    const { naming } = props;
    this.budget = new BudgetsBudget(this, "budget", {
      name: naming.name("monthly"),
      accountId: props.account,
      budgetType: "COST",
      limitAmount: String(props.monthlyBudgetUsd),
      limitUnit: "USD",
      timeUnit: "MONTHLY",
      notification: BUDGET_ALERTS.map(([type, percent]) => ({
        notificationType: type,
        comparisonOperator: "GREATER_THAN",
        threshold: percent,
        thresholdType: "PERCENTAGE",
        subscriberSnsTopicArns: [props.alarmTopicArn],
      })),
    });

    if (props.anomalyDetection) {
      this.anomalyMonitor = new CeAnomalyMonitor(this, "anomaly-monitor", {
        name: naming.name("services"),
        monitorType: "DIMENSIONAL",
        monitorDimension: "SERVICE",
      });
      new CeAnomalySubscription(this, "anomaly-alerts", {
        name: naming.name("anomalies"),
        frequency: "IMMEDIATE",
        monitorArnList: [this.anomalyMonitor.arn],
        subscriber: [{ type: "SNS", address: props.alarmTopicArn }],
        thresholdExpression: {
          dimension: {
            key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            matchOptions: ["GREATER_THAN_OR_EQUAL"],
            values: [String(props.anomalyImpactUsd ?? 50)],
          },
        },
      });
    }
  }
}
