import { defineConfig } from '../src/config.ts';
import { outletFeeds } from './outlet-feeds.ts';

// The default configuration: one bundled sample upstream (fictional, written by us), so that the first
// `npm start` has news to show, and two outlet feeds over it. Replace the sources with real wire feeds.
export default defineConfig({
  sources: [
    {
      id: 'sample-wire',
      url: new URL('./samples/wire-sample.xml', import.meta.url).href,
      title: 'Sample wire (bundled, fictional)',
      interval: 15,
      categories: [],
    },
  ],
  feeds: outletFeeds,
  server: { title: 'wirefeed' },
  storage: { path: './data/wirefeed.db' }, // Node only; Workers use D1
});
