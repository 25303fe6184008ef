import {
  checkPattern,
  checkRange,
  ENVIRONMENT_NAME,
  GITHUB_REPOSITORY,
  MAX_UPLOAD_AGE_DAYS,
  refuse,
  UPLOAD_EXPIRY_DAYS,
  VPC_CIDR,
  WEEKLY_CRON,
} from "../constructs/limits";
import { Naming } from "../constructs/naming";

describe("limits: the one home of every pattern and range", () => {
  it.each(["cron(0 3 ? * MON *)", "cron(59 23 ? * 7 *)", "cron(15 4 ? * SUN *)", "cron(05 09 ? * FRI *)"])(
    "a weekly cron accepts %s",
    (expr) => {
      expect(checkPattern(WEEKLY_CRON, expr)).toBeUndefined();
    },
  );

  it.each([
    "cron(0 3 * * ? *)",
    "cron(0 3 ? * MON-FRI *)",
    "cron(60 3 ? * MON *)",
    "cron(0 24 ? * MON *)",
    "rate(7 days)",
    "cron(0 3 ? * MON)",
    "cron(0 3 ? * FUNDAY *)",
    "cron(0 3 ? * 8 *)",
  ])("a weekly cron refuses %s", (expr) => {
    expect(checkPattern(WEEKLY_CRON, expr)).toMatch(
      /is malformed; expected a weekly cron: cron\(M H \? \* D \*\)/,
    );
  });

  it.each(["10.40.0.0/16", "172.16.0.0/20", "192.168.255.0/18"])("a VPC block accepts %s", (cidr) => {
    expect(checkPattern(VPC_CIDR, cidr)).toBeUndefined();
  });

  it.each(["10.40.0.0/15", "10.40.0.0/21", "10.256.0.0/16", "10.40.0/16", "010.40.0.0/16 "])(
    "a VPC block refuses %s",
    (cidr) => {
      expect(checkPattern(VPC_CIDR, cidr)).toBeDefined();
    },
  );

  it("a GitHub repository is owner/name and nothing else", () => {
    expect(checkPattern(GITHUB_REPOSITORY, "cdlib/myamazingapp")).toBeUndefined();
    expect(checkPattern(GITHUB_REPOSITORY, "cdlib/my.app_2")).toBeUndefined();
    for (const bad of ["cdlib", "cdlib/", "/app", "cdlib/app/x", "-cdlib/app", "cdlib/app name"]) {
      expect(checkPattern(GITHUB_REPOSITORY, bad)).toBeDefined();
    }
  });

  it("an environment name is short enough for every AWS name built from it", () => {
    const longest = "e".repeat(12);
    expect(checkPattern(ENVIRONMENT_NAME, longest)).toBeUndefined();
    expect(checkPattern(ENVIRONMENT_NAME, `${longest}x`)).toBeDefined();
    // The tightest limit: the CodeStar connection (32 characters) and the load balancer's names.
    const naming = new Naming("myamazingapp", longest);
    expect(() => naming.name("github", 32)).not.toThrow();
    expect(() => naming.name("alb", 32)).not.toThrow();
    expect(() => naming.name(`delivery-artifacts-${"1".repeat(12)}`, 63)).not.toThrow();
  });

  it("an environment name holds no dash, so no environment's name prefix begins another's", () => {
    expect(checkPattern(ENVIRONMENT_NAME, "production2")).toBeUndefined();
    // production's policies name `myamazingapp-production-*`: an environment production-b would fall within it.
    expect(checkPattern(ENVIRONMENT_NAME, "production-b")).toMatch(/no dash/);
  });

  it("upload expiry keeps the two-week promise: a daily sweep that may take an hour, and S3's rounding", () => {
    const day = 24;
    // The sweep deletes an object within N days + 1 day + 1 hour: under 14 days for N = 12, not for 13.
    expect(UPLOAD_EXPIRY_DAYS.max * day + day + 1).toBeLessThan(14 * day);
    expect(MAX_UPLOAD_AGE_DAYS).toBe(14);
    expect(checkRange(UPLOAD_EXPIRY_DAYS, 12)).toBeUndefined();
    expect(checkRange(UPLOAD_EXPIRY_DAYS, 13)).toMatch(/13 is out of range; allowed: 1 to 12 days/);
    expect(checkRange(UPLOAD_EXPIRY_DAYS, 2.5)).toBeDefined();
  });

  it("refuse names the construct and every failed check, and passes when all hold", () => {
    expect(() => refuse("Thing", { a: undefined, b: undefined })).not.toThrow();
    expect(() => refuse("Thing", { a: "is bad" })).toThrow(/^Thing: a: is bad$/);
    expect(() => refuse("Thing", { a: "is bad", b: "is worse" })).toThrow(
      /^Thing:\n {2}- a: is bad\n {2}- b: is worse$/,
    );
  });
});
