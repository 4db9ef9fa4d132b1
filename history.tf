################################################################################
# History: one object per day of scan snapshots, for forecasts and pull-request previews
################################################################################

locals {
  create_history_bucket = var.history_enabled && var.history_bucket_name == null

  history_bucket = !var.history_enabled ? null : (
    local.create_history_bucket ? module.history_bucket[0].bucket.id : var.history_bucket_name
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

module "history_bucket" {
  source = "./modules/private-bucket"
  count  = local.create_history_bucket ? 1 : 0

  # Bucket names are lower case; the module's name may not be.
  bucket_prefix = substr("${trim(lower(replace(var.name, "_", "-")), "-")}-history-", 0, 37)
  force_destroy = var.history_force_destroy
  kms_key_arn   = var.history_kms_key_arn
  expiration = {
    rule_id = "expire-scan-history"
    prefix  = "${var.history_prefix}days/"
    days    = var.history_retention_days
  }
  require_tls      = var.history_require_tls
  tls_statement_id = "DenyRequestsWithoutTls"
  tags             = var.tags
}

# The history bucket's resources moved into modules/private-bucket; these keep the existing bucket.
moved {
  from = aws_s3_bucket.history[0]
  to   = module.history_bucket[0].aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.history[0]
  to   = module.history_bucket[0].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.history[0]
  to   = module.history_bucket[0].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.history[0]
  to   = module.history_bucket[0].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.history[0]
  to   = module.history_bucket[0].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.history[0]
  to   = module.history_bucket[0].aws_s3_bucket_policy.this[0]
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
