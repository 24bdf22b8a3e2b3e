// Builds the demo page into apps/api/public/demo, which the API serves at GET /demo
// (apps/api/src/demo/demo.module.ts). `npm run build:demo`.
// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all the page needs.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/demo/',
  logLevel: 'warn',
  resolve: {
    alias: {
      // The published document's import paths, mapped onto our packages the way a frontend would.
      '@/lib/websocket': here('../../libs/client/src/index.ts'),
      '@/hooks/use-chat-websocket': here('../../libs/react/src/index.ts'),
      '@numerai/client': here('../../libs/client/src/index.ts'),
      '@numerai/react': here('../../libs/react/src/index.ts'),
      '@numerai/protocol': here('../../libs/protocol/src/index.ts'),
    },
  },
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: here('../api/public/demo'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
