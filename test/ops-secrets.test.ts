/**
 * `npm run ops -- secrets <env> set <NAME>`: the name is checked against the environment file before anything
 * is read; the value comes from standard input, never from a terminal that would show it; and what Secrets
 * Manager would refuse or silently store wrong (too large, not UTF-8, a byte-order mark, only whitespace) is
 * refused or fixed with a word. Errors say what happened, not "no credentials" for every message with the word.
 */
import { join } from "node:path";
import { loadEnvironment } from "../config/load";
import { ops, type StandardInput } from "../scripts/ops";
import { checkSecretName, secretValue, setSecret } from "../scripts/ops/secrets";
import { recorder, service, taskDefinition } from "./ops-recording";

const ROOT = join(__dirname, "..");
const production = {
  ...loadEnvironment(join(ROOT, "environments", "production.json")),
  secrets: ["RAILS_MASTER_KEY", "ORCID_CLIENT_SECRET"],
};
const recorded = recorder(production);

const ORCID_ARN =
  "arn:aws:secretsmanager:us-west-2:111111111111:secret:myamazingapp/production/ORCID_CLIENT_SECRET-AbCdEf";
/** ECS and Secrets Manager as they answer for a production service whose task reads ORCID_CLIENT_SECRET. */
const withSmtpSecret = {
  DescribeServices: { services: [service] },
  DescribeTaskDefinition: {
    taskDefinition: {
      ...taskDefinition,
      containerDefinitions: [
        {
          ...taskDefinition.containerDefinitions[0],
          secrets: [{ name: "ORCID_CLIENT_SECRET", valueFrom: ORCID_ARN }],
        },
      ],
    },
  },
  DescribeSecret: { Name: "myamazingapp/production/ORCID_CLIENT_SECRET", VersionIdsToStages: {} },
  PutSecretValue: {},
};

describe("the secret's name", () => {
  it("is one of the environment file's secrets", () => {
    expect(checkSecretName(production, "ORCID_CLIENT_SECRET")).toBe("ORCID_CLIENT_SECRET");
  });

  it.each<[string | undefined, string]>([
    [
      "SMTP_PASSWROD",
      'secrets set: "SMTP_PASSWROD" is not a secret of production; allowed: RAILS_MASTER_KEY, ORCID_CLIENT_SECRET',
    ],
    [
      "smtp_password",
      'secrets set: "smtp_password" is not a secret of production; allowed: RAILS_MASTER_KEY, ORCID_CLIENT_SECRET',
    ],
    [
      undefined,
      'secrets set: "" is not a secret of production; allowed: RAILS_MASTER_KEY, ORCID_CLIENT_SECRET',
    ],
    ["DATABASE_PASSWORD", "DATABASE_PASSWORD is managed by RDS, which rotates it; it is never set by hand"],
  ])("refuses %p, saying which names are allowed", (name, message) => {
    expect(() => checkSecretName(production, name)).toThrow(message);
  });
});

describe("the value read from standard input", () => {
  const bytes = (...b: number[]) => Buffer.from(b);

  it("drops the file's last line end, and only that", () => {
    expect(secretValue("s3cret\n").value).toBe("s3cret");
    expect(secretValue("s3cret\r\n").value).toBe("s3cret");
    expect(secretValue("line one\nline two\n\n").value).toBe("line one\nline two\n");
    expect(secretValue("  padded  ").value).toBe("  padded  ");
  });

  it("drops a UTF-8 byte-order mark at the start, and says so", () => {
    const { value, notes } = secretValue(Buffer.concat([bytes(0xef, 0xbb, 0xbf), Buffer.from("s3cret\n")]));
    expect(value).toBe("s3cret");
    expect(value.charCodeAt(0)).toBe(0x73); // "s", not U+FEFF
    expect(notes).toEqual(["dropped the byte-order mark at the start of the input"]);
    expect(secretValue("s3cret").notes).toEqual([]);
  });

  it("refuses bytes that are not UTF-8 instead of storing U+FFFD in their place", () => {
    expect(() => secretValue(bytes(0x70, 0x61, 0xe9, 0x73))).toThrow(
      "secrets set: the input is not valid UTF-8; save the value as UTF-8 and try again",
    );
    // "pw" saved as UTF-16 by an editor: a byte-order mark FF FE, then two bytes a character.
    expect(() => secretValue(bytes(0xff, 0xfe, 0x70, 0x00, 0x77, 0x00))).toThrow(
      "the input is not valid UTF-8 (it looks like UTF-16)",
    );
  });

  it.each([
    ["", "secrets set: no value on standard input"],
    ["\n", "secrets set: no value on standard input"],
    [" \t \n", "secrets set: the value is only whitespace; nothing was stored"],
    ["\n\n", "secrets set: the value is only whitespace; nothing was stored"],
  ])("refuses %p", (input, message) => {
    expect(() => secretValue(input)).toThrow(message);
  });

  it("takes up to 65,536 bytes, what Secrets Manager stores, counted in bytes, not characters", () => {
    expect(secretValue(`${"x".repeat(65_536)}\n`).value).toHaveLength(65_536);
    expect(() => secretValue("x".repeat(65_537))).toThrow(
      "secrets set: the value is 65537 bytes; Secrets Manager takes at most 65536",
    );
    // 21,846 euro signs: fewer characters than the limit, 65,538 bytes of UTF-8.
    expect(() => secretValue("\u20ac".repeat(21_846))).toThrow("the value is 65538 bytes");
  });

  it("stores what it kept, on the secret the task definition reads", async () => {
    const { ctx, inputs, lines, progress } = recorded(withSmtpSecret);
    await setSecret(
      ctx,
      "ORCID_CLIENT_SECRET",
      Buffer.concat([bytes(0xef, 0xbb, 0xbf), Buffer.from("pa55\n")]),
    );
    expect(inputs.PutSecretValue).toEqual([
      { SecretId: "myamazingapp/production/ORCID_CLIENT_SECRET", SecretString: "pa55" },
    ]);
    expect(progress).toEqual(["dropped the byte-order mark at the start of the input"]);
    expect(lines).toEqual([
      "ORCID_CLIENT_SECRET set (myamazingapp/production/ORCID_CLIENT_SECRET); run: npm run ops -- restart production",
    ]);
  });
});

describe("the command line", () => {
  const stdin = (isTerminal: boolean, value = "s3cret\n") => {
    const read = jest.fn(() => Buffer.from(value));
    return { input: { isTerminal, read } satisfies StandardInput, read };
  };

  it("checks the name before it reads standard input or calls AWS", async () => {
    const { input, read } = stdin(false);
    const { ctx, calls } = recorded(withSmtpSecret);
    await expect(ops(["secrets", "production", "set", "SMTP_PASSWROD"], () => ctx, input)).rejects.toThrow(
      'secrets set: "SMTP_PASSWROD" is not a secret of production',
    );
    expect(read).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });

  it("refuses to read a terminal, which would show the value, and says how to give it", async () => {
    const { input, read } = stdin(true);
    const { ctx, calls } = recorded(withSmtpSecret);
    await expect(
      ops(["secrets", "production", "set", "ORCID_CLIENT_SECRET"], () => ctx, input),
    ).rejects.toThrow(
      "secrets set reads the value from standard input, and a terminal would show it as typed: " +
        "npm run ops -- secrets production set ORCID_CLIENT_SECRET < file-with-the-value (or pipe it in)",
    );
    expect(read).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });

  it("stores the value piped in", async () => {
    const { input } = stdin(false, "from a pipe\n");
    const { ctx, inputs } = recorded(withSmtpSecret);
    expect(await ops(["secrets", "production", "set", "ORCID_CLIENT_SECRET"], () => ctx, input)).toBe(0);
    expect(inputs.PutSecretValue).toEqual([expect.objectContaining({ SecretString: "from a pipe" })]);
  });
});

describe("errors, as they are", () => {
  const failing = (name: string, message: string) => ({
    ...withSmtpSecret,
    PutSecretValue: Object.assign(new Error(message), { name }),
  });

  it("passes on an error that mentions credentials but is about something else", async () => {
    const { ctx } = recorded(
      failing("ValidationException", "The secret value must not contain the database credentials' JSON keys"),
    );
    await expect(setSecret(ctx, "ORCID_CLIENT_SECRET", "x")).rejects.toThrow(
      "The secret value must not contain the database credentials' JSON keys",
    );
  });

  it.each([
    [
      "CredentialsProviderError",
      "Could not load credentials from any providers",
      "no AWS credentials for production (account 111111111111): sign in first",
    ],
    [
      "ExpiredTokenException",
      "The security token included in the request is expired",
      "the AWS credentials for production (account 111111111111) have expired: sign in again",
    ],
    [
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
      "AWS refused the credentials for production (account 111111111111) as invalid",
    ],
    [
      "AccessDeniedException",
      "User is not authorized to perform: secretsmanager:PutSecretValue",
      "access denied in production: User is not authorized",
    ],
  ])("says what %s means", async (name, message, said) => {
    const { ctx } = recorded(failing(name, message));
    await expect(setSecret(ctx, "ORCID_CLIENT_SECRET", "x")).rejects.toThrow(said);
  });
});
