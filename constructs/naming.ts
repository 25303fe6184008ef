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
    if (!/^[a-z][a-z0-9-]*$/.test(application) || !/^[a-z][a-z0-9-]*$/.test(environment)) {
      throw new Error(
        `Naming: application "${application}" and environment "${environment}" must be lowercase letters, digits and dashes`,
      );
    }
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
    const name = purpose ? `${this.prefix}-${purpose}` : this.prefix;
    if (name.length > maxLength) {
      throw new Error(`Naming: "${name}" is ${name.length} characters; this resource allows ${maxLength}`);
    }
    return name;
  }

  /** Path-style name (log groups, parameters): `/<application>/<environment>/<purpose>`. */
  path(purpose: string): string {
    return `/${this.application}/${this.environment}/${purpose}`;
  }
}
