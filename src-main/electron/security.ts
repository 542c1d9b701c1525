/**
 * Guards for every window: no navigation away from the app, no new windows (links to CRM+ open
 * in the system browser instead), no webviews, no permissions, and the CSP header on every
 * response the renderer loads.
 */
import { app, session, shell, type WebContents } from 'electron';
import { contentSecurityPolicy } from './csp';

export function isAppUrl(url: string, appEntry: string): boolean {
  return url === appEntry || url.startsWith(appEntry.replace(/index\.html$/, ''));
}

export function isExternalHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

export function hardenSession(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy({ connectSelf: false })],
      },
    });
  });
  app.on('web-contents-created', (_e, contents) => guardContents(contents));
}

export function guardContents(contents: WebContents): void {
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalHttpUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (e, url) => {
    if (url !== contents.getURL()) e.preventDefault();
  });
}
