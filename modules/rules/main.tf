# Reads the rules file the way the scanner does: each scope's thresholds merged over the defaults
# field by field. Which fields exist, which pair as warning and critical and how a level reads all
# come from the rules schema (lambda/schema/rules.schema.json): a threshold field added there is
# merged, described and alarmed on here with no change to this module.

locals {
  schema            = jsondecode(file(coalesce(var.schema_file, "${path.module}/../../lambda/schema/rules.schema.json")))
  thresholds_schema = local.schema.definitions.thresholds

  threshold_fields = keys(local.thresholds_schema.properties)

  # The schema's x-level-pairs annotation (lambda/src/rules/levels.ts documents it).
  level_pairs = [
    for pair in local.thresholds_schema["x-level-pairs"] : {
      warning       = pair.warning
      critical      = pair.critical
      direction     = pair.direction
      equal_allowed = try(pair.equalAllowed, false)
      reads         = pair.reads
      # Set for a pair that does not take part in a resource's status: its own metric and alarm suffix.
      alarm = try({ metric = pair.alarm.metric, suffix = pair.alarm.suffix }, null)
    }
  ]

  # The fallbacks only matter when the calling module's checks of the file have already failed:
  # they keep Terraform from adding a second, less helpful error to that message.
  # A file over the size limit is not decoded at all (the calling module refuses it).
  too_big            = try(length(filebase64(var.rules_file)) > 1398104, false)
  readable           = local.too_big ? false : can(yamldecode(file(var.rules_file)))
  decoded            = local.readable ? yamldecode(file(var.rules_file)) : null
  rules              = local.decoded
  default_thresholds = try(local.rules.defaults.thresholds, null)

  # A field the scope sets wins over the default, also when the scope sets it to null. Capacity
  # fields from the defaults apply only to scopes with capacity: true, the only ones measured for them.
  scopes = try({
    for scope in local.rules.scopes : scope.name => {
      description = try(scope.description, null)
      thresholds = {
        for field in local.threshold_fields : field => (
          can(scope.thresholds[field]) ? scope.thresholds[field] :
          contains(local.capacity_fields, field) && try(scope.capacity != true, true) ? null :
          try(local.default_thresholds[field], null)
        )
      }
      resource_metrics = try(scope.resourceMetrics, false) == true
      # An alarm on UnknownCount: as the scope says, else on for scopes that hold only IPv4
      # resources, whose usage the sources always report (IPAM computes none for IPv6 subnets).
      unknown_alarm = (
        try(scope.unknownAlarm == true, false) ? true :
        try(scope.unknownAlarm == false, false) ? false :
        # Each term in its own try(): Terraform's || evaluates both sides.
        try(scope.match.addressFamily == "ipv4", false) ||
        try(length(scope.match.cidrWithin) > 0 && alltrue([for cidr in scope.match.cidrWithin : !strcontains(cidr, ":")]), false) ||
        try(length(scope.match.resourceTypes) > 0 && alltrue([for type in scope.match.resourceTypes : contains(["eip", "public-ipv4-pool"], type)]), false)
      )
    }
  }, {})

  # How each level of a scope reads, pair by pair in schema order: ["utilization >= 85%", "free addresses < 25"].
  # Only the pairs that make up a resource's status, which WarningCount and CriticalCount count.
  levels = {
    for name, scope in local.scopes : name => {
      for level in ["warning", "critical"] : level => [
        for pair in local.level_pairs : replace(pair.reads, "{}", tostring(scope.thresholds[pair[level]]))
        if pair.alarm == null && scope.thresholds[pair[level]] != null
      ]
    }
  }

  # Pairs with a metric of their own get an alarm per level on it, "<suffix>-<level>", for each
  # scope that sets that level: below the threshold for a falling measure, at or above it for a
  # rising one.
  metric_alarm_kinds = merge([
    for pair in local.level_pairs : {
      for level in ["warning", "critical"] : "${pair.alarm.suffix}-${level}" => {
        metric_name         = pair.alarm.metric
        statistic           = pair.direction == "falling" ? "Minimum" : "Maximum"
        comparison_operator = pair.direction == "falling" ? "LessThanThreshold" : "GreaterThanOrEqualToThreshold"
        level               = level
        alarms = {
          for name, scope in local.scopes : name => {
            threshold = scope.thresholds[pair[level]]
            reads     = replace(pair.reads, "{}", tostring(scope.thresholds[pair[level]]))
          } if scope.thresholds[pair[level]] != null
        }
      }
    } if pair.alarm != null
  ]...)
}
