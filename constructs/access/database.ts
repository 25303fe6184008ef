/**
 * RDS: the environment's database instance, its subnet group, parameter group and final snapshot, all named
 * `<application>-<environment>-*`. RDS keeps the master password in a Secrets Manager secret it creates with the caller's
 * permissions (`rds!db-...`, tagged with the instance's ARN by RDS), so creating the instance is an administrator's.
 */
import { arn, type AccessScope, type ServiceAccess } from "./types";

/** The environment's RDS resources: instance, subnet group, parameter group, snapshots. */
export const environmentDatabase = (s: AccessScope): string[] =>
  ["db", "subgrp", "pg", "snapshot"].map((type) => arn(s, "rds", `${type}:${s.prefix}-*`));

export const DATABASE: ServiceAccess = {
  services: ["rds"],
  grants: [
    {
      sid: "EnvironmentDatabase",
      resources: environmentDatabase,
      terraform: {
        aws_db_instance: {
          write: [
            "rds:ModifyDBInstance",
            "rds:RebootDBInstance",
            "rds:DeleteDBInstance",
            "rds:CreateDBSnapshot",
            "rds:AddTagsToResource",
            "rds:RemoveTagsFromResource",
          ],
          read: ["rds:DescribeDBInstances", "rds:ListTagsForResource", "rds:DescribeDBSnapshots"],
        },
        aws_db_subnet_group: {
          write: [
            "rds:CreateDBSubnetGroup",
            "rds:ModifyDBSubnetGroup",
            "rds:DeleteDBSubnetGroup",
            "rds:AddTagsToResource",
            "rds:RemoveTagsFromResource",
          ],
          read: ["rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"],
        },
        aws_db_parameter_group: {
          write: [
            "rds:CreateDBParameterGroup",
            "rds:ModifyDBParameterGroup",
            "rds:ResetDBParameterGroup",
            "rds:DeleteDBParameterGroup",
            "rds:AddTagsToResource",
            "rds:RemoveTagsFromResource",
          ],
          read: ["rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ListTagsForResource"],
        },
      },
    },
  ],
  unscoped: [
    {
      action: "rds:DescribeDBEngineVersions",
      why: "Engine versions are AWS's, not the account's",
      terraform: ["aws_db_instance", "aws_db_parameter_group"],
      read: true,
    },
    {
      action: "rds:DescribeDBInstances",
      why: "The provider finds the instance by its resource id, a filter that names no instance: AWS takes it on *",
      terraform: ["aws_db_instance"],
      read: true,
    },
  ],
  boundary: { named: environmentDatabase },
  administrator: {
    aws_db_instance:
      "Creating (or restoring) the database is day one or a move, an administrator's: RDS creates its master secret with the caller's permissions",
  },
  runtime: [
    {
      // RDS names the secret rds!db-<uuid> and tags it with the instance's ARN (a tag no principal can set).
      sid: "MasterSecret",
      actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      resources: (s) => [arn(s, "secretsmanager", "secret:rds!db-*")],
      condition: (s) => ({
        StringEquals: { "aws:ResourceTag/aws:rds:primaryDBInstanceArn": s.databaseArn },
      }),
      why: "The execution role reads the database's master secret (the release checks it exists); RDS names and tags it",
    },
  ],
};
