// Headless Chromium (Debian's, at /usr/bin/chromium) driven by playwright-core. The flags keep
// Chromium from reaching out on its own (this machine has no network but the registries).
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      "--disable-default-apps",
      "--disable-extensions",
    ],
  });
}
