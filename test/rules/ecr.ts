import type { Case, FamilyRuleId } from "./harness";

const REPO = "repository/repo";

export const ecrCases: Record<FamilyRuleId<"ecr">, Case> = {
  "ecr-immutable-tags": {
    breaks: [
      { what: "tags are mutable", at: REPO, apply: (s) => (s.block(REPO).image_tag_mutability = "MUTABLE") },
    ],
  },
  "ecr-scan-on-push": {
    breaks: [
      {
        what: "images are not scanned on push",
        at: REPO,
        apply: (s) => (s.block(REPO).image_scanning_configuration = { scan_on_push: false }),
      },
    ],
  },
  "ecr-encrypted-with-kms": {
    breaks: [
      {
        what: "the repository uses AES256",
        at: REPO,
        apply: (s) => (s.block(REPO).encryption_configuration = [{ encryption_type: "AES256" }]),
      },
    ],
  },
  "ecr-lifecycle": {
    breaks: [
      { what: "the lifecycle policy is gone", at: REPO, apply: (s) => s.remove("repository/lifecycle") },
    ],
  },
};
