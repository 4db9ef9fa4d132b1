variable "region" {
  description = "Region to deploy the monitor in: the IPAM home Region when you use IPAM."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "alarm_emails" {
  description = "Email addresses that receive the alarms. Each one must confirm its subscription."
  type        = list(string)
  default     = ["netops@example.com"]
  nullable    = false
}
