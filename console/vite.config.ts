import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import bitrix24UIPluginVite from '@bitrix24/b24ui-nuxt/vite';
import { defineConfig } from 'vite';

/**
 * The console's build: Vue 3 + Bitrix24's UI kit through its Vite plugin (no Nuxt). `prose` and
 * `mdc` off (≈88 KB gz of global Prose components otherwise), theme CSS only for the components
 * used. The output (console/dist) is what the Dozvon server serves at `/`; heavy screens (scenario
 * graph, charts) are lazy chunks. The scenario interpreter and locale files come from the server's
 * own folders (src/scenario, locales), so the console runs the same code and texts.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

export default defineConfig(({ command }) => ({
  root: here,
  base: '/',
  plugins: [
    vue(),
    bitrix24UIPluginVite({
      colorModeInitialValue: 'light',
      prose: false,
      mdc: false,
      dts: true,
      experimental: { componentDetection: true },
    }),
  ],
  resolve: {
    alias: {
      '@server': path.join(root, 'src'),
      '@locales': path.join(root, 'locales'),
      // vue-router's devtools hook, dead in production, would bring all of @vue/devtools-kit along.
      ...(command === 'build' ? { '@vue/devtools-api': path.join(here, 'src', 'lib', 'routerDevtoolsOff.ts') } : {}),
    },
  },
  server: {
    fs: { allow: [root] },
    proxy: { '/api': 'http://127.0.0.1:3000', '/recordings': 'http://127.0.0.1:3000' },
  },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
}));
