/**
 * The promote step (constructs/delivery/promote.sh) as production's promote role runs it in AWS, judged against the
 * real policies of both accounts: it reads staging's released image and pulls it from staging's repository (another
 * account: the repository's policy must name the role, and the role's own policies must allow it), and pushes the
 * copy into production's. The script runs with stub commands (test/delivery-script-runner.ts); each `aws` call it
 * makes, and each registry call `docker pull` and `docker push` make, becomes the call the recorder would have
 * written (test/e2e/calls.ts), judged by test/e2e/policy-check.ts. The end-to-end test cannot run it: the emulator
 * has no registry for docker, and local has no second environment that releases.
 */
import { Naming } from "../constructs/naming";
import { promoteRoleName } from "../constructs/delivery/promote-step";
import { stackPolicies, stackWhere } from "../rules/helpers/iam";
import { synthesizedElements } from "../rules/iam/terraform";
import { StackView } from "../rules/stack-view";
import { APPLICATION } from "../stacks/names";
import type { RecordedCall, RecordedPrincipal } from "./e2e/calls";
import { PolicyWorld, refusals } from "./e2e/policy-check";
import { type Call, runScript } from "./delivery-script-runner";
import { synthCheckedIn } from "./environment-stacks";

const SHA = "3f2a1b0c4d5e6f708192a3b4c5d6e7f809112233";
const DIGEST = `sha256:${"b".repeat(64)}`;
const production = synthCheckedIn("production");
const staging = synthCheckedIn("staging");
const SOURCE = `${staging.env.account}.dkr.ecr.${staging.env.region}.amazonaws.com/myamazingapp-staging-web`;
const TARGET = `${production.env.account}.dkr.ecr.${production.env.region}.amazonaws.com/myamazingapp-production-web`;

function world(): PolicyWorld {
  const w = new PolicyWorld([production.env, staging.env]);
  for (const { text } of [production, staging]) {
    const view = new StackView(JSON.parse(text));
    w.addAccount(stackPolicies(view), synthesizedElements(view, stackWhere(view)));
  }
  return w;
}

/** The promote script's run: the copy is made (the target has no image of the commit yet). */
function promoteRun() {
  const details = (tags: string[]) => ({ imageDetails: [{ imageDigest: DIGEST, imageTags: tags }] });
  return runScript("promote.sh", {
    env: {
      SOURCE_REPOSITORY_URI: SOURCE,
      SOURCE_REGISTRY_ID: staging.env.account,
      REPOSITORY_URI: TARGET,
      REPOSITORY_NAME: "myamazingapp-production-web",
      CODEBUILD_RESOLVED_SOURCE_VERSION: SHA,
    },
    scenario: {
      aws: [
        {
          match: `ecr describe-images --registry-id ${staging.env.account}`,
          stdout: details([SHA, "released-x"]),
        },
        {
          match: "ecr describe-images --repository-name myamazingapp-production-web",
          responses: [{ exit: 254, stderr: "ImageNotFoundException" }, { stdout: details([SHA]) }],
        },
        { match: "ecr get-login-password", stdout: "token" },
      ],
      docker: [{ match: "login" }, { match: "pull" }, { match: "tag" }, { match: "push" }],
    },
  });
}

/** A repository URI's registry (account) and name. */
const repositoryOf = (uri: string) => {
  const [host, ...path] = uri.replace(/[@:][^/]*$/, "").split("/");
  return { registryId: host.split(".")[0], repositoryName: path.join("/") };
};

/** The registry API calls the AWS CLI and docker make for one stubbed command (the recorder's view of them). */
function callsOf(call: Call, principal: RecordedPrincipal): RecordedCall[] {
  const made = (action: string, params: Record<string, unknown>): RecordedCall => ({
    time: "2026-12-01T00:00:00.000Z",
    principal,
    region: production.env.region,
    userAgent: "aws-cli/1.45.11 app/myamazingapp-promote",
    service: "ecr",
    operation: action.split(":")[1],
    action,
    method: "POST",
    path: "/",
    params,
    status: 200,
  });
  const flag = (name: string) => call.args[call.args.indexOf(name) + 1];
  if (call.command === "aws" && call.args[1] === "describe-images") {
    return [
      made("ecr:DescribeImages", {
        repositoryName: flag("--repository-name"),
        ...(call.args.includes("--registry-id") ? { registryId: flag("--registry-id") } : {}),
      }),
    ];
  }
  if (call.command === "aws" && call.args[1] === "get-login-password")
    return [made("ecr:GetAuthorizationToken", {})];
  if (call.command === "docker" && (call.args[0] === "pull" || call.args[0] === "push")) {
    const repository = repositoryOf(call.args[1]);
    const actions =
      call.args[0] === "pull"
        ? ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        : [
            "ecr:BatchCheckLayerAvailability",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
          ];
    return actions.map((action) => made(action, repository));
  }
  return []; // docker login and tag call no AWS API
}

/** A CodeBuild session of a role of production's account. */
function session(roleName: string): RecordedPrincipal {
  const role = world().policies(production.env.account, production.env.region).role(roleName)!;
  return {
    type: "assumed-role",
    account: production.env.account,
    arn: `arn:aws:sts::${production.env.account}:assumed-role/${roleName}/codebuild`,
    roleArn: role.arn,
    session: "codebuild",
  };
}

describe("the promote step's calls, as production's promote role, under both accounts' policies", () => {
  const run = promoteRun();
  const promoteRole = promoteRoleName(new Naming(APPLICATION, "production"));

  it("makes the copy (the scenario under judgement)", () => {
    expect(run.code).toBe(0);
    expect(run.callsTo("docker", "push")).toHaveLength(1);
  });

  it("is allowed to read staging's released image, pull it across accounts and push the copy", () => {
    const calls = run.calls.flatMap((c) => callsOf(c, session(promoteRole)));
    const { verdicts, unjudged } = world().judge(calls, () => true);
    expect(unjudged).toEqual([]);
    expect(refusals(verdicts)).toEqual([]);
    // Both accounts' repositories were judged: the source's across accounts.
    const resources = new Set(verdicts.map((v) => v.request.resource));
    expect(resources).toEqual(
      new Set([
        `arn:aws:ecr:us-west-2:${staging.env.account}:repository/myamazingapp-staging-web`,
        `arn:aws:ecr:us-west-2:${production.env.account}:repository/myamazingapp-production-web`,
        "*",
      ]),
    );
  });

  it("refuses the same pull to another role of production: staging's repository names only the promote role", () => {
    const release = promoteRole.replace("promote", "release");
    const calls = run.calls.flatMap((c) => callsOf(c, session(release)));
    const pulls = refusals(world().judge(calls, () => true).verdicts).filter((line) =>
      line.includes(`${staging.env.account}:repository/myamazingapp-staging-web`),
    );
    expect(pulls.length).toBeGreaterThan(0);
  });
});
