/**
 * A strict XML parse for tests that check generated XML (the JUnit report):
 * sax decides what is well-formed, not a regex. Throws on anything that is not.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sax = require('sax') as { parser(strict: boolean): SaxParser };

interface SaxParser {
  onerror: (err: Error) => void;
  onopentag: (node: { name: string; attributes: Record<string, string> }) => void;
  onclosetag: () => void;
  ontext: (text: string) => void;
  write(s: string): SaxParser;
  close(): void;
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
}

/** The document's root element, as a small tree. */
export function parseXml(xml: string): XmlElement {
  const parser = sax.parser(true);
  const root: XmlElement = { name: '#document', attributes: {}, text: '', children: [] };
  const stack = [root];
  parser.onerror = (err) => {
    throw err;
  };
  parser.onopentag = (node) => {
    const el: XmlElement = { name: node.name, attributes: node.attributes, text: '', children: [] };
    stack.at(-1)!.children.push(el);
    stack.push(el);
  };
  parser.onclosetag = () => void stack.pop();
  parser.ontext = (text) => {
    stack.at(-1)!.text += text;
  };
  parser.write(xml).close();
  return root.children[0];
}
