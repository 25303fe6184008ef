/**
 * The AWS stack's wiring, followed reference by reference: which subnets each workload runs in, which role each
 * grant goes to, which records point where, and that every setting of the environment file reaches its
 * resource. The test environments (test/fixtures/environments) use values unlike any default or any other
 * environment, so a setting the stack ignored, or a wire crossed, shows as a failure here.
 */
import { join } from "node:path";
import { loadBackend } from "../config/backend";
import type { EnvironmentConfig } from "../config/environment";
import { PLATFORM_VARIABLES } from "../constructs/app-task-definition";
import type { Block } from "./helpers";
import { type Element, StackView } from "../rules/stack-view";
import { wildcardMatch } from "../rules/iam/actions";
import { stackPolicies } from "../rules/helpers/iam";
import { ROOT, synthCheckedIn, synthEnvironmentFile } from "./environment-stacks";
import { Naming } from "../constructs/naming";
import { operatorNames } from "../stacks/names";
import { daysBefore, FakeUploadsBucket } from "./fake-uploads-bucket";
import { runStateMachine } from "./state-machine-runner";

const backend = loadBackend(join(ROOT, "backend.tf.json"));

interface Synthesized {
  readonly env: EnvironmentConfig;
  readonly text: string;
  readonly stack: StackView;
}

const views = new Map<string, StackView>();
/** An environment stack with a view that follows its references. */
function withView({ env, text }: { env: EnvironmentConfig; text: string }): Synthesized {
  const stack = views.get(env.name) ?? new StackView(JSON.parse(text));
  views.set(env.name, stack);
  return { env, text, stack };
}
const fixture = (name: string) =>
  withView(synthEnvironmentFile(join(__dirname, "fixtures", "environments", `${name}.json`)));
const checkedIn = (name: string) => withView(synthCheckedIn(name));

const GIB = 1024 ** 3;

/**
 * A task count that waits for the first release: `(<released image> == "<placeholder>") ? 0 : <count>`. Returns
 * the count once released, after checking the condition compares the image parameter with the bootstrap tag.
 */
function countOnceReleased(value: unknown, placeholderTag = "bootstrap"): number {
  const match = /^\$\{\(aws_ssm_parameter\.deployed-image\.insecure_value == "(.+)"\) \? 0 : (\d+)\}$/.exec(
    String(value),
  );
  if (!match) throw new Error(`not a count that waits for the first release: ${String(value)}`);
  expect(match[1]).toMatch(new RegExp(`repository_url\\}:${placeholderTag}$`));
  return Number(match[2]);
}

/**
 * Every outbound rule of the web service's security group (followed from the service), sorted: protocol, ports,
 * and where to (a CIDR block, or the name of the security group it references).
 */
function webEgress(s: StackView): Array<[string, number, number, string]> {
  const [group] = s.only("aws_ecs_service").block.network_configuration.security_groups;
  const sg = s.deref(group);
  // Inline egress blocks would add rules beside the separate ones; the group has none.
  expect(sg.block.egress).toBeUndefined();
  return s
    .resources("aws_vpc_security_group_egress_rule")
    .filter((r) => r.block.security_group_id === s.ref(sg, "id"))
    .map(({ block: b }): [string, number, number, string] => [
      b.ip_protocol,
      b.from_port,
      b.to_port,
      b.cidr_ipv4 ?? b.cidr_ipv6 ?? s.deref(b.referenced_security_group_id).block.name,
    ])
    .sort((a, b) => String(a).localeCompare(String(b)));
}

describe("wiring (test/fixtures/environments/wiring.json)", () => {
  let env: EnvironmentConfig;
  let s: StackView;
  let text: string;
  let task: Element;
  let executionRole: Element;
  let taskRole: Element;
  let container: Block;
  beforeAll(() => {
    ({ env, stack: s, text } = fixture("wiring"));
    task = s.only("aws_ecs_task_definition");
    executionRole = s.deref(task.block.execution_role_arn);
    taskRole = s.deref(task.block.task_role_arn);
    [container] = JSON.parse(task.block.container_definitions);
  });
  /** The tier (`public`, `private`, `isolated`) of each subnet a value references. */
  const tiers = (value: unknown) =>
    s.referencedBy(value).map((e) => {
      expect(e.type).toBe("aws_subnet");
      return e.block.tags.tier as string;
    });
  /** The weekly stats task's schedule (the upload age audit has a schedule too). */
  const weeklySchedule = () =>
    s.find("aws_scheduler_schedule", (b) => b.name === `myamazingapp-${env.name}-weekly-stats`);
  const policiesOnRole = (role: Element) =>
    s.resources("aws_iam_role_policy").filter((p) => p.block.role === s.ref(role, "id"));

  describe("network tiers", () => {
    it("runs the web service in the private tier, one subnet per AZ, without public IPs", () => {
      const service = s.only("aws_ecs_service").block;
      expect(tiers(service.network_configuration.subnets)).toEqual(["private", "private", "private"]);
      expect(service.network_configuration.assign_public_ip).toBe(false);
    });

    it("runs the weekly task in the private tier", () => {
      const { network_configuration } = weeklySchedule().block.target.ecs_parameters;
      expect(tiers(network_configuration.subnets)).toEqual(["private", "private", "private"]);
      expect(network_configuration.assign_public_ip).toBe(false);
    });

    it("runs the release's migration task in the private tier", () => {
      const release = s.find("aws_codebuild_project", (b) => b.name === "myamazingapp-wiring-release").block;
      const subnets = release.environment.environment_variable.find((v: Block) => v.name === "SUBNET_IDS");
      expect(tiers(subnets.value)).toEqual(["private", "private", "private"]);
    });

    it("puts the database's subnet group in the isolated tier", () => {
      expect(tiers(s.only("aws_db_subnet_group").block.subnet_ids)).toEqual([
        "isolated",
        "isolated",
        "isolated",
      ]);
      expect(s.deref(s.only("aws_db_instance").block.db_subnet_group_name).type).toBe("aws_db_subnet_group");
    });

    it("puts the load balancer in the public tier", () => {
      expect(tiers(s.only("aws_lb").block.subnets)).toEqual(["public", "public", "public"]);
    });
  });

  describe("DNS and HTTPS", () => {
    it("points the alias records at the load balancer's own DNS name and zone id, in the domain's zone", () => {
      const alb = s.only("aws_lb");
      const zone = s.dataSources("aws_route53_zone");
      expect(zone.map((z) => z.block.name)).toEqual(["example.org"]);
      const aliases = s.resources("aws_route53_record").filter((r) => r.block.alias);
      expect(aliases.map((r) => r.block.type).sort()).toEqual(["A", "AAAA"]);
      for (const { block } of aliases) {
        expect(block.name).toBe("app.wiring.example.org");
        expect(block.zone_id).toBe(s.ref(zone[0], "zone_id"));
        expect(block.alias.zone_id).toBe(s.ref(alb, "zone_id"));
        expect(block.alias.name).toBe(s.ref(alb, "dns_name"));
      }
    });

    it("serves HTTPS with the validated certificate and forwards to the target group the service registers in", () => {
      const https = s.find("aws_lb_listener", (b) => b.port === 443).block;
      expect(s.deref(https.certificate_arn)).toMatchObject({ type: "aws_acm_certificate_validation" });
      const targetGroup = s.deref(https.default_action[0].target_group_arn);
      expect(s.only("aws_ecs_service").block.load_balancer).toEqual([
        { target_group_arn: s.ref(targetGroup, "arn"), container_name: "web", container_port: 8080 },
      ]);
      expect(targetGroup.block).toMatchObject({
        port: 8080,
        health_check: expect.objectContaining({ path: "/healthz" }),
      });
    });
  });

  describe("day two", () => {
    it("names what the operator's command line looks up exactly as the stack names it", () => {
      const names = operatorNames(new Naming("myamazingapp", env.name));
      expect(s.only("aws_ecs_cluster").block.name).toBe(names.cluster);
      expect(s.only("aws_ecs_service").block.name).toBe(names.service);
      expect(s.only("aws_ecs_task_definition").block.family).toBe(names.taskFamily);
      expect(s.find("aws_ssm_parameter", (b) => b.name === names.imageParameter)).toBeDefined();
      expect(s.find("aws_cloudwatch_log_group", (b) => b.name === names.weeklyRunsLogGroup)).toBeDefined();
    });

    it("reads the current database password at every task start, and replaces the web tasks when it rotates", () => {
      const password = container.secrets.find((x: Block) => x.name === "DATABASE_PASSWORD").valueFrom;
      // <secret ARN>:password:: names no version: ECS reads AWSCURRENT when a task (web, weekly, migration) starts.
      expect(password).toMatch(/:password::$/);
      const secretArn = password.replace(/:password::$/, "");
      const rule = s.find(
        "aws_cloudwatch_event_rule",
        (b) => b.name === "myamazingapp-wiring-secret-rotated",
      );
      expect(JSON.parse(rule.block.event_pattern).resources).toEqual([secretArn]);
      const machine = s.find(
        "aws_sfn_state_machine",
        (b) => b.name === "myamazingapp-wiring-rotation-restart",
      );
      const step = JSON.parse(machine.block.definition).States.ForceNewDeployment.Arguments;
      const service = s.only("aws_ecs_service");
      expect(step).toEqual({
        Cluster: s.ref(s.only("aws_ecs_cluster"), "name"),
        Service: s.ref(service, "name"),
        ForceNewDeployment: true,
      });
    });
  });

  describe("who may do what", () => {
    it("gives the uploads grant to the task role, and nothing about uploads to the execution role", () => {
      const bucket = s.find("aws_s3_bucket", (b) => b.bucket === "myamazingapp-wiring-uploads-333333333333");
      const mentionsUploads = (p: Element) => p.block.policy.includes(s.ref(bucket, "arn"));
      expect(
        policiesOnRole(taskRole)
          .filter(mentionsUploads)
          .map((p) => p.block.name),
      ).toEqual(["uploads-read-write"]);
      expect(policiesOnRole(executionRole).filter(mentionsUploads)).toEqual([]);
      const grants = s.resources("aws_iam_role_policy").filter(mentionsUploads);
      const roleOf = (p: Element) => s.deref(p.block.role);
      expect(grants.map((p) => roleOf(p).block.name).sort()).toEqual(
        [
          taskRole.block.name,
          "myamazingapp-wiring-upload-age-audit",
          "myamazingapp-wiring-upload-sweep",
        ].sort(),
      );
      const onUploads = (roleName: string) =>
        JSON.parse(grants.find((p) => roleOf(p).block.name === roleName)!.block.policy)
          .Statement.filter((st: any) => JSON.stringify(st.Resource).includes(s.ref(bucket, "arn")))
          .flatMap((st: any) => st.Action)
          .sort();
      // The daily age audit lists the bucket, and that is all it may do with it.
      expect(onUploads("myamazingapp-wiring-upload-age-audit")).toEqual(["s3:ListBucket"]);
      // The daily sweep lists, deletes and aborts, and reads nothing.
      expect(onUploads("myamazingapp-wiring-upload-sweep")).toEqual([
        "s3:AbortMultipartUpload",
        "s3:DeleteObject",
        "s3:GetBucketVersioning",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
      ]);
    });

    it("lets the task role, and only it, send mail from mail.fromAddress, and tells the app the address", () => {
      const identity = s.only("aws_sesv2_email_identity");
      const senders = s
        .resources("aws_iam_role_policy")
        .filter((p) => p.block.policy.includes(s.ref(identity, "arn")));
      expect(senders.map((p) => s.deref(p.block.role).name)).toEqual([taskRole.name]);
      expect(JSON.parse(senders[0].block.policy).Statement[0].Condition).toEqual({
        StringEquals: { "ses:FromAddress": "robot@app.wiring.example.org" },
      });
      expect(container.environment).toContainEqual({
        name: "MAIL_FROM",
        value: "robot@app.wiring.example.org",
      });
    });

    it("verifies the app's domain for mail in the domain's zone, and lets SES publish bounces to the alarm topic", () => {
      const zone = s.dataSources("aws_route53_zone")[0];
      expect(s.only("aws_sesv2_email_identity").block.email_identity).toBe("app.wiring.example.org");
      const mailRecords = s
        .resources("aws_route53_record")
        .filter((r) => /_domainkey|^mail\./.test(r.block.name));
      expect(mailRecords).toHaveLength(5); // three DKIM keys, MX and SPF of the MAIL FROM domain
      for (const { block } of mailRecords) expect(block.zone_id).toBe(s.ref(zone, "zone_id"));
      const topic = s.only("aws_sns_topic");
      const destination = s.only("aws_sesv2_configuration_set_event_destination").block;
      expect(destination.event_destination.sns_destination.topic_arn).toBe(s.ref(topic, "arn"));
      const publishers = JSON.parse(s.only("aws_sns_topic_policy").block.policy).Statement[0].Principal
        .Service;
      expect(publishers).toContain("ses.amazonaws.com");
      const key = s.deref(topic.block.kms_master_key_id);
      const keyUsers = JSON.parse(key.block.policy).Statement.find(
        (st: Block) => st.Sid === "AlarmPublishersEncrypt",
      );
      expect(keyUsers.Principal.Service).toContain("ses.amazonaws.com");
    });

    it("lets no role use a key of the stack directly, but the ECS Exec agent (the task role) the logs key: each key serves its services", () => {
      const policies = stackPolicies(s);
      const tags = s.config.provider.aws[0].default_tags[0].tags as Record<string, string>;
      const context = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:resourcetag/${k}`, v]));
      const keys = policies.resourcePolicies.filter((p) => p.kind === "key");
      expect(keys.length).toBe(s.resources("aws_kms_key").length);
      const cluster = s.only("aws_ecs_cluster").block;
      const logsKey = s.deref(cluster.configuration.execute_command_configuration.kms_key_id);
      const logsKeyName = `aws_kms_key.${logsKey.name}`;
      // Without kms:ViaService: a call the role makes itself, not one a service makes on its behalf. The keys carry
      // the provider's default tags, which the permissions boundary looks for.
      const direct = keys.flatMap((key) => {
        const name = key.statements[0]?.source?.split("#")[0] ?? key.arn;
        return (["kms:Decrypt", "kms:GenerateDataKey"] as const).flatMap((action) =>
          policies.roles
            .filter(
              (r) => policies.authorize(r.arn, { action, resource: key.arn, context }).decision === "allowed",
            )
            .map((r) => `${r.name}: ${action} with ${name}`),
        );
      });
      expect(direct).toEqual([`${taskRole.block.name}: kms:Decrypt with ${logsKeyName}`]);
    });

    it("names the execution role, and only it, in every app secret's resource policy", () => {
      const policies = s.resources("aws_secretsmanager_secret_policy");
      expect(policies).toHaveLength(env.secrets.length);
      for (const { block } of policies) {
        const [deny] = JSON.parse(block.policy).Statement;
        expect(deny).toMatchObject({
          Effect: "Deny",
          Principal: "*",
          Action: "secretsmanager:GetSecretValue",
        });
        expect(deny.Condition).toEqual({ ArnNotEquals: { "aws:PrincipalArn": s.ref(executionRole, "arn") } });
        expect(s.deref(block.secret_arn).type).toBe("aws_secretsmanager_secret");
      }
    });

    it("lets the execution role read the app's secrets and the database credentials, and the task role neither", () => {
      const secretReads = (role: Element) =>
        policiesOnRole(role)
          .flatMap((p) => JSON.parse(p.block.policy).Statement)
          .filter((st: Block) => [st.Action].flat().includes("secretsmanager:GetSecretValue"))
          .flatMap((st: Block) => [st.Resource].flat());
      const db = s.only("aws_db_instance");
      expect(secretReads(executionRole).sort()).toEqual(
        [
          ...s.resources("aws_secretsmanager_secret").map((x) => s.ref(x, "arn")),
          s.ref(db, "master_user_secret[0].secret_arn"),
        ].sort(),
      );
      expect(secretReads(taskRole)).toEqual([]);
    });

    it("keeps the grants that moved to their resources, and the alarm topic's key and alias, at their old addresses (moved blocks)", () => {
      const moved = (s.config.moved ?? []) as Array<{ from: string; to: string }>;
      // Each moves to a resource of its own type, which the stack holds.
      for (const { from, to } of moved) expect(s.deref(`\${${to}.id}`).type).toBe(from.split(".")[0]);
      expect(moved.map((m) => m.from).sort()).toEqual([
        "aws_iam_role_policy.secrets_read_ABEA197E",
        "aws_iam_role_policy.task_read-database-credentials_181E04DE",
        "aws_kms_alias.alarms_alias_7067314E",
        "aws_kms_key.alarms_key_47B57B13",
      ]);
      const alarmsTopic = s.only("aws_sns_topic").block;
      const alarmsKey = moved.find((m) => m.from.startsWith("aws_kms_key."))!.to;
      expect(alarmsTopic.kms_master_key_id).toBe(`\${${alarmsKey}.arn}`);
    });

    it("opens the chain load balancer -> tasks -> database on exactly the ports in use", () => {
      const sgOf = (name: string) => s.find("aws_security_group", (b) => b.name === name);
      const [albSg, webSg, dbSg] = ["alb", "web", "db"].map((n) => sgOf(`myamazingapp-wiring-${n}`));
      const rule = (type: string, from: Element, to: Element) =>
        s
          .resources(type)
          .filter(
            (r) =>
              r.block.security_group_id === s.ref(from, "id") &&
              r.block.referenced_security_group_id === s.ref(to, "id"),
          )
          .map((r) => `${r.block.from_port}-${r.block.to_port}`);
      expect(rule("aws_vpc_security_group_egress_rule", albSg, webSg)).toEqual(["8080-8080"]);
      expect(rule("aws_vpc_security_group_ingress_rule", webSg, albSg)).toEqual(["8080-8080"]);
      expect(rule("aws_vpc_security_group_ingress_rule", dbSg, webSg)).toEqual(["5432-5432"]);
      expect(s.only("aws_ecs_service").block.network_configuration.security_groups).toEqual([
        s.ref(webSg, "id"),
      ]);
      expect(s.only("aws_db_instance").block.vpc_security_group_ids).toEqual([s.ref(dbSg, "id")]);
      // The weekly job and the migration run as the app: its security group is what the database lets in.
      const schedule = weeklySchedule().block;
      expect(schedule.target.ecs_parameters.network_configuration.security_groups).toEqual([
        s.ref(webSg, "id"),
      ]);
      const release = s.find("aws_codebuild_project", (b) => b.name === "myamazingapp-wiring-release").block;
      const groups = release.environment.environment_variable.find(
        (v: Block) => v.name === "SECURITY_GROUP_IDS",
      );
      expect(s.referencedBy(groups.value).map((e) => e.name)).toEqual([webSg.name]);
    });
  });

  describe("one task definition, run by the service, the weekly job and the release", () => {
    it("is the service's task definition, the schedule's family and the release's family", () => {
      expect(s.only("aws_ecs_service").block.task_definition).toBe(s.ref(task, "arn"));
      const schedule = weeklySchedule().block;
      expect(schedule.target.ecs_parameters.task_definition_arn).toBe(s.ref(task, "arn_without_revision"));
      expect(schedule.target.arn).toBe(s.ref(s.only("aws_ecs_cluster"), "arn"));
      const release = s.find("aws_codebuild_project", (b) => b.name === "myamazingapp-wiring-release").block;
      const family = release.environment.environment_variable.find((v: Block) => v.name === "TASK_FAMILY");
      expect(family.value).toBe(s.ref(task, "family"));
    });

    it("tells the app where its domain, database, bucket and mail sender are (every platform variable, wired)", () => {
      const vars = Object.fromEntries(container.environment.map((e: Block) => [e.name, e.value]));
      const db = s.only("aws_db_instance");
      const bucket = s.find("aws_s3_bucket", (b) => b.bucket === "myamazingapp-wiring-uploads-333333333333");
      expect(vars).toEqual({
        APP_DOMAIN: "app.wiring.example.org",
        PORT: "8080",
        HEALTH_CHECK_PATH: "/healthz",
        AWS_REGION: "eu-west-1",
        DATABASE_HOST: s.ref(db, "address"),
        DATABASE_PORT: "5432",
        DATABASE_NAME: "myamazingapp",
        UPLOADS_BUCKET: s.ref(bucket, "bucket"),
        UPLOADS_EXPIRE_DAYS: "9",
        UPLOADS_MAX_BYTES: String(5 * GIB),
        MAIL_FROM: "robot@app.wiring.example.org",
        RAILS_ENV: "staging",
        FEATURE_FLAG: "on",
      });
      expect(Object.keys(vars)).toEqual(expect.arrayContaining([...PLATFORM_VARIABLES]));
      const secrets = Object.fromEntries(container.secrets.map((e: Block) => [e.name, e.valueFrom]));
      expect(secrets.DATABASE_PASSWORD).toBe(`${s.ref(db, "master_user_secret[0].secret_arn")}:password::`);
      expect(secrets.WIRING_API_SECRET).toBe(
        s.ref(
          s.find("aws_secretsmanager_secret", (b) => b.name === "myamazingapp/wiring/WIRING_API_SECRET"),
          "arn",
        ),
      );
    });
  });

  describe("every setting of the file reaches its resource", () => {
    it("service: counts, CPU target, task size and storage, idle timeout", () => {
      const tag = env.service.imageTag;
      expect(countOnceReleased(s.only("aws_ecs_service").block.desired_count, tag)).toBe(3);
      expect(countOnceReleased(s.only("aws_appautoscaling_target").block.min_capacity, tag)).toBe(3);
      expect(s.only("aws_appautoscaling_target").block.max_capacity).toBe(7);
      expect(
        s.only("aws_appautoscaling_policy").block.target_tracking_scaling_policy_configuration.target_value,
      ).toBe(55);
      expect(task.block).toMatchObject({
        cpu: "2048",
        memory: "6144",
        ephemeral_storage: { size_in_gib: 55 },
      });
      expect(container.portMappings[0].containerPort).toBe(8080);
      expect(s.only("aws_lb").block.idle_timeout).toBe(120);
    });

    it("weekly task: schedule, time zone, rake task, retry attempts", () => {
      const schedule = weeklySchedule().block;
      expect(schedule).toMatchObject({
        state: "ENABLED",
        schedule_expression: "cron(17 5 ? * WED *)",
        schedule_expression_timezone: "Europe/Dublin",
      });
      expect(schedule.target.retry_policy.maximum_retry_attempts).toBe(7);
      expect(JSON.parse(schedule.target.input).containerOverrides[0].command).toEqual([
        "bundle",
        "exec",
        "rake",
        "stats:wiring",
      ]);
    });

    it("uploads: the daily sweep deletes at the expiry and aborts at the abort days, in this bucket", async () => {
      const sweep = s.find("aws_sfn_state_machine", (b) => b.name === "myamazingapp-wiring-upload-sweep");
      expect(s.find("aws_scheduler_schedule", (b) => b.name === sweep.block.name).block.target.arn).toBe(
        s.ref(sweep, "arn"),
      );
      const started = "2026-03-04T05:00:00.000Z";
      // The definition names the bucket by reference: the uploads bucket's, resolved by Terraform.
      const uploads = s.find("aws_s3_bucket", (b) => b.bucket === "myamazingapp-wiring-uploads-333333333333");
      const bucket = new FakeUploadsBucket(s.ref(uploads, "bucket"), started);
      for (const age of [8.9, 9]) bucket.put(`upload-${age}`, age);
      bucket.uploads.push(
        { Key: "a", UploadId: "1", Initiated: daysBefore(started, 1.9) },
        { Key: "b", UploadId: "2", Initiated: daysBefore(started, 2) },
      );
      const run = await runStateMachine(
        JSON.parse(sweep.block.definition),
        {},
        { startTime: started, call: bucket.call },
      );
      expect(run.status).toBe("SUCCEEDED");
      expect([...bucket.objects.keys()]).toEqual(["upload-8.9"]);
      expect(bucket.uploads.map((u) => u.Key)).toEqual(["a"]);
    });

    it("uploads: expiry and abort days", () => {
      const bucket = s.find("aws_s3_bucket", (b) => b.bucket === "myamazingapp-wiring-uploads-333333333333");
      const lifecycle = s.find(
        "aws_s3_bucket_lifecycle_configuration",
        (b) => b.bucket === s.ref(bucket, "id"),
      );
      const rule = (id: string) => lifecycle.block.rule.find((r: Block) => r.id === id);
      expect(rule("expire-uploads").expiration).toEqual([{ days: 9 }]);
      expect(rule("abort-incomplete-multipart-uploads").abort_incomplete_multipart_upload).toEqual([
        { days_after_initiation: 2 },
      ]);
    });

    it("uploads: the age audit runs every day on the uploads bucket, and its alarm watches that bucket", () => {
      const bucket = s.find("aws_s3_bucket", (b) => b.bucket === "myamazingapp-wiring-uploads-333333333333");
      const schedule = s.find(
        "aws_scheduler_schedule",
        (b) => b.name === "myamazingapp-wiring-upload-age-audit",
      ).block;
      expect(schedule).toMatchObject({
        state: "ENABLED",
        schedule_expression: "cron(0 6 * * ? *)",
        schedule_expression_timezone: "UTC",
      });
      const machine = s.deref(schedule.target.arn);
      expect([machine.type, machine.attribute]).toEqual(["aws_sfn_state_machine", "arn"]);
      const { States } = JSON.parse(machine.block.definition);
      expect(States.ListPage.Arguments).toContain(`{'Bucket': '${s.ref(bucket, "bucket")}'}`);
      const bucketDimension = [{ Name: "Bucket", Value: s.ref(bucket, "bucket") }];
      for (const metric of States.Publish.Arguments.MetricData)
        expect(metric.Dimensions).toEqual(bucketDimension);
      // The scheduler's role may start this machine and nothing else.
      const starts = policiesOnRole(s.deref(schedule.target.role_arn))
        .flatMap((p) => JSON.parse(p.block.policy).Statement)
        .filter((st: Block) => [st.Action].flat().includes("states:StartExecution"));
      expect(starts.flatMap((st: Block) => [st.Resource].flat())).toEqual([s.ref(machine, "arn")]);
      const alarm = s.find(
        "aws_cloudwatch_metric_alarm",
        (b) => b.alarm_name === "myamazingapp-wiring-uploads-over-age",
      ).block;
      expect(alarm).toMatchObject({
        metric_name: "ObjectsOverAge",
        dimensions: { Bucket: s.ref(bucket, "bucket") },
        treat_missing_data: "breaching",
      });
    });

    it("web ACL: on the load balancer, the file's rate limit per IP, every rule counting instead of blocking", () => {
      const association = s.only("aws_wafv2_web_acl_association").block;
      expect(association.resource_arn).toBe(s.ref(s.only("aws_lb"), "arn"));
      const acl = s.deref(association.web_acl_arn);
      expect([acl.type, acl.attribute]).toEqual(["aws_wafv2_web_acl", "arn"]);
      const rules: Block[] = acl.block.rule;
      expect(rules).toHaveLength(4);
      const rate = rules.filter((r) => r.statement.rate_based_statement);
      expect(rate.map((r) => [r.statement.rate_based_statement, r.action])).toEqual([
        [{ limit: 1500, aggregate_key_type: "IP" }, { count: {} }],
      ]);
      const managed = rules.filter((r) => r.statement.managed_rule_group_statement);
      expect(managed.map((r) => r.override_action)).toEqual([{ count: {} }, { count: {} }, { count: {} }]);
      expect(acl.block.default_action).toEqual({ allow: {} });
    });

    it("service: out to anywhere on HTTPS and the file's outbound ports only, to the database on its port", () => {
      expect(webEgress(s)).toEqual([
        ["tcp", 443, 443, "0.0.0.0/0"],
        ["tcp", 5432, 5432, "myamazingapp-wiring-db"],
        ["tcp", 587, 587, "0.0.0.0/0"],
        ["tcp", 636, 636, "0.0.0.0/0"],
      ]);
    });

    it("database: class, version, storage, backups, protection, insights, parameters", () => {
      expect(s.only("aws_db_instance").block).toMatchObject({
        instance_class: "db.r7g.large",
        engine_version: "15.7",
        allocated_storage: 60,
        max_allocated_storage: 240,
        backup_retention_period: 21,
        deletion_protection: true,
        performance_insights_enabled: true,
        multi_az: true,
      });
      expect(s.only("aws_db_parameter_group").block.family).toBe("postgres15");
    });

    it("network: block, AZs, single NAT, dual stack", () => {
      expect(s.only("aws_vpc").block).toMatchObject({
        cidr_block: "10.77.0.0/18",
        assign_generated_ipv6_cidr_block: true,
      });
      expect(s.resources("aws_subnet")).toHaveLength(9);
      expect(s.resources("aws_nat_gateway")).toHaveLength(1);
      expect(s.only("aws_lb").block.ip_address_type).toBe("dualstack");
    });

    it("logs: retention of every log group, and of the access logs", () => {
      const groups = s.resources("aws_cloudwatch_log_group");
      expect(groups.length).toBeGreaterThanOrEqual(4);
      for (const { block } of groups) expect(block.retention_in_days).toBe(60);
      const logs = s.find("aws_s3_bucket", (b) => b.bucket === "myamazingapp-wiring-alb-logs-333333333333");
      const lifecycle = s.find(
        "aws_s3_bucket_lifecycle_configuration",
        (b) => b.bucket === s.ref(logs, "id"),
      );
      expect(lifecycle.block.rule[0].expiration).toEqual([{ days: 45 }]);
      const archive = s.find("aws_s3_bucket", (b) => b.bucket === "myamazingapp-wiring-logs-333333333333");
      const archiveLifecycle = s.find(
        "aws_s3_bucket_lifecycle_configuration",
        (b) => b.bucket === s.ref(archive, "id"),
      );
      expect(archiveLifecycle.block.rule[0].expiration).toEqual([{ days: 45 }]);
    });

    it("logs on S3: every log group is subscribed to the archive's stream, which files it by group into the archive bucket", () => {
      const archive = s.find("aws_s3_bucket", (b) => b.bucket === "myamazingapp-wiring-logs-333333333333");
      const groups = s.resources("aws_cloudwatch_log_group");
      expect(groups.length).toBeGreaterThanOrEqual(8);
      const streams = new Set<string>();
      for (const group of groups) {
        const filters = s.referring("aws_cloudwatch_log_subscription_filter", "log_group_name", group);
        expect([group.block.name, filters.length]).toEqual([group.block.name, 1]);
        const stream = s.deref(filters[0].block.destination_arn);
        expect(stream.block.extended_s3_configuration.bucket_arn).toBe(s.ref(archive, "arn"));
        streams.add(stream.name);
      }
      // One stream for all: it tells the groups apart by the group each envelope names (test/log-archive.test.ts).
      expect(streams.size).toBe(1);
      const [stream] = s.resources("aws_kinesis_firehose_delivery_stream");
      expect(stream.block.extended_s3_configuration.prefix).toMatch(/^cloudwatch\/!\{partitionKeyFromQuery:/);
    });

    it("the database's exported logs: groups made before the instance, kept, under the logs key that admits them, archived", () => {
      const db = s.only("aws_db_instance");
      expect(db.block.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
      for (const log of ["postgresql", "upgrade"]) {
        // The name RDS writes to: it would create the group itself, unkept and unencrypted, were it missing.
        const name = `/aws/rds/instance/myamazingapp-wiring-db/${log}`;
        const group = s.find("aws_cloudwatch_log_group", (b) => b.name === name);
        expect(db.block.depends_on).toContain(`aws_cloudwatch_log_group.${group.name}`);
        expect(group.block.retention_in_days).toBe(60);
        const key = s.deref(group.block.kms_key_id);
        const alias = s.find("aws_kms_alias", (b) => b.target_key_id === s.ref(key, "key_id"));
        expect(alias.block.name).toBe("alias/myamazingapp-wiring-logs");
        // CloudWatch Logs may use the key for exactly this group (the encryption context names its ARN).
        const admitted = JSON.parse(key.block.policy).Statement.find(
          (st: Block) => st.Principal?.Service === "logs.eu-west-1.amazonaws.com",
        ).Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"] as string[];
        const arn = `arn:aws:logs:eu-west-1:333333333333:log-group:${name}`;
        expect(admitted.some((pattern) => wildcardMatch(pattern, arn, false))).toBe(true);
        expect(
          admitted.some((pattern) => wildcardMatch(pattern, arn.replace("wiring-db", "other-db"), false)),
        ).toBe(false);
        const [filter] = s.referring("aws_cloudwatch_log_subscription_filter", "log_group_name", group);
        const stream = s.deref(filter.block.destination_arn);
        // The environment's one archive stream, which files each record under the group it came from.
        expect(stream.block.name).toBe("myamazingapp-wiring-logs");
        expect(stream.block.extended_s3_configuration.prefix).toMatch(
          /^cloudwatch\/!\{partitionKeyFromQuery:log_group\}\//,
        );
      }
    });

    it("alarms: every threshold of the file, in the unit CloudWatch compares", () => {
      const alarm = (name: string) =>
        s.find("aws_cloudwatch_metric_alarm", (b) => b.alarm_name === `myamazingapp-wiring-${name}`).block;
      expect(alarm("load-balancer-5xx").threshold).toBe(7);
      expect(alarm("target-5xx").threshold).toBe(7);
      expect(alarm("p95-latency").threshold).toBe(1.5);
      expect(alarm("service-cpu").threshold).toBe(75);
      expect(alarm("service-memory").threshold).toBe(70);
      expect(alarm("database-cpu").threshold).toBe(65);
      // 15% of the file's 60 GiB, in bytes
      expect(alarm("database-free-storage").threshold).toBe(Math.round(0.15 * 60 * 1024 ** 3));
      expect(alarm("database-freeable-memory").threshold).toBe(512 * 1024 ** 2);
      expect(alarm("database-connections").threshold).toBe(450);
    });

    it("cost: the monthly budget and the account's anomaly detection", () => {
      expect(s.only("aws_budgets_budget").block).toMatchObject({
        limit_amount: "1234",
        limit_unit: "USD",
        time_unit: "MONTHLY",
      });
      expect(s.resources("aws_ce_anomaly_monitor")).toHaveLength(1);
    });

    it("teardown: protection on, nothing emptied on destroy, secrets recoverable for the given days", () => {
      expect(s.only("aws_lb").block.enable_deletion_protection).toBe(true);
      for (const { block } of s.resources("aws_s3_bucket")) expect(block.force_destroy).toBe(false);
      expect(s.only("aws_ecr_repository").block.force_delete).toBe(false);
      for (const { block } of s.resources("aws_secretsmanager_secret"))
        expect(block.recovery_window_in_days).toBe(14);
    });

    it("account, region, owner, alarm e-mail and image tag", () => {
      const [provider] = s.config.provider.aws;
      expect(provider).toMatchObject({ region: "eu-west-1", allowed_account_ids: ["333333333333"] });
      expect(provider.default_tags[0].tags).toMatchObject({ environment: "wiring", owner: "wiring-team" });
      expect(s.only("aws_sns_topic_subscription").block.endpoint).toBe("wiring-alerts@example.org");
      expect(s.only("aws_ssm_parameter").block.insecure_value).toBe(
        `${s.ref(s.only("aws_ecr_repository"), "repository_url")}:wiring-tag`,
      );
    });

    it("delivery and GitHub Actions: repository, branch, approval, OIDC roles", () => {
      const pipeline = s.only("aws_codepipeline").block;
      expect(pipeline.stage.map((st: Block) => st.name)).toEqual(["Source", "Build", "Approval", "Release"]);
      expect(pipeline.stage[0].action[0].configuration).toMatchObject({
        FullRepositoryId: "example/wiring-app",
        BranchName: "release/wiring",
      });
      expect(s.resources("aws_iam_role").map((r) => r.block.name)).toEqual(
        expect.arrayContaining(["myamazingapp-wiring-github-plan", "myamazingapp-wiring-github-deploy"]),
      );
    });

    it("sets no password anywhere in the configuration", () => {
      expect(text).not.toMatch(/"(master_)?password"\s*:/);
      expect(text).not.toMatch(/"secret_string"\s*:/);
      expect(s.resources("aws_secretsmanager_secret_version")).toEqual([]);
    });
  });
});

describe("the other side of every switch (test/fixtures/environments/throwaway.json)", () => {
  let s: StackView;
  beforeAll(() => {
    s = fixture("throwaway").stack;
  });

  it("without a mail section: no SES resource, no MAIL_FROM, no send grant, SES not a publisher", () => {
    for (const type of [
      "aws_sesv2_email_identity",
      "aws_sesv2_configuration_set",
      "aws_sesv2_configuration_set_event_destination",
      "aws_sesv2_email_identity_mail_from_attributes",
    ]) {
      expect(s.resources(type)).toEqual([]);
    }
    const [container] = JSON.parse(s.only("aws_ecs_task_definition").block.container_definitions);
    expect(container.environment.map((e: Block) => e.name)).not.toContain("MAIL_FROM");
    expect(s.resources("aws_iam_role_policy").map((p) => p.block.name)).not.toContain("send-mail");
    expect(s.only("aws_sns_topic_policy").block.policy).not.toContain("ses.amazonaws.com");
  });

  it("empties its buckets and repository on destroy, deletes secrets at once, and protects nothing", () => {
    expect(s.only("aws_lb").block.enable_deletion_protection).toBe(false);
    for (const { block } of s.resources("aws_s3_bucket")) expect(block.force_destroy).toBe(true);
    expect(s.only("aws_ecr_repository").block.force_delete).toBe(true);
    expect(s.resources("aws_secretsmanager_secret")).toEqual([]);
    expect(s.only("aws_db_instance").block).toMatchObject({
      deletion_protection: false,
      skip_final_snapshot: true,
    });
  });

  it("blocks above its rate limit of 100 per IP, with every managed rule group enforcing", () => {
    const acl = s.deref(s.only("aws_wafv2_web_acl_association").block.web_acl_arn);
    const rules: Block[] = acl.block.rule;
    const rate = rules.filter((r) => r.statement.rate_based_statement);
    expect(rate.map((r) => [r.statement.rate_based_statement, r.action])).toEqual([
      [{ limit: 100, aggregate_key_type: "IP" }, { block: {} }],
    ]);
    const managed = rules.filter((r) => r.statement.managed_rule_group_statement);
    expect(managed.map((r) => r.override_action)).toEqual([{ none: {} }, { none: {} }, { none: {} }]);
  });

  it("opens no outbound port but HTTPS and the database's when the file names none", () => {
    expect(webEgress(s)).toEqual([
      ["tcp", 443, 443, "0.0.0.0/0"],
      ["tcp", 5432, 5432, "myamazingapp-throwaway-db"],
    ]);
  });

  it("has no pipeline and no GitHub roles, and talks to the emulator", () => {
    expect(s.resources("aws_codepipeline")).toEqual([]);
    expect(s.resources("aws_iam_openid_connect_provider")).toEqual([]);
    expect(s.config.provider.aws[0]).not.toHaveProperty("endpoints");
    expect(s.config.provider.aws[0].access_key).toMatch(/^MOTOACCT/);
    expect(s.config.terraform.backend.s3.endpoints).toEqual({ s3: "https://localhost:4599" });
  });

  it("creates its zone, serves IPv4 only, and runs a fixed count without autoscaling", () => {
    expect(s.only("aws_route53_zone").block.name).toBe("throwaway.example.org");
    expect(
      s
        .resources("aws_route53_record")
        .filter((r) => r.block.alias)
        .map((r) => r.block.type),
    ).toEqual(["A"]);
    expect(s.resources("aws_appautoscaling_target")).toEqual([]);
    expect(s.only("aws_ecs_service").block.lifecycle.ignore_changes).not.toContain("desired_count");
    expect(s.resources("aws_nat_gateway")).toHaveLength(2);
  });
});

describe.each(["production", "staging", "local"])("the checked-in %s environment", (name) => {
  let env: EnvironmentConfig;
  let s: StackView;
  beforeAll(() => {
    ({ env, stack: s } = checkedIn(name));
  });

  it("keeps state in its own account's and region's bucket, under its own key, encrypted and locked", () => {
    expect(s.config.terraform.backend.s3).toMatchObject({
      bucket: `${backend.bucket}-${env.account}-${env.region}`,
      region: env.region,
      key: `${backend.keyPrefix}myamazingapp-${name}.tfstate`,
      encrypt: true,
      use_lockfile: true,
    });
    // use_lockfile needs Terraform 1.10; the stack says so, and an older Terraform refuses to run it.
    expect(s.config.terraform.required_version).toBe(">= 1.10.0");
  });

  it("is highly available: two or more AZs, at least two tasks, a Multi-AZ database", () => {
    expect(s.resources("aws_subnet").length).toBeGreaterThanOrEqual(6);
    // No task before the first release (nothing to run), then at least two.
    expect(countOnceReleased(s.only("aws_ecs_service").block.desired_count)).toBeGreaterThanOrEqual(2);
    expect(s.only("aws_db_instance").block.multi_az).toBe(true);
  });

  it("removes every upload before it is 14 days old", () => {
    const days = s
      .resources("aws_s3_bucket_lifecycle_configuration")
      .flatMap((l) => l.block.rule)
      .find((r: Block) => r.id === "expire-uploads").expiration[0].days;
    expect(days).toBe(env.uploads.expireAfterDays);
    expect(days + 1).toBeLessThanOrEqual(14);
  });

  it("gets GitHub roles exactly when GitHub Actions deploys it, and the OIDC provider as the file says", () => {
    const roles = s.resources("aws_iam_role").map((r) => r.block.name);
    const github = roles.filter((n) => /-github-(plan|deploy)$/.test(n));
    expect(github).toHaveLength(env.githubActions ? 2 : 0);
    const created = env.githubActions?.oidcProvider === "create";
    expect(s.resources("aws_iam_openid_connect_provider")).toHaveLength(created ? 1 : 0);
    expect(s.dataSources("aws_iam_openid_connect_provider")).toHaveLength(
      env.githubActions && !created ? 1 : 0,
    );
  });
});

describe("production", () => {
  it("is served at https://myamazingapp.cdlib.org from the existing cdlib.org zone, and keeps its data", () => {
    const { env, stack: s } = checkedIn("production");
    expect(env.domain.name).toBe("myamazingapp.cdlib.org");
    expect(s.dataSources("aws_route53_zone").map((z) => z.block.name)).toEqual(["cdlib.org"]);
    expect(s.only("aws_db_instance").block).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
    });
    expect(s.only("aws_lb").block.enable_deletion_protection).toBe(true);
  });
});

describe("build once, promote: production releases what staging released", () => {
  it("staging's repository lets production's promote role pull, and no one else of that account", () => {
    const stg = checkedIn("staging").stack;
    const policy = JSON.parse(stg.only("aws_ecr_repository_policy").block.policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
        Condition: {
          ArnEquals: {
            "aws:PrincipalArn": [
              "arn:aws:iam::111111111111:role/myamazingapp/production/myamazingapp-production-delivery-promote",
            ],
          },
        },
      }),
    ]);
    expect(policy.Statement[0].Action).not.toContain("ecr:PutImage");
  });

  it("production promotes from staging's repository, named as staging's own stack names it, and builds nothing", () => {
    const prod = checkedIn("production").stack;
    const stg = checkedIn("staging").stack;
    const promote = prod.find("aws_codebuild_project", (b) => b.name === "myamazingapp-production-promote");
    const variables = Object.fromEntries(
      promote.block.environment.environment_variable.map((v: Block) => [v.name, v.value]),
    );
    const stagingRepository = stg.only("aws_ecr_repository").block.name;
    expect(variables.SOURCE_REPOSITORY_URI).toBe(
      `222222222222.dkr.ecr.us-west-2.amazonaws.com/${stagingRepository}`,
    );
    expect(prod.resources("aws_codebuild_project").map((p) => p.block.name)).not.toContain(
      "myamazingapp-production-build",
    );
    // Staging itself still builds, and nothing pulls from production.
    expect(stg.resources("aws_codebuild_project").map((p) => p.block.name)).toContain(
      "myamazingapp-staging-build",
    );
    expect(prod.resources("aws_ecr_repository_policy")).toEqual([]);
  });
});
