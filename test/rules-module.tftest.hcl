# The rules module on its own: what it derives from the rules file and the schema's level pairs.

variables {
  rules_file = "test/fixtures/rules/three-scopes.yaml"
}

run "merges_each_scope_over_the_defaults_field_by_field" {
  command = plan

  module {
    source = "./modules/rules"
  }

  assert {
    condition     = output.scope_names == ["prod", "staging", "eks_pods"]
    error_message = "The scope names are not in rules-file order: ${jsonencode(output.scope_names)}"
  }

  assert {
    condition     = output.scopes["eks_pods"].levels == { warning = ["free addresses < 512"], critical = ["utilization >= 90%", "free addresses < 128"] }
    error_message = "The eks_pods levels do not read in schema order with the inherited critical: ${jsonencode(output.scopes["eks_pods"].levels)}"
  }

  assert {
    condition     = sort(output.threshold_fields) == sort(keys(jsondecode(file("lambda/schema/rules.schema.json")).definitions.thresholds.properties))
    error_message = "The threshold fields are not the schema's."
  }

  assert {
    # The schema's zone pair (minZoneFree*) has a metric of its own; no scope of this file sets it.
    condition = (
      keys(output.metric_alarm_kinds) == ["zone-free-critical", "zone-free-warning"] &&
      alltrue([for kind in values(output.metric_alarm_kinds) : length(kind.alarms) == 0])
    )
    error_message = "The schema's zone pair should give its two alarm kinds, with no alarm for a file that sets no zone level: ${jsonencode(output.metric_alarm_kinds)}"
  }
}

run "walks_the_whole_schema_with_keywords_it_understands" {
  command = plan

  module {
    source = "./modules/rules"
  }

  assert {
    condition     = output.schema_depth_left == []
    error_message = "The rules schema nests deeper than modules/rules/schema.tf walks: ${jsonencode(output.schema_depth_left)}"
  }

  assert {
    condition     = output.schema_unsupported == []
    error_message = "The rules schema uses what modules/rules does not check at plan: ${jsonencode(output.schema_unsupported)}"
  }
}

run "names_what_it_cannot_walk" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    schema_file = "test/fixtures/schema/unsupported.schema.json"
  }

  assert {
    condition = output.schema_unsupported == [
      "#/definitions/scope/properties/description: anyOf",
      "#/definitions/thresholds/properties/warning: $ref to #/definitions/percentAlias, itself a $ref",
    ]
    error_message = "The unsupported keyword and the $ref chain are not both named: ${jsonencode(output.schema_unsupported)}"
  }
}

run "switches_an_inherited_threshold_off_with_null" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "test/fixtures/rules/threshold-off.yaml"
  }

  assert {
    condition     = output.scopes["no-warning"].thresholds.warning == null && output.scopes["no-warning"].levels.warning == []
    error_message = "A scope's warning: null does not switch off the default warning: ${jsonencode(output.scopes["no-warning"])}"
  }

  assert {
    condition     = output.scopes["inherits"].thresholds.warning == 70
    error_message = "A scope without the key does not inherit the default."
  }
}

run "alarms_on_the_metric_of_a_pair_that_has_one" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file  = "test/fixtures/rules/zone-free.yaml"
    schema_file = "test/fixtures/schema/metric-pair.schema.json"
  }

  assert {
    condition     = keys(output.metric_alarm_kinds) == ["zone-free-critical", "zone-free-warning"]
    error_message = "The pair with a metric does not give one alarm kind per level: ${jsonencode(keys(output.metric_alarm_kinds))}"
  }

  assert {
    condition = output.metric_alarm_kinds["zone-free-warning"] == {
      metric_name         = "MinZoneFreeAddresses"
      statistic           = "Minimum"
      comparison_operator = "LessThanThreshold"
      level               = "warning"
      alarms = {
        eks       = { threshold = 200, reads = "free addresses in a zone < 200" }
        warn-only = { threshold = 100, reads = "free addresses in a zone < 100" }
      }
    }
    error_message = "The warning kind does not alarm below each scope's own level: ${jsonencode(output.metric_alarm_kinds["zone-free-warning"])}"
  }

  assert {
    condition     = keys(output.metric_alarm_kinds["zone-free-critical"].alarms) == ["eks"]
    error_message = "A scope without a critical zone level got a critical zone alarm."
  }

  assert {
    condition     = output.scopes["eks"].levels == { warning = ["utilization >= 80%"], critical = ["utilization >= 90%"] }
    error_message = "A pair with a metric of its own must not appear among the levels WarningCount and CriticalCount count: ${jsonencode(output.scopes["eks"].levels)}"
  }
}
