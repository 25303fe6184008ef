/**
 * The AWS managed policies the project attaches (or a rule must recognize), as statements. Their documents live
 * in AWS, not in the stack: the small ones are written out here; ReadOnlyAccess (thousands of actions) is
 * modelled as every Read and List action of the action table except reading secret values, which is what AWS's
 * document grants in substance (it includes `s3:Get*`, `ecr:BatchGetImage`, `rds:Download*`, `logs:Get*`).
 */
import { expandAction } from "./actions";
import { type Statement, statementsOf } from "./policy";

const managed = (name: string, ...Statement: object[]) => statementsOf({ Statement }, name);

function readOnlyAccess(): Statement[] {
  const excluded = new Set(["secretsmanager:getsecretvalue", "secretsmanager:batchgetsecretvalue"]);
  return managed("ReadOnlyAccess", {
    Sid: "ReadAndListEverything",
    Effect: "Allow",
    Action: expandAction("*")
      .filter((a) => (a.level === "R" || a.level === "L") && !excluded.has(a.name.toLowerCase()))
      .map((a) => a.name),
    Resource: "*",
  });
}

const DOCUMENTS: Record<string, () => Statement[]> = {
  AdministratorAccess: () => managed("AdministratorAccess", { Effect: "Allow", Action: "*", Resource: "*" }),
  IAMFullAccess: () => managed("IAMFullAccess", { Effect: "Allow", Action: "iam:*", Resource: "*" }),
  PowerUserAccess: () =>
    managed("PowerUserAccess", {
      Effect: "Allow",
      NotAction: ["iam:*", "organizations:*", "account:*"],
      Resource: "*",
    }),
  ReadOnlyAccess: readOnlyAccess,
  AmazonS3FullAccess: () =>
    managed("AmazonS3FullAccess", { Effect: "Allow", Action: ["s3:*", "s3-object-lambda:*"], Resource: "*" }),
  AmazonECSTaskExecutionRolePolicy: () =>
    managed("AmazonECSTaskExecutionRolePolicy", {
      Effect: "Allow",
      Action: [
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
      ],
      Resource: "*",
    }),
  AmazonRDSEnhancedMonitoringRole: () =>
    managed(
      "AmazonRDSEnhancedMonitoringRole",
      {
        Sid: "EnableCreationAndManagementOfRDSCloudwatchLogGroups",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
        Resource: ["arn:aws:logs:*:*:log-group:RDS*"],
      },
      {
        Sid: "EnableCreationAndManagementOfRDSCloudwatchLogStreams",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
        Resource: ["arn:aws:logs:*:*:log-group:RDS*:log-stream:*"],
      },
    ),
};

/**
 * The statements of an AWS managed policy, by ARN (`arn:aws:iam::aws:policy/service-role/...`) or name; undefined
 * for one this table does not hold.
 */
export function awsManagedPolicy(arnOrName: string): Statement[] | undefined {
  if (arnOrName.startsWith("arn:") && !/^arn:aws[a-z-]*:iam::aws:policy\//.test(arnOrName)) return undefined;
  const name = arnOrName.split("/").pop() ?? "";
  if (!DOCUMENTS[name]) return undefined;
  // Built once: the evaluator remembers what it learned about each statement object.
  let statements = built.get(name);
  if (!statements) built.set(name, (statements = DOCUMENTS[name]()));
  return statements;
}

const built = new Map<string, Statement[]>();
