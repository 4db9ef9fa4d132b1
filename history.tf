################################################################################
# History: one object per day of scan snapshots, for forecasts and pull-request previews
################################################################################

locals {
  create_history_bucket = var.history_enabled && var.history_bucket_name == null

  history_bucket = !var.history_enabled ? null : (
    local.create_history_bucket ? aws_s3_bucket.history[0].id : var.history_bucket_name
  )
  history_bucket_arn = local.history_bucket == null ? null : "arn:${data.aws_partition.current.partition}:s3:::${local.history_bucket}"
  history_uri        = local.history_bucket == null ? null : "s3://${local.history_bucket}/${var.history_prefix}"
  # The scanner keeps everything under <prefix>days/; the policies grant exactly that.
  history_objects = local.history_bucket == null ? null : "${local.history_bucket_arn}/${var.history_prefix}days/*"

  # Forecast thresholds in the rules need a history, or they could never fire.
  rules_use_forecasts = anytrue([
    for scope in values(local.scopes) :
    try(scope.thresholds.daysToFullWarning, null) != null || try(scope.thresholds.daysToFullCritical, null) != null
  ])
}

resource "aws_s3_bucket" "history" {
  count = local.create_history_bucket ? 1 : 0

  # A prefix, not a name: bucket names are global, and two deployments of the same name in two
  # accounts or Regions must not collide. Bucket names are lower case; the module's name may not be.
  bucket_prefix = substr("${trim(lower(replace(var.name, "_", "-")), "-")}-history-", 0, 37)
  force_destroy = var.history_force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "history" {
  count = local.create_history_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.history[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "history" {
  count = local.create_history_bucket ? 1 : 0

  bucket = aws_s3_bucket.history[0].id

  rule {
    # No ACLs: access is what the bucket policy and IAM grant, nothing else.
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "history" {
  count = local.create_history_bucket ? 1 : 0

  bucket = aws_s3_bucket.history[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.history_kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.history_kms_key_arn
    }
    # One data key per bucket instead of a KMS request per object.
    bucket_key_enabled = var.history_kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "history" {
  count = local.create_history_bucket ? 1 : 0

  bucket = aws_s3_bucket.history[0].id

  rule {
    id     = "expire-scan-history"
    status = "Enabled"

    filter {
      prefix = "${var.history_prefix}days/"
    }

    expiration {
      days = var.history_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "history_bucket" {
  count = local.create_history_bucket && var.history_require_tls ? 1 : 0

  statement {
    sid       = "DenyRequestsWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.history[0].arn, "${aws_s3_bucket.history[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "history" {
  count = local.create_history_bucket && var.history_require_tls ? 1 : 0

  bucket = aws_s3_bucket.history[0].id
  policy = data.aws_iam_policy_document.history_bucket[0].json

  # A policy put before the public access block could be judged public and refused.
  depends_on = [aws_s3_bucket_public_access_block.history]
}

################################################################################
# History permissions: the function reads and writes its days; CI may read them
################################################################################

data "aws_iam_policy_document" "history_function" {
  count = var.history_enabled ? 1 : 0

  statement {
    # ListObjectsV2 is authorized by s3:ListBucket, on the bucket; the prefix condition keeps it to the history.
    sid       = "ListScanHistoryDays"
    actions   = [for action in local.iam_actions.history : action if action == "s3:ListBucket"]
    resources = [local.history_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.history_prefix}days/*"]
    }
  }

  statement {
    sid       = "ReadAndWriteScanHistoryDays"
    actions   = [for action in local.iam_actions.history : action if action != "s3:ListBucket"]
    resources = [local.history_objects]
  }

  dynamic "statement" {
    for_each = var.history_kms_key_arn == null ? [] : [var.history_kms_key_arn]

    content {
      sid       = "EncryptScanHistoryWithBucketKey"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.${data.aws_partition.current.dns_suffix}"]
      }
    }
  }
}

resource "aws_iam_role_policy" "history" {
  count = var.history_enabled ? 1 : 0

  name   = "${var.name}-history"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.history_function[0].json
}

data "aws_iam_policy_document" "history_read" {
  count = var.history_enabled ? 1 : 0

  statement {
    sid       = "ListScanHistoryDays"
    actions   = ["s3:ListBucket"]
    resources = [local.history_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.history_prefix}days/*"]
    }
  }

  statement {
    sid       = "ReadScanHistoryDays"
    actions   = ["s3:GetObject"]
    resources = [local.history_objects]
  }

  dynamic "statement" {
    for_each = var.history_kms_key_arn == null ? [] : [var.history_kms_key_arn]

    content {
      sid       = "DecryptScanHistory"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.${data.aws_partition.current.dns_suffix}"]
      }
    }
  }
}

resource "aws_iam_policy" "history_read" {
  count = var.history_enabled && var.create_history_read_policy ? 1 : 0

  name        = "${var.name}-history-read"
  description = "Reads the ${var.name} scan history, for pull-request previews in CI (ipam-monitor preview --history)."
  policy      = data.aws_iam_policy_document.history_read[0].json
  tags        = var.tags
}
