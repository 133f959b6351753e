import { defineConfig } from '../src/config.ts';
import { outletFeeds } from './outlet-feeds.ts';

// The configuration bundled into the Cloudflare Workers build (`npm run build:worker`, `wrangler deploy`).
// Workers cannot read files, so every source must be served over http(s): replace the placeholder below
// with your wire feeds. `npx wirefeed check-config config/worker.config.ts --target worker` checks it.
// Storage is the D1 binding `DB` of wrangler.toml, and the tick is its `[triggers] crons`: `storage` and
// `schedule.cron` are not used here.
export default defineConfig({
  sources: [
    {
      id: 'wire',
      url: 'https://wire.example.com/feed.xml',
      title: 'Wire (placeholder: replace with your upstream feed)',
      interval: 15,
      categories: [],
    },
  ],
  feeds: outletFeeds,
  server: { title: 'wirefeed' },
  // Workers allow six simultaneous outgoing connections per invocation; the worker never uses more.
  schedule: { concurrency: 4, batchSize: 10 },
});
