// Stored files a browser would run as a page (HTML, SVG, XML, or no type at
// all, which a browser may sniff as HTML) are served in a sandbox: scripts
// run, but in an opaque origin, so a stored page cannot use the admin routes
// that share the emulator's origin. Convex serves no such header; this is a
// deliberate deviation, for safety only (docs/security.md): fetch(), <img>
// and every other subresource use ignore it, and other types are unchanged.

/** The sandbox: everything a page may do except be its own origin (no `allow-same-origin`). */
const SANDBOX = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

// text/html, application/xhtml+xml, image/svg+xml, text/xml, application/xml, any +xml.
const ACTIVE = /^(?:text\/html|[a-z0-9!#$&^_.+-]+\/(?:[a-z0-9!#$&^_.+-]*\+)?xml)$/;

/** The Content-Security-Policy a file of this stored type is served with, or undefined for none. */
export function activeContentPolicy(contentType: string | null): string | undefined {
  if (contentType === null) return SANDBOX;
  const essence = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return ACTIVE.test(essence) ? SANDBOX : undefined;
}
