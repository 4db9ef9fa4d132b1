output "scope_names" {
  description = "Scope names in rules-file order."
  value       = try([for scope in local.rules.scopes : tostring(scope.name)], [])
}

output "scopes" {
  description = "Each scope by name: description, thresholds after defaults (every field of the schema, null when unset), resource_metrics, and levels (how its warning and critical levels read)."
  value = {
    for name, scope in local.scopes : name => merge(scope, { levels = local.levels[name] })
  }
}

output "threshold_fields" {
  description = "The threshold fields of the rules schema."
  value       = local.threshold_fields
}

output "level_pairs" {
  description = "The schema's warning/critical pairs: warning, critical, direction (rising or falling), equal_allowed, reads."
  value       = local.level_pairs
}

output "metric_alarm_kinds" {
  description = "Alarm kinds of the level pairs that have a metric of their own, keyed \"<suffix>-<level>\": metric_name, statistic, comparison_operator, level, and alarms by scope name (threshold, reads)."
  value       = local.metric_alarm_kinds
}

output "problems" {
  description = "Every problem found in the rules file, each naming the scope (or its position) and the field; empty when the file passes every check Terraform can make. A missing or unreadable file gives none here: the calling module's variable validation reports it."
  value       = local.problems
}

output "schema_depth_left" {
  description = "Subschemas nested deeper than the walk in schema.tf reaches; must be empty (a test checks it)."
  value       = keys(local.schema_level_5)
}

output "readable" {
  description = "Whether Terraform could decode the rules file (it exists, is within the size limit and is one YAML document). The calling module's variable validation reports a file that is not."
  value       = local.readable
}

output "schema_unsupported" {
  description = "Schema keywords the walk in schema.tf does not understand, and \"$ref\"s that lead to another \"$ref\"; must be empty (a test checks it), or plan would miss what the validator checks."
  value = concat(
    sort(distinct(flatten([
      for ptr, raw in local.schema_raw : [
        for key in keys(raw) : "${ptr}: ${key}" if !contains(local.understood_keywords, key)
      ]
    ]))),
    [for ptr, raw in local.schema_raw : "${ptr}: $ref to ${raw["$ref"]}, itself a $ref" if can(local.schema_raw[raw["$ref"]]["$ref"])],
  )
}
