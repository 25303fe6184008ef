/** Every policy rule, by the resources it judges. docs/security.md lists them with their controls. */
import { alarmsNotify } from "./alarms-notify";
import { firehoseEncrypted } from "./firehose-encrypted";
import { logsArchived } from "./logs-archived";
import { sfnLoggedAndTraced } from "./sfn-logged-and-traced";
import { codebuildHardened } from "./codebuild-hardened";
import { codebuildNoPlaintextSecrets } from "./codebuild-no-plaintext-secrets";
import { codebuildNotPrivileged } from "./codebuild-not-privileged";
import { codepipelineEncryptedWithKms } from "./codepipeline-encrypted-with-kms";
import { ecrEncryptedWithKms } from "./ecr-encrypted-with-kms";
import { ecrImmutableTags } from "./ecr-immutable-tags";
import { ecrLifecycle } from "./ecr-lifecycle";
import { ecrScanOnPush } from "./ecr-scan-on-push";
import { ecsContainerInsights } from "./ecs-container-insights";
import { ecsExecAudited } from "./ecs-exec-audited";
import { ecsLogging } from "./ecs-logging";
import { ecsNoSecretsInEnvironment } from "./ecs-no-secrets-in-environment";
import { ecsNotPrivileged } from "./ecs-not-privileged";
import { ecsReadOnlyRoot } from "./ecs-read-only-root";
import { ecsSeparateRoles } from "./ecs-separate-roles";
import { ecsServicePrivate } from "./ecs-service-private";
import { iamEscalationContained } from "./iam-escalation-contained";
import { iamNoAdmin } from "./iam-no-admin";
import { iamNoCredentialsExposure } from "./iam-no-credentials-exposure";
import { iamNoDataExfiltration } from "./iam-no-data-exfiltration";
import { iamNoPrivilegeEscalation } from "./iam-no-privilege-escalation";
import { iamNoUnscopedPermissionsManagement } from "./iam-no-unscoped-permissions-management";
import { iamNoUnscopedWrite } from "./iam-no-unscoped-write";
import { iamNoWildcardActions } from "./iam-no-wildcard-actions";
import { iamPolicySize } from "./iam-policy-size";
import { iamRolesBounded } from "./iam-roles-bounded";
import { iamTrustScoped } from "./iam-trust-scoped";
import { kmsKeyPolicyScoped } from "./kms-key-policy-scoped";
import { kmsKeyRotation } from "./kms-key-rotation";
import { lbHardened } from "./lb-hardened";
import { lbHttpsOnly } from "./lb-https-only";
import { lbModernTls } from "./lb-modern-tls";
import { lbTargetHealthCheck } from "./lb-target-health-check";
import { lbWaf } from "./lb-waf";
import { logsEncryptedWithKms } from "./logs-encrypted-with-kms";
import { logsKeptAYear } from "./logs-kept-a-year";
import { rdsBackups } from "./rds-backups";
import { rdsCopyTags } from "./rds-copy-tags";
import { rdsDeletionProtection } from "./rds-deletion-protection";
import { rdsEncrypted } from "./rds-encrypted";
import { rdsEnhancedMonitoring } from "./rds-enhanced-monitoring";
import { rdsIamAuthentication } from "./rds-iam-authentication";
import { rdsLogExports } from "./rds-log-exports";
import { rdsMinorUpgrades } from "./rds-minor-upgrades";
import { rdsMultiAz } from "./rds-multi-az";
import { rdsNotPublic } from "./rds-not-public";
import { rdsPerformanceInsights } from "./rds-performance-insights";
import { resourcePoliciesNotPublic } from "./resource-policies-not-public";
import type { Rule } from "./rule";
import { s3AccessLogging } from "./s3-access-logging";
import { s3AclsDisabled } from "./s3-acls-disabled";
import { s3EncryptedWithKms } from "./s3-encrypted-with-kms";
import { s3Lifecycle } from "./s3-lifecycle";
import { s3PolicyNotPublic } from "./s3-policy-not-public";
import { s3PublicAccessBlocked } from "./s3-public-access-blocked";
import { s3TlsOnly } from "./s3-tls-only";
import { s3Versioning } from "./s3-versioning";
import { schedulerEncryptedWithKms } from "./scheduler-encrypted-with-kms";
import { secretsEncryptedWithKms } from "./secrets-encrypted-with-kms";
import { secretsRotated } from "./secrets-rotated";
import { sgEgressRestricted } from "./sg-egress-restricted";
import { sgIngressRestricted } from "./sg-ingress-restricted";
import { sgRulesDescribed } from "./sg-rules-described";
import { snsEncryptedWithKms } from "./sns-encrypted-with-kms";
import { sqsEncrypted } from "./sqs-encrypted";
import { subnetsNoPublicIps } from "./subnets-no-public-ips";
import { vpcDefaultSgClosed } from "./vpc-default-sg-closed";
import { vpcFlowLogs } from "./vpc-flow-logs";

export const RULE_FAMILIES = {
  iam: [
    iamNoAdmin,
    iamNoWildcardActions,
    iamNoPrivilegeEscalation,
    iamEscalationContained,
    iamNoCredentialsExposure,
    iamNoDataExfiltration,
    iamNoUnscopedPermissionsManagement,
    iamNoUnscopedWrite,
    iamTrustScoped,
    iamRolesBounded,
    iamPolicySize,
  ],
  s3: [
    s3PublicAccessBlocked,
    s3AclsDisabled,
    s3EncryptedWithKms,
    s3TlsOnly,
    s3Versioning,
    s3AccessLogging,
    s3Lifecycle,
    s3PolicyNotPublic,
  ],
  rds: [
    rdsEncrypted,
    rdsNotPublic,
    rdsMultiAz,
    rdsIamAuthentication,
    rdsDeletionProtection,
    rdsBackups,
    rdsLogExports,
    rdsMinorUpgrades,
    rdsCopyTags,
    rdsPerformanceInsights,
    rdsEnhancedMonitoring,
  ],
  ecr: [ecrImmutableTags, ecrScanOnPush, ecrEncryptedWithKms, ecrLifecycle],
  ecs: [
    ecsContainerInsights,
    ecsExecAudited,
    ecsReadOnlyRoot,
    ecsNotPrivileged,
    ecsLogging,
    ecsNoSecretsInEnvironment,
    ecsSeparateRoles,
    ecsServicePrivate,
  ],
  loadBalancer: [lbHttpsOnly, lbModernTls, lbHardened, lbWaf, lbTargetHealthCheck],
  logs: [logsEncryptedWithKms, logsKeptAYear, logsArchived, firehoseEncrypted],
  monitoring: [alarmsNotify, sfnLoggedAndTraced],
  kms: [kmsKeyRotation, kmsKeyPolicyScoped],
  messaging: [sqsEncrypted, snsEncryptedWithKms, resourcePoliciesNotPublic],
  secrets: [secretsEncryptedWithKms, secretsRotated],
  delivery: [
    codebuildHardened,
    codebuildNotPrivileged,
    codebuildNoPlaintextSecrets,
    codepipelineEncryptedWithKms,
  ],
  network: [
    sgRulesDescribed,
    sgIngressRestricted,
    sgEgressRestricted,
    vpcDefaultSgClosed,
    vpcFlowLogs,
    subnetsNoPublicIps,
  ],
  scheduler: [schedulerEncryptedWithKms],
} as const satisfies Record<string, readonly Rule[]>;

export type RuleFamily = keyof typeof RULE_FAMILIES;
export type RuleId = (typeof RULE_FAMILIES)[RuleFamily][number]["id"];

export const ALL_RULES: readonly Rule[] = Object.values(RULE_FAMILIES).flat();
