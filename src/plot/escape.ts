// XML escaping of every text a plot draws (names, tokens, titles): the SVG stays well-formed and
// a name like `<script>` is shown, never run.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Whether the UTF-16 code unit at `i` of `s` may stand in an XML 1.0 document (pairs checked). */
function allowed(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0x20) return c === 0x09 || c === 0x0a || c === 0x0d;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff;
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const previous = s.charCodeAt(i - 1);
    return previous >= 0xd800 && previous <= 0xdbff;
  }
  return c !== 0xfffe && c !== 0xffff;
}

/**
 * `text` with & < > " ' written as entities, and the characters XML 1.0 forbids (control
 * characters other than tab and newlines, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD, so any
 * string can go into an element or an attribute.
 */
export function escapeXml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    out += ENTITIES[c] ?? (allowed(text, i) ? c : '\ufffd');
  }
  return out;
}
