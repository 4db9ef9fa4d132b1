variable "region" {
  description = "Region to deploy the monitor and the member role StackSet in."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "name" {
  description = "Name prefix of everything the module creates."
  type        = string
  default     = "ipam-monitor"
  nullable    = false
}

variable "regions" {
  description = "Regions the scanner reads in every account."
  type        = list(string)
  default     = ["us-east-1", "eu-west-1"]
  nullable    = false
}

variable "member_ou_ids" {
  description = "Organizational units whose accounts get the member role from the StackSet (and the OUs below them)."
  type        = list(string)
  nullable    = false
}

variable "fan_out" {
  description = "auto (one invocation while the organization is small, Step Functions above the measured size), single or step-functions."
  type        = string
  default     = "auto"
  nullable    = false
}

variable "baseline_account_id" {
  description = "An account outside member_ou_ids that gets the member role from Terraform (modules/member-role). null: none."
  type        = string
  default     = null
}

variable "baseline_access_role_name" {
  description = "Role Terraform assumes in baseline_account_id."
  type        = string
  default     = "OrganizationAccountAccessRole"
  nullable    = false
}

variable "alarm_emails" {
  description = "Email addresses that receive the alarms. Each one must confirm its subscription."
  type        = list(string)
  default     = []
  nullable    = false
}
