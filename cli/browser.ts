// Which Chromium to drive and with which flags: shared by Playwright's config and the headless runner.
import { existsSync } from 'node:fs';

/** Flags that give headless Chromium WebGPU (SwiftShader when there is no GPU) and keep it off the network. */
export function chromiumArgs(opts: { swiftshader?: boolean } = {}): string[] {
  const args = [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ];
  // A real GPU goes through Vulkan; without one, WebGPU runs on SwiftShader (CPU), slow but real.
  if (opts.swiftshader ?? process.env.PREFSTUDIO_WEBGPU_ADAPTER !== 'vulkan') args.push('--use-webgpu-adapter=swiftshader');
  else args.push('--enable-features=Vulkan', '--use-vulkan=native', '--use-angle=vulkan');
  return args;
}

/**
 * The browser executable: $PREFSTUDIO_CHROMIUM (or $CHROMIUM_PATH), then Debian's /usr/bin/chromium;
 * undefined lets Playwright use its own downloaded browser.
 */
export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.PREFSTUDIO_CHROMIUM ?? process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`PREFSTUDIO_CHROMIUM=${fromEnv}: no such file`);
    return fromEnv;
  }
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}
