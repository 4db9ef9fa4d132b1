terraform {
  # 1.7 brings provider mocking for `terraform test`; the module itself needs nothing newer.
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
