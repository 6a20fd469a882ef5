/**
 * A raw message made readable for assertions: CRLF to LF, folded header lines joined, and
 * quoted-printable soft breaks and escapes decoded (good enough for the ASCII we send).
 */
export function unfold(raw: string): string {
  const lf = raw.replace(/\r\n/g, '\n');
  const split = lf.indexOf('\n\n');
  const head = split < 0 ? lf : lf.slice(0, split);
  const body = split < 0 ? '' : lf.slice(split);
  return (
    head.replace(/\n[ \t]+/g, ' ') +
    body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  );
}
