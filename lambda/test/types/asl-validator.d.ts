/** asl-validator ships no types; this is the part of its API the tests call. */
declare module "asl-validator" {
  interface ValidationResult {
    isValid: boolean;
    errors: Array<{ message: string }>;
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): ValidationResult;
  export default aslValidator;
}
