/** Debian's Chromium, installed by .ci/run; the browser tests fail, not skip, without it. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a machine without a network beyond loopback: without the
 * background-networking ones it keeps trying Google's hosts and gets refused.
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
