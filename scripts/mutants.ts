/**
 * `npm run mutants`: do the tests notice a crossed wire? Each mutant breaks one wiring or one contract the way a
 * careless edit would (the web service in the public subnets, a grant to the wrong role, a setting ignored, a
 * release script that echoes instead of failing), in a scratch copy of the project, and runs the tests that
 * should notice. Every mutant must make them fail; the script prints a line per mutant and exits 1 if one lived.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(__dirname, "..");

interface Mutant {
  readonly name: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  /** The test files that must fail. */
  readonly tests: string[];
}

const STACK = "stacks/app-stack.ts";
const STACK_TESTS = ["test/app-stack.test.ts"];
const stack = (name: string, from: string, to: string): Mutant => ({
  name,
  file: STACK,
  from,
  to,
  tests: STACK_TESTS,
});
const script = (name: string, file: string, from: string, to: string): Mutant => ({
  name,
  file,
  from,
  to,
  tests: ["test/delivery-scripts.test.ts"],
});

export const MUTANTS: Mutant[] = [
  stack(
    "web service in the public subnets",
    "subnetIds: this.network.privateSubnetIds,\n      task:",
    "subnetIds: this.network.publicSubnetIds,\n      task:",
  ),
  stack(
    "weekly task in the public subnets",
    "retryAttempts: env.statsTask.retryAttempts,\n      subnetIds: this.network.privateSubnetIds,",
    "retryAttempts: env.statsTask.retryAttempts,\n      subnetIds: this.network.publicSubnetIds,",
  ),
  stack(
    "migration in the public subnets",
    "task: this.task,\n        subnetIds: this.network.privateSubnetIds,",
    "task: this.task,\n        subnetIds: this.network.publicSubnetIds,",
  ),
  stack(
    "database in the NAT subnets",
    "subnetIds: this.network.isolatedSubnetIds,",
    "subnetIds: this.network.privateSubnetIds,",
  ),
  stack(
    "alias records on the zone's id",
    "zoneId: this.loadBalancer.alb.zoneId,",
    "zoneId: this.domain.zoneId,",
  ),
  stack(
    "uploads granted to the execution role",
    "this.uploads.grantReadWrite(this.task.taskRole);",
    "this.uploads.grantReadWrite(this.task.executionRole);",
  ),
  stack(
    "secrets readable by the task role",
    "this.secrets.grantRead(this.task.executionRole)",
    "this.secrets.grantRead(this.task.taskRole)",
  ),
  stack(
    "database credentials readable by the task role",
    "this.database.grantReadCredentials(this.task.executionRole)",
    "this.database.grantReadCredentials(this.task.taskRole)",
  ),
  stack(
    "database open to the load balancer",
    "this.database.allowFrom(this.web.securityGroup.id,",
    "this.database.allowFrom(this.loadBalancer.securityGroup.id,",
  ),
  stack(
    "weekly task outside the app's security group",
    "securityGroupIds: [this.web.securityGroup.id],\n      alarmTopicArn: this.alarms.topic.arn,\n      encryptionKey",
    "securityGroupIds: [this.loadBalancer.securityGroup.id],\n      alarmTopicArn: this.alarms.topic.arn,\n      encryptionKey",
  ),
  stack("maxCount ignored", "maxCount: env.service.maxCount,", "maxCount: 4,"),
  stack("CPU target ignored", "targetCpuPercent: env.service.targetCpuPercent,", "targetCpuPercent: 60,"),
  stack("retry attempts ignored", "retryAttempts: env.statsTask.retryAttempts,", "retryAttempts: 3,"),
  stack(
    "upload expiry ignored",
    "expireAfterDays: env.uploads.expireAfterDays,\n      abort",
    "expireAfterDays: 12,\n      abort",
  ),
  stack(
    "container told another expiry",
    "UPLOADS_EXPIRE_DAYS: String(env.uploads.expireAfterDays),",
    'UPLOADS_EXPIRE_DAYS: "12",',
  ),
  stack("load balancer on a fixed port", "targetPort: env.service.containerPort,", "targetPort: 3000,"),
  stack(
    "access log retention derived again",
    "accessLogRetentionDays: env.logArchiveDays,",
    "accessLogRetentionDays: Math.max(env.logRetentionDays, 30),",
  ),
  stack(
    "rotation follows no secret of the tasks",
    "secretArns: [this.database.masterUserSecretArn],",
    "secretArns: [this.secrets.containerSecrets()[0].valueFrom],",
  ),
  stack(
    "the first release never awaited (tasks crash-loop on the placeholder)",
    "placeholderImage: this.repository.image(env.service.imageTag),",
    'placeholderImage: this.repository.image("never"),',
  ),
  stack(
    "production promotes from itself",
    "promoteFrom: props.promotion?.from ? promotionSource(props.promotion.from) : undefined,",
    "promoteFrom: props.promotion?.from ? promotionSource({ ...props.promotion.from, environment: env.name }) : undefined,",
  ),
  stack(
    "web ACL rate limit ignored",
    "requestsPerFiveMinutesPerIp: env.waf.requestsPerFiveMinutesPerIp,",
    "requestsPerFiveMinutesPerIp: 2000,",
  ),
  stack(
    "web ACL blocks where the file says count only",
    "countOnly: env.waf.countOnly,",
    "countOnly: false,",
  ),
  stack("outbound ports ignored", "outboundPorts: env.service.outboundPorts,", "outboundPorts: [],"),
  {
    name: "upload age audit switched off",
    file: "constructs/upload-age-audit.ts",
    from: 'state: "ENABLED",',
    to: 'state: "DISABLED",',
    tests: ["test/app-stack.test.ts", "test/upload-age-audit.test.ts"],
  },
  script(
    "release deploys with a secret missing",
    "constructs/delivery/release.sh",
    'if [[ "${#missing[@]}" -gt 0 ]]; then',
    'if [[ "${#missing[@]}" -gt 99 ]]; then',
  ),
  script(
    "promotion takes an image staging never released",
    "constructs/delivery/promote.sh",
    'any(startswith("released-"))',
    "length >= 0",
  ),
  stack("alarm thresholds ignored", "thresholds: env.alarms,", "thresholds: {},"),
  stack("budget fixed", "monthlyBudgetUsd: env.cost.monthlyBudgetUsd,", "monthlyBudgetUsd: 1000,"),
  stack(
    "a log group left out of the archive",
    'if (ids[ids.length - 1] === "logs") ids.pop();\n      this.logArchive',
    'if (ids[ids.length - 1] === "logs") ids.pop();\n      if (ids[0] === "network") continue;\n      this.logArchive',
  ),
  stack(
    "secret recovery derived again",
    "recoveryWindowInDays: teardown.secretRecoveryDays,",
    "recoveryWindowInDays: 30,",
  ),
  {
    name: "rotation restarts on a label that never reaches the running password",
    file: "constructs/rotation-restart.ts",
    from: 'detail: { labelUpdated: ["AWSCURRENT"] },',
    to: 'detail: { labelUpdated: ["AWSPENDING"] },',
    tests: ["test/rotation-restart.test.ts"],
  },
  {
    name: "a platform variable no longer reserved",
    file: "constructs/app-task-definition.ts",
    from: '  "UPLOADS_MAX_BYTES",\n] as const;',
    to: "] as const;",
    tests: ["test/config.test.ts"],
  },
  script(
    "release deploys after a failed migration",
    "constructs/delivery/release.sh",
    '  fail "Its output is in the app log group under the task id; the service still runs the previous release."',
    '  echo "Its output is in the app log group under the task id; the service still runs the previous release."',
  ),
  script(
    "release keeps a revision that failed",
    "constructs/delivery/release.sh",
    "trap withdraw_unreleased_revision EXIT",
    "trap - EXIT",
  ),
  script(
    "release ignores the rollout state",
    "constructs/delivery/release.sh",
    '[[ "$rollout" == "COMPLETED" ]] ||',
    '[[ -n "$rollout" ]] ||',
  ),
  script(
    "release treats a missing exit code as success",
    "constructs/delivery/release.sh",
    '.exitCode // empty) // "missing"',
    '.exitCode // 0) // "missing"',
  ),
  script(
    "build accepts any revision",
    "constructs/delivery/build.sh",
    'if [[ ! "$revision" =~ ^[0-9a-f]{40}$ ]]; then',
    "if false; then",
  ),
  // Security: each weakens one protection; the policy rules, or the construct's own tests, must notice.
  {
    name: "boundary lets roles be created without it",
    file: "constructs/access/derive.ts",
    from: 'Sid: "OnlyThisBoundary",\n      Effect: "Deny",',
    to: 'Sid: "OnlyThisBoundary",\n      Effect: "Allow",',
    tests: ["test/permissions-boundary.test.ts"],
  },
  {
    name: "boundary lets roles read any object",
    file: "constructs/access/derive.ts",
    from: 'Sid: "NoObjectsOutside",\n      Effect: "Deny",',
    to: 'Sid: "NoObjectsOutside",\n      Effect: "Allow",',
    tests: ["test/permissions-boundary.test.ts", "test/deploy-permissions.test.ts"],
  },
  {
    name: "deploy role passes roles to any service",
    file: "constructs/access/identity.ts",
    from: 'condition: (s) => ({ StringEquals: { "iam:PassedToService": [...s.passedToServices] } }),',
    to: 'condition: () => ({ StringLike: { "iam:PassedToService": "*" } }),',
    tests: ["test/deploy-permissions.test.ts"],
  },
  {
    name: "keys never rotated",
    file: "constructs/encryption-key.ts",
    from: "enableKeyRotation: true,",
    to: "enableKeyRotation: false,",
    tests: ["test/encryption-key.test.ts", "test/policy-rules.test.ts"],
  },
  {
    name: "uploads on S3-managed keys",
    file: "constructs/uploads-bucket.ts",
    from: "encryptionKeyArn: props.encryptionKey.key.arn,",
    to: "",
    tests: ["test/uploads-bucket.test.ts", "test/policy-rules.test.ts"],
  },
  {
    name: "uploads not access-logged",
    file: "constructs/uploads-bucket.ts",
    from: "this.bucket.logAccessTo(props.accessLogBucket);",
    to: "",
    tests: ["test/uploads-bucket.test.ts", "test/policy-rules.test.ts"],
  },
  {
    name: "writable container root",
    file: "constructs/app-task-definition.ts",
    from: "readonlyRootFilesystem: true,",
    to: "readonlyRootFilesystem: false,",
    tests: ["test/app-task-definition.test.ts", "test/policy-rules.test.ts"],
  },
];

function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "mutants-"));
  const files = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  }).stdout.split("\n");
  // A file deleted in the working tree may still be in the index.
  for (const file of files.filter((f) => f && existsSync(join(ROOT, f)))) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function main(): number {
  const dir = scratchCopy();
  let lived = 0;
  try {
    for (const m of MUTANTS) {
      const path = join(dir, m.file);
      const original = readFileSync(path, "utf8");
      const count = original.split(m.from).length - 1;
      if (count !== 1) {
        console.log(`STALE   ${m.name}: the text to mutate appears ${count} times in ${m.file}`);
        lived += 1;
        continue;
      }
      writeFileSync(path, original.replace(m.from, m.to));
      const jest = join(dir, "node_modules", "jest", "bin", "jest.js");
      const run = spawnSync(process.execPath, [jest, "--silent", ...m.tests], { cwd: dir, encoding: "utf8" });
      writeFileSync(path, original);
      const summary = /Tests:.*/.exec(run.stderr)?.[0] ?? "no summary";
      const caught = run.status !== 0 && /failed/.test(summary);
      if (!caught) lived += 1;
      console.log(
        `${caught ? "caught " : "LIVED  "} ${m.name} (${m.tests.join(", ")}: ${summary.replace("Tests:", "").trim()})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${MUTANTS.length - lived} of ${MUTANTS.length} mutants caught`);
  return lived === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
