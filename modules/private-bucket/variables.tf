variable "bucket_prefix" {
  description = "Prefix of the bucket's generated name: lower case, at most 37 characters."
  type        = string
}

variable "force_destroy" {
  description = "Whether destroying the bucket deletes the objects in it; otherwise a bucket with objects is kept and the destroy fails."
  type        = bool
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the objects (with an S3 bucket key), or null for S3-managed keys (AES256)."
  type        = string
  default     = null
}

variable "expiration" {
  description = "The lifecycle rule: its id, the key prefix it applies to and the days after which those objects expire."
  type = object({
    rule_id = string
    prefix  = string
    days    = number
  })
}

variable "require_tls" {
  description = "Whether the bucket policy denies every request not made over HTTPS."
  type        = bool
  default     = true
}

variable "tls_statement_id" {
  description = "Sid of the bucket policy statement that denies requests without TLS. It is part of the policy document, so a caller that had its own keeps it rather than rewriting the policy."
  type        = string
  default     = "DenyInsecureTransport"
}

variable "tags" {
  description = "Tags of the bucket."
  type        = map(string)
}
