output "lambda_function_name" {
  description = "Name of the scan function."
  value       = module.ipam_monitor.lambda_function_name
}

output "lambda_role_arn" {
  description = "The scanner's role, which the member roles trust."
  value       = module.ipam_monitor.lambda_role_arn
}

output "fan_out" {
  description = "How scans run: single, step-functions or auto."
  value       = module.ipam_monitor.fan_out
}

output "state_machine_arn" {
  description = "The scan state machine, or null when scans run in one invocation."
  value       = module.ipam_monitor.state_machine_arn
}

output "scan_bucket_name" {
  description = "Bucket of the shard plans and inventories, or null."
  value       = module.ipam_monitor.scan_bucket_name
}

output "sns_topic_arn" {
  description = "Topic that receives the alarms and scan notifications."
  value       = module.ipam_monitor.sns_topic_arn
}

output "stack_set_name" {
  description = "StackSet that deploys the member role to member_ou_ids."
  value       = aws_cloudformation_stack_set.member_role.name
}
