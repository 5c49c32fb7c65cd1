/** Escapes text that goes into a tooltip's markdown (names and ids are user input). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
