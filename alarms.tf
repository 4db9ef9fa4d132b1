################################################################################
# Alarms: per scope and kind from the rules file, plus the monitor's own health
################################################################################

locals {
  scope_alarm_description = {
    for name, scope in local.scopes : name => compact([
      scope.description == null ? "" : "Scope: ${scope.description}.",
      var.runbook_url == null ? "" : "Runbook: ${var.runbook_url}",
    ])
  }

  # Every kind of per-scope alarm: the metric it watches (dimension Scope) and, for each scope that
  # gets one, its threshold and description. Each kind is an instance of modules/scope-alarms, and
  # its alarms are named <name>-<scope>-<kind>. A new kind is one more entry in this merge; threshold
  # pairs with a metric of their own in the rules schema become kinds with no change here.
  scope_alarm_kinds = merge(local.level_alarm_kinds, local.unknown_alarm_kinds, local.metric_alarm_kinds)

  # Resources whose usage the source stopped reporting: their last level is held for
  # unknown_hold_hours (the function never reports them as better), and this alarm says that
  # something is no longer measured. Two scans running, so one resource IPAM has not measured
  # yet does not page anyone.
  unknown_alarm_kinds = {
    unknown = {
      metric_name         = "UnknownCount"
      statistic           = "Maximum"
      comparison_operator = "GreaterThanThreshold"
      treat_missing_data  = "ignore"
      evaluation_periods  = 2
      alarms = {
        for name, scope in local.scopes : name => {
          threshold = 0
          description = join(" ", concat([
            "Scope ${name} has resources whose usage is no longer reported (UnknownCount > 0 in two scans running); their last level is held, and the notification names them.",
          ], local.scope_alarm_description[name]))
        } if var.create_unknown_alarms && scope.unknown_alarm
      }
    }
  }

  metric_alarm_kinds = {
    for kind, spec in module.rules.metric_alarm_kinds : kind => {
      metric_name         = spec.metric_name
      statistic           = spec.statistic
      comparison_operator = spec.comparison_operator
      treat_missing_data  = "ignore"
      evaluation_periods  = 1
      # Only scopes of a file without problems (local.scopes), like every other kind.
      alarms = {
        for name, alarm in spec.alarms : name => {
          threshold   = alarm.threshold
          description = join(" ", concat(["Scope ${name} is at ${spec.level}: ${alarm.reads}."], local.scope_alarm_description[name]))
        } if contains(keys(local.scopes), name)
      }
    }
  }

  level_alarm_kinds = {
    critical = {
      metric_name         = "CriticalCount"
      statistic           = "Maximum"
      comparison_operator = "GreaterThanThreshold"
      # A partial scan publishes only non-zero counts, so a gap means "no news"; the heartbeat
      # alarm is what watches for silence.
      treat_missing_data = "ignore"
      evaluation_periods = 1
      alarms = {
        for name, scope in local.scopes : name => {
          threshold = 0
          description = join(" ", concat([
            "Scope ${name} has resources at critical",
            length(scope.levels.critical) > 0 ? "(${join(" or ", scope.levels.critical)})." : "(the scope has no critical threshold).",
          ], local.scope_alarm_description[name]))
        }
      }
    }
    warning = {
      metric_name         = "WarningCount"
      statistic           = "Maximum"
      comparison_operator = "GreaterThanThreshold"
      treat_missing_data  = "ignore"
      evaluation_periods  = 1
      alarms = {
        for name, scope in local.scopes : name => {
          threshold = 0
          description = join(" ", concat(compact([
            "Scope ${name} has resources at warning (${join(" or ", scope.levels.warning)}).",
            length(scope.levels.critical) > 0 ? "Critical at ${join(" or ", scope.levels.critical)}." : "",
          ]), local.scope_alarm_description[name]))
        } if var.create_warning_alarms && length(scope.levels.warning) > 0
      }
    }
  }
}

module "scope_alarms" {
  source   = "./modules/scope-alarms"
  for_each = local.scope_alarm_kinds

  alarms = {
    for scope, alarm in each.value.alarms : scope => {
      alarm_name  = "${var.name}-${scope}-${each.key}"
      description = substr(alarm.description, 0, 1024)
      threshold   = alarm.threshold
    }
  }

  namespace           = var.metrics_namespace
  metric_name         = each.value.metric_name
  statistic           = each.value.statistic
  comparison_operator = each.value.comparison_operator
  treat_missing_data  = each.value.treat_missing_data
  evaluation_periods  = each.value.evaluation_periods
  period              = local.alarm_period
  actions             = local.alarm_actions
  tags                = var.tags

  # Alarms change only after the function took the package they belong to (see terraform_data.rules).
  depends_on = [aws_lambda_function.this]
}

# Earlier versions had one resource per level; the alarms keep their identity.
moved {
  from = aws_cloudwatch_metric_alarm.critical
  to   = module.scope_alarms["critical"].aws_cloudwatch_metric_alarm.this
}

moved {
  from = aws_cloudwatch_metric_alarm.warning
  to   = module.scope_alarms["warning"].aws_cloudwatch_metric_alarm.this
}

resource "aws_cloudwatch_metric_alarm" "heartbeat" {
  alarm_name = "${var.name}-heartbeat"
  alarm_description = join(" ", compact([
    "No complete scan of ${var.name} in two of the last three schedule intervals: the function is failing, throttled, only partly able to read, or not scheduled.",
    var.runbook_url == null ? "" : "Runbook: ${var.runbook_url}",
  ]))

  namespace   = var.metrics_namespace
  metric_name = "ScanSuccess"
  statistic   = "Sum"
  period      = local.alarm_period
  # Two missed intervals out of three: one late or partial run does not page anyone.
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  # Silence is the failure this alarm exists for.
  treat_missing_data = "breaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = local.schedule_rate_seconds != null || var.schedule_interval_seconds != null
      error_message = "A cron() schedule_expression needs schedule_interval_seconds (the longest time between two runs) so that the heartbeat alarm knows when a run is missing."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name = "${var.name}-errors"
  alarm_description = join(" ", compact([
    "The ${var.name} scan function failed. Its log group ${local.log_group} has one JSON line naming the error.",
    var.runbook_url == null ? "" : "Runbook: ${var.runbook_url}",
  ]))

  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = local.alarm_period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
  tags          = var.tags
}
