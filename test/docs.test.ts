/**
 * The README and docs/ stay navigable: every relative link names a file that exists (and, with a #fragment, a
 * heading in it), and the README stays the short entry point it is meant to be.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { synthCheckedIn } from "./environment-stacks";

const ROOT = join(__dirname, "..");
const DOCUMENTS = [
  join(ROOT, "README.md"),
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(ROOT, "docs", f)),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  const text = markdown.replace(/```[^]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));
}

/** Relative links of a Markdown file: [text](target), outside code blocks. */
function links(markdown: string): string[] {
  const text = markdown.replace(/```[^]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/i.test(t));
}

describe("documentation links", () => {
  it("finds the documents and their links", () => {
    expect(DOCUMENTS.length).toBeGreaterThanOrEqual(7);
    expect(links(readFileSync(join(ROOT, "README.md"), "utf8")).length).toBeGreaterThanOrEqual(7);
  });

  it("turns headings into GitHub's anchors", () => {
    expect(anchorOf("Why 12 days, and the 14-day promise")).toBe("why-12-days-and-the-14-day-promise");
    expect(anchorOf('The eight-day "no successful run" alarm')).toBe("the-eight-day-no-successful-run-alarm");
  });

  it.each(DOCUMENTS.map((d) => [relative(ROOT, d), d]))(
    "every relative link of %s resolves",
    (_name, doc) => {
      const broken: string[] = [];
      for (const link of links(readFileSync(doc, "utf8"))) {
        const [path, fragment] = link.split("#");
        const target = path === "" ? doc : resolve(dirname(doc), path);
        if (!existsSync(target)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (fragment && statSync(target).isFile() && target.endsWith(".md")) {
          if (!anchors(readFileSync(target, "utf8")).has(fragment)) broken.push(`${link}: no such heading`);
        }
      }
      expect(broken).toEqual([]);
    },
  );

  it("keeps the README an entry point, under 12 KB", () => {
    expect(statSync(join(ROOT, "README.md")).size).toBeLessThan(12 * 1024);
  });
});

describe("advice on secrets", () => {
  /** Every document, and every script that prints a command for an operator to run. */
  const advising = [
    ...DOCUMENTS,
    ...readdirSync(join(ROOT, "constructs", "delivery"))
      .filter((f) => f.endsWith(".sh"))
      .map((f) => join(ROOT, "constructs", "delivery", f)),
    ...readdirSync(join(ROOT, "scripts", "ops")).map((f) => join(ROOT, "scripts", "ops", f)),
  ];

  it("never puts a secret's value on a command line, where ps and the shell's history keep it", () => {
    const onCommandLine = advising.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/--secret-string[ =](?!file:\/\/)(\S+)/g)].map(
        (m) => `${relative(ROOT, file)}: --secret-string ${m[1]}`,
      ),
    );
    expect(onCommandLine).toEqual([]);
  });
});

describe("day one in the README", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const dayOne = readme.slice(
    readme.indexOf("## Day one"),
    readme.indexOf("\n## ", readme.indexOf("## Day one") + 1),
  );

  it.each([
    ["the state bucket", "npm run bootstrap -- production"],
    ["where the GitHub stack's state lives", "Production's bucket also holds the GitHub stack's state"],
    ["the account's GitHub OIDC provider", "OIDC provider"],
    ["a zone of its own, in two steps", "domain.createZone"],
    ["the administrator's first deploy", "npx cdktf deploy myamazingapp-production"],
    ["the alarm e-mail's confirmation", "Confirm the alarm e-mail's subscription"],
    ["the secrets", "npm run ops -- secrets production set"],
    ["the GitHub connection's handshake", "complete the GitHub connection"],
    ["the GitHub stack", "npx cdktf deploy myamazingapp-github"],
    ["the first release", "starts the pipeline"],
  ])("names %s", (_step, text) => {
    expect(dayOne).toContain(text);
  });

  it("gives a first step for a zone of its own that targets the stack's hosted zone", () => {
    const doc = readFileSync(join(ROOT, "docs", "day-one.md"), "utf8");
    const filter = /apply -target="aws_route53_zone\.\$\(jq -r '([^']+)' \$stack\/cdk\.tf\.json\)"/.exec(
      doc,
    )?.[1];
    expect(filter).toBe(".resource.aws_route53_zone | keys[0]");
    const stack = JSON.parse(synthCheckedIn("staging").text);
    const [zone] = Object.keys(stack.resource.aws_route53_zone);
    expect(Object.keys(stack.resource.aws_route53_zone)).toEqual([zone]);
    expect(stack.resource.aws_route53_zone[zone].name).toBe("staging.myamazingapp.cdlib.org");
  });
});
