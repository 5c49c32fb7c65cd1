/** One problem found in a config file, located precisely enough for an editor squiggle. */
export interface ConfigDiagnostic {
  severity: 'error' | 'warning';
  /** Stable id for quick fixes and tests, e.g. "schema:enum", "allowlist-empty", "secret-in-file". */
  code: string;
  /** Where in the document: "dmPolicy", "webhook.port", "teams[\"19:x\"].requireMention"; "" for the whole file. */
  path: string;
  /** What is wrong and what to do, without the location. */
  message: string;
  /** 1-based position of the offending value (or key), when it is in the file. */
  line?: number;
  column?: number;
  /** 0-based offset and length in the text, for editors. */
  offset?: number;
  length?: number;
  /** The environment variable the value came from, when it did not come from the file. */
  envVar?: string;
  /** For an unknown key: the known key it most likely misspells ("dmPolcy" → "dmPolicy"), offered as a quick fix. */
  suggestion?: string;
}

/** "dmPolicy: must be one of pairing, allowlist, open, disabled (line 4, col 15)" */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  const where = d.envVar
    ? ` (from ${d.envVar})`
    : d.line !== undefined
      ? ` (line ${d.line}, col ${d.column})`
      : '';
  const subject = d.path ? `${d.path}: ` : '';
  return `${subject}${d.message}${where}`;
}

export function hasErrors(diagnostics: readonly ConfigDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
