################################################################################
# Shared values: the scopes of the rules file, the schedule interval, the package name
################################################################################

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  ipam_source = var.scan_source == "ipam"
  region      = data.aws_region.current.name

  # The IAM actions each feature of the scanner calls. The lambda package keeps this file in
  # sync with its code (a unit test compares it with the SDK commands the source imports).
  iam_actions = jsondecode(file("${path.module}/lambda/iam-actions.json"))

  # ---- Rules: the same file drives the scanner (inside the package) and the alarms (here).
  # The fallbacks only matter when a validation block of rules_file has already failed: they keep
  # Terraform from adding a second, less helpful error to the validation message.
  rules              = try(yamldecode(file(var.rules_file)), { scopes = [] })
  default_thresholds = try(local.rules.defaults.thresholds, null)
  threshold_fields   = ["warning", "critical", "minFreeWarning", "minFreeCritical", "minUtilizationWarning", "minUtilizationCritical"]

  # In rules-file order, for the dashboard.
  scope_names = try([for scope in local.rules.scopes : tostring(scope.name)], [])

  scopes = try({
    for scope in local.rules.scopes : scope.name => {
      description = try(scope.description, null)
      # Field by field, as the scanner merges them: a scope's own value wins over the default.
      thresholds = {
        for field in local.threshold_fields : field => (
          try(scope.thresholds[field], null) != null ? scope.thresholds[field] : try(local.default_thresholds[field], null)
        )
      }
      resource_metrics = try(scope.resourceMetrics, false) == true
    }
  }, {})

  scope_levels = {
    for name, scope in local.scopes : name => {
      # Running out (at or above a percentage, below a number of free addresses) and idle (below a percentage).
      warning = compact([
        scope.thresholds.warning == null ? "" : "utilization >= ${scope.thresholds.warning}%",
        scope.thresholds.minFreeWarning == null ? "" : "free addresses < ${scope.thresholds.minFreeWarning}",
        scope.thresholds.minUtilizationWarning == null ? "" : "utilization < ${scope.thresholds.minUtilizationWarning}%",
      ])
      critical = compact([
        scope.thresholds.critical == null ? "" : "utilization >= ${scope.thresholds.critical}%",
        scope.thresholds.minFreeCritical == null ? "" : "free addresses < ${scope.thresholds.minFreeCritical}",
        scope.thresholds.minUtilizationCritical == null ? "" : "utilization < ${scope.thresholds.minUtilizationCritical}%",
      ])
    }
  }

  warning_scopes = var.create_warning_alarms ? {
    for name, levels in local.scope_levels : name => levels if length(levels.warning) > 0
  } : {}

  any_resource_metrics = anytrue([for scope in values(local.scopes) : scope.resource_metrics])

  # ---- Schedule: alarm periods follow the interval between runs.
  schedule_rate = regexall("^rate\\(([0-9]+) (minute|hour|day)s?\\)$", var.schedule_expression)
  schedule_rate_seconds = length(local.schedule_rate) == 0 ? null : (
    tonumber(local.schedule_rate[0][0]) * { minute = 60, hour = 3600, day = 86400 }[local.schedule_rate[0][1]]
  )
  # A cron() schedule without schedule_interval_seconds is refused by a precondition on the heartbeat alarm.
  alarm_period = coalesce(var.schedule_interval_seconds, local.schedule_rate_seconds, 3600)

  # ---- Package: built during apply unless a prebuilt one is given.
  build_package = var.lambda_package == null

  # Everything the bundle is made of. A change to any of these files, or to the rules, names a new
  # package and so replaces the build and updates the function; nothing else does, so a plan right
  # after an apply is empty.
  build_inputs = sort(tolist(setunion(
    fileset(path.module, "lambda/src/**"),
    fileset(path.module, "lambda/schema/**"),
    fileset(path.module, "lambda/scripts/**"),
    fileset(path.module, "lambda/{build.mjs,package.json,package-lock.json,tsconfig.json}"),
    fileset(path.module, "scripts/build"),
    fileset(path.module, "scripts/lib/build.sh"),
  )))
  build_hash = sha256(join("\n", concat(
    [for file in local.build_inputs : "${file} ${filesha256("${path.module}/${file}")}"],
    ["rules ${try(filesha256(var.rules_file), "")}"],
  )))

  # The file name carries the hash: the function's `filename` changes exactly when the content
  # does, which is what makes the provider upload new code. The zip need not exist at plan time.
  package_file = "${path.module}/dist/${var.name}-${substr(local.build_hash, 0, 16)}.zip"

  # ---- Topic and key.
  topic_arn   = var.create_sns_topic ? aws_sns_topic.this[0].arn : var.sns_topic_arn
  kms_key_arn = var.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  alarm_actions = [local.topic_arn]

  function_name = var.name
  log_group     = "/aws/lambda/${var.name}"

  console_host = lookup({
    "aws-cn"     = "console.amazonaws.cn"
    "aws-us-gov" = "console.amazonaws-us-gov.com"
  }, data.aws_partition.current.partition, "${local.region}.console.aws.amazon.com")
}

################################################################################
# Build: bundle the function and the rules file into a deterministic zip during apply
################################################################################

resource "terraform_data" "build" {
  count = local.build_package ? 1 : 0

  # Only hashes and relative names here: absolute paths differ between machines and would
  # force a rebuild on every runner. The function name and architecture are included because
  # replacing the function or changing its architecture uploads the package again.
  triggers_replace = {
    build_hash    = local.build_hash
    package_file  = local.package_file
    function_name = local.function_name
    architecture  = var.lambda_architecture
  }

  provisioner "local-exec" {
    # Paths travel as environment variables so that spaces or quotes in them cannot break the command.
    command = "\"$IPAM_MONITOR_BUILD\" --rules \"$IPAM_MONITOR_RULES\" --out \"$IPAM_MONITOR_PACKAGE\""
    environment = {
      IPAM_MONITOR_BUILD   = abspath("${path.module}/scripts/build")
      IPAM_MONITOR_RULES   = abspath(var.rules_file)
      IPAM_MONITOR_PACKAGE = abspath(local.package_file)
    }
  }
}

################################################################################
# Function: the scanner, its log group and its environment
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group
  retention_in_days = var.lambda_log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name = local.function_name
  description   = "Scans IP address usage and publishes per-scope metrics and notifications."
  role          = aws_iam_role.this.arn
  handler       = "index.handler"
  runtime       = var.lambda_runtime
  architectures = [var.lambda_architecture]
  memory_size   = var.lambda_memory_size
  timeout       = var.lambda_timeout

  # A built package is identified by its file name, which carries the hash of its sources, so
  # source_code_hash is left to the provider: it cannot be computed before the zip exists.
  filename         = local.build_package ? local.package_file : var.lambda_package
  source_code_hash = local.build_package ? null : filebase64sha256(var.lambda_package)

  # One scan at a time: an overlapping run would publish the same metrics and notify twice.
  reserved_concurrent_executions = coalesce(var.lambda_reserved_concurrency, -1)

  environment {
    variables = { for key, value in {
      RULES_FILE = "rules.yaml"
      SOURCE     = var.scan_source
      # Each source gets only its own settings, so the environment shows what the scan reads.
      IPAM_REGION        = local.ipam_source ? var.ipam_region : null
      IPAM_ID            = local.ipam_source ? var.ipam_id : null
      SCOPE_TYPES        = local.ipam_source ? join(",", var.scope_types) : null
      RESOURCE_TYPES     = local.ipam_source && length(var.resource_types) > 0 ? join(",", var.resource_types) : null
      REGIONS            = !local.ipam_source && length(var.regions) > 0 ? join(",", var.regions) : null
      REGION_CONCURRENCY = local.ipam_source ? null : tostring(var.region_concurrency)
      METRICS_NAMESPACE  = var.metrics_namespace
      SNS_TOPIC_ARN      = local.topic_arn
      STATE_TABLE        = aws_dynamodb_table.this.name
      DRY_RUN            = tostring(var.dry_run)
      LOG_LEVEL          = var.log_level
    } : key => value if value != null }
  }

  tags = var.tags

  # The log group must exist first, or Lambda creates one without retention; the policy must be
  # attached first, or the first scheduled run may fail on permissions.
  # The build writes the zip named in filename.
  depends_on = [terraform_data.build, aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    # Checks that involve several inputs (variable validation blocks can only see their own variable).
    precondition {
      condition     = var.create_sns_topic || var.sns_topic_arn != null
      error_message = "Set sns_topic_arn to the topic to use when create_sns_topic is false."
    }
    precondition {
      condition     = !var.create_sns_topic || var.sns_topic_arn == null
      error_message = "The sns_topic_arn is set while create_sns_topic is true: set create_sns_topic = false to use the existing topic, or remove sns_topic_arn."
    }
    precondition {
      condition     = !var.create_kms_key || var.create_sns_topic
      error_message = "The create_kms_key option encrypts the topic the module creates; with an existing topic (create_sns_topic = false) pass its key as kms_key_arn instead."
    }
    precondition {
      condition     = !var.create_kms_key || var.kms_key_arn == null
      error_message = "Set either kms_key_arn (your key) or create_kms_key = true (a key made by the module), not both."
    }
  }
}

################################################################################
# Schedule: EventBridge rule that invokes the function
################################################################################

resource "aws_cloudwatch_event_rule" "this" {
  name                = "${var.name}-schedule"
  description         = "Runs the IP usage scan of ${var.name}."
  schedule_expression = var.schedule_expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  rule      = aws_cloudwatch_event_rule.this.name
  target_id = "scan"
  arn       = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowScheduleInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this.arn
}

################################################################################
# IAM: one statement per reason, each action one the code calls
################################################################################

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Runs the ${var.name} IP usage scanner."
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    # Describe and Get calls of EC2 and IPAM do not support resource-level permissions.
    sid       = var.scan_source == "ipam" ? "ReadIpamResourceCidrs" : "DescribeVpcsSubnetsAndAddresses"
    actions   = local.iam_actions[var.scan_source]
    resources = ["*"]
  }

  statement {
    # PutMetricData has no resource; the namespace condition is what limits it.
    sid       = "PublishScopeMetricsToOwnNamespace"
    actions   = local.iam_actions.metrics
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.metrics_namespace]
    }
  }

  statement {
    sid       = "NotifyAlarmTopic"
    actions   = local.iam_actions.notification
    resources = [local.topic_arn]
  }

  dynamic "statement" {
    # Publishing to an encrypted topic makes SNS generate and decrypt data keys as the publisher.
    for_each = local.kms_key_arn == null ? [] : [local.kms_key_arn]

    content {
      sid       = "EncryptNotificationsWithTopicKey"
      actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sns.${local.region}.${data.aws_partition.current.dns_suffix}"]
      }
    }
  }

  statement {
    sid       = "RememberNotifiedState"
    actions   = local.iam_actions.state
    resources = [aws_dynamodb_table.this.arn]
  }

  statement {
    # The log group is created by this module, so the function needs no logs:CreateLogGroup.
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = var.name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

################################################################################
# Topic: alarm and scan notifications, subscriptions and optional encryption key
################################################################################

data "aws_iam_policy_document" "kms" {
  count = var.create_kms_key ? 1 : 0

  statement {
    # Without this statement only the key policy could grant access; with it, IAM policies can.
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    # CloudWatch alarms publish to the encrypted topic only when the key policy lets them.
    sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.create_kms_key ? 1 : 0

  description         = "Encrypts the ${var.name} alarm topic."
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms[0].json
  tags                = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.create_kms_key ? 1 : 0

  name          = "alias/${var.name}-alarms"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_sns_topic" "this" {
  count = var.create_sns_topic ? 1 : 0

  name              = "${var.name}-alarms"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  # Keyed by address: each subscription has its own identity, so several addresses work and
  # removing one leaves the others alone.
  for_each = toset(var.alarm_emails)

  topic_arn = local.topic_arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "https" {
  for_each = toset(var.alarm_https_endpoints)

  topic_arn = local.topic_arn
  protocol  = "https"
  endpoint  = each.value
}

################################################################################
# Notification state: what was last notified, so a scope that stays low is not re-sent every run
################################################################################

resource "aws_dynamodb_table" "this" {
  name         = "${var.name}-state"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  server_side_encryption {
    enabled = true
  }

  point_in_time_recovery {
    enabled = var.state_table_point_in_time_recovery
  }

  tags = var.tags
}

################################################################################
# Alarms: per scope from the rules file, plus the monitor's own health
################################################################################

resource "aws_cloudwatch_metric_alarm" "critical" {
  for_each = local.scopes

  alarm_name = "${var.name}-${each.key}-critical"
  alarm_description = substr(join(" ", compact([
    "Scope ${each.key} has resources at critical",
    length(local.scope_levels[each.key].critical) > 0 ? "(${join(" or ", local.scope_levels[each.key].critical)})." : "(the scope has no critical threshold).",
    each.value.description == null ? "" : "Scope: ${each.value.description}.",
    var.runbook_url == null ? "" : "Runbook: ${var.runbook_url}",
  ])), 0, 1024)

  namespace           = var.metrics_namespace
  metric_name         = "CriticalCount"
  dimensions          = { Scope = each.key }
  statistic           = "Maximum"
  period              = local.alarm_period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # A partial scan publishes only non-zero counts, so a gap means "no news"; the heartbeat alarm
  # is what watches for silence.
  treat_missing_data = "ignore"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "warning" {
  for_each = local.warning_scopes

  alarm_name = "${var.name}-${each.key}-warning"
  alarm_description = substr(join(" ", compact([
    "Scope ${each.key} has resources at warning (${join(" or ", each.value.warning)}).",
    length(each.value.critical) > 0 ? "Critical at ${join(" or ", each.value.critical)}." : "",
    local.scopes[each.key].description == null ? "" : "Scope: ${local.scopes[each.key].description}.",
    var.runbook_url == null ? "" : "Runbook: ${var.runbook_url}",
  ])), 0, 1024)

  namespace           = var.metrics_namespace
  metric_name         = "WarningCount"
  dimensions          = { Scope = each.key }
  statistic           = "Maximum"
  period              = local.alarm_period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "ignore"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
  tags          = var.tags
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

################################################################################
# Dashboard: per-scope utilization and counts, the monitor's health, top resources
################################################################################

locals {
  dashboard_scope_widgets = flatten([
    for index, name in local.scope_names : [
      {
        type   = "metric"
        x      = 0
        y      = 1 + index * 6
        width  = 12
        height = 6
        properties = {
          title   = "${name}: highest utilization (%)"
          region  = local.region
          view    = "timeSeries"
          stat    = "Maximum"
          period  = local.alarm_period
          metrics = [[var.metrics_namespace, "MaxUtilization", "Scope", name, { label = "MaxUtilization" }]]
          yAxis   = { left = { min = 0, max = 100, showUnits = false } }
          annotations = {
            horizontal = concat(
              local.scopes[name].thresholds.warning == null ? [] : [{ label = "warning", value = local.scopes[name].thresholds.warning, color = "#ff7f0e" }],
              local.scopes[name].thresholds.critical == null ? [] : [{ label = "critical", value = local.scopes[name].thresholds.critical, color = "#d62728" }],
            )
          }
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 1 + index * 6
        width  = 12
        height = 6
        properties = {
          title  = "${name}: resources at warning and critical"
          region = local.region
          view   = "timeSeries"
          stat   = "Maximum"
          period = local.alarm_period
          metrics = [
            [var.metrics_namespace, "WarningCount", "Scope", name, { label = "warning", color = "#ff7f0e" }],
            [var.metrics_namespace, "CriticalCount", "Scope", name, { label = "critical", color = "#d62728" }],
            [var.metrics_namespace, "ResourceCount", "Scope", name, { label = "resources", yAxis = "right" }],
          ]
          yAxis = { left = { min = 0, showUnits = false }, right = { min = 0, showUnits = false } }
        }
      },
    ]
  ])

  dashboard_health_y = 1 + length(local.scopes) * 6

  dashboard_health_widgets = [
    {
      type   = "metric"
      x      = 0
      y      = local.dashboard_health_y
      width  = 12
      height = 6
      properties = {
        title   = "Complete scans"
        region  = local.region
        view    = "timeSeries"
        stat    = "Sum"
        period  = local.alarm_period
        metrics = [[var.metrics_namespace, "ScanSuccess", { label = "complete scans" }]]
        yAxis   = { left = { min = 0, showUnits = false } }
      }
    },
    {
      type   = "metric"
      x      = 12
      y      = local.dashboard_health_y
      width  = 12
      height = 6
      properties = {
        title  = "Function errors and duration"
        region = local.region
        view   = "timeSeries"
        period = local.alarm_period
        metrics = [
          ["AWS/Lambda", "Errors", "FunctionName", local.function_name, { stat = "Sum", label = "errors" }],
          ["AWS/Lambda", "Duration", "FunctionName", local.function_name, { stat = "Maximum", label = "max duration (ms)", yAxis = "right" }],
        ]
      }
    },
  ]

  # Per-resource series exist only for scopes with resourceMetrics: true. Metrics Insights is fine
  # in a dashboard (alarms are what cannot use SEARCH-style queries).
  dashboard_top_widgets = local.any_resource_metrics ? [
    {
      type   = "metric"
      x      = 0
      y      = local.dashboard_health_y + 6
      width  = 24
      height = 8
      properties = {
        title  = "Top 10 resources by utilization (%)"
        region = local.region
        view   = "bar"
        period = local.alarm_period
        metrics = [[{
          id         = "top"
          expression = "SELECT MAX(Utilization) FROM SCHEMA(\"${var.metrics_namespace}\", ResourceId, ResourceType, Scope) GROUP BY Scope, ResourceId ORDER BY MAX() DESC LIMIT 10"
        }]]
      }
    },
  ] : []

  dashboard_body = jsonencode({
    widgets = concat(
      [{
        type       = "text"
        x          = 0
        y          = 0
        width      = 24
        height     = 1
        properties = { markdown = "## ${var.name}: IP address usage by scope (namespace ${var.metrics_namespace})" }
      }],
      local.dashboard_scope_widgets,
      local.dashboard_health_widgets,
      local.dashboard_top_widgets,
    )
  })
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = var.name
  dashboard_body = local.dashboard_body
}
