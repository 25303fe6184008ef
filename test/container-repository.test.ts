import { TerraformOutput } from "cdktf";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { ContainerRepository } from "../constructs/container-repository";
import { Naming } from "../constructs/naming";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const naming = new Naming("myamazingapp", "test");
const KEY = "arn:aws:kms:us-west-2:111111111111:key/data";

describe("ContainerRepository", () => {
  let synth: Synthesized;
  let repo: ContainerRepository;
  let defaults: ContainerRepository;
  let rules: Block[];
  const rulesOf = (r: ContainerRepository): Block[] => {
    const [lifecycle] = synth
      .resources("aws_ecr_lifecycle_policy")
      .filter((p) => p.repository === ref(r.repository, "name"));
    return JSON.parse(lifecycle.policy).rules;
  };
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      repo = new ContainerRepository(scope, "repo", {
        naming,
        keepImages: 20,
        forceDelete: true,
        encryptionKeyArn: KEY,
      });
      new TerraformOutput(scope, "image", { value: repo.image("3f2a1b0") });
      defaults = new ContainerRepository(scope, "defaults", {
        naming: new Naming("myamazingapp", "other"),
        forceDelete: false,
        encryptionKeyArn: KEY,
      });
    });
    rules = rulesOf(repo);
  });

  it("scans every image on push", () => {
    expect(synth.json).toHaveResourceWithProperties(EcrRepository, {
      name: "myamazingapp-test-web",
      image_scanning_configuration: { scan_on_push: true },
    });
  });

  it("encrypts images with the customer-managed key", () => {
    expect(synth.of(repo.repository).encryption_configuration).toEqual([
      { encryption_type: "KMS", kms_key: KEY },
    ]);
  });

  it("makes tags immutable, so a tag always means the same image", () => {
    expect(synth.of(repo.repository).image_tag_mutability).toBe("IMMUTABLE");
  });

  it("deletes a repository that still holds images only when asked", () => {
    expect(synth.of(defaults.repository).force_delete).toBe(false);
    expect(synth.of(repo.repository).force_delete).toBe(true);
  });

  it("has a valid lifecycle policy that expires images beyond keepImages", () => {
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2]);
    for (const rule of rules) {
      expect(rule.action).toEqual({ type: "expire" });
      expect(Number.isInteger(rule.selection.countNumber) && rule.selection.countNumber > 0).toBe(true);
      expect(["tagged", "untagged", "any"]).toContain(rule.selection.tagStatus);
    }
    expect(rules).toContainEqual(
      expect.objectContaining({
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 },
      }),
    );
    // ECR requires a tagStatus "any" rule to have the highest priority number (evaluated last).
    const anyRule = rules.find((r) => r.selection.tagStatus === "any");
    expect(anyRule?.rulePriority).toBe(Math.max(...rules.map((r) => r.rulePriority)));
  });

  it("expires untagged layers after a day", () => {
    expect(rules).toContainEqual(
      expect.objectContaining({
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 1,
        },
      }),
    );
  });

  it("keeps 50 images by default", () => {
    const keep = rulesOf(defaults).find((r) => r.selection.countType === "imageCountMoreThan");
    expect(keep?.selection.countNumber).toBe(50);
  });

  it("image(tag) is the repository URL with the tag", () => {
    expect(synth.config.output.image.value).toBe(`${ref(repo.repository, "repository_url")}:3f2a1b0`);
  });

  it.each([0, 4, 1001, 7.5])("refuses keepImages %p (5 to 1000: rollbacks need history)", (keepImages) => {
    expect(
      () =>
        new ContainerRepository(newStack(), "repo", {
          naming,
          keepImages,
          forceDelete: false,
          encryptionKeyArn: KEY,
        }),
    ).toThrow(/ContainerRepository: keepImages: .* is out of range; allowed: 5 to 1000/);
  });
});
