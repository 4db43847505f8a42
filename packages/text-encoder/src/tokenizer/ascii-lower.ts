/**
 * Lower-cases A–Z only, leaving every other character as it is: what the official TIPS tokenizer's
 * `tf.strings.lower(text)` does (its default encoding '' is ASCII; 'É' stays 'É').
 */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
