# The cut of `terraform show -json plan.out` that the pull-request workflow uploads and scripts/plan-summary reads.
# A plan's JSON holds every attribute value, sensitive ones unredacted, and artifacts are readable by anyone who
# can read the repository: this keeps the fields summarize.ts reads and, of each resource's values before and
# after the change, only the attributes the cost estimate reads (cost/plan-attributes.json, given as
# --slurpfile attributes), never one Terraform marks sensitive.
#
#   jq -c --slurpfile attributes cost/plan-attributes.json --argjson cost '{"region":..,"usage":{..}}' \
#     -f scripts/plan-summary/artifact.jq plan.json
#
# $cost, the region and usage assumptions of the environment, travels with the plan as cost_context.

# Whether a sensitivity marker (true, or a structure holding true somewhere) marks anything sensitive.
def marked: [.. | select(. == true)] | length > 0;

# The parts of a value its spec names: true keeps it whole; an object keeps those keys of a block, or of each
# block of a list, recursively.
def project($spec):
  if $spec == true then .
  elif type == "array" then map(project($spec))
  elif type == "object" then
    with_entries(select(.key as $k | $spec | has($k)) | .key as $k | .value |= project($spec[$k]))
  else .
  end;

# One side of a change, with only its type's attributes and none marked sensitive.
def values($spec; $sensitive):
  if type != "object" then .
  else
    with_entries(
      select(.key as $k | ($spec | has($k)) and (($sensitive | type) != "object" or (($sensitive[$k] // false) | marked | not)))
      | .key as $k
      | .value |= project($spec[$k])
    )
  end;

($attributes[0]) as $all
| {
    format_version, terraform_version, errored, complete,
    resource_changes: [(.resource_changes // [])[] | ($all[.type] // {}) as $spec | {
      address, type, mode, previous_address, action_reason, deposed,
      change: {
        actions: .change.actions,
        replace_paths: .change.replace_paths,
        importing: .change.importing,
        before: (.change.before | values($spec; .change.before_sensitive)),
        after: (.change.after | values($spec; .change.after_sensitive))
      }
    }],
    output_changes: ((.output_changes // {}) | map_values({actions})),
    cost_context: ($ARGS.named.cost // null)
  }
