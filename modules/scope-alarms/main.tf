# One kind of per-scope alarm (critical, warning, ...): the same metric of every scope, each scope
# with its own threshold and description. The calling module makes one instance per kind.

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.alarms

  alarm_name        = each.value.alarm_name
  alarm_description = each.value.description

  namespace           = var.namespace
  metric_name         = var.metric_name
  dimensions          = { Scope = each.key }
  statistic           = var.statistic
  period              = var.period
  evaluation_periods  = var.evaluation_periods
  comparison_operator = var.comparison_operator
  threshold           = each.value.threshold
  treat_missing_data  = var.treat_missing_data

  alarm_actions = var.actions
  ok_actions    = var.actions
  tags          = var.tags
}
