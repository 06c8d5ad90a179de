// @ts-check
// Bundles the compiled hub (dist/main.js, from `nest build`) and the packages it imports into one ES module,
// dist/hub.mjs, which `npm start` runs. Resolving and loading the ~2 700 files of Nest, TypeORM, swagger and
// friends one by one took most of the start-up time (about 3 s of 4 on these machines); one file loads in a
// fraction of that. tsc compiles first because esbuild cannot emit the decorator metadata Nest's DI needs.
import { build } from 'esbuild';

// Left to node_modules at run time: native addons, packages that read files beside their own code (PGlite's
// WASM, Swagger UI's assets), and optional Nest integrations the hub does not install.
const external = [
  'argon2',
  '@electric-sql/pglite',
  '@electric-sql/pglite-socket',
  'swagger-ui-dist',
  'pg-native',
  '@nestjs/microservices',
  '@nestjs/websockets',
  '@nestjs/platform-express',
  '@fastify/view',
  '@fastify/multipart',
  'class-transformer/storage',
];

await build({
  entryPoints: ['dist/main.js'],
  outfile: 'dist/hub.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // Class names stay: Nest and the OpenAPI document use them (schema names, logger contexts).
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
  // Bundled CommonJS code calls require(); in an ES module it has to be made.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
