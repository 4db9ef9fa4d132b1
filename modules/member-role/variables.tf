variable "role_name" {
  description = "Name of the read-only role in this member account. It must equal the scanner's member_role_name, because the scanner assumes arn:PARTITION:iam::ACCOUNT:role/ROLE_NAME in every account it reads."
  type        = string
  default     = "ipam-monitor-member"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "The role_name must be 1 to 64 characters of letters, digits and + = , . @ _ - (an IAM role name without a path)."
  }
}

variable "scanner_role_arn" {
  description = "ARN of the scanner's IAM role (the ipam-monitor module's lambda_role_arn output). Only this role may assume the member role. The role need not exist yet: the trust policy names its account and matches its ARN, so it also survives the scanner role being re-created."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", var.scanner_role_arn))
    error_message = "The scanner_role_arn must be an IAM role ARN such as arn:aws:iam::111122223333:role/ipam-monitor."
  }
}

variable "organization_id" {
  description = "ID of the AWS Organization the scanner's account belongs to (o-...). When set, the role can only be assumed by a principal of that organization, in addition to the scanner role ARN. null adds no organization condition."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "The organization_id must be an organization ID such as o-a1b2c3d4e5, or null."
  }
}

variable "external_id" {
  description = "External ID the scanner must pass when it assumes the role (the scanner's member_role_external_id). null requires none. An external ID is not a secret: AWS logs it in CloudTrail."
  type        = string
  default     = null

  validation {
    condition     = try(length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[A-Za-z0-9+=,.@:/_-]+$", var.external_id)), var.external_id == null)
    error_message = "The external_id must be 2 to 1224 characters of letters, digits and + = , . @ : / _ -, or null."
  }
}

variable "max_session_duration" {
  description = "Longest session of the role in seconds. A scan assumes the role once and reads every Region of the account in one session, well within the one-hour minimum."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200 && floor(var.max_session_duration) == var.max_session_duration
    error_message = "The max_session_duration must be a whole number of seconds from 3600 to 43200."
  }
}

variable "permissions_boundary" {
  description = "ARN of an IAM policy to set as the permissions boundary of the role, where your organization requires one. null sets none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary))
    error_message = "The permissions_boundary must be an IAM policy ARN such as arn:aws:iam::111122223333:policy/boundary, or null."
  }
}

variable "tags" {
  description = "Tags added to the role."
  type        = map(string)
  default     = {}
  nullable    = false
}
