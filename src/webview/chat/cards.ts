import * as AC from 'adaptivecards';
import { cardMarkdownHtml } from './markdown';
import { submitMeaning, withoutRemoteContent, type CardAction } from './cardContent';

export { ADAPTIVE_CARD, attachmentCard, type CardAction } from './cardContent';

/**
 * Cards, drawn by Microsoft's own renderer (adaptivecards 3) with a Teams-like host config whose
 * colours and fonts are VS Code's theme variables, so a card follows the theme as the rest of the
 * panel does. What a card contains and what its actions mean is cardContent.ts's (no DOM).
 */

const fg = (c: string, subtle?: string) => ({ default: c, subtle: subtle ?? c });
const foregroundColors = {
  default: fg('var(--vscode-foreground)', 'var(--vscode-descriptionForeground)'),
  dark: fg('var(--vscode-foreground)', 'var(--vscode-descriptionForeground)'),
  light: fg('var(--vscode-descriptionForeground)'),
  accent: fg('var(--vscode-textLink-foreground)'),
  good: fg('var(--vscode-testing-iconPassed, #3fb950)'),
  warning: fg('var(--vscode-editorWarning-foreground)'),
  attention: fg('var(--vscode-errorForeground)'),
};
const style = (backgroundColor: string) => ({ backgroundColor, foregroundColors });

/** Teams' spacing and sizes, VS Code's colours. */
export const hostConfig = new AC.HostConfig({
  fontFamily: 'var(--vscode-font-family)',
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 12 },
  separator: { lineThickness: 1, lineColor: 'var(--vscode-widget-border, var(--vscode-panel-border))' },
  fontTypes: {
    default: { fontFamily: 'var(--vscode-font-family)', fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
    monospace: { fontFamily: 'var(--vscode-editor-font-family)', fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
  },
  imageSizes: { small: 32, medium: 52, large: 100 },
  containerStyles: {
    default: style('var(--vscode-editorWidget-background)'),
    emphasis: style('var(--vscode-textBlockQuote-background)'),
    accent: style('var(--vscode-editor-selectionHighlightBackground)'),
    good: style('var(--vscode-diffEditor-insertedTextBackground)'),
    attention: style('var(--vscode-inputValidation-errorBackground)'),
    warning: style('var(--vscode-inputValidation-warningBackground)'),
  },
  actions: { maxActions: 6, spacing: 'default', buttonSpacing: 8, showCard: { actionMode: 'inline', inlineTopMargin: 8 }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
  adaptiveCard: { allowCustomStyle: false },
  factSet: { title: { weight: 'bolder', wrap: true, maxWidth: 150 }, value: { wrap: true }, spacing: 8 },
});

AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = cardMarkdownHtml(text);
  result.didProcess = true;
};

/** Renders a card; each action click goes to onAction. Returns an error line instead when the card does not parse. */
export function renderCard(card: unknown, onAction: (action: CardAction) => void): HTMLElement {
  const adaptive = new AC.AdaptiveCard();
  adaptive.hostConfig = hostConfig;
  adaptive.onExecuteAction = (action) => {
    if (action instanceof AC.ExecuteAction) onAction({ kind: 'execute', verb: action.verb, data: action.data ?? {}, id: action.id });
    else if (action instanceof AC.SubmitAction) onAction(submitMeaning(action.data ?? {}));
    else if (action instanceof AC.OpenUrlAction && action.url) onAction({ kind: 'openUrl', url: action.url });
  };
  try {
    const errors: string[] = [];
    const context = new AC.SerializationContext();
    adaptive.parse(withoutRemoteContent(card), context);
    for (let i = 0; i < context.eventCount; i++) errors.push(context.getEventAt(i).message);
    const el = adaptive.render();
    if (!el) throw new Error(errors.join('; ') || 'the renderer returned nothing');
    const box = document.createElement('div');
    box.className = 'card';
    box.appendChild(el);
    return box;
  } catch (err) {
    const box = document.createElement('div');
    box.className = 'card-error';
    box.textContent = `This card could not be shown: ${err instanceof Error ? err.message : String(err)}`;
    return box;
  }
}
