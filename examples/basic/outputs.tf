output "lambda_function_name" {
  description = "Name of the scan function: `aws lambda invoke --function-name <name> out.json` runs a scan now."
  value       = module.ipam_monitor.lambda_function_name
}

output "sns_topic_arn" {
  description = "Topic that receives the alarms and scan notifications."
  value       = module.ipam_monitor.sns_topic_arn
}

output "critical_alarm_names" {
  description = "Critical alarm of each scope."
  value       = module.ipam_monitor.critical_alarm_names
}

output "dashboard_url" {
  description = "CloudWatch dashboard of the monitor."
  value       = module.ipam_monitor.dashboard_url
}
