import { TerraformOutput } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { AppSecrets, type ContainerSecret } from "../constructs/app-secrets";
import { Naming } from "../constructs/naming";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const naming = new Naming("myamazingapp", "test");
const NAMES = ["SECRET_KEY_BASE", "SMTP_PASSWORD", "ORCID_CLIENT_SECRET"];

describe("AppSecrets", () => {
  let synth: Synthesized;
  let secrets: AppSecrets;
  let role: IamRole;
  let containerSecrets: ContainerSecret[];
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      secrets = new AppSecrets(scope, "secrets", { naming, names: NAMES });
      role = new IamRole(scope, "execution-role", { name: "execution", assumeRolePolicy: "{}" });
      secrets.restrictReadTo(role);
      new TerraformOutput(scope, "container-secrets", { value: secrets.containerSecrets() });
      // A set without names must not produce empty policies.
      new AppSecrets(scope, "none", { naming, names: [] }).restrictReadTo(role);
    });
    containerSecrets = secrets.containerSecrets();
  });
  const arnOf = (name: string) => ref(secrets.secrets[name], "arn");

  it("creates one secret per name, named <application>/<environment>/<NAME>", () => {
    const created = synth.resources("aws_secretsmanager_secret");
    expect(created.map((s) => s.name).sort()).toEqual(NAMES.map((n) => `myamazingapp/test/${n}`).sort());
    expect(synth.json).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: "myamazingapp/test/SMTP_PASSWORD",
      recovery_window_in_days: 30,
    });
  });

  it("creates no secret version, so no value is ever in Terraform state", () => {
    expect(synth.resources("aws_secretsmanager_secret_version")).toEqual([]);
    for (const secret of synth.resources("aws_secretsmanager_secret")) {
      expect(Object.keys(secret).filter((k) => /secret_string|secret_binary|value/.test(k))).toEqual([]);
    }
  });

  it("containerSecrets gives each name with its secret's ARN as valueFrom (and nothing else)", () => {
    expect(containerSecrets.map((s) => s.name).sort()).toEqual([...NAMES].sort());
    for (const entry of containerSecrets) expect(Object.keys(entry).sort()).toEqual(["name", "valueFrom"]);
    expect(synth.config.output["container-secrets"].value).toEqual(
      NAMES.map((name) => ({ name, valueFrom: arnOf(name) })),
    );
  });

  describe("restrictReadTo", () => {
    let grant: Block;
    let resourcePolicies: Block[];
    beforeAll(() => {
      const policies = synth.resources("aws_iam_role_policy");
      expect(policies).toHaveLength(1);
      grant = policies[0];
      resourcePolicies = synth.resources("aws_secretsmanager_secret_policy");
    });

    it("grants the role GetSecretValue on exactly these secrets", () => {
      expect(grant.role).toBe(ref(role, "id"));
      expect(JSON.parse(grant.policy).Statement).toEqual([
        {
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: NAMES.map(arnOf),
        },
      ]);
    });

    it("puts a resource policy on each secret denying GetSecretValue to every principal but the role", () => {
      expect(resourcePolicies).toHaveLength(NAMES.length);
      expect(resourcePolicies.map((p) => p.secret_arn).sort()).toEqual(NAMES.map(arnOf).sort());
      for (const policy of resourcePolicies) {
        expect(JSON.parse(policy.policy).Statement).toEqual([
          expect.objectContaining({
            Effect: "Deny",
            Principal: "*",
            Action: "secretsmanager:GetSecretValue",
            Condition: { ArnNotEquals: { "aws:PrincipalArn": ref(role, "arn") } },
          }),
        ]);
      }
    });

    it("does nothing for an empty set of names", () => {
      expect(synth.resources("aws_iam_role_policy")).toHaveLength(1);
      expect(resourcePolicies).toHaveLength(NAMES.length);
    });
  });

  it.each([
    ["lower case", "smtp_password"],
    ["a dash", "SMTP-PASSWORD"],
    ["a leading digit", "1PASSWORD"],
    ["a single letter", "A"],
    ["a space", "SMTP PASSWORD"],
  ])("refuses a name with %s", (_why, name) => {
    expect(() => new AppSecrets(newStack(), "s", { naming, names: ["SECRET_KEY_BASE", name] })).toThrow(
      `AppSecrets: "${name}" is not an upper-case variable name`,
    );
  });

  it("refuses duplicate names", () => {
    expect(
      () => new AppSecrets(newStack(), "s", { naming, names: ["SMTP_PASSWORD", "SMTP_PASSWORD"] }),
    ).toThrow(/names must be unique/);
  });
});
