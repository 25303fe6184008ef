// Brings cdktf's jest matcher types (toHaveResourceWithProperties, ...) into every test file; setup.ts
// registers them at run time.
import type {} from "cdktf/lib/testing/adapters/jest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformDataSource, TerraformStack, Testing, type TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import {
  AppTaskDefinition,
  type AppTaskDefinitionProps,
  PLATFORM_VARIABLES,
  type PlatformVariable,
} from "../constructs/app-task-definition";
import { EncryptionKey } from "../constructs/encryption-key";
import type { Naming } from "../constructs/naming";

// Synthesized Terraform JSON has no static type; tests index into it freely.
export type Block = Record<string, any>;

/** A synthesized stack: the JSON string for cdktf's matchers and the parsed form for precise assertions. */
export interface Synthesized {
  readonly json: string;
  readonly config: Block;
  /** Every resource of a Terraform type (e.g. `aws_subnet`), in logical-id order. */
  resources(type: string): Block[];
  /** Every data source of a Terraform type. */
  dataSources(type: string): Block[];
  /** The synthesized block of one resource or data source built in the test. */
  of(element: TerraformResource | TerraformDataSource): Block;
}

/** Builds constructs in a fresh stack and synthesizes it once. */
export function synthConstruct(build: (scope: Construct) => void): Synthesized {
  const stack = newStack();
  build(stack);
  const json = Testing.synth(stack);
  const config: Block = JSON.parse(json);
  const section = (kind: "resource" | "data", type: string): Block[] =>
    Object.values((config[kind] ?? {})[type] ?? {});
  return {
    json,
    config,
    resources: (type) => section("resource", type),
    dataSources: (type) => section("data", type),
    of: (element) => {
      const kind = element instanceof TerraformDataSource ? "data" : "resource";
      const block = config[kind]?.[element.terraformResourceType]?.[stack.getLogicalId(element)];
      if (block === undefined) throw new Error(`${element.node.path} is not in the synthesized stack`);
      return block;
    },
  };
}

// Nothing is written there (Testing.synth works in memory); a fixed outdir keeps Testing.app() from making a
// new temporary directory for every stack.
const OUTDIR = join(tmpdir(), "myamazingapp-unit-tests");

/** A fresh stack, for constructs that are only built (a constructor that must throw). */
export function newStack(): TerraformStack {
  return new TerraformStack(Testing.app({ outdir: OUTDIR }), "stack");
}

/** The Terraform expression cdktf writes for a reference to an attribute of a resource or data source. */
export function ref(element: TerraformResource | TerraformDataSource, attribute: string): string {
  const prefix = element instanceof TerraformDataSource ? "data." : "";
  const id = TerraformStack.of(element).getLogicalId(element);
  return `\${${prefix}${element.terraformResourceType}.${id}.${attribute}}`;
}

/** Every platform variable, with a recognizable value, for task definitions built in tests. */
export const PLATFORM_ENVIRONMENT = Object.fromEntries(
  PLATFORM_VARIABLES.map((name) => [name, `platform-${name}`]),
) as Record<PlatformVariable, string>;

/** An app task definition for tests of the constructs that run it (service, schedule, pipeline). */
export function appTask(
  scope: Construct,
  id: string,
  naming: Naming,
  overrides: Partial<AppTaskDefinitionProps> = {},
): AppTaskDefinition {
  return new AppTaskDefinition(scope, id, {
    naming,
    account: "111111111111",
    region: "us-west-2",
    image: "repo:tag",
    cpu: 512,
    memory: 1024,
    ephemeralStorageGiB: 21,
    containerPort: 3000,
    logRetentionDays: 30,
    logEncryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
    platformEnvironment: PLATFORM_ENVIRONMENT,
    appEnvironment: {},
    databaseCredentialsSecretArn: "arn:aws:secretsmanager:us-west-2:111111111111:secret:rds!db-test",
    appSecrets: [],
    ...overrides,
  });
}

/** A customer-managed key for constructs that encrypt with one (usable through S3, ECR and the rest). */
export function testKey(scope: Construct, purpose: string, naming: Naming): EncryptionKey {
  return new EncryptionKey(scope, `${purpose}-key`, {
    naming,
    purpose,
    account: "111111111111",
    region: "us-west-2",
    viaServices: ["s3", "ecr", "secretsmanager", "scheduler", "codebuild", "codepipeline"],
  });
}
