import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENVIRONMENT_FILE } from "../config/load";
import { describeSchemaError } from "../config/schema";
import { validatorOf } from "../config/settings-file";

const schema = ENVIRONMENT_FILE.schema;
const staging = JSON.parse(readFileSync(join(__dirname, "..", "environments", "staging.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "myamazingapp-validators-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Staging with five different mistakes: an unknown key, a missing key, a range, a pattern and a list of values. */
function brokenStaging(): Record<string, any> {
  const env = structuredClone(staging);
  env.colour = "blue";
  delete env.uploads;
  env.service.minCount = 1;
  env.domain.name = "My App.cdlib.org";
  env.region = "us-west-9";
  return env;
}

function problems(validate: ReturnType<typeof validatorOf>, data: unknown): string[] {
  expect(validate(data)).toBe(false);
  return (validate.errors ?? []).map((e) => describeSchemaError(e, schema));
}

describe("compiled settings validators, kept between runs", () => {
  it("a validator loaded from the cache accepts and refuses what the freshly compiled one does, in the same words", () => {
    const dir = join(work, "same");
    const compiled = validatorOf(schema, dir);
    expect(readdirSync(dir).filter((f) => f.endsWith(".js"))).toHaveLength(1);
    const cached = validatorOf(schema, dir);
    expect(cached).not.toBe(compiled);

    expect(compiled(staging)).toBe(true);
    expect(cached(staging)).toBe(true);
    const fresh = problems(compiled, brokenStaging());
    expect(problems(cached, brokenStaging())).toEqual(fresh);
    // The words come from the constructs' rules (constructs/limits.ts), not from Ajv's defaults.
    expect(fresh).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/unknown setting "colour"; allowed: .*region/),
        expect.stringMatching(/missing required setting "uploads"/),
        expect.stringMatching(/service\.minCount: 1 is out of range; allowed: 2 to 100/),
        expect.stringMatching(/domain\.name: .* is malformed/),
        expect.stringMatching(/region: "us-west-9" is not allowed; allowed values: .*us-west-2/),
      ]),
    );
  });

  it("a changed schema is compiled anew, never answered by the validator of the old one", () => {
    const dir = join(work, "changed");
    validatorOf(schema, dir);
    const stricter = structuredClone(schema) as any;
    stricter.properties.service.properties.minCount.minimum = 3;
    const validate = validatorOf(stricter, dir);
    expect(readdirSync(dir).filter((f) => f.endsWith(".js"))).toHaveLength(2);
    expect(validate(staging)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(["/service/minCount"]);
  });

  it("validates all the same where the cache cannot be written", () => {
    const notADirectory = join(work, "a-file");
    writeFileSync(notADirectory, "");
    const validate = validatorOf(schema, join(notADirectory, "cache"));
    expect(validate(staging)).toBe(true);
    expect(problems(validate, brokenStaging())).toHaveLength(5);
  });
});
