output "alarms" {
  description = "The alarms by scope name."
  value       = aws_cloudwatch_metric_alarm.this
}
