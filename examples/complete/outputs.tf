output "lambda_function_name" {
  description = "Name of the scan function: `aws lambda invoke --function-name <name> out.json` runs a scan now."
  value       = module.ipam_monitor.lambda_function_name
}

output "lambda_role_arn" {
  description = "Role of the scan function, for trust in other accounts."
  value       = module.ipam_monitor.lambda_role_arn
}

output "sns_topic_arn" {
  description = "The shared alarm topic."
  value       = module.ipam_monitor.sns_topic_arn
}

output "critical_alarm_arns" {
  description = "Critical alarm of each scope."
  value       = module.ipam_monitor.critical_alarm_arns
}

output "warning_alarm_arns" {
  description = "Warning alarm of each scope that has a warning threshold."
  value       = module.ipam_monitor.warning_alarm_arns
}

output "heartbeat_alarm_name" {
  description = "Alarm that fires when complete scans stop arriving."
  value       = module.ipam_monitor.heartbeat_alarm_name
}

output "dashboard_url" {
  description = "CloudWatch dashboard of the monitor."
  value       = module.ipam_monitor.dashboard_url
}
