export interface WebServer {
  /** Where the browser opens the app: `http://127.0.0.1:<port>/`. */
  url: string;
}

/**
 * One origin for the app and the API, as in production: the API serves the built app itself (start
 * it with `WEB_DIST_DIR` set to the build), with its security headers, caching and compression.
 */
export async function serveWeb(apiUrl: string): Promise<WebServer> {
  const response = await fetch(`${apiUrl}/`);
  const body = await response.text();
  if (!response.ok || !body.includes('<div id="root">'))
    throw new Error(`the API at ${apiUrl} does not serve the web app (${response.status}): set WEB_DIST_DIR`);
  return { url: `${apiUrl}/` };
}
