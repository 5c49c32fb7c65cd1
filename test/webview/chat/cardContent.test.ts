import { strict as assert } from 'node:assert';
import { attachmentCard, heroAsAdaptive, submitMeaning, suggestedActionMeaning, withoutRemoteContent } from '../../../src/webview/chat/cardContent';

describe('Chat panel cards: content as plain data', () => {
  it('a remote image, image set, media, background and icon become their URL in text; data: images stay; the card given is not changed', () => {
    const card = {
      type: 'AdaptiveCard',
      backgroundImage: 'https://example.com/bg.png',
      body: [
        { type: 'Image', url: 'https://example.com/a.png' },
        { type: 'Image', url: 'data:image/png;base64,iVBORw0KGgo=' },
        { type: 'ColumnSet', columns: [{ type: 'Column', backgroundImage: { url: 'http://example.com/c.png' }, items: [{ type: 'Image', url: 'http://example.com/nested.png' }] }] },
        { type: 'ImageSet', images: [{ type: 'Image', url: 'https://example.com/s1.png' }] },
        { type: 'Media', sources: [{ url: 'https://example.com/v.mp4' }] },
      ],
      actions: [{ type: 'Action.OpenUrl', title: 'Go', url: 'https://example.com', iconUrl: 'https://example.com/i.png' }],
    };
    const before = JSON.stringify(card);
    const safe = JSON.stringify(withoutRemoteContent(card));
    assert.equal(JSON.stringify(card), before, 'the card given was changed');
    for (const url of ['https://example.com/bg.png', 'http://example.com/c.png', 'https://example.com/i.png', 'https://example.com/v.mp4']) assert.ok(!safe.includes(url), `${url} is still in the card`);
    const out = withoutRemoteContent(card) as { body: Record<string, unknown>[]; actions: Record<string, unknown>[] };
    assert.deepEqual(out.body[0], { type: 'TextBlock', text: '[image not loaded: https://example.com/a.png]', wrap: true, isSubtle: true, size: 'small' });
    assert.deepEqual(out.body[1], { type: 'Image', url: 'data:image/png;base64,iVBORw0KGgo=' });
    assert.match(JSON.stringify(out.body[2]), /\[image not loaded: http:\/\/example\.com\/nested\.png\]/);
    assert.equal(out.body[3].type, 'Container');
    assert.match(JSON.stringify(out.body[3]), /image not loaded: https:\/\/example\.com\/s1\.png/);
    assert.equal(out.body[4].type, 'TextBlock');
    assert.deepEqual(out.actions[0], { type: 'Action.OpenUrl', title: 'Go', url: 'https://example.com' });
  });

  it('a hero card becomes the Adaptive Card Teams draws: title, subtitle, text, and buttons with their Teams meaning', () => {
    const card = heroAsAdaptive({
      title: 'Seattle', subtitle: 'Washington', text: 'Rain', images: [{ url: 'https://example.com/sea.png' }],
      buttons: [{ type: 'openUrl', title: 'Map', value: 'https://maps.example.com' }, { type: 'imBack', title: 'Weather', value: 'weather' }, { type: 'messageBack', title: 'More', text: 'more', value: { k: 1 } }],
    }, false);
    const body = card.body as Record<string, unknown>[];
    assert.deepEqual(body.map((b) => b.type), ['Image', 'TextBlock', 'TextBlock', 'TextBlock']);
    assert.deepEqual(body.slice(1).map((b) => b.text), ['Seattle', 'Washington', 'Rain']);
    const actions = card.actions as Record<string, unknown>[];
    assert.deepEqual(actions[0], { type: 'Action.OpenUrl', title: 'Map', url: 'https://maps.example.com' });
    assert.deepEqual(submitMeaning(actions[1].data), { kind: 'imBack', text: 'weather' });
    assert.deepEqual(submitMeaning(actions[2].data), { kind: 'messageBack', text: 'more', value: { k: 1 } });
    const thumb = heroAsAdaptive({ title: 'T', images: [{ url: 'x' }] }, true);
    assert.equal((thumb.body as Record<string, unknown>[])[0].type, 'ColumnSet', 'a thumbnail card puts its image beside the text');
  });

  it('Action.Submit data: msteams task/fetch opens a dialog, imBack and messageBack send a message, anything else is the submitted value', () => {
    assert.deepEqual(submitMeaning({ msteams: { type: 'task/fetch' }, id: 7 }), { kind: 'taskFetch', data: { msteams: { type: 'task/fetch' }, id: 7 } });
    assert.deepEqual(submitMeaning({ msteams: { type: 'invoke', value: { type: 'task/fetch', x: 1 } } }), { kind: 'taskFetch', data: { type: 'task/fetch', x: 1 } });
    assert.deepEqual(submitMeaning({ msteams: { type: 'imBack', value: 'yes' } }), { kind: 'imBack', text: 'yes' });
    assert.deepEqual(submitMeaning({ choice: 'b', comment: 'ok' }), { kind: 'submit', data: { choice: 'b', comment: 'ok' } });
  });

  it('suggested actions: openUrl opens outside, messageBack sends its hidden text and value and shows its displayText, imBack says its value', () => {
    assert.deepEqual(suggestedActionMeaning({ type: 'openUrl', title: 'Docs', value: 'https://learn.microsoft.com' }), { kind: 'openUrl', url: 'https://learn.microsoft.com' });
    assert.deepEqual(suggestedActionMeaning({ type: 'messageBack', title: 'More', text: 'more', value: { page: 2 }, displayText: 'Show me more' }), { kind: 'messageBack', text: 'more', value: { page: 2 }, displayText: 'Show me more' });
    assert.deepEqual(suggestedActionMeaning({ type: 'messageBack', title: 'Quiet', value: { q: 1 } }), { kind: 'messageBack', text: undefined, value: { q: 1 } });
    assert.deepEqual(suggestedActionMeaning({ type: 'imBack', title: 'Red', value: 'red' }), { kind: 'imBack', text: 'red' });
    assert.deepEqual(suggestedActionMeaning({ title: 'Just a title' }), { kind: 'imBack', text: 'Just a title' });
    // A card's messageBack button keeps its displayText too.
    assert.deepEqual(submitMeaning({ msteams: { type: 'messageBack', text: 't', value: 1, displayText: 'Shown' } }), { kind: 'messageBack', text: 't', value: 1, displayText: 'Shown' });
  });

  it('attachments: an Adaptive Card is itself, hero and thumbnail cards are converted, anything else is not a card', () => {
    const adaptive = { type: 'AdaptiveCard', body: [] };
    assert.equal(attachmentCard({ contentType: 'application/vnd.microsoft.card.adaptive', content: adaptive }), adaptive);
    assert.equal(attachmentCard({ contentType: 'application/vnd.microsoft.card.hero', content: { title: 'H' } })?.type, 'AdaptiveCard');
    assert.equal(attachmentCard({ contentType: 'application/vnd.microsoft.card.thumbnail', content: { title: 'T' } })?.type, 'AdaptiveCard');
    assert.equal(attachmentCard({ contentType: 'image/png', content: undefined }), undefined);
    assert.equal(attachmentCard({ contentType: 'application/vnd.microsoft.teams.file.download.info', content: { uniqueId: 'x' } }), undefined);
  });
});
