################################################################################
# Several accounts: what the function reads, and how a scan is run (one invocation or Step Functions)
################################################################################

locals {
  # The figures the function uses too: how many account-Regions one invocation scans reliably, how
  # many go into a shard, how many shards run at once (measured, docs/organization.md).
  fan_out_figures = jsondecode(file("${path.module}/lambda/src/fanout/figures.json"))

  cross_account = var.scan_source == "ec2" && (length(var.accounts) > 0 || var.organization)

  # Known at plan time for a list; an organization's size is read at run time.
  listed_account_regions = length(distinct(var.accounts)) * max(1, length(distinct(var.regions)))

  # "single", "step-functions" or "auto" (the state machine decides at every run).
  fan_out_mode = !local.cross_account ? "single" : (
    var.fan_out != "auto" ? var.fan_out : (
      var.organization ? "auto" : (
        local.listed_account_regions <= local.fan_out_figures.singleInvocationMaxAccountRegions ? "single" : "step-functions"
      )
    )
  )
  use_state_machine = local.fan_out_mode != "single"

  # Shards run side by side; the function must be allowed that many invocations at once.
  reserved_concurrency = var.lambda_reserved_concurrency == null ? -1 : (
    local.use_state_machine ? max(var.lambda_reserved_concurrency, local.fan_out_figures.maxConcurrentShards) : var.lambda_reserved_concurrency
  )

  state_machine_name = "${var.name}-scan"
  state_machine_arn  = "arn:${data.aws_partition.current.partition}:states:${local.region}:${data.aws_caller_identity.current.account_id}:stateMachine:${local.state_machine_name}"
  # An execution ends before the next one starts, so two scans never overlap.
  state_machine_timeout = max(300, local.alarm_period - 60)

  # The function's environment for several accounts; merged into its environment in main.tf.
  cross_account_environment = !local.cross_account ? {} : { for key, value in {
    ACCOUNTS                   = length(var.accounts) > 0 ? join(",", distinct(var.accounts)) : null
    ORGANIZATION               = var.organization ? "true" : null
    ORGANIZATIONAL_UNITS       = var.organization && length(var.organizational_unit_ids) > 0 ? join(",", var.organizational_unit_ids) : null
    MEMBER_ROLE_NAME           = var.member_role_name
    MEMBER_ROLE_EXTERNAL_ID    = var.member_role_external_id
    ACCOUNT_REGION_CONCURRENCY = tostring(var.account_region_concurrency)
    FAN_OUT                    = local.use_state_machine ? local.fan_out_mode : null
    SCAN_BUCKET                = local.use_state_machine ? module.scans_bucket[0].bucket.bucket : null
  } : key => value if value != null }

  member_role_arns = var.organization ? ["arn:${data.aws_partition.current.partition}:iam::*:role/${var.member_role_name}"] : [
    for account in distinct(var.accounts) : "arn:${data.aws_partition.current.partition}:iam::${account}:role/${var.member_role_name}"
    if account != data.aws_caller_identity.current.account_id
  ]
}

################################################################################
# IAM of the function: list the organization, assume the member roles, use the scan bucket
################################################################################

data "aws_iam_policy_document" "cross_account" {
  count = local.cross_account ? 1 : 0

  dynamic "statement" {
    for_each = var.organization ? [1] : []

    content {
      # Organizations' list calls support no resource-level permissions.
      sid       = "ListOrganizationAccounts"
      actions   = local.iam_actions.organization
      resources = ["*"]
    }
  }

  dynamic "statement" {
    # A list that names only the module's own account needs no role.
    for_each = length(local.member_role_arns) > 0 ? [1] : []

    content {
      sid = "AssumeMemberRoles"
      # GetCallerIdentity, the other action of the list, needs no permission.
      actions   = [for action in local.iam_actions["member-roles"] : action if action != "sts:GetCallerIdentity"]
      resources = local.member_role_arns
    }
  }

  dynamic "statement" {
    for_each = local.use_state_machine ? [1] : []

    content {
      sid       = "ReadAndWriteScanShards"
      actions   = local.iam_actions["fan-out"]
      resources = ["${module.scans_bucket[0].bucket.arn}/scans/*"]
    }
  }
}

resource "aws_iam_role_policy" "cross_account" {
  count = local.cross_account && (var.organization || length(local.member_role_arns) > 0 || local.use_state_machine) ? 1 : 0

  name   = "${var.name}-accounts"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.cross_account[0].json
}

################################################################################
# Scan bucket: each scan's shard plan and inventories, kept a few days
################################################################################

module "scans_bucket" {
  source = "./modules/private-bucket"
  count  = local.use_state_machine ? 1 : 0

  # Bucket names are global, lower case and at most 63 characters: a prefix and a generated suffix.
  bucket_prefix = "${substr(lower(replace(var.name, "_", "-")), 0, 29)}-scans-"
  # The objects only matter during a scan; destroying the module must not stop at them.
  force_destroy = true
  expiration = {
    rule_id = "expire-scans"
    prefix  = "scans/"
    days    = var.fan_out_retention_days
  }
  tags = var.tags
}

# The scans bucket's resources moved into modules/private-bucket; these keep the existing bucket.
moved {
  from = aws_s3_bucket.scans[0]
  to   = module.scans_bucket[0].aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.scans[0]
  to   = module.scans_bucket[0].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.scans[0]
  to   = module.scans_bucket[0].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.scans[0]
  to   = module.scans_bucket[0].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.scans[0]
  to   = module.scans_bucket[0].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.scans[0]
  to   = module.scans_bucket[0].aws_s3_bucket_policy.this[0]
}

################################################################################
# State machine: plan, one invocation or a Distributed Map over shards, then finish
################################################################################

data "aws_iam_policy_document" "state_machine_assume" {
  count = local.use_state_machine ? 1 : 0

  statement {
    sid     = "StepFunctionsAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  count = local.use_state_machine ? 1 : 0

  name                 = "${var.name}-scan"
  description          = "Runs the ${var.name} scan state machine."
  assume_role_policy   = data.aws_iam_policy_document.state_machine_assume[0].json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "state_machine" {
  count = local.use_state_machine ? 1 : 0

  statement {
    sid       = "InvokeScanFunction"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.this.arn, "${aws_lambda_function.this.arn}:*"]
  }

  statement {
    # The Distributed Map's ItemReader reads the plan the first step wrote.
    sid       = "ReadShardPlan"
    actions   = ["s3:GetObject"]
    resources = ["${module.scans_bucket[0].bucket.arn}/scans/*"]
  }

  statement {
    # A Distributed Map runs each shard as a child execution of this state machine.
    sid       = "RunShardsAsChildExecutions"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }

  statement {
    sid       = "WatchAndStopChildExecutions"
    actions   = ["states:DescribeExecution", "states:StopExecution"]
    resources = ["arn:${data.aws_partition.current.partition}:states:${local.region}:${data.aws_caller_identity.current.account_id}:execution:${local.state_machine_name}/*"]
  }
}

resource "aws_iam_role_policy" "state_machine" {
  count = local.use_state_machine ? 1 : 0

  name   = "${var.name}-scan"
  role   = aws_iam_role.state_machine[0].id
  policy = data.aws_iam_policy_document.state_machine[0].json
}

resource "aws_sfn_state_machine" "this" {
  count = local.use_state_machine ? 1 : 0

  name     = local.state_machine_name
  role_arn = aws_iam_role.state_machine[0].arn
  type     = "STANDARD"
  definition = templatefile("${path.module}/templates/scan-state-machine.asl.json", {
    timeout_seconds              = local.state_machine_timeout
    partition                    = data.aws_partition.current.partition
    function_arn                 = aws_lambda_function.this.arn
    max_concurrency              = local.fan_out_figures.maxConcurrentShards
    shard_retry_interval_seconds = 10
    shard_retry_attempts         = 2
  })
  tags = var.tags

  depends_on = [aws_iam_role_policy.state_machine]
}

################################################################################
# Schedule: EventBridge starts the state machine (main.tf points the rule's target here)
################################################################################

data "aws_iam_policy_document" "schedule_assume" {
  count = local.use_state_machine ? 1 : 0

  statement {
    sid     = "EventBridgeAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "schedule" {
  count = local.use_state_machine ? 1 : 0

  name                 = "${var.name}-schedule"
  description          = "Lets the ${var.name} schedule start the scan state machine."
  assume_role_policy   = data.aws_iam_policy_document.schedule_assume[0].json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "schedule" {
  count = local.use_state_machine ? 1 : 0

  statement {
    sid       = "StartScanStateMachine"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }
}

resource "aws_iam_role_policy" "schedule" {
  count = local.use_state_machine ? 1 : 0

  name   = "${var.name}-schedule"
  role   = aws_iam_role.schedule[0].id
  policy = data.aws_iam_policy_document.schedule[0].json
}

################################################################################
# Alarm: a scan execution that failed, timed out or was stopped
################################################################################

resource "aws_cloudwatch_metric_alarm" "scan_failed" {
  count = local.use_state_machine ? 1 : 0

  alarm_name = "${var.name}-scan-failed"
  alarm_description = join(" ", compact([
    "A scan execution of ${var.name} failed, timed out or was stopped: its plan or final step failed, or a shard could not be read. The execution's history in the Step Functions console names the step; the function's log group has one JSON line per step.",
    var.runbook_url == null ? "" : "Runbook: ${var.runbook_url}",
  ]))

  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "failed"
    expression  = "executionsFailed + executionsTimedOut + executionsAborted"
    label       = "Scan executions that did not succeed"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { executionsFailed = "ExecutionsFailed", executionsTimedOut = "ExecutionsTimedOut", executionsAborted = "ExecutionsAborted" }

    content {
      id = metric_query.key

      metric {
        namespace   = "AWS/States"
        metric_name = metric_query.value
        dimensions  = { StateMachineArn = aws_sfn_state_machine.this[0].arn }
        stat        = "Sum"
        period      = local.alarm_period
      }
    }
  }

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
  tags          = var.tags
}
