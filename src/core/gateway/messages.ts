import type { PairingRequest } from '../pairing/pairingRequest';

/** What the gateway says to people in Teams. Kept together so the tone stays one voice. */
export function pairingCodeMessage(request: PairingRequest, ttlMinutes: number): string {
  const hello = request.meta.name ? `Hi ${request.meta.name.split(' ')[0]}!` : 'Hi!';
  return [
    `${hello} This bot only answers people its developer has approved, and you are not approved yet.`,
    ``,
    `Your pairing code is **${request.code}**.`,
    ``,
    `Send this code to the bot's developer. They approve it in VS Code (Teams Bot sidebar → Pairing Requests → Approve) or with \`teams-bot-dev pairing approve ${request.code}\`. The code expires in ${ttlMinutes} minutes.`,
  ].join('\n');
}

export function approvedMessage(request: PairingRequest): string {
  const hello = request.meta.name ? `${request.meta.name.split(' ')[0]}, you` : 'You';
  return `${hello} are approved: your messages now reach the bot. Send your message again.`;
}

export function echoMessage(text: string | undefined): string {
  const body = (text ?? '').trim();
  return body ? `Echo: ${body}` : 'Echo: (a message without text)';
}
