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
