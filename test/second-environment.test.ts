/**
 * Another environment is one file: environments/localwest.json (local.json with its name, account, region,
 * network and domain changed) synthesizes beside local without a clash in anything that is global or shared:
 * IAM names, bucket names, dashboards, budgets, state, DNS. The end-to-end test deploys both side by side.
 */
import { StackView } from "../rules/stack-view";
import { synthCheckedIn } from "./environment-stacks";

const local = synthCheckedIn("local");
const west = synthCheckedIn("localwest");
const view = (text: string) => new StackView(JSON.parse(text));

/** Names that AWS keeps unique per account (IAM, dashboards, budgets) or worldwide (buckets). */
function globalNames(text: string): string[] {
  const s = view(text);
  const names = (type: string, field: string) => s.resources(type).map((e) => `${type}:${e.block[field]}`);
  return [
    ...names("aws_iam_role", "name"),
    ...names("aws_iam_policy", "name"),
    ...names("aws_s3_bucket", "bucket"),
    ...names("aws_cloudwatch_dashboard", "dashboard_name"),
    ...names("aws_budgets_budget", "name"),
    ...names("aws_route53_zone", "name"),
    ...names("aws_cloudwatch_log_resource_policy", "policy_name"),
  ];
}

describe("a second environment in another region and account, from one file", () => {
  it("is in its own region and account", () => {
    const provider = JSON.parse(west.text).provider.aws[0];
    expect(provider).toMatchObject({ region: "us-west-2", allowed_account_ids: ["210987654321"] });
  });

  it("shares no global name with local", () => {
    const ours = new Set(globalNames(local.text));
    const clashes = globalNames(west.text).filter((n) => ours.has(n));
    expect(clashes).toEqual([]);
    expect(globalNames(west.text).length).toBeGreaterThan(15);
  });

  it("keeps its state in its own account's and region's bucket, under its own key", () => {
    const a = JSON.parse(local.text).terraform.backend.s3;
    const b = JSON.parse(west.text).terraform.backend.s3;
    expect(b.bucket).toBe("myamazingapp-terraform-state-210987654321-us-west-2");
    expect([a.bucket, a.key]).not.toEqual([b.bucket, b.key]);
    expect(b.key).toBe("myamazingapp/myamazingapp-localwest.tfstate");
  });

  it("serves its own name from its own zone, and names no record outside its domain", () => {
    const records = view(west.text)
      .resources("aws_route53_record")
      .map((e) => e.block.name as string)
      .filter((name) => !/^\$\{[^}]+\}$/.test(name)) // the certificate's validation records, named by ACM
      .map((name) => name.replace(/^\$\{[^}]+\}/, "<token>")); // the DKIM records, named by SES's tokens
    expect(records).toContain("west.myamazingapp.cdlib.org");
    for (const name of records) expect(name).toMatch(/(^|\.)west\.myamazingapp\.cdlib\.org$/);
  });
});
