################################################################################
# Dashboard: per-scope utilization and counts, the monitor's health, top resources
################################################################################

locals {
  # Two widgets per scope, in rules-file order, then the monitor's health and, when a scope has
  # resourceMetrics, a Metrics Insights widget over the per-resource series (fine in a dashboard;
  # alarms are what cannot use such queries).
  dashboard_body = jsonencode(jsondecode(templatefile("${path.module}/templates/dashboard.json.tftpl", {
    name          = var.name
    namespace     = var.metrics_namespace
    region        = local.region
    period        = local.alarm_period
    function_name = local.function_name
    scopes = [
      for name in local.scope_names : {
        name     = name
        warning  = local.scopes[name].thresholds.warning
        critical = local.scopes[name].thresholds.critical
      }
    ]
    health_y      = 1 + length(local.scopes) * 6
    top_resources = local.any_resource_metrics
    # Days to full, when the rules alarm on them (MinDaysToFull needs the scan history, history.tf).
    history = var.history_enabled && local.rules_use_forecasts
  })))
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = local.dashboard_body

  # Changed only after the function took the package it belongs to (see terraform_data.rules).
  depends_on = [aws_lambda_function.this]
}
