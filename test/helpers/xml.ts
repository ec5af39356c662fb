// A small strict XML parser for tests (no XML library is installed): it checks that a document
// is well-formed (one root, balanced tags, quoted and unique attributes, only the five named
// entities and numeric references, no stray < or &) and returns its element tree to query.

/** An element of a parsed document: name, attributes (entities decoded), children and text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (entities decoded), not its descendants'. */
  text: string;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;

/** `s` with its entity and character references decoded; throws on a bare & or an unknown entity. */
function decode(s: string, where: number): string {
  return s.replace(/&([^;&\s]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new Error(`XML: bare & at ${where}`);
    if (body in NAMED) return NAMED[body];
    const numeric = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(body);
    if (!numeric) throw new Error(`XML: unknown entity &${body}; at ${where}`);
    return String.fromCodePoint(body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1)));
  });
}

/** Parses `xml` (a document with one root element); throws a descriptive Error when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipSpace = () => {
    while (i < xml.length && /\s/.test(xml[i])) i++;
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('XML: unterminated declaration');
    i = end + 2;
  }
  while (i < xml.length) {
    if (xml[i] !== '<') {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      if (raw.includes('>') && /]]>/.test(raw)) throw new Error(`XML: ]]> in text at ${i}`);
      const text = decode(raw, i);
      if (stack.length === 0) {
        if (text.trim() !== '') throw new Error(`XML: text outside the root element at ${i}`);
      } else {
        stack[stack.length - 1].text += text;
      }
      i = end < 0 ? xml.length : end;
      continue;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) throw new Error(`XML: unterminated comment at ${i}`);
      i = end + 3;
      continue;
    }
    if (xml.startsWith('</', i)) {
      const m = NAME.exec(xml.slice(i + 2));
      if (!m) throw new Error(`XML: bad closing tag at ${i}`);
      i += 2 + m[0].length;
      skipSpace();
      if (xml[i] !== '>') throw new Error(`XML: expected > at ${i}`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw new Error(`XML: </${m[0]}> closes <${open?.name ?? 'nothing'}> at ${i}`);
      continue;
    }
    const m = NAME.exec(xml.slice(i + 1));
    if (!m) throw new Error(`XML: bad tag at ${i}: ${JSON.stringify(xml.slice(i, i + 20))}`);
    const element: XmlElement = { name: m[0], attributes: {}, children: [], text: '' };
    i += 1 + m[0].length;
    for (;;) {
      const before = i;
      skipSpace();
      if (xml.startsWith('/>', i) || xml[i] === '>') break;
      if (i === before) throw new Error(`XML: expected a space before an attribute at ${i}`);
      const a = NAME.exec(xml.slice(i));
      if (!a) throw new Error(`XML: bad attribute at ${i}: ${JSON.stringify(xml.slice(i, i + 20))}`);
      i += a[0].length;
      if (xml[i] !== '=') throw new Error(`XML: expected = after ${a[0]} at ${i}`);
      const quote = xml[i + 1];
      if (quote !== '"' && quote !== "'") throw new Error(`XML: unquoted attribute ${a[0]} at ${i}`);
      const end = xml.indexOf(quote, i + 2);
      if (end < 0) throw new Error(`XML: unterminated attribute ${a[0]} at ${i}`);
      const raw = xml.slice(i + 2, end);
      if (raw.includes('<')) throw new Error(`XML: < in attribute ${a[0]} at ${i}`);
      if (a[0] in element.attributes) throw new Error(`XML: duplicate attribute ${a[0]} at ${i}`);
      element.attributes[a[0]] = decode(raw, i);
      i = end + 1;
    }
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else if (root) throw new Error(`XML: a second root element <${element.name}> at ${i}`);
    else root = element;
    if (xml[i] === '>') {
      stack.push(element);
      i++;
    } else {
      i += 2;
    }
  }
  if (stack.length > 0) throw new Error(`XML: <${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error('XML: no root element');
  return root;
}

/** Every element below `root` (and root itself), depth first, in document order. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}

/** The elements named `name` whose class list includes `className` (when given). */
export function select(root: XmlElement, name: string, className?: string): XmlElement[] {
  return allElements(root).filter(
    (e) => e.name === name && (className === undefined || (e.attributes.class ?? '').split(/\s+/).includes(className)),
  );
}

/** The text of an element, then its children's (depth first). */
export function textOf(e: XmlElement): string {
  return e.text + e.children.map(textOf).join('');
}
