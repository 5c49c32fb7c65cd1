/**
 * What the user must do when an external CLI is missing. Each driver describes
 * its tool once; the process runner turns a failed spawn (ENOENT) into this
 * error so every command that touches the tool says the same thing.
 */
export interface ToolInfo {
  /** The executable's usual name on PATH, also the prefix of its log lines. */
  readonly name: string;
  /** How a sentence refers to the tool, e.g. "The Teams CLI (teams)". */
  readonly displayName: string;
  /** The install instruction, already phrased as a clause ("install it with …"). */
  readonly installHint: string;
  /** The setting that overrides the executable path. */
  readonly settingName: string;
  /** "is not installed or not on PATH"; tools word this differently. */
  readonly missingPhrase?: string;
}

export class ToolNotFoundError extends Error {
  override readonly name = 'ToolNotFoundError';
  readonly tool: ToolInfo;
  readonly executable: string;

  constructor(tool: ToolInfo, executable: string) {
    super(toolNotFoundMessage(tool, executable));
    this.tool = tool;
    this.executable = executable;
  }
}

/** One sentence: what is missing, how to install it, and which setting points elsewhere. */
export function toolNotFoundMessage(tool: ToolInfo, executable: string): string {
  if (isExplicitPath(executable, tool.name)) {
    return `${tool.displayName} was not found at ${executable}: fix ${tool.settingName}, or clear it and ${tool.installHint}.`;
  }
  const missing = tool.missingPhrase ?? 'is not installed or not on PATH';
  return `${tool.displayName} ${missing}: ${tool.installHint}, or set ${tool.settingName}.`;
}

function isExplicitPath(executable: string, defaultName: string): boolean {
  return executable !== defaultName && /[\\/]/.test(executable);
}
