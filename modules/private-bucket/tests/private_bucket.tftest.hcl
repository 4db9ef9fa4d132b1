# Plan-time checks of the private bucket: what every caller gets, and what each input changes.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::team-scans-20260101000000000000000001"
      id  = "team-scans-20260101000000000000000001"
    }
  }
}

variables {
  bucket_prefix = "team-scans-"
  force_destroy = false
  expiration = {
    rule_id = "expire-scans"
    prefix  = "scans/"
    days    = 7
  }
  tags = { team = "network" }
}

run "is_private_encrypted_tls_only_and_expires_its_prefix" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "Public access to the bucket is not blocked."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "The bucket still honours ACLs."
  }

  assert {
    condition = alltrue([
      one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256",
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == false,
    ])
    error_message = "Without a key the bucket is not encrypted with S3-managed keys."
  }

  assert {
    condition = alltrue([
      one(aws_s3_bucket_lifecycle_configuration.this.rule).id == "expire-scans",
      one(one(aws_s3_bucket_lifecycle_configuration.this.rule).filter).prefix == "scans/",
      one(one(aws_s3_bucket_lifecycle_configuration.this.rule).expiration).days == 7,
      one(one(aws_s3_bucket_lifecycle_configuration.this.rule).abort_incomplete_multipart_upload).days_after_initiation == 1,
    ])
    error_message = "Objects under the prefix do not expire after the days given."
  }

  assert {
    condition = alltrue([
      length(aws_s3_bucket_policy.this) == 1,
      { for s in data.aws_iam_policy_document.deny_insecure_transport[0].statement : s.sid => s.effect }["DenyInsecureTransport"] == "Deny",
      one(data.aws_iam_policy_document.deny_insecure_transport[0].statement[0].condition).values == tolist(["false"]),
    ])
    error_message = "The bucket policy does not refuse requests without TLS."
  }

  assert {
    condition     = aws_s3_bucket.this.bucket_prefix == "team-scans-" && aws_s3_bucket.this.force_destroy == false && aws_s3_bucket.this.tags == tomap({ team = "network" })
    error_message = "The bucket is not named, tagged and kept on destroy as asked."
  }

  assert {
    condition     = output.settings.policy != null && output.bucket.id == "team-scans-20260101000000000000000001"
    error_message = "The outputs do not give the bucket and its policy."
  }
}

run "encrypts_with_the_key_given_and_a_bucket_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition = alltrue([
      one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms",
      one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == true,
    ])
    error_message = "The bucket is not encrypted with the given key and a bucket key."
  }
}

run "keeps_the_statement_id_a_caller_gives" {
  command = plan

  variables {
    tls_statement_id = "DenyRequestsWithoutTls"
  }

  assert {
    condition     = keys({ for s in data.aws_iam_policy_document.deny_insecure_transport[0].statement : s.sid => s.effect }) == ["DenyRequestsWithoutTls"]
    error_message = "The TLS statement does not carry the caller's id."
  }
}

run "has_no_policy_when_tls_is_not_required" {
  command = plan

  variables {
    require_tls = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0 && output.settings.policy == null
    error_message = "The TLS-only policy is there although it was not asked for."
  }
}
