variable "rules_file" {
  description = "Path of the YAML rules file. The calling module checks that it exists and is YAML."
  type        = string
  nullable    = false
}

variable "schema_file" {
  description = "Path of the rules JSON Schema whose threshold fields and level pairs apply. null reads the schema the package validates with (lambda/schema/rules.schema.json); tests pass another."
  type        = string
  default     = null
}
