output "lambda_function_name" {
  description = "Name of the scan function."
  value       = module.ipam_monitor.lambda_function_name
}

output "lambda_package_path" {
  description = "The function package built during apply."
  value       = module.ipam_monitor.lambda_package_path
}

output "sns_topic_arn" {
  description = "Topic that receives the alarms and scan notifications."
  value       = module.ipam_monitor.sns_topic_arn
}

output "state_table_name" {
  description = "DynamoDB table that remembers what was last notified."
  value       = module.ipam_monitor.state_table_name
}

output "scope_names" {
  description = "Scopes of the rules file, each with its alarms."
  value       = module.ipam_monitor.scope_names
}

output "critical_alarm_names" {
  description = "Critical alarm of each scope."
  value       = module.ipam_monitor.critical_alarm_names
}

output "warning_alarm_names" {
  description = "Warning alarm of each scope that has a warning threshold."
  value       = module.ipam_monitor.warning_alarm_names
}

output "heartbeat_alarm_name" {
  description = "Alarm that fires when complete scans stop arriving."
  value       = module.ipam_monitor.heartbeat_alarm_name
}

output "errors_alarm_name" {
  description = "Alarm on the function's errors."
  value       = module.ipam_monitor.errors_alarm_name
}

output "lambda_role_name" {
  description = "Role of the scan function."
  value       = module.ipam_monitor.lambda_role_name
}

output "log_group_name" {
  description = "Log group of the scan function."
  value       = module.ipam_monitor.log_group_name
}

output "schedule_rule_name" {
  description = "EventBridge rule that runs the scan."
  value       = module.ipam_monitor.schedule_rule_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the monitor."
  value       = module.ipam_monitor.dashboard_name
}

output "history_bucket_name" {
  description = "S3 bucket holding the scan history that forecasts and pull-request previews read."
  value       = module.ipam_monitor.history_bucket_name
}

output "history_uri" {
  description = "The scan history as the --history option of ipam-monitor scan and preview takes it."
  value       = module.ipam_monitor.history_uri
}
