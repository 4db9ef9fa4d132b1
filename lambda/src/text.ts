/**
 * Text from the network (names, descriptions, tag values, error messages) made safe for one line
 * of a report or a notification.
 */

/**
 * Each run of control characters (C0, DEL, C1) and Unicode line or paragraph separators becomes one
 * space: a line break in a tag value would break every column after it, or start a new line in an
 * email.
 */
export function flattenControlCharacters(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this removes.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
}
