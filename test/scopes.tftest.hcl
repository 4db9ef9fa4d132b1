# Alarms and dashboard follow the scopes of the rules file.

# Mock values from test/terraform/aws.tfmock.hcl, made known at plan time (Terraform 1.11+), so
# that ARNs inside policies and alarm actions can be asserted.
mock_provider "aws" {
  source          = "./test/terraform"
  override_during = plan
}

variables {
  rules_file = "test/fixtures/rules/three-scopes.yaml"
}

run "creates_one_critical_alarm_per_scope" {
  command = plan

  assert {
    condition     = toset(keys(module.scope_alarms["critical"].alarms)) == toset(["prod", "staging", "eks_pods"])
    error_message = "The critical alarms are not keyed by the three scope names: ${jsonencode(keys(module.scope_alarms["critical"].alarms))}"
  }

  assert {
    condition     = alltrue([for scope, alarm in module.scope_alarms["critical"].alarms : alarm.alarm_name == "ipam-monitor-${scope}-critical" && alarm.dimensions == tomap({ Scope = scope })])
    error_message = "Some critical alarm is not named after, or not watching, its own scope."
  }

  assert {
    condition     = output.critical_alarm_names == { prod = "ipam-monitor-prod-critical", staging = "ipam-monitor-staging-critical", eks_pods = "ipam-monitor-eks_pods-critical" }
    error_message = "The critical_alarm_names output is not a map from scope to alarm name."
  }

  assert {
    condition     = output.scope_names == ["prod", "staging", "eks_pods"]
    error_message = "The scope_names output is not the scopes in rules-file order."
  }
}

run "creates_warning_alarms_only_for_scopes_with_a_warning_level" {
  command = plan

  assert {
    condition     = toset(keys(module.scope_alarms["warning"].alarms)) == toset(["prod", "eks_pods"])
    error_message = "Warning alarms must exist for prod (warning %) and eks_pods (minFreeWarning) but not for staging, which inherits only a critical level."
  }

  assert {
    condition     = keys(output.warning_alarm_arns) == keys(module.scope_alarms["warning"].alarms)
    error_message = "The warning_alarm_arns output is not keyed by the scopes that have warning alarms."
  }
}

run "describes_each_alarm_with_its_scope_and_merged_thresholds" {
  command = plan

  variables {
    runbook_url = "https://wiki.example.com/runbooks/ip-exhaustion"
  }

  assert {
    condition     = module.scope_alarms["critical"].alarms["prod"].alarm_description == "Scope prod has resources at critical (utilization >= 85%). Scope: Production subnets. Runbook: https://wiki.example.com/runbooks/ip-exhaustion"
    error_message = "The prod description does not give its own critical threshold and the runbook: ${module.scope_alarms["critical"].alarms["prod"].alarm_description}"
  }

  assert {
    condition     = module.scope_alarms["critical"].alarms["staging"].alarm_description == "Scope staging has resources at critical (utilization >= 90%). Runbook: https://wiki.example.com/runbooks/ip-exhaustion"
    error_message = "The staging description does not give the default critical threshold it inherits: ${module.scope_alarms["critical"].alarms["staging"].alarm_description}"
  }

  assert {
    condition     = strcontains(module.scope_alarms["critical"].alarms["eks_pods"].alarm_description, "(utilization >= 90% or free addresses < 128)")
    error_message = "The eks_pods description does not merge the default utilization threshold with its own free-address threshold: ${module.scope_alarms["critical"].alarms["eks_pods"].alarm_description}"
  }

  assert {
    condition     = startswith(module.scope_alarms["warning"].alarms["eks_pods"].alarm_description, "Scope eks_pods has resources at warning (free addresses < 512). Critical at utilization >= 90% or free addresses < 128.")
    error_message = "The eks_pods warning description does not name its warning and critical levels: ${module.scope_alarms["warning"].alarms["eks_pods"].alarm_description}"
  }
}

run "draws_two_widgets_per_scope_in_rules_file_order" {
  command = plan

  assert {
    condition = [
      for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.title if w.type == "metric" && w.x == 0 && w.y < 19
      ] == [
      "prod: highest utilization (%)", "staging: highest utilization (%)", "eks_pods: highest utilization (%)",
    ]
    error_message = "The dashboard does not show one utilization widget per scope, in rules-file order."
  }

  assert {
    condition = [
      for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for h in w.properties.annotations.horizontal : h.value]
      if w.type == "metric" && try(w.properties.title, "") == "prod: highest utilization (%)"
    ] == [[70, 85]]
    error_message = "The prod utilization widget does not draw its warning and critical thresholds."
  }
}

run "adds_a_metrics_insights_top_resources_widget_when_a_scope_has_resource_metrics" {
  command = plan

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this[0].dashboard_body, "SELECT MAX(Utilization) FROM SCHEMA(\\\"IPAMMonitor\\\", ResourceId, ResourceType, Scope)")
    error_message = "The dashboard has no Metrics Insights query over the per-resource Utilization metric."
  }

  assert {
    condition = alltrue([
      for alarm in concat(values(module.scope_alarms["critical"].alarms), values(module.scope_alarms["warning"].alarms), [aws_cloudwatch_metric_alarm.heartbeat]) :
      length(alarm.metric_query) == 0 && alarm.metric_name != null
    ])
    error_message = "Alarms must watch plain metrics: CloudWatch alarms do not accept SEARCH or Metrics Insights queries over many series."
  }
}

run "plans_one_scope_for_comparison" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/one-scope.yaml"
  }
}

run "names_a_new_package_when_the_rules_change" {
  command = plan

  assert {
    condition     = output.lambda_package_path != run.plans_one_scope_for_comparison.lambda_package_path
    error_message = "A different rules file must produce a different package, or the function keeps the old rules."
  }
}

run "alarms_on_a_scope_with_only_an_idle_threshold" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/idle-addresses.yaml"
  }

  assert {
    condition     = module.scope_alarms["warning"].alarms["idle-elastic-ips"].alarm_description == "Scope idle-elastic-ips has resources at warning (utilization < 1%). Scope: Unassociated Elastic IPs, billed while idle."
    error_message = "The idle threshold does not give the scope a warning alarm that names it: ${try(module.scope_alarms["warning"].alarms["idle-elastic-ips"].alarm_description, "no warning alarm")}"
  }

  assert {
    condition     = startswith(module.scope_alarms["critical"].alarms["idle-elastic-ips"].alarm_description, "Scope idle-elastic-ips has resources at critical (the scope has no critical threshold).")
    error_message = "The critical alarm of a scope without critical levels does not say so: ${module.scope_alarms["critical"].alarms["idle-elastic-ips"].alarm_description}"
  }
}
