/** `text` with each marked section replaced by its generated content. */
export function applySections(text: string, sections: Record<string, string>): string {
  let result = text;
  for (const [name, content] of Object.entries(sections)) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(result)) throw new Error(`missing <!-- generated:${name} --> markers`);
    result = result.replace(pattern, (_, open: string, close: string) => `${open}${content}\n${close}`);
  }
  return result;
}
