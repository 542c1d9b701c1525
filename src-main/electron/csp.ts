/**
 * The Content-Security-Policy for the renderer, built in one place for both shells. Nothing
 * from elsewhere: scripts, styles, fonts, images and connections stay on the app's own origin.
 * Mantine injects <style> tags at runtime, hence 'unsafe-inline' for styles only.
 */
export function contentSecurityPolicy(opts: { connectSelf: boolean }): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${opts.connectSelf ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
