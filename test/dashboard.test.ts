import { Dashboard, type DashboardProps } from "../constructs/dashboard";
import { Naming } from "../constructs/naming";
import { synthConstruct } from "./helpers";

const props: DashboardProps = {
  naming: new Naming("myamazingapp", "test"),
  region: "us-west-2",
  loadBalancerArnSuffix: "app/lb/1",
  targetGroupArnSuffix: "targetgroup/tg/2",
  clusterName: "cluster",
  serviceName: "web",
  databaseIdentifier: "db",
  weeklySuccessQueueName: "heartbeat",
  weeklyFailureRuleName: "failed",
  uploadsBucketName: "uploads",
  uploadAuditNamespace: "MyAmazingApp/Uploads",
  alarmArns: [
    "arn:aws:cloudwatch:us-west-2:111111111111:alarm:a",
    "arn:aws:cloudwatch:us-west-2:111111111111:alarm:b",
  ],
};

describe("Dashboard", () => {
  const synth = synthConstruct((scope) => new Dashboard(scope, "dashboard", props));
  const [dashboard] = synth.resources("aws_cloudwatch_dashboard");
  const widgets: any[] = JSON.parse(dashboard.dashboard_body).widgets;
  const plotted = (title: RegExp) =>
    widgets
      .filter((w) => title.test(w.properties.title))
      .flatMap((w) => w.properties.metrics.map((m: any[]) => m[1]));

  it("is named after the environment and opens with every alarm's state", () => {
    expect(dashboard.dashboard_name).toBe("myamazingapp-test");
    expect(widgets[0]).toMatchObject({ type: "alarm", properties: { alarms: props.alarmArns } });
  });

  it.each<[RegExp, string[]]>([
    [/Requests and errors/, ["RequestCount", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"]],
    [/Response time/, ["TargetResponseTime"]],
    [/Tasks/, ["RunningTaskCount", "DesiredTaskCount", "CPUUtilization", "MemoryUtilization"]],
    [/Database/, ["CPUUtilization", "DatabaseConnections", "FreeStorageSpace", "FreeableMemory"]],
    [/Weekly job/, ["NumberOfMessagesSent", "TriggeredRules"]],
    [/Uploads/, ["NumberOfObjects", "BucketSizeBytes", "OldestObjectAgeDays"]],
  ])("plots %p", (title, metrics) => {
    expect(plotted(title)).toEqual(expect.arrayContaining(metrics));
  });

  it("lays the graphs out on a grid without overlaps, in the environment's region", () => {
    const cells = new Set(widgets.map((w) => `${w.x},${w.y}`));
    expect(cells.size).toBe(widgets.length);
    for (const w of widgets.filter((w) => w.type === "metric")) expect(w.properties.region).toBe("us-west-2");
  });
});
