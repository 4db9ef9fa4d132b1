################################################################################
# Shared values: Region, partition, schedule interval, topic and names
################################################################################

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  ipam_source = var.scan_source == "ipam"
  region      = data.aws_region.current.name

  # ---- Schedule: alarm periods follow the interval between runs.
  schedule_rate = regexall("^rate\\(([0-9]+) (minute|hour|day)s?\\)$", var.schedule_expression)
  schedule_rate_seconds = length(local.schedule_rate) == 0 ? null : (
    tonumber(local.schedule_rate[0][0]) * { minute = 60, hour = 3600, day = 86400 }[local.schedule_rate[0][1]]
  )
  # A cron() schedule without schedule_interval_seconds is refused by a precondition on the heartbeat alarm.
  alarm_period = coalesce(var.schedule_interval_seconds, local.schedule_rate_seconds, 3600)

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
  # On Step Functions the shards run side by side (fan-out.tf raises the reservation to allow them).
  reserved_concurrent_executions = local.reserved_concurrency

  environment {
    variables = merge({ for key, value in {
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
      HISTORY_URI        = local.history_uri
      DRY_RUN            = tostring(var.dry_run)
      LOG_LEVEL          = var.log_level
      # Failure handling; unset ones take the function's defaults (see their variables).
      PLAUSIBILITY_MAX_DROP_PERCENT = var.plausibility_max_drop_percent == null ? null : tostring(var.plausibility_max_drop_percent)
      PLAUSIBILITY_CONFIRMATIONS    = var.plausibility_confirmations == null ? null : tostring(var.plausibility_confirmations)
      UNKNOWN_HOLD_HOURS            = var.unknown_hold_hours == null ? null : tostring(var.unknown_hold_hours)
      SCAN_TIMEOUT_SECONDS          = var.scan_timeout_seconds == null ? null : tostring(var.scan_timeout_seconds)
      CONNECT_TIMEOUT_MS            = var.request_connect_timeout_ms == null ? null : tostring(var.request_connect_timeout_ms)
      RESPONSE_TIMEOUT_MS           = var.request_response_timeout_ms == null ? null : tostring(var.request_response_timeout_ms)
    } : key => value if value != null }, local.cross_account_environment)
  }

  tags = var.tags

  # The log group must exist first, or Lambda creates one without retention; the policy must be
  # attached first, or the first scheduled run may fail on permissions.
  # The build writes the zip named in filename.
  depends_on = [
    terraform_data.build,
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
    aws_iam_role_policy.cross_account,
    aws_iam_role_policy.capacity,
    aws_iam_role_policy.history,
  ]

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
    precondition {
      condition     = length(var.accounts) == 0 || !var.organization
      error_message = "Set either accounts (exactly those accounts) or organization = true (every active account of the organization), not both."
    }
    precondition {
      condition     = var.scan_source == "ec2" || (length(var.accounts) == 0 && !var.organization)
      error_message = "The accounts and organization settings apply to scan_source = \"ec2\"; the IPAM source already sees every account IPAM monitors."
    }
    precondition {
      condition     = length(var.organizational_unit_ids) == 0 || var.organization
      error_message = "The organizational_unit_ids limit organization = true to some OUs; set organization = true too."
    }
    precondition {
      condition     = var.fan_out != "step-functions" || local.cross_account
      error_message = "The fan_out = \"step-functions\" setting spreads a scan of several accounts over shards; set accounts or organization = true with scan_source = \"ec2\"."
    }
    precondition {
      condition     = var.history_enabled || !local.rules_use_forecasts
      error_message = "The rules file sets daysToFullWarning or daysToFullCritical, which need the scan history: set history_enabled = true (the default), or remove those thresholds."
    }
    precondition {
      condition     = var.scan_timeout_seconds == null || try(var.scan_timeout_seconds < var.lambda_timeout, true)
      error_message = "The scan_timeout_seconds (${coalesce(var.scan_timeout_seconds, 0)}) must be shorter than lambda_timeout (${var.lambda_timeout}): the scan needs time after collecting to publish what it found before Lambda stops it."
    }
  }
}

# No asynchronous retries: the next scheduled run is the retry. A retry minutes after a failed
# scan would read the same failing source again, and one after a scan that failed while publishing
# could send a notification twice. An event that waited a whole schedule interval (throttled behind
# a manual run, for instance) is dropped too: the next scheduled run supersedes it. Failures still
# reach the errors alarm, and missed scans the heartbeat alarm.
resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = min(max(local.alarm_period, 60), 21600)
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
  # On Step Functions the schedule starts the state machine (fan-out.tf), which invokes the function.
  arn      = local.use_state_machine ? aws_sfn_state_machine.this[0].arn : aws_lambda_function.this.arn
  role_arn = local.use_state_machine ? aws_iam_role.schedule[0].arn : null
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowScheduleInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this.arn
}
