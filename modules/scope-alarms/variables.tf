variable "alarms" {
  description = "The alarms of one kind, keyed by scope name: the alarm name, its description and its threshold."
  type = map(object({
    alarm_name  = string
    description = string
    threshold   = number
  }))
  nullable = false
}

variable "namespace" {
  description = "CloudWatch namespace of the scope metrics."
  type        = string
  nullable    = false
}

variable "metric_name" {
  description = "The per-scope metric every alarm of this kind watches (dimension Scope)."
  type        = string
  nullable    = false
}

variable "statistic" {
  description = "Statistic of the metric over a period."
  type        = string
  nullable    = false
}

variable "comparison_operator" {
  description = "How the statistic is compared with each alarm's threshold."
  type        = string
  nullable    = false
}

variable "treat_missing_data" {
  description = "What a period without data means to the alarm."
  type        = string
  nullable    = false
}

variable "evaluation_periods" {
  description = "Consecutive periods the metric must breach before the alarm fires."
  type        = number
  default     = 1
  nullable    = false
}

variable "period" {
  description = "Alarm period in seconds."
  type        = number
  nullable    = false
}

variable "actions" {
  description = "ARNs notified on ALARM and on OK."
  type        = list(string)
  nullable    = false
}

variable "tags" {
  description = "Tags of every alarm."
  type        = map(string)
  nullable    = false
}
