output "bucket" {
  description = "The bucket (its id, arn and bucket name)."
  value       = aws_s3_bucket.this
}

output "settings" {
  description = "The resources that configure the bucket (public access block, ownership controls, encryption, lifecycle, policy or null), for the callers' checks."
  value = {
    public_access_block = aws_s3_bucket_public_access_block.this
    ownership_controls  = aws_s3_bucket_ownership_controls.this
    encryption          = aws_s3_bucket_server_side_encryption_configuration.this
    lifecycle           = aws_s3_bucket_lifecycle_configuration.this
    policy              = one(aws_s3_bucket_policy.this)
  }
}
