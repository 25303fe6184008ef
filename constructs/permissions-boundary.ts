import { Construct, type IConstruct } from "constructs";
import { Aspects } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { boundaryStatements } from "./access/derive";
import type { AccessScope } from "./access/types";
import { policyDocument } from "./iam";
import type { Naming } from "./naming";

export interface PermissionsBoundaryProps {
  /** Resource names: the boundary's own name and the environment's IAM paths derive from it. */
  readonly naming: Naming;
  /** Where the environment's resources are (constructs/access/): what the boundary allows and protects. */
  readonly scope: Omit<AccessScope, "boundaryArn">;
}

/**
 * The permissions boundary of every role in the scope (applied to each IamRole by an aspect, the way the CDK's
 * PermissionsBoundary.of does), made from the access data (constructs/access/derive.ts). It caps what any role of
 * the environment can ever do, whatever policy it is given: the environment's own resources (by name, or by its
 * tags where ARNs carry ids) and nothing else; no role without this boundary, no policy attached but the stack's,
 * no role handed to another service; no credentials of another principal; and never a change to the access
 * layer: the GitHub deploy and plan roles and their policies, the task execution role (which reads every secret),
 * the secrets' policies and key, and the boundary itself.
 *
 * The same aspect puts every role and customer-managed policy of the scope under the environment's IAM path,
 * `/<application>/<environment>/`, and the access layer (`protect`) under `/<application>/<environment>/access/`.
 */
export class PermissionsBoundary extends Construct {
  public readonly policy: IamPolicy;
  /** The boundary's ARN as IAM compares it (built from its name, so policies can name it without a cycle). */
  public readonly arn: string;
  private readonly accessLayer = new Set<IConstruct>();

  /** ARN of an environment's boundary, built from its naming alone. */
  static arnOf(naming: Naming, account: string): string {
    return `arn:aws:iam::${account}:policy${naming.accessPath}${naming.name("boundary", 128)}`;
  }

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    const { naming } = props;
    this.arn = PermissionsBoundary.arnOf(naming, props.scope.account);
    this.policy = new IamPolicy(this, "policy", {
      name: naming.name("boundary", 128),
      description: `${naming.prefix}: the most any role of the environment may do`,
      policy: policyDocument(...boundaryStatements({ ...props.scope, boundaryArn: this.arn })),
    });
    this.protect(this);
    const policyArn = this.policy.arn;
    const layer = this.accessLayer;
    const inAccessLayer = (node: IConstruct) => node.node.scopes.some((s) => layer.has(s));
    Aspects.of(scope).add({
      visit(node: IConstruct) {
        if (!(node instanceof IamRole) && !(node instanceof IamPolicy)) return;
        node.path = inAccessLayer(node) ? naming.accessPath : naming.iamPath;
        if (node instanceof IamRole) node.permissionsBoundary = policyArn;
      },
    });
  }

  /**
   * Puts these constructs' roles and policies in the access layer: no role of the environment, the deploy role
   * included, may change them; an administrator applies their changes.
   */
  public protect(...constructs: IConstruct[]): void {
    for (const c of constructs) this.accessLayer.add(c);
  }
}
