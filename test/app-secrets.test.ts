import { TerraformOutput, Testing } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { AppSecrets, type AppSecretsProps, type ContainerSecret } from "../constructs/app-secrets";
import { Naming } from "../constructs/naming";
import { type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";

const naming = new Naming("myamazingapp", "test");
const NAMES = ["SECRET_KEY_BASE", "SMTP_PASSWORD", "ORCID_CLIENT_SECRET"];

/** AppSecrets in a fresh stack with its own key, for constructors that must throw. */
function build(props: Omit<AppSecretsProps, "encryptionKey">): AppSecrets {
  const scope = newStack();
  return new AppSecrets(scope, "s", { ...props, encryptionKey: testKey(scope, "secrets", naming) });
}

describe("AppSecrets", () => {
  let synth: Synthesized;
  let secrets: AppSecrets;
  let role: IamRole;
  let containerSecrets: ContainerSecret[];
  let none: AppSecrets;
  let noGrant: unknown;
  let keyArn: string;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      const key = testKey(scope, "secrets", naming);
      keyArn = ref(key.key, "arn");
      secrets = new AppSecrets(scope, "secrets", {
        naming,
        names: NAMES,
        recoveryWindowInDays: 7,
        encryptionKey: key,
      });
      role = new IamRole(scope, "execution-role", { name: "execution", assumeRolePolicy: "{}" });
      secrets.grantRead(role);
      new TerraformOutput(scope, "container-secrets", { value: secrets.containerSecrets() });
      // A set without names must not produce empty policies.
      none = new AppSecrets(scope, "none", {
        naming,
        names: [],
        recoveryWindowInDays: 0,
        encryptionKey: key,
      });
      noGrant = none.grantRead(role);
    });
    containerSecrets = secrets.containerSecrets();
  });
  const arnOf = (name: string) => ref(secrets.secrets[name], "arn");

  it("creates one secret per name, named <application>/<environment>/<NAME>", () => {
    const created = synth.resources("aws_secretsmanager_secret");
    expect(created.map((s) => s.name).sort()).toEqual(NAMES.map((n) => `myamazingapp/test/${n}`).sort());
    expect(synth.json).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: "myamazingapp/test/SMTP_PASSWORD",
      recovery_window_in_days: 7,
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

  describe("grantRead", () => {
    let grant: Block;
    let resourcePolicies: Block[];
    beforeAll(() => {
      const policies = synth.resources("aws_iam_role_policy").filter((p) => p.name === "read-app-secrets");
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

    it("lets the role decrypt with the secrets' key, and only that key", () => {
      const keyGrants = synth.resources("aws_iam_role_policy").filter((p) => p.name !== "read-app-secrets");
      expect(keyGrants).toEqual([expect.objectContaining({ role: ref(role, "id") })]);
      expect(JSON.parse(keyGrants[0].policy).Statement).toEqual([
        expect.objectContaining({
          Action: expect.arrayContaining(["kms:Decrypt"]),
          Resource: keyArn,
        }),
      ]);
    });

    it("encrypts every secret with the customer-managed key", () => {
      for (const secret of synth.resources("aws_secretsmanager_secret")) {
        expect(secret.kms_key_id).toBe(keyArn);
      }
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
      expect(noGrant).toBeUndefined();
      expect(
        synth.resources("aws_iam_role_policy").filter((p) => p.name === "read-app-secrets"),
      ).toHaveLength(1);
      expect(resourcePolicies).toHaveLength(NAMES.length);
    });

    it("names every granted role in the resource policies, and before any grant denies everyone", () => {
      const scope = newStack();
      const encryptionKey = testKey(scope, "secrets", naming);
      const twice = new AppSecrets(scope, "s", {
        naming,
        names: ["SMTP_PASSWORD"],
        recoveryWindowInDays: 30,
        encryptionKey,
      });
      new AppSecrets(scope, "u", {
        naming,
        names: ["SMTP_PASSWORD"],
        recoveryWindowInDays: 30,
        encryptionKey,
      });
      const roles = ["a", "b"].map((n) => new IamRole(scope, n, { name: n, assumeRolePolicy: "{}" }));
      for (const r of roles) twice.grantRead(r);
      const config = JSON.parse(Testing.synth(scope));
      const policyOf = (prefix: string) =>
        Object.entries<Block>(config.resource.aws_secretsmanager_secret_policy)
          .filter(([id]) => id.startsWith(prefix))
          .map(([, p]) => JSON.parse(p.policy).Statement[0])[0];
      expect(policyOf("s_").Condition).toEqual({
        ArnNotEquals: { "aws:PrincipalArn": roles.map((r) => ref(r, "arn")) },
      });
      expect(policyOf("u_")).toMatchObject({ Effect: "Deny", Principal: "*" });
      expect(policyOf("u_").Condition).toBeUndefined();
      expect(none.secrets).toEqual({});
    });
  });

  it.each([
    ["lower case", "smtp_password"],
    ["a dash", "SMTP-PASSWORD"],
    ["a leading digit", "1PASSWORD"],
    ["a space", "SMTP PASSWORD"],
  ])("refuses a name with %s", (_why, name) => {
    expect(() =>
      build({
        naming,
        names: ["SECRET_KEY_BASE", name],
        recoveryWindowInDays: 30,
      }),
    ).toThrow(`AppSecrets: names: "${name}" is malformed; expected an upper-case variable name`);
  });

  it("refuses duplicate names", () => {
    expect(() =>
      build({
        naming,
        names: ["SMTP_PASSWORD", "SMTP_PASSWORD"],
        recoveryWindowInDays: 30,
      }),
    ).toThrow(/AppSecrets: names: must be unique/);
  });

  it.each([1, 6, 31])("refuses a recovery window of %p days (0, or 7 to 30)", (recoveryWindowInDays) => {
    expect(() => build({ naming, names: ["SMTP_PASSWORD"], recoveryWindowInDays })).toThrow(
      /AppSecrets: recoveryWindowInDays: \d+ is not allowed; allowed values: 0, 7, 8/,
    );
  });
});
