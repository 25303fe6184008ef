import { Naming } from "../constructs/naming";
import {
  DEFAULT_ALARM_THRESHOLDS,
  ServiceAlarms,
  type ServiceAlarmsProps,
} from "../constructs/service-alarms";
import { type Block, newStack, synthConstruct, type Synthesized } from "./helpers";

const TOPIC = "arn:aws:sns:us-west-2:111111111111:myamazingapp-test-alarms";
const props: ServiceAlarmsProps = {
  naming: new Naming("myamazingapp", "test"),
  alarmTopicArn: TOPIC,
  loadBalancerArnSuffix: "app/myamazingapp-test/abc",
  targetGroupArnSuffix: "targetgroup/myamazingapp-test/def",
  availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"],
  clusterName: "myamazingapp-test",
  serviceName: "myamazingapp-test-web",
  serviceArn: "arn:aws:ecs:us-west-2:111111111111:service/myamazingapp-test/myamazingapp-test-web",
  databaseIdentifier: "myamazingapp-test-db",
  databaseAllocatedStorageGiB: 100,
};

describe("ServiceAlarms", () => {
  let synth: Synthesized;
  let alarms: ServiceAlarms;
  const alarm = (short: string): Block =>
    synth
      .resources("aws_cloudwatch_metric_alarm")
      .find((a) => a.alarm_name === `myamazingapp-test-${short}`)!;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      alarms = new ServiceAlarms(scope, "alarms", {
        ...props,
        replicaIdentifiers: ["myamazingapp-test-replica"],
      });
    });
  });

  it("has every alarm the issue names, one healthy-target alarm per Availability Zone", () => {
    expect(Object.keys(alarms.alarms).sort()).toEqual(
      [
        "running-tasks",
        "healthy-targets-1",
        "healthy-targets-2",
        "healthy-targets-3",
        "load-balancer-5xx",
        "target-5xx",
        "p95-latency",
        "service-cpu",
        "service-memory",
        "database-cpu",
        "database-free-storage",
        "database-freeable-memory",
        "database-connections",
        "replica-lag-1",
      ].sort(),
    );
    expect(alarm("healthy-targets-2").dimensions.AvailabilityZone).toBe("us-west-2b");
  });

  it("notifies the topic on alarm and on recovery, every one of them", () => {
    const all = [
      ...synth.resources("aws_cloudwatch_metric_alarm"),
      ...synth.resources("aws_cloudwatch_composite_alarm"),
    ];
    for (const a of all) {
      expect([a.alarm_name, a.alarm_actions, a.ok_actions]).toEqual([a.alarm_name, [TOPIC], [TOPIC]]);
    }
  });

  it("treats silence as failure where silence means an outage, and as fine where it means no requests", () => {
    const missing = (short: string) => alarm(short).treat_missing_data;
    for (const short of ["running-tasks", "healthy-targets-1", "database-cpu", "database-free-storage"])
      expect([short, missing(short)]).toEqual([short, "breaching"]);
    for (const short of ["load-balancer-5xx", "target-5xx", "p95-latency", "service-cpu"])
      expect([short, missing(short)]).toEqual([short, "notBreaching"]);
  });

  it("compares 5xx responses as a share of requests, and running with desired tasks", () => {
    const rate: any[] = alarm("load-balancer-5xx").metric_query;
    expect(rate.find((q) => q.return_data).expression).toBe("100 * FILL(errors, 0) / requests");
    expect(rate.find((q) => q.id === "errors").metric.metric_name).toBe("HTTPCode_ELB_5XX_Count");
    expect(rate.find((q) => q.id === "requests").metric.metric_name).toBe("RequestCount");
    expect(alarm("load-balancer-5xx").threshold).toBe(DEFAULT_ALARM_THRESHOLDS.errorRatePercent);
    const tasks: any[] = alarm("running-tasks").metric_query;
    expect(tasks.find((q) => q.return_data).expression).toBe("desired - running");
  });

  it("turns thresholds into CloudWatch's units: seconds, bytes", () => {
    expect(alarm("p95-latency")).toMatchObject({ extended_statistic: "p95", threshold: 2 });
    expect(alarm("database-free-storage").threshold).toBe(10 * 1024 ** 3);
    expect(alarm("database-freeable-memory").threshold).toBe(256 * 1024 ** 2);
  });

  it("calls the site down when no Availability Zone has a healthy target, or the load balancer fails requests", () => {
    const [composite] = synth.resources("aws_cloudwatch_composite_alarm");
    expect(composite.alarm_rule).toBe(
      '(ALARM("myamazingapp-test-healthy-targets-1") AND ALARM("myamazingapp-test-healthy-targets-2") AND ' +
        'ALARM("myamazingapp-test-healthy-targets-3")) OR ALARM("myamazingapp-test-load-balancer-5xx")',
    );
  });

  it("reports a deployment the circuit breaker rolled back", () => {
    const [rule] = synth.resources("aws_cloudwatch_event_rule");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Deployment State Change"],
      resources: [props.serviceArn],
      detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
    });
    expect(synth.resources("aws_cloudwatch_event_target")[0].arn).toBe(TOPIC);
  });

  it.each([
    [{ errorRatePercent: 0 }, "thresholds.errorRatePercent: 0 is out of range; allowed: 1 to 100 %"],
    [
      { p95LatencyMs: 90000 },
      "thresholds.p95LatencyMs: 90000 is out of range; allowed: 10 to 60000 milliseconds",
    ],
    [{ databaseConnections: 2.5 }, "thresholds.databaseConnections: 2.5 is out of range"],
  ])("refuses thresholds %p", (thresholds, message) => {
    expect(() => new ServiceAlarms(newStack(), "a", { ...props, thresholds })).toThrow(message);
  });

  it("refuses a single Availability Zone", () => {
    expect(() => new ServiceAlarms(newStack(), "a", { ...props, availabilityZones: ["us-west-2a"] })).toThrow(
      "ServiceAlarms: availabilityZones: needs at least two Availability Zones, got 1",
    );
  });
});
