import { checkPattern, ENVIRONMENT_NAME, refuse, type Pattern } from "./limits";

/** Application slugs: the lowercase-and-dashes alphabet every AWS name (S3, ALB, RDS, ...) accepts. */
const APPLICATION_NAME: Pattern = {
  pattern: /^[a-z][a-z0-9-]*$/,
  expected: "lowercase letters, digits and dashes, starting with a letter",
};
/** Purposes: the same alphabet, dashes only between words. */
const PURPOSE: Pattern = {
  pattern: /^([a-z0-9]+(-[a-z0-9]+)*)?$/,
  expected: "lowercase letters, digits and single dashes",
};

/**
 * The one place AWS resource names come from: `<application>-<environment>-<purpose>`, so every
 * resource says what it serves and two environments never collide in one account.
 */
export class Naming {
  constructor(
    /** Application slug, e.g. `myamazingapp`. */
    readonly application: string,
    /** Environment name, e.g. `production`. */
    readonly environment: string,
  ) {
    refuse("Naming", {
      application: checkPattern(APPLICATION_NAME, application),
      environment: checkPattern(ENVIRONMENT_NAME, environment),
    });
  }

  /** The prefix every name starts with. */
  get prefix(): string {
    return `${this.application}-${this.environment}`;
  }

  /**
   * Name for a resource of the given purpose. `maxLength` is the AWS limit of that resource type (ALB and
   * target group names: 32); a name that would exceed it is refused rather than silently cut.
   */
  name(purpose: string, maxLength = 255): string {
    refuse("Naming", { purpose: checkPattern(PURPOSE, purpose) });
    const name = purpose ? `${this.prefix}-${purpose}` : this.prefix;
    if (name.length > maxLength) {
      throw new Error(`Naming: "${name}" is ${name.length} characters; this resource allows ${maxLength}`);
    }
    return name;
  }

  /** IAM path of the environment's roles and customer-managed policies: `/<application>/<environment>/`. */
  get iamPath(): string {
    return `/${this.application}/${this.environment}/`;
  }

  /**
   * IAM path of the environment's access layer (the roles and policies no role of the environment may change):
   * `/<application>/<environment>/access/`.
   */
  get accessPath(): string {
    return `${this.iamPath}access/`;
  }

  /** ARN of a role of the environment (`inAccessLayer`: one of the access layer's). */
  roleArn(account: string, name: string, inAccessLayer = false): string {
    return `arn:aws:iam::${account}:role${inAccessLayer ? this.accessPath : this.iamPath}${name}`;
  }

  /** Path-style name (log groups, parameters): `/<application>/<environment>/<purpose>`. */
  path(purpose: string): string {
    refuse("Naming", { purpose: checkPattern(PURPOSE, purpose) });
    return `/${this.application}/${this.environment}/${purpose}`;
  }
}
