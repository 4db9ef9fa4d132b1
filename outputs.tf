################################################################################
# Function
################################################################################

output "lambda_function_name" {
  description = "Name of the scan function, for `aws lambda invoke` and log queries."
  value       = aws_lambda_function.this.function_name
}

output "lambda_function_arn" {
  description = "ARN of the scan function."
  value       = aws_lambda_function.this.arn
}

output "lambda_role_arn" {
  description = "ARN of the function's IAM role, for cross-account trust (for example an IPAM delegated administrator account)."
  value       = aws_iam_role.this.arn
}

output "lambda_role_name" {
  description = "Name of the function's IAM role, to attach extra policies."
  value       = aws_iam_role.this.name
}

output "lambda_package_path" {
  description = "Path of the function package: the zip built during apply, or lambda_package."
  value       = local.build_package ? local.package_file : var.lambda_package
}

output "log_group_name" {
  description = "Name of the function's CloudWatch Logs log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "schedule_rule_name" {
  description = "Name of the EventBridge rule that runs the scan; disable it to pause the monitor."
  value       = aws_cloudwatch_event_rule.this.name
}

################################################################################
# Notifications and state
################################################################################

output "sns_topic_arn" {
  description = "ARN of the topic that receives alarm and scan notifications: the one created by the module or sns_topic_arn."
  value       = local.topic_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the topic (created or given), or null when the topic is not encrypted by the module."
  value       = local.kms_key_arn
}

output "state_table_name" {
  description = "Name of the DynamoDB table that remembers what was last notified."
  value       = aws_dynamodb_table.this.name
}

output "state_table_arn" {
  description = "ARN of the DynamoDB table that remembers what was last notified."
  value       = aws_dynamodb_table.this.arn
}

################################################################################
# Alarms
################################################################################

output "scope_names" {
  description = "Scope names read from the rules file, in file order; each one has a critical alarm."
  value       = local.scope_names
}

output "critical_alarm_names" {
  description = "Names of the critical alarms, by scope name."
  value       = { for scope, alarm in module.scope_alarms["critical"].alarms : scope => alarm.alarm_name }
}

output "critical_alarm_arns" {
  description = "ARNs of the critical alarms, by scope name."
  value       = { for scope, alarm in module.scope_alarms["critical"].alarms : scope => alarm.arn }
}

output "warning_alarm_names" {
  description = "Names of the warning alarms, by scope name (scopes with a warning threshold, when create_warning_alarms is true)."
  value       = { for scope, alarm in module.scope_alarms["warning"].alarms : scope => alarm.alarm_name }
}

output "warning_alarm_arns" {
  description = "ARNs of the warning alarms, by scope name."
  value       = { for scope, alarm in module.scope_alarms["warning"].alarms : scope => alarm.arn }
}

output "unknown_alarm_names" {
  description = "Names of the alarms on UnknownCount (usage no longer reported), by scope name: the scopes that have one."
  value       = { for scope, alarm in module.scope_alarms["unknown"].alarms : scope => alarm.alarm_name }
}

output "scope_alarm_names" {
  description = "Names of every per-scope alarm, by kind (critical, warning, unknown, and any kind a threshold pair with a metric of its own adds) and then by scope name."
  value       = { for kind, alarms in module.scope_alarms : kind => { for scope, alarm in alarms.alarms : scope => alarm.alarm_name } }
}

output "heartbeat_alarm_name" {
  description = "Name of the alarm that fires when complete scans stop arriving."
  value       = aws_cloudwatch_metric_alarm.heartbeat.alarm_name
}

output "heartbeat_alarm_arn" {
  description = "ARN of the alarm that fires when complete scans stop arriving."
  value       = aws_cloudwatch_metric_alarm.heartbeat.arn
}

output "errors_alarm_name" {
  description = "Name of the alarm on the function's errors."
  value       = aws_cloudwatch_metric_alarm.errors.alarm_name
}

output "errors_alarm_arn" {
  description = "ARN of the alarm on the function's errors."
  value       = aws_cloudwatch_metric_alarm.errors.arn
}

################################################################################
# Dashboard
################################################################################

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard, or null when create_dashboard is false."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard, or null when create_dashboard is false."
  value       = try("https://${local.console_host}/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this[0].dashboard_name}", null)
}

################################################################################
# Several accounts and the fan-out
################################################################################

output "fan_out" {
  description = "How scans run: \"single\" (the schedule invokes the function), \"step-functions\" (the state machine always shards) or \"auto\" (the state machine chooses one invocation or shards at every run)."
  value       = local.fan_out_mode
}

output "member_role_name" {
  description = "Name of the role the function assumes in each member account; give it to modules/member-role or its CloudFormation template."
  value       = var.member_role_name
}

output "member_role_template_body" {
  description = "The CloudFormation template of the member role (modules/member-role/member-role.cfn.yaml), for a StackSet with service-managed permissions: pass it as template_body with ScannerRoleArn = lambda_role_arn."
  value       = file("${path.module}/modules/member-role/member-role.cfn.yaml")
}

output "state_machine_arn" {
  description = "ARN of the scan state machine, or null when scans run in one invocation."
  value       = try(aws_sfn_state_machine.this[0].arn, null)
}

output "scan_bucket_name" {
  description = "Name of the bucket that holds each scan's shard plan and inventories for fan_out_retention_days, or null when scans run in one invocation."
  value       = try(module.scans_bucket[0].bucket.bucket, null)
}

output "scan_failed_alarm_name" {
  description = "Name of the alarm on scan executions that fail, time out or are stopped, or null when scans run in one invocation."
  value       = try(aws_cloudwatch_metric_alarm.scan_failed[0].alarm_name, null)
}

################################################################################
# Scan history
################################################################################

output "history_bucket_name" {
  description = "Name of the S3 bucket holding the scan history (created or given), or null when history_enabled is false."
  value       = local.history_bucket
}

output "history_bucket_arn" {
  description = "ARN of the S3 bucket holding the scan history, or null when history_enabled is false."
  value       = local.history_bucket_arn
}

output "history_uri" {
  description = "S3 URI of the scan history (bucket and prefix), as the --history option of ipam-monitor scan and preview takes it, or null when history_enabled is false."
  value       = local.history_uri
}

output "history_read_policy_json" {
  description = "IAM policy document that reads the scan history and nothing else (s3:ListBucket on its prefix, s3:GetObject, kms:Decrypt through S3 when a key is set): attach it to the role CI assumes for pull-request previews. null when history_enabled is false."
  value       = try(data.aws_iam_policy_document.history_read[0].json, null)
}

output "history_read_policy_arn" {
  description = "ARN of the managed policy that reads the scan history, or null unless create_history_read_policy is true."
  value       = try(aws_iam_policy.history_read[0].arn, null)
}
