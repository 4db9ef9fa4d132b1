output "role_arn" {
  description = "ARN of the member role the scanner assumes in this account."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the member role; the scanner's member_role_name must be the same."
  value       = aws_iam_role.this.name
}

output "actions" {
  description = "The IAM actions the member role allows: exactly those of the scanner's EC2 source and its capacity reads."
  value       = local.ec2_source_actions
}
