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

  // Lowercase letters, digits and dashes are the one alphabet every AWS name (S3, ALB, RDS, ...) accepts.
  private static checkPurpose(purpose: string): void {
    if (!/^([a-z0-9]+(-[a-z0-9]+)*)?$/.test(purpose)) {
      throw new Error(`Naming: purpose "${purpose}" must be lowercase letters, digits and single dashes`);
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
    Naming.checkPurpose(purpose);
    const name = purpose ? `${this.prefix}-${purpose}` : this.prefix;
    if (name.length > maxLength) {
      throw new Error(`Naming: "${name}" is ${name.length} characters; this resource allows ${maxLength}`);
    }
    return name;
  }

  /** Path-style name (log groups, parameters): `/<application>/<environment>/<purpose>`. */
  path(purpose: string): string {
    Naming.checkPurpose(purpose);
    return `/${this.application}/${this.environment}/${purpose}`;
  }
}
