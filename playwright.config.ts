import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './cli/browser';

const port = Number(process.env.PREFSTUDIO_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 600_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1360, height: 860 },
    launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs() },
  },
  // The built app, served with the cross-origin isolation headers (vite.config.ts).
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
