/**
 * The architecture picture (npm run diagram): drawn from the synthesized stack, so it is stale when the stack
 * changes and the picture does not. The test needs no Graphviz: the SVG carries the hash of the DOT it was drawn
 * from, and the DOT is regenerated here from the same synthesized stack.
 */
import { readFileSync } from "node:fs";
import { dotHash, dotOf, DOT_FILE, DRAWN_ENVIRONMENT, HASH_MARK, SVG_FILE } from "../scripts/diagram";
import { modelOf } from "../scripts/diagram/model";
import { synthCheckedIn } from "./environment-stacks";

describe("the architecture picture", () => {
  const dot = dotOf(synthCheckedIn(DRAWN_ENVIRONMENT).text);

  it("is drawn from the stack as it is now (run npm run diagram when this fails)", () => {
    expect(readFileSync(DOT_FILE, "utf8")).toBe(dot);
    const svg = readFileSync(SVG_FILE, "utf8");
    expect(svg).toContain(`<!-- ${HASH_MARK} ${dotHash(dot)} -->`);
    expect(svg).toMatch(/<svg\b/);
  });

  it("shows the path of a request and the data: users, DNS, load balancer, service, database, buckets", () => {
    for (const edge of [
      "users -> dns",
      "dns -> alb",
      "alb -> service",
      "service -> task",
      "task -> database",
      "task -> uploads",
      "task -> secrets",
      "logs -> firehose",
      "firehose -> archive",
    ]) {
      expect(dot).toContain(`  ${edge};`);
    }
    expect(dot).toMatch(/subgraph cluster_vpc \{[^]*cluster_public[^]*cluster_private[^]*cluster_isolated/);
  });

  it("leaves out what a stack does not have, and draws only lines the Terraform references", () => {
    const bucket = { aws_s3_bucket: { b: { bucket: "x-uploads-1" } } };
    const lonely = modelOf("t", { resource: { ...bucket, aws_db_instance: { d: { identifier: "db" } } } });
    expect(lonely.components.map((c) => c.id)).toEqual(["database", "uploads"]);
    expect(lonely.edges).toEqual([]);
    const wired = modelOf("t", {
      resource: {
        ...bucket,
        aws_ecs_task_definition: {
          t: {
            family: "f",
            container_definitions: '[{"environment":[{"value":"${aws_s3_bucket.b.bucket}"}]}]',
          },
        },
      },
    });
    expect(wired.edges).toEqual([["task", "uploads"]]);
  });
});
