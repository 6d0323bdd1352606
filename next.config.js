/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native / WASM database drivers stay outside the server bundle.
  serverExternalPackages: ['@libsql/client', '@prisma/adapter-libsql', 'pg', '@prisma/adapter-pg', '@prisma/schema-engine-wasm'],
  poweredByHeader: false,
};
module.exports = nextConfig;
